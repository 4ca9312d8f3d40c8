"""Periodic return-visit work for the worker.

`run(session_factory)` closes the due orders that get no call (anonymous, no call-back, not
sampled) with `skip_visit`, one committed batch at a time, so they leave the queue. It is
idempotent: an order already closed is no longer due, and a second worker finding the order
closed gets a transition refusal for that batch, which the next run retries. It acts as a
named centre account (JIESU_VISIT_JOB_USER, default `visitor`) so the events say who closed
them. Same signature as the jobs in jiesu/worker.py; suggested schedule: every 15 minutes
(`Job("close_skipped_visits", "免回访工单办结", jiesu.visits.jobs.run)`).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.core.db import committed_batches
from jiesu.core.errors import InvalidInput
from jiesu.units.models import User
from jiesu.units.service import principal_for
from jiesu.visits import service
from jiesu.visits.rules import get_visit_rules

BATCH = 200


def close_skipped_visits(session: Session, username: str | None = None,
                         limit: int = BATCH) -> int:
    """One batch in the caller's transaction; returns how many orders were closed."""
    name = username or get_visit_rules().job_user
    user = session.scalars(select(User).where(User.username == name, User.active)).first()
    if user is None:
        raise InvalidInput(f"回访任务用户不存在：{name}", code="visit_job_user_missing")
    return len(service.close_skipped(session, principal_for(session, user), limit=limit))


def run(session_factory: Callable[[], Session]) -> int:
    return committed_batches(session_factory, _one_batch)


def _one_batch(session: Session) -> tuple[int, bool]:
    closed = close_skipped_visits(session)
    return closed, closed >= BATCH
