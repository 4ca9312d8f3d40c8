"""A visit whose answer the supervisor must judge: the reply said "not solvable under law"
and the citizen says not solved or not satisfied. The order waits in `replied` until the
supervisor agrees (close_explained) or sends it back (reopen)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jiesu.core.db import Base
from jiesu.orders.models import Order

# The visit queue reads replied orders oldest reply first (jiesu.visits.service).
ix_orders_state_replied = Index("ix_orders_state_replied", Order.state, Order.replied_at)


class VisitReview(Base):
    __tablename__ = "visit_reviews"
    __table_args__ = (
        # One review per handling round (the order's reopen_count when it was visited).
        UniqueConstraint("order_id", "round"),
        Index("ix_visit_reviews_pending", "decided_at", "requested_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    round: Mapped[int]
    solved: Mapped[bool]
    satisfaction: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    decision: Mapped[str | None] = mapped_column(String(20), default=None)  # explained|reopened
    decision_reason: Mapped[str] = mapped_column(Text, default="")
