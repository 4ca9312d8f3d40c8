"""A notification in one user's inbox (站内消息), read or unread."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jiesu.core.db import Base


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        # One outbox message fans out once per user, however often it is delivered.
        UniqueConstraint("outbox_id", "user_id"),
        Index("ix_notifications_inbox", "user_id", "read_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), default=None)
    number: Mapped[str | None] = mapped_column(String(24), default=None)
    text: Mapped[str] = mapped_column(Text)
    outbox_id: Mapped[int | None] = mapped_column(default=None)
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None] = mapped_column(default=None)
