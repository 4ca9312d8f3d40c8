"""Periodic work of the knowledge base: tell the owning unit a week before an answer expires.

`notify_expiring` finds published versions whose `valid_to` falls within the next seven days,
that were not announced yet and that no later published version takes over from, and writes
one inbox notification for the owning unit's staff (outbox `notify`, kind `kb_expiring`) and
one `expiry_notice` event per version, in the caller's transaction. The event makes it
idempotent: a second run (or a second worker after commit) finds nothing to do.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from jiesu.core import clock, outbox
from jiesu.core.db import committed_batches
from jiesu.knowledge.models import Article, ArticleEvent, ArticleVersion, VersionStatus
from jiesu.knowledge.service import EXPIRY_NOTICE

BATCH = 200


def notify_expiring(session: Session, *, now: datetime | None = None, limit: int = BATCH) -> int:
    moment = now or clock.now()
    successor = aliased(ArticleVersion)
    announced = select(ArticleEvent.id).where(
        ArticleEvent.version_id == ArticleVersion.id, ArticleEvent.action == "expiry_notice")
    taken_over = select(successor.id).where(
        successor.article_id == ArticleVersion.article_id, successor.id != ArticleVersion.id,
        successor.status == VersionStatus.published,
        successor.valid_from >= ArticleVersion.valid_from)
    rows = session.execute(
        select(ArticleVersion, Article.code, Article.owner_unit_id)
        .join(Article, Article.id == ArticleVersion.article_id)
        .where(ArticleVersion.status == VersionStatus.published,
               ArticleVersion.valid_to.is_not(None),
               ArticleVersion.valid_to > moment,
               ArticleVersion.valid_to <= moment + EXPIRY_NOTICE,
               ~announced.exists(), ~taken_over.exists())
        .order_by(ArticleVersion.id).limit(limit)
    ).all()
    for version, code, unit_id in rows:
        assert version.valid_to is not None
        outbox.enqueue(session, "notify", {
            "kind": "kb_expiring", "unit_id": unit_id, "number": code[:24],
            "article_id": version.article_id, "version_id": version.id,
            "valid_to": clock.as_aware(version.valid_to).isoformat()})
        session.add(ArticleEvent(
            article_id=version.article_id, version_id=version.id, action="expiry_notice",
            actor_id=None, note=f"将于 {clock.local(version.valid_to):%Y-%m-%d %H:%M} 到期",
            at=moment))
    session.flush()
    return len(rows)


def run(session_factory: Callable[[], Session]) -> int:
    """The worker's entry: committed batches until nothing is due."""
    return committed_batches(session_factory, _one_batch)


def _one_batch(session: Session) -> tuple[int, bool]:
    done = notify_expiring(session)
    return done, done >= BATCH
