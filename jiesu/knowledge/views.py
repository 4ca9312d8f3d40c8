"""Rows → answer shapes, shared by the API, the pages and the command line (reads only)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.core import clock
from jiesu.knowledge import search as kb_search
from jiesu.knowledge import service
from jiesu.knowledge.models import Article, ArticleEvent, ArticleVersion
from jiesu.knowledge.schemas import (
    ArticleHistory,
    ArticlePublic,
    EventPublic,
    PublicHit,
    SearchHitPublic,
    VersionPublic,
)
from jiesu.units.models import Unit, User


def version_public(v: ArticleVersion) -> VersionPublic:
    return VersionPublic(
        id=v.id, article_id=v.article_id, number=v.number, status=v.status, topic=v.topic,
        questions=[q for q in v.questions.splitlines() if q.strip()], answer=v.answer,
        category=v.category, tags=[t for t in v.tags.split(",") if t.strip()],
        internal_note=v.internal_note, valid_from=clock.as_aware(v.valid_from),
        valid_to=clock.as_aware(v.valid_to) if v.valid_to else None,
        created_by_id=v.created_by_id, created_at=v.created_at, published_at=v.published_at,
        ended_at=v.ended_at,
    )


def unit_name(session: Session, unit_id: int) -> str:
    unit = session.get(Unit, unit_id)
    return unit.name if unit else ""


def article_public(session: Session, article: Article) -> ArticlePublic:
    versions = service.versions_of(session, article.id)
    current = service.in_force(session, article.id)
    return ArticlePublic(
        id=article.id, code=article.code, owner_unit_id=article.owner_unit_id,
        owner_unit_name=unit_name(session, article.owner_unit_id), created_at=article.created_at,
        status=service.standing(session, article.id),
        current=version_public(current) if current else None,
        latest=version_public(versions[0]),
    )


def _actor_names(session: Session, events: list[ArticleEvent]) -> dict[int, str]:
    ids = {e.actor_id for e in events if e.actor_id is not None}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


def history(session: Session, article: Article) -> ArticleHistory:
    events = service.events_of(session, article.id)
    names = _actor_names(session, events)
    return ArticleHistory(
        article=article_public(session, article),
        versions=[version_public(v) for v in service.versions_of(session, article.id)],
        events=[EventPublic(id=e.id, version_id=e.version_id, action=e.action,
                            actor_id=e.actor_id, actor_name=names.get(e.actor_id or 0),
                            note=e.note, at=e.at) for e in events],
    )


def hit_public(hit: kb_search.Hit) -> SearchHitPublic:
    d = hit.doc
    return SearchHitPublic(
        article_id=d.article_id, version_id=d.version_id, code=d.code, topic=d.topic,
        question=hit.question, answer=d.answer, category=d.category, tags=list(d.tags),
        owner_unit_id=d.owner_unit_id, internal_note=d.internal_note, valid_to=d.valid_to,
        score=hit.score, highlight={"topic": hit.highlight.topic,
                                    "question": hit.highlight.question,
                                    "answer": hit.highlight.answer},
    )


def public_hit(session: Session, hit: kb_search.Hit) -> PublicHit:
    """Only what a citizen may read: no internal note, no ids of people or versions."""
    d = hit.doc
    return PublicHit(
        code=d.code, topic=d.topic, question=hit.question, answer=d.answer, category=d.category,
        owner_unit_name=unit_name(session, d.owner_unit_id),
        valid_to=clock.local(d.valid_to).date() if d.valid_to else None,
        highlight={"topic": hit.highlight.topic, "question": hit.highlight.question,
                   "answer": hit.highlight.answer},
    )
