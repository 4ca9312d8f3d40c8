"""Citizens' phone numbers: masked everywhere, every unmasked read logged (Art. 8, 35)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from jiesu.core import clock
from jiesu.core.db import Base


def mask_phone(phone: str | None) -> str | None:
    """138****5678 for mobiles; keep only the last 4 digits of anything shorter."""
    if not phone:
        return phone
    digits = phone.strip()
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) > 4:
        return "*" * (len(digits) - 4) + digits[-4:]
    return "*" * len(digits)


class PhoneReadLog(Base):
    """One row per unmasked read of a citizen's contact; never updated."""

    __tablename__ = "phone_read_log"
    __table_args__ = (Index("ix_phone_read_log_order", "order_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    purpose: Mapped[str] = mapped_column(String(40))
    read_at: Mapped[datetime]


def log_unmasked_read(session: Session, *, user_id: int, order_id: int, purpose: str) -> None:
    session.add(
        PhoneReadLog(user_id=user_id, order_id=order_id, purpose=purpose, read_at=clock.now())
    )
