"""Helpers of the knowledge-base tests: articles written and published through the service."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jiesu.knowledge import service
from jiesu.knowledge.models import (
    Article,
    ArticleEvent,
    ArticleUse,
    ArticleVersion,
    ZeroResultSearch,
)
from jiesu.knowledge.schemas import ArticleCreate, ArticleUpdate
from tests.factories import unit, who

DEPT = "dept.chengguan"  # 市城市管理委, the unit of the demo user "dept"


def content(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "topic": "小区垃圾分类桶站设置",
        "questions": ["小区垃圾桶太少了怎么办", "垃圾分类站点在哪"],
        "answer": "按《北京市生活垃圾管理条例》，物业负责设置分类桶站，可向街道反映。",
        "category": "城乡建设", "tags": ["垃圾分类"],
    }
    base.update(fields)
    return base


def draft(session: Session, username: str = "dept", **fields: Any) -> ArticleVersion:
    data = content(**fields)
    if username in ("admin", "supervisor") and "owner_unit_id" not in data:
        data["owner_unit_id"] = unit(session, DEPT).id
    return service.create_article(session, who(session, username), ArticleCreate(**data))


def published(session: Session, **fields: Any) -> ArticleVersion:
    version = draft(session, submit=True, **fields)
    return service.publish(session, who(session, "supervisor"), version.id)


def revise(session: Session, article_id: int, username: str = "dept",
           **fields: Any) -> ArticleVersion:
    return service.save_version(session, who(session, username), article_id,
                                ArticleUpdate(**content(**fields)))


def topics(session: Session, query: str, **kw: Any) -> list[str]:
    ranked = service.search(session, who(session, "agent"), query, **kw)
    return [h.doc.topic for h in ranked.hits]


def snapshot(session: Session) -> tuple[int, ...]:
    """Row counts of every knowledge-base table: bad input must leave them as they were."""
    session.flush()
    return tuple(session.scalar(select(func.count()).select_from(m)) or 0 for m in (
        Article, ArticleVersion, ArticleEvent, ArticleUse, ZeroResultSearch))


def at(text: str) -> datetime:
    from jiesu.core.clock import CHINA_TZ

    return datetime.fromisoformat(text).replace(tzinfo=CHINA_TZ)
