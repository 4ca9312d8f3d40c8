"""What special lines take from the knowledge base (jiesu.knowledge, before lines in the
layering): article ids, the version in force, the agent's search with a line boost, and the
use row that links a settled call to the version its answer came from."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from jiesu.core.roles import Principal
from jiesu.knowledge import search as kb_search
from jiesu.knowledge import service as kb
from jiesu.knowledge.models import Article, ArticleUse, ArticleVersion
from jiesu.orders.models import Order


def existing_article_ids(session: Session, ids: Iterable[int]) -> set[int]:
    return set(session.scalars(select(Article.id).where(Article.id.in_(list(ids)))))


def version(session: Session, version_id: int) -> ArticleVersion:
    return kb.get_version(session, version_id)


def in_force(session: Session, article_id: int) -> ArticleVersion | None:
    return kb.in_force(session, article_id)


def answers(session: Session, principal: Principal, text: str, *, category: str | None,
            line_id: int | None, limit: int = 5) -> kb_search.Ranked:
    """The top answers for what the agent typed; the line's own articles first."""
    return kb.search(session, principal, text, category=category, line_id=line_id, limit=limit)


def record_use(session: Session, principal: Principal, version_id: int, *, order_id: int,
               line_id: int | None) -> ArticleUse:
    return kb.record_use(session, principal, version_id, order_id=order_id, line_id=line_id)


def settled_with_article() -> Any:
    """SQL condition: the order was settled with a knowledge-base answer (a use row)."""
    return exists(select(ArticleUse.id).where(ArticleUse.order_id == Order.id))


def register_line_members(resolver: Any) -> None:
    kb_search.set_line_members(resolver)


def topics(session: Session, article_ids: Collection[int]) -> dict[int, tuple[str, str]]:
    """Each article's code and the topic of its newest published version."""
    rows = session.execute(
        select(ArticleVersion.article_id, Article.code, ArticleVersion.topic)
        .join(Article, Article.id == ArticleVersion.article_id)
        .where(ArticleVersion.article_id.in_(list(article_ids)))
        .order_by(ArticleVersion.article_id, ArticleVersion.number)
    )
    return {article_id: (code, topic) for article_id, code, topic in rows}


def uses_on_line(session: Session, line_id: int, limit: int) -> list[tuple[int, int]]:
    """(article id, calls settled with it) on the line, most used first."""
    count = func.count(ArticleUse.id)
    rows = session.execute(
        select(ArticleUse.article_id, count)
        .join(Order, Order.id == ArticleUse.order_id)
        .where(Order.line_id == line_id)
        .group_by(ArticleUse.article_id).order_by(count.desc(), ArticleUse.article_id)
        .limit(limit))
    return [(int(a), int(n)) for a, n in rows]


def write_published(session: Session, principal: Principal, *, topic: str, questions: list[str],
                    answer: str, category: str, owner_unit_id: int | None) -> ArticleVersion:
    """A new article written by the centre for a line, published at once (the centre reviews
    its own answers: knowledge.service.publish)."""
    from jiesu.knowledge.schemas import ArticleCreate

    data = ArticleCreate(topic=topic, questions=questions, answer=answer, category=category,
                         owner_unit_id=owner_unit_id)
    version = kb.create_article(session, principal, data)
    return kb.publish(session, principal, version.id, "专线新增答复口径")
