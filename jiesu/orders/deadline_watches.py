"""One watch per deadline an order is given: what the reminder and escalation jobs read.

When an order enters a state with a deadline (dispatch, re-dispatch, a rejected return, a
reopen, an approved extension) a watch is written in the same transaction, holding when the
clock started, when it runs out and when to remind. The jobs find due watches with one index
range scan and stamp each step they took (reminded, overdue, urged, supervised, district
notified), so running a job twice does nothing the second time. A watch ends when its
deadline is met or replaced; it is never deleted.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from jiesu.core.db import Base
from jiesu.core.settings import get_settings


class WatchKind(StrEnum):
    sign = "sign"  # 签收
    contact = "contact"  # 首次联系诉求人
    reply = "reply"  # 答复


KIND_LABELS = {WatchKind.sign: "签收", WatchKind.contact: "联系诉求人", WatchKind.reply: "答复"}


class DeadlineWatch(Base):
    __tablename__ = "deadline_watches"
    __table_args__ = (
        Index("ix_deadline_watches_remind", "ended_at", "reminded_at", "remind_at"),
        Index("ix_deadline_watches_due", "ended_at", "due_at"),
        Index("ix_deadline_watches_order", "order_id", "ended_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(String(10))
    started_at: Mapped[datetime]
    due_at: Mapped[datetime]
    remind_at: Mapped[datetime]
    reminded_at: Mapped[datetime | None] = mapped_column(default=None)
    overdue_at: Mapped[datetime | None] = mapped_column(default=None)
    urged_at: Mapped[datetime | None] = mapped_column(default=None)
    supervised_at: Mapped[datetime | None] = mapped_column(default=None)
    district_notified_at: Mapped[datetime | None] = mapped_column(default=None)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    end_reason: Mapped[str | None] = mapped_column(String(20), default=None)


def remind_time(started_at: datetime, due_at: datetime, fraction: float | None = None) -> datetime:
    """The moment `fraction` of the time allowed has gone (75% by default)."""
    share = get_settings().remind_at_fraction if fraction is None else fraction
    return started_at + (due_at - started_at) * share


def end_watches(
    session: Session, order_id: int, now: datetime, reason: str,
    kinds: set[WatchKind] | None = None,
) -> None:
    stmt = select(DeadlineWatch).where(
        DeadlineWatch.order_id == order_id, DeadlineWatch.ended_at.is_(None)
    )
    # No autoflush: the order's pending change must go out in the action's one UPDATE, or
    # its optimistic version would step twice for one action.
    with session.no_autoflush:
        watches = list(session.scalars(stmt))
    for watch in watches:
        if kinds is None or watch.kind in kinds:
            watch.ended_at = now
            watch.end_reason = reason


def watch(
    session: Session, *, order_id: int, unit_id: int, kind: WatchKind, started_at: datetime,
    due_at: datetime, now: datetime,
) -> DeadlineWatch:
    """Start watching one deadline; an earlier watch of the same kind is replaced."""
    end_watches(session, order_id, now, "replaced", {kind})
    row = DeadlineWatch(
        order_id=order_id, unit_id=unit_id, kind=kind.value, started_at=started_at,
        due_at=due_at, remind_at=remind_time(started_at, due_at),
    )
    session.add(row)
    return row


def watches_of(session: Session, order_id: int) -> list[DeadlineWatch]:
    stmt = select(DeadlineWatch).where(DeadlineWatch.order_id == order_id)
    with session.no_autoflush:
        return list(session.scalars(stmt.order_by(DeadlineWatch.id)))
