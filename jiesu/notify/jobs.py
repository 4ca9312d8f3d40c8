"""Background task of the notify package: deliver the outbox."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from jiesu.core import outbox
from jiesu.notify import service, webhook

# Importing the modules registers their handlers ("notify", "webhook").
HANDLER_MODULES = (service, webhook)


def deliver_outbox(session_factory: Callable[[], Session], *, batch: int = 100,
                   worker: str | None = None) -> int:
    """Deliver every due message, a batch at a time; returns how many were sent."""
    sent = 0
    while True:
        done = outbox.deliver_pending(session_factory, limit=batch, worker=worker)
        sent += done
        if done < batch:
            return sent
