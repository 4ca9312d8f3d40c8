"""The worker's `hotspots` job: new orders into clusters, alerts where due (idempotent: an
order is placed once; a second run with nothing new does nothing)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from jiesu.core.db import let_other_writers_in
from jiesu.hotspots import service


def run(session_factory: Callable[[], Session]) -> int:
    total = 0
    while True:
        with session_factory() as session:
            done = service.assign_pending(session)
            session.commit()
            if len(done) >= service.BATCH:
                let_other_writers_in(session)
        total += len(done)
        if len(done) < service.BATCH:
            return total
