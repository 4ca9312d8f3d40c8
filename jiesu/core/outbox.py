"""Transactional outbox: side effects are written with the change and delivered after commit.

A service calls `enqueue()` inside its transaction. `deliver_pending()` (run by the worker)
claims due messages with a lease (status `sending`, `lease_until`, `claimed_by`), runs the
handler registered for the topic and marks them `sent`; failures are retried with back-off
and end as `dead` after `JIESU_OUTBOX_MAX_ATTEMPTS`.

Killing a worker mid-delivery loses nothing and sends nothing twice:
- a handler that only writes to the database (`register`) runs in the same transaction that
  marks the message sent, and that mark only succeeds while the claim is still ours, so its
  writes commit exactly once;
- a handler that calls out (`register_external`, e.g. the SMS/WeChat webhook) runs outside
  any transaction; a claim left by a killed worker is taken again when its lease runs out,
  and the receiver drops the repeat by the message id, sent as the idempotency key.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Index, String, Text, and_, insert, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from jiesu.core import clock
from jiesu.core.db import Base
from jiesu.core.settings import get_settings


@dataclass(frozen=True)
class Envelope:
    """What an external handler gets: a plain copy, no session, no open transaction."""

    id: int
    topic: str
    payload: dict[str, Any]
    attempts: int


Handler = Callable[[Session, "OutboxMessage"], None]
ExternalHandler = Callable[[Envelope], None]
_HANDLERS: dict[str, Handler] = {}
_EXTERNAL: dict[str, ExternalHandler] = {}


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "available_at"),
        Index("ix_outbox_lease", "status", "lease_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending|sending|sent|dead
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime]
    available_at: Mapped[datetime]
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    claimed_by: Mapped[str | None] = mapped_column(String(40), default=None)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)


def register(topic: str) -> Callable[[Handler], Handler]:
    """A handler that only writes to the database, in the delivering transaction."""

    def wrap(handler: Handler) -> Handler:
        _HANDLERS[topic] = handler
        return handler

    return wrap


def register_external(topic: str) -> Callable[[ExternalHandler], ExternalHandler]:
    """A handler that calls another system; it must pass `Envelope.id` as idempotency key."""

    def wrap(handler: ExternalHandler) -> ExternalHandler:
        _EXTERNAL[topic] = handler
        return handler

    return wrap


def enqueue(
    session: Session, topic: str, payload: dict[str, Any], *, available_at: datetime | None = None
) -> int:
    """Write one message in the caller's transaction; returns its id. One INSERT, not an ORM
    object: most actions enqueue something, and nobody reads the row back before commit."""
    at = clock.now()
    row = {"topic": topic, "payload": payload, "status": "pending", "attempts": 0,
           "created_at": at, "available_at": available_at or at}
    return int(session.execute(insert(OutboxMessage).returning(OutboxMessage.id), [row])
               .scalar_one())


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def claim(session: Session, worker: str, *, limit: int = 100) -> list[int]:
    """Take due messages (and ones whose lease ran out) for `worker`; the caller commits."""
    now = clock.now()
    due = or_(
        and_(OutboxMessage.status == "pending", OutboxMessage.available_at <= now),
        and_(OutboxMessage.status == "sending", OutboxMessage.lease_until < now),
    )
    stmt = select(OutboxMessage).where(due).order_by(OutboxMessage.id).limit(limit)
    if _is_postgres(session):
        # SKIP LOCKED lets many workers share the queue without waiting on each other.
        stmt = stmt.with_for_update(skip_locked=True)
    lease = timedelta(seconds=get_settings().outbox_lease_seconds)
    ids = []
    for message in session.scalars(stmt.execution_options(populate_existing=True)):
        message.status = "sending"
        message.claimed_by = worker
        message.lease_until = now + lease
        # Counted at the claim, so a message that kills its worker every time still ends dead.
        message.attempts += 1
        ids.append(message.id)
    session.flush()
    return ids


def _ours(message_id: int, worker: str) -> Any:
    return and_(OutboxMessage.id == message_id, OutboxMessage.claimed_by == worker,
                OutboxMessage.status == "sending")


def _mark_sent(session: Session, message_id: int, worker: str) -> bool:
    done = session.execute(
        update(OutboxMessage)
        .where(_ours(message_id, worker))
        .values(status="sent", sent_at=clock.now(), lease_until=None)
    )
    return bool(getattr(done, "rowcount", 0))


def _mark_failed(session: Session, message_id: int, worker: str, exc: BaseException) -> None:
    message = session.scalars(select(OutboxMessage).where(_ours(message_id, worker))).first()
    if message is None:  # the lease ran out and another worker owns it now
        return
    settings = get_settings()
    message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    message.lease_until = None
    if message.attempts >= settings.outbox_max_attempts:
        message.status = "dead"
    else:
        message.status = "pending"
        backoff = settings.outbox_backoff_seconds * 2 ** (message.attempts - 1)
        message.available_at = clock.now() + timedelta(seconds=backoff)


def deliver_one(session_factory: Callable[[], Session], message_id: int, worker: str) -> bool:
    """Deliver one claimed message; True when it was sent."""
    with session_factory() as session:
        message = session.scalars(select(OutboxMessage).where(_ours(message_id, worker))).first()
        if message is None:
            session.rollback()
            return False
        external = _EXTERNAL.get(message.topic)
        handler = _HANDLERS.get(message.topic)
        envelope = Envelope(message.id, message.topic, dict(message.payload), message.attempts)
        if external is None:
            try:
                if handler is None:
                    raise LookupError(f"no handler for topic {message.topic}")
                with session.begin_nested():
                    handler(session, message)
            except Exception as exc:  # a failing handler must not block the queue
                _mark_failed(session, message_id, worker, exc)
                session.commit()
                return False
            if _mark_sent(session, message_id, worker):
                session.commit()
                return True
            session.rollback()  # our lease was taken over: the other worker's writes count
            return False
        # Never hold a transaction (on SQLite: the write lock) across a network call.
        session.commit()
    try:
        external(envelope)
    except Exception as exc:
        with session_factory() as session:
            _mark_failed(session, message_id, worker, exc)
            session.commit()
        return False
    with session_factory() as session:
        sent = _mark_sent(session, message_id, worker)
        session.commit()
    return sent


def deliver_pending(
    session_factory: Callable[[], Session], *, limit: int = 100, worker: str | None = None
) -> int:
    """Claim up to `limit` due messages and deliver them one by one; returns how many were sent."""
    worker = worker or f"w-{uuid.uuid4().hex[:12]}"
    with session_factory() as session:
        ids = claim(session, worker, limit=limit)
        session.commit()
    return sum(deliver_one(session_factory, message_id, worker) for message_id in ids)


def counts(session: Session) -> dict[str, int]:
    from sqlalchemy import func

    rows = session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    return {status: n for status, n in rows}
