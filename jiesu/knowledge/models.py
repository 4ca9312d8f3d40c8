"""Articles, their versions and review events, synonyms, zero-result searches and uses.

An article (`kb_articles`) is the identity of one standard answer: its code and owning unit.
Its content lives in versions (`kb_versions`): every change is a new row, never an edit, so
the history says who wrote what and when. A version's `status` is where it stands in review
(draft → proposed → published, or rejected; superseded when a later version replaced it;
withdrawn when the centre took it out); each step is an append-only row of `kb_events`.

Special lines own the table saying which articles belong to a line (issue 11's second part);
this package only takes the ids through `search.set_line_members`.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jiesu.core.db import Base


class VersionStatus(StrEnum):
    draft = "draft"  # being written by the unit
    proposed = "proposed"  # sent to the centre for review
    published = "published"  # in force (within its validity window)
    rejected = "rejected"  # the centre sent it back
    superseded = "superseded"  # replaced by a later version
    withdrawn = "withdrawn"  # taken out by the centre


STATUS_LABELS = {
    VersionStatus.draft: "草稿",
    VersionStatus.proposed: "待审核",
    VersionStatus.published: "已发布",
    VersionStatus.rejected: "已退回",
    VersionStatus.superseded: "已被替代",
    VersionStatus.withdrawn: "已撤回",
}

PENDING = (VersionStatus.draft, VersionStatus.proposed)


class Article(Base):
    __tablename__ = "kb_articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    # A stable key people and files use (KB-0001): imports match rows on it.
    code: Mapped[str] = mapped_column(String(40), unique=True)
    owner_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[datetime]


class ArticleVersion(Base):
    __tablename__ = "kb_versions"
    __table_args__ = (
        UniqueConstraint("article_id", "number"),
        Index("ix_kb_versions_status", "status", "article_id"),
        Index("ix_kb_versions_valid_to", "status", "valid_to"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id"))
    number: Mapped[int]  # 1, 2, 3 … within the article
    status: Mapped[str] = mapped_column(String(20))
    topic: Mapped[str] = mapped_column(String(200))
    questions: Mapped[str] = mapped_column(Text)  # the forms citizens use, one a line
    answer: Mapped[str] = mapped_column(Text)  # what the agent says
    category: Mapped[str] = mapped_column(String(120))
    tags: Mapped[str] = mapped_column(String(400), default="")  # comma separated
    internal_note: Mapped[str] = mapped_column(Text, default="")  # agents only, never public
    valid_from: Mapped[datetime]
    valid_to: Mapped[datetime | None] = mapped_column(default=None)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[datetime]
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)  # superseded / withdrawn


class ArticleEvent(Base):
    """Append-only: what happened to a version, who did it and when."""

    __tablename__ = "kb_events"
    __table_args__ = (Index("ix_kb_events_article", "article_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("kb_versions.id"))
    action: Mapped[str] = mapped_column(String(30))  # save, propose, publish, reject, ...
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime]


class Synonym(Base):
    """One word and the canonical word it is searched as (物业费 → 物业管理费)."""

    __tablename__ = "kb_synonyms"

    id: Mapped[int] = mapped_column(primary_key=True)
    word: Mapped[str] = mapped_column(String(40), unique=True)
    canonical: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime]


class ZeroResultSearch(Base):
    """A search an agent made that found nothing: the centre's list of answers to write."""

    __tablename__ = "kb_zero_searches"
    __table_args__ = (Index("ix_kb_zero_searches_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    query: Mapped[str] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(120), default=None)
    line_id: Mapped[int | None] = mapped_column(default=None)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    at: Mapped[datetime]


class ArticleUse(Base):
    """An agent answered a call with this version (order and line when known)."""

    __tablename__ = "kb_uses"
    __table_args__ = (Index("ix_kb_uses_article", "article_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("kb_versions.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), default=None)
    line_id: Mapped[int | None] = mapped_column(default=None)
    at: Mapped[datetime]
