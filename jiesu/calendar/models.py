"""The admin-maintained calendar: days (a holiday or a make-up working day) and the years
marked complete. Both are versioned like the other admin tables: a change retires the row and
adds its successor (`supersedes_id`); nothing is edited in place, history is kept."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from jiesu.core.db import Base

ACTIVE = text("retired_at IS NULL")


class CalendarDay(Base):
    __tablename__ = "calendar_days"
    __table_args__ = (
        # One active entry per date, enforced by the database too (two admins at once).
        Index("uq_calendar_days_active_day", "day", unique=True, sqlite_where=ACTIVE,
              postgresql_where=ACTIVE),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date]
    is_workday: Mapped[bool]
    name: Mapped[str] = mapped_column(String(20))  # 元旦, 春节, 调休上班 ...
    note: Mapped[str] = mapped_column(String(200), default="")  # the source, a remark
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("calendar_days.id"), default=None
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[datetime]
    retired_at: Mapped[datetime | None] = mapped_column(default=None)


class CalendarYear(Base):
    """A year the admin marked complete: every holiday and make-up day of the notice entered."""

    __tablename__ = "calendar_years"
    __table_args__ = (
        Index("uq_calendar_years_active_year", "year", unique=True, sqlite_where=ACTIVE,
              postgresql_where=ACTIVE),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    source: Mapped[str] = mapped_column(String(200))  # 国办发明电〔2026〕…号
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("calendar_years.id"), default=None
    )
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    entered_at: Mapped[datetime]
    retired_at: Mapped[datetime | None] = mapped_column(default=None)
