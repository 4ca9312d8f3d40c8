"""Transactional outbox: side effects are written with the change and delivered after commit.

A service calls `enqueue()` inside its transaction. `deliver_pending()` (run by the worker,
or right after commit in the embedded mode) claims due messages, runs the handler registered
for the topic, and marks them sent; failures are retried with back-off and end as `dead`.
Handlers must be idempotent: a message may be delivered again after a crash, and its
`id` is the idempotency key.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Index, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from jiesu.core import clock
from jiesu.core.db import Base

Handler = Callable[[Session, "OutboxMessage"], None]
_HANDLERS: dict[str, Handler] = {}
MAX_ATTEMPTS = 5


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "available_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending|sent|dead
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime]
    available_at: Mapped[datetime]
    sent_at: Mapped[datetime | None] = mapped_column(default=None)


def register(topic: str) -> Callable[[Handler], Handler]:
    def wrap(handler: Handler) -> Handler:
        _HANDLERS[topic] = handler
        return handler

    return wrap


def enqueue(session: Session, topic: str, payload: dict[str, Any]) -> OutboxMessage:
    at = clock.now()
    message = OutboxMessage(topic=topic, payload=payload, created_at=at, available_at=at)
    session.add(message)
    return message


def deliver_pending(session_factory: Callable[[], Session], *, limit: int = 100) -> int:
    """Deliver due messages one transaction each; returns how many were sent."""
    sent = 0
    with session_factory() as session:
        query = (
            select(OutboxMessage.id)
            .where(OutboxMessage.status == "pending", OutboxMessage.available_at <= clock.now())
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        ids = list(session.scalars(query))
    for message_id in ids:
        with session_factory() as session:
            # SKIP LOCKED lets many workers share the queue on PostgreSQL.
            stmt = select(OutboxMessage).where(
                OutboxMessage.id == message_id, OutboxMessage.status == "pending"
            )
            if session.bind is not None and session.bind.dialect.name == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True)
            message = session.scalars(stmt).first()
            if message is None:
                continue
            handler = _HANDLERS.get(message.topic)
            try:
                if handler is None:
                    raise LookupError(f"no handler for topic {message.topic}")
                with session.begin_nested():
                    handler(session, message)
                message.status = "sent"
                message.sent_at = clock.now()
                sent += 1
            except Exception as exc:  # a failing handler must not block the queue
                message.attempts += 1
                message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                if message.attempts >= MAX_ATTEMPTS:
                    message.status = "dead"
                else:
                    backoff = timedelta(seconds=30 * 2 ** (message.attempts - 1))
                    message.available_at = clock.now() + backoff
            session.commit()
    return sent
