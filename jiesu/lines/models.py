"""Special lines (专线): a number or channel tag with its own hours, agents, categories and
subset of the knowledge base. Membership rows are ended, never deleted, so a closed line
keeps its history. The calls are orders (order.line_id); the answer a call was settled with
is the knowledge base's use row (kb_uses) and the order's answer_on_call event.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jiesu.core.db import Base


class LineState(StrEnum):
    open = "open"  # 运行中
    closed = "closed"  # 已关闭 (its orders and figures stay)


LINE_STATE_LABELS = {LineState.open: "运行中", LineState.closed: "已关闭"}


class Line(Base):
    __tablename__ = "lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    number: Mapped[str] = mapped_column(String(40), default="")  # e.g. 12345 转 6
    channel_tag: Mapped[str] = mapped_column(String(40), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    # 7×24 or a weekly timetable: [{"weekdays": [1..7], "start": "08:00", "end": "20:00"}]
    around_the_clock: Mapped[bool] = mapped_column(default=True)
    timetable: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None] = mapped_column(default=None)
    state: Mapped[str] = mapped_column(String(10), default=LineState.open.value)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    close_note: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class LineAgent(Base):
    """An agent taking the line's calls; removing one ends the row."""

    __tablename__ = "line_agents"
    __table_args__ = (Index("ix_line_agents_user", "user_id", "removed_at"),
                      Index("ix_line_agents_line", "line_id", "removed_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime]
    removed_at: Mapped[datetime | None] = mapped_column(default=None)


class LineCategory(Base):
    __tablename__ = "line_categories"
    __table_args__ = (UniqueConstraint("line_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id"))
    category: Mapped[str] = mapped_column(String(60))


class LineArticle(Base):
    """The line's subset of the knowledge base; its agents get these answers first."""

    __tablename__ = "line_articles"
    __table_args__ = (Index("ix_line_articles_line", "line_id", "removed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id"))
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id"))
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime]
    removed_at: Mapped[datetime | None] = mapped_column(default=None)
