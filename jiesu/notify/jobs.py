"""Background task of the notify package: deliver the outbox."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy.orm import Session

from jiesu.core import outbox
from jiesu.core.db import let_other_writers_in
from jiesu.notify import service, webhook

# Importing the modules registers their handlers ("notify", "webhook").
HANDLER_MODULES = (service, webhook)


def deliver_outbox(session_factory: Callable[[], Session], *, batch: int = 100,
                   worker: str | None = None) -> int:
    """Deliver every due message, a batch at a time, including the ones delivering others
    enqueues (an inbox row's webhook message); returns how many were sent."""
    worker = worker or f"w-{uuid.uuid4().hex[:12]}"
    sent = 0
    while True:
        with session_factory() as session:
            ids = outbox.claim(session, worker, limit=batch)
            session.commit()
            if sent and ids:  # a second batch and more: a long run, let the others write
                let_other_writers_in(session)
        if not ids:
            return sent
        sent += sum(outbox.deliver_one(session_factory, i, worker) for i in ids)
