"""The worker's `hotspots` job: new orders into clusters, alerts where due (idempotent: an
order is placed once; a second run with nothing new does nothing)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from jiesu.core.db import committed_batches
from jiesu.hotspots import service


def _one_batch(session: Session) -> tuple[int, bool]:
    done = len(service.assign_pending(session))
    return done, done >= service.BATCH


def run(session_factory: Callable[[], Session]) -> int:
    return committed_batches(session_factory, _one_batch)
