"""The rates rollup for the worker (`rates_rollup`): recompute the days of rates_daily that
are no longer exact (their orders changed, a reply deadline passed, the rules changed) and
fill up to a month of recent days never computed. Idempotent, one transaction per run;
concurrent runs wait on one lock (jiesu/insights/rollup.py). Suggested schedule: every minute
(the more often, the fewer days a report counts from orders).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from jiesu.insights import rollup


def run(session_factory: Callable[[], Session]) -> int:
    with session_factory() as session:
        done = rollup.refresh(session)
        session.commit()
    return done.days
