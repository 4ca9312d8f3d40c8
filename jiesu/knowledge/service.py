"""The only place the knowledge base changes: versions, review, withdrawal, uses, searches.

Rules (docs/decisions/0017-knowledge-base.md):
- every save is a new version (draft, or proposed when submitted); a newer pending version
  replaces an older pending one (superseded), so one version at a time waits for review;
- a unit's handler writes and proposes for their own unit's articles; the centre (supervisor,
  admin) writes for any unit and reviews: publish or reject (with a reason);
- two published versions of one article are never valid at the same moment: publishing a
  version that starts now (or earlier) replaces the one in force; one that starts later must
  start after every other published version ended (`kb_version_overlap`);
- withdrawn, superseded and expired versions are not found by any search;
- bad input is refused before anything is written, with its own code.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from jiesu.core import clock
from jiesu.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from jiesu.core.roles import Principal, Role
from jiesu.knowledge import search as kb_search
from jiesu.knowledge.models import (
    PENDING,
    Article,
    ArticleEvent,
    ArticleUse,
    ArticleVersion,
    Synonym,
    VersionStatus,
    ZeroResultSearch,
)
from jiesu.knowledge.schemas import ArticleCreate, ArticleUpdate
from jiesu.triage._data import data_path
from jiesu.triage.taxonomy import load_taxonomy
from jiesu.units.models import Unit

CENTRE_ROLES = frozenset({Role.supervisor, Role.admin})
MAX_ANSWER = 8000  # characters an agent can read out; a longer text is not an answer
MAX_TOPIC = 200
MAX_QUESTION = 300
MAX_QUESTIONS = 50
MAX_TAGS = 20
MAX_NOTE = 4000
EXPIRY_NOTICE = timedelta(days=7)


def is_centre(principal: Principal) -> bool:
    return principal.role in CENTRE_ROLES


# --- checks ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _category_paths() -> frozenset[str]:
    """Every path of the category catalogue: 城乡建设, 城乡建设/安全生产, …/安全隐患."""
    with data_path("taxonomy.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    paths: set[str] = set()
    for r in rows:
        parts = [r.get(k, "").strip() for k in ("level1", "level2", "level3")]
        for n in range(1, 4):
            if all(parts[:n]):
                paths.add("/".join(parts[:n]))
    return frozenset(paths)


def known_category(name: str) -> bool:
    """A level-1 class, a name of any level that is not ambiguous, or a path of the
    category catalogue (附件1)."""
    if "/" in name:
        return "/".join(p.strip() for p in name.split("/")) in _category_paths()
    return name in load_taxonomy()


def check_content(data: ArticleUpdate) -> None:
    """Every rule on a version's content; raises before anything is written."""
    size = len(data.answer) + len(data.topic) + sum(len(q) for q in data.questions)
    size += len(data.internal_note) + sum(len(t) for t in data.tags)
    if len(data.answer) > MAX_ANSWER or size > MAX_ANSWER * 3:
        raise InvalidInput(f"条目过长：答复不超过 {MAX_ANSWER} 字", code="kb_article_too_large",
                           details={"field": "answer", "limit": MAX_ANSWER, "size": size})
    if not data.topic:
        raise InvalidInput("主题不能为空", code="kb_topic_empty", details={"field": "topic"})
    if len(data.topic) > MAX_TOPIC:
        raise InvalidInput(f"主题不超过 {MAX_TOPIC} 字", code="kb_topic_too_long",
                           details={"field": "topic"})
    if not data.answer.strip():
        raise InvalidInput("答复口径不能为空", code="kb_answer_empty", details={"field": "answer"})
    questions = [q.strip() for q in data.questions]
    if len(questions) > MAX_QUESTIONS or any(len(q) > MAX_QUESTION for q in questions):
        raise InvalidInput(f"问法最多 {MAX_QUESTIONS} 条、每条不超过 {MAX_QUESTION} 字",
                           code="kb_questions_invalid", details={"field": "questions"})
    if any("\n" in q for q in questions):
        raise InvalidInput("一条问法不能换行", code="kb_questions_invalid",
                           details={"field": "questions"})
    if not known_category(data.category):
        raise InvalidInput(f"未知分类：{data.category}", code="kb_category_unknown",
                           details={"field": "category", "category": data.category})
    if len(data.tags) > MAX_TAGS or any("," in t or len(t) > 40 for t in data.tags):
        raise InvalidInput("标签最多 20 个、每个不超过 40 字且不含逗号", code="kb_tags_invalid",
                           details={"field": "tags"})
    if len(data.internal_note) > MAX_NOTE:
        raise InvalidInput("内部说明过长", code="kb_article_too_large",
                           details={"field": "internal_note", "limit": MAX_NOTE})
    start = data.valid_from
    if (start is not None and start.tzinfo is None) or (
            data.valid_to is not None and data.valid_to.tzinfo is None):
        raise InvalidInput("时间须带时区", code="kb_validity_invalid",
                           details={"field": "valid_from"})
    if data.valid_to is not None and data.valid_to <= (start or clock.now()):
        raise InvalidInput("失效时间须晚于生效时间", code="kb_validity_invalid",
                           details={"field": "valid_to"})


def _window(v: ArticleVersion) -> tuple[datetime, datetime | None]:
    return clock.as_aware(v.valid_from), clock.as_aware(v.valid_to) if v.valid_to else None


def _overlap(a: tuple[datetime, datetime | None], b: tuple[datetime, datetime | None]) -> bool:
    a_from, a_to = a
    b_from, b_to = b
    return (b_to is None or a_from < b_to) and (a_to is None or b_from < a_to)


def _published(session: Session, article_id: int) -> list[ArticleVersion]:
    return list(session.scalars(select(ArticleVersion).where(
        ArticleVersion.article_id == article_id,
        ArticleVersion.status == VersionStatus.published).order_by(ArticleVersion.id)))


def _replaced_and_clashing(
    session: Session, article_id: int, window: tuple[datetime, datetime | None],
    now: datetime, exclude: int | None = None,
) -> tuple[list[ArticleVersion], list[ArticleVersion]]:
    """(versions publishing `window` replaces, versions it overlaps and may not)."""
    replaced: list[ArticleVersion] = []
    clashing: list[ArticleVersion] = []
    starts_now = window[0] <= now
    for other in _published(session, article_id):
        if other.id == exclude or not _overlap(window, _window(other)):
            continue
        if starts_now and _window(other)[0] <= now:
            replaced.append(other)  # the version in force now: the new one takes over
        else:
            clashing.append(other)
    return replaced, clashing


def _refuse_overlap(clashing: Sequence[ArticleVersion]) -> None:
    if clashing:
        v = clashing[0]
        start, end = _window(v)
        raise Conflict("与已发布版本的有效期重叠", code="kb_version_overlap", details={
            "version_id": v.id, "number": v.number, "valid_from": start.isoformat(),
            "valid_to": end.isoformat() if end else None})


# --- reading -----------------------------------------------------------------------------------


def get_article(session: Session, article_id: int) -> Article:
    article = session.get(Article, article_id)
    if article is None:
        raise NotFound("知识条目不存在", code="kb_article_not_found")
    return article


def get_version(session: Session, version_id: int) -> ArticleVersion:
    version = session.get(ArticleVersion, version_id)
    if version is None:
        raise NotFound("知识条目版本不存在", code="kb_version_not_found")
    return version


def may_read(principal: Principal, article: Article) -> bool:
    return is_centre(principal) or (
        principal.role is Role.handler and principal.unit_id == article.owner_unit_id)


def readable_article(session: Session, principal: Principal, article_id: int) -> Article:
    """An article with all its versions, for the centre and its owning unit only."""
    article = get_article(session, article_id)
    if not may_read(principal, article):
        raise NotFound("知识条目不存在", code="kb_article_not_found")
    return article


def versions_of(session: Session, article_id: int) -> list[ArticleVersion]:
    return list(session.scalars(select(ArticleVersion).where(
        ArticleVersion.article_id == article_id).order_by(ArticleVersion.number.desc())))


def events_of(session: Session, article_id: int) -> list[ArticleEvent]:
    return list(session.scalars(select(ArticleEvent).where(
        ArticleEvent.article_id == article_id).order_by(ArticleEvent.id)))


def in_force(session: Session, article_id: int, now: datetime | None = None) -> (
        ArticleVersion | None):
    moment = now or clock.now()
    for v in _published(session, article_id):
        start, end = _window(v)
        if start <= moment and (end is None or moment < end):
            return v
    return None


def standing(session: Session, article_id: int, now: datetime | None = None) -> str:
    """The article's state in one word: published, scheduled, expired, pending, withdrawn…"""
    moment = now or clock.now()
    versions = versions_of(session, article_id)
    if in_force(session, article_id, moment) is not None:
        return "published"
    if any(v.status == VersionStatus.published for v in versions):
        live = [v for v in versions if v.status == VersionStatus.published]
        return "scheduled" if any(_window(v)[0] > moment for v in live) else "expired"
    if any(v.status == VersionStatus.proposed for v in versions):
        return VersionStatus.proposed
    if any(v.status == VersionStatus.draft for v in versions):
        return VersionStatus.draft
    return versions[0].status if versions else VersionStatus.draft


def list_articles(
    session: Session, principal: Principal, *, status: str | None = None,
    unit_id: int | None = None, text: str | None = None, offset: int = 0, limit: int = 50,
) -> tuple[list[Article], int]:
    """Articles the principal may manage; `status` filters on the latest version's status."""
    stmt = select(Article)
    if not is_centre(principal):
        if principal.role is not Role.handler or principal.unit_id is None:
            raise NotAllowed("当前角色无权管理知识库", code="role_not_allowed")
        stmt = stmt.where(Article.owner_unit_id == principal.unit_id)
    elif unit_id is not None:
        stmt = stmt.where(Article.owner_unit_id == unit_id)
    if status or text:
        # Its own alias of the versions, correlated to the article only: with the joined
        # table itself, both sides auto-correlate away and the subquery has no FROM (a 500).
        other = aliased(ArticleVersion)
        latest = (select(func.max(other.id)).where(other.article_id == Article.id)
                  .correlate(Article).scalar_subquery())
        stmt = stmt.join(ArticleVersion, ArticleVersion.id == latest)
        if status:
            stmt = stmt.where(ArticleVersion.status == status)
        if text:
            like = f"%{text.strip()}%"
            stmt = stmt.where(ArticleVersion.topic.like(like) | Article.code.like(like))
    count = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Article.id.desc()).offset(offset).limit(limit))
    return list(rows), count


def review_queue(session: Session) -> list[ArticleVersion]:
    return list(session.scalars(select(ArticleVersion).where(
        ArticleVersion.status == VersionStatus.proposed).order_by(ArticleVersion.id)))


# --- writing ----------------------------------------------------------------------------------


def _event(session: Session, version: ArticleVersion, action: str, actor_id: int | None,
           note: str = "") -> None:
    session.add(ArticleEvent(article_id=version.article_id, version_id=version.id,
                             action=action, actor_id=actor_id, note=note, at=clock.now()))


def _may_write(principal: Principal, owner_unit_id: int) -> None:
    if is_centre(principal):
        return
    if principal.role is Role.handler and principal.unit_id == owner_unit_id:
        return
    raise NotAllowed("只有负责单位或热线中心可以编写该条目", code="kb_not_owner")


def _next_code(session: Session) -> str:
    n = (session.scalar(select(func.max(Article.id))) or 0) + 1
    while session.scalar(select(Article.id).where(Article.code == f"KB-{n:05d}")) is not None:
        n += 1
    return f"KB-{n:05d}"


def _new_version(session: Session, principal: Principal | None, article: Article,
                 data: ArticleUpdate, number: int) -> ArticleVersion:
    now = clock.now()
    version = ArticleVersion(
        article_id=article.id, number=number, status=VersionStatus.draft,
        topic=data.topic, questions="\n".join(q.strip() for q in data.questions if q.strip()),
        answer=data.answer.strip(), category=data.category,
        tags=",".join(t.strip() for t in data.tags if t.strip()),
        internal_note=data.internal_note, valid_from=data.valid_from or now,
        valid_to=data.valid_to, created_by_id=principal.user_id if principal else None,
        created_at=now,
    )
    session.add(version)
    session.flush()
    _event(session, version, "save", principal.user_id if principal else None)
    return version


def create_article(session: Session, principal: Principal, data: ArticleCreate) -> ArticleVersion:
    """A new article and its first version (draft, or proposed with `submit`)."""
    check_content(data)
    owner = data.owner_unit_id if data.owner_unit_id is not None else principal.unit_id
    if owner is None:
        raise InvalidInput("请指定负责单位", code="kb_owner_required",
                           details={"field": "owner_unit_id"})
    if session.get(Unit, owner) is None:
        raise InvalidInput("负责单位不存在", code="kb_owner_unknown",
                           details={"field": "owner_unit_id"})
    _may_write(principal, owner)
    code = (data.code or "").strip() or _next_code(session)
    if session.scalar(select(Article.id).where(Article.code == code)) is not None:
        raise Conflict(f"编号已存在：{code}", code="kb_code_taken", details={"code": code})
    with session.begin_nested():
        article = Article(code=code, owner_unit_id=owner, created_by_id=principal.user_id,
                          created_at=clock.now())
        session.add(article)
        session.flush()
        version = _new_version(session, principal, article, data, 1)
        if data.submit:
            _propose(session, principal, version)
    kb_search.invalidate()
    return version


def save_version(session: Session, principal: Principal, article_id: int,
                 data: ArticleUpdate) -> ArticleVersion:
    """A change: a new version; an older draft or proposal of the article is superseded."""
    article = get_article(session, article_id)
    _may_write(principal, article.owner_unit_id)
    check_content(data)
    if data.valid_from is not None or data.valid_to is not None:
        window = (data.valid_from or clock.now(), data.valid_to)
        _refuse_overlap(_replaced_and_clashing(session, article.id, window, clock.now())[1])
    with session.begin_nested():
        number = (session.scalar(select(func.max(ArticleVersion.number)).where(
            ArticleVersion.article_id == article.id)) or 0) + 1
        for old in session.scalars(select(ArticleVersion).where(
                ArticleVersion.article_id == article.id, ArticleVersion.status.in_(PENDING))):
            old.status = VersionStatus.superseded
            old.ended_at = clock.now()
            _event(session, old, "superseded", principal.user_id, f"由第 {number} 版替代")
        version = _new_version(session, principal, article, data, number)
        if data.submit:
            _propose(session, principal, version)
    kb_search.invalidate()
    return version


def _propose(session: Session, principal: Principal, version: ArticleVersion) -> None:
    version.status = VersionStatus.proposed
    _event(session, version, "propose", principal.user_id)
    session.flush()


def propose(session: Session, principal: Principal, version_id: int) -> ArticleVersion:
    version = get_version(session, version_id)
    _may_write(principal, get_article(session, version.article_id).owner_unit_id)
    if version.status != VersionStatus.draft:
        raise Conflict("只有草稿可以提交审核", code="kb_not_draft",
                       details={"status": version.status})
    _propose(session, principal, version)
    kb_search.invalidate()
    return version


def centre_only(principal: Principal) -> None:
    if not is_centre(principal):
        raise NotAllowed("只有热线中心可以审核知识库", code="kb_review_not_allowed")


def publish(session: Session, principal: Principal, version_id: int,
            note: str = "") -> ArticleVersion:
    """The centre approves a proposal (or its own draft): it is in force from valid_from."""
    centre_only(principal)
    version = get_version(session, version_id)
    if version.status not in PENDING:
        raise Conflict("该版本不在待审核状态", code="kb_not_pending",
                       details={"status": version.status})
    now = clock.now()
    replaced, clashing = _replaced_and_clashing(session, version.article_id, _window(version),
                                                now, exclude=version.id)
    _refuse_overlap(clashing)
    with session.begin_nested():
        for old in replaced:
            old.status = VersionStatus.superseded
            old.ended_at = now
            _event(session, old, "superseded", principal.user_id, f"由第 {version.number} 版替代")
        version.status = VersionStatus.published
        version.published_at = now
        _event(session, version, "publish", principal.user_id, note)
        session.flush()
    kb_search.invalidate()
    return version


def reject(session: Session, principal: Principal, version_id: int, note: str) -> ArticleVersion:
    centre_only(principal)
    if not note.strip():
        raise InvalidInput("退回须写明理由", code="kb_reason_required", details={"field": "note"})
    version = get_version(session, version_id)
    if version.status != VersionStatus.proposed:
        raise Conflict("只有待审核的版本可以退回", code="kb_not_proposed",
                       details={"status": version.status})
    version.status = VersionStatus.rejected
    version.ended_at = clock.now()
    _event(session, version, "reject", principal.user_id, note.strip())
    session.flush()
    kb_search.invalidate()
    return version


def withdraw(session: Session, principal: Principal, article_id: int, note: str) -> Article:
    """The centre takes an answer out at once: no search finds it any more."""
    centre_only(principal)
    if not note.strip():
        raise InvalidInput("撤回须写明理由", code="kb_reason_required", details={"field": "note"})
    article = get_article(session, article_id)
    live = [v for v in versions_of(session, article_id)
            if v.status in (VersionStatus.published, *PENDING)]
    if not live:
        raise Conflict("该条目没有可撤回的版本", code="kb_nothing_to_withdraw")
    for v in live:
        v.status = VersionStatus.withdrawn
        v.ended_at = clock.now()
        _event(session, v, "withdraw", principal.user_id, note.strip())
    session.flush()
    kb_search.invalidate()
    return article


# --- search, uses, zero results ---------------------------------------------------------------

ZERO_MERGE = timedelta(seconds=60)


def search(
    session: Session, principal: Principal | None, query: str, *, category: str | None = None,
    line_id: int | None = None, line_boost: float = kb_search.LINE_BOOST, limit: int = 5,
    record: bool = True,
) -> kb_search.Ranked:
    """Search, and keep a search that found nothing for the centre's list of answers to write.

    Typing makes a search per pause: a zero-result query that extends the same user's last
    one (within a minute) replaces it rather than adding a row.
    """
    ranked = kb_search.search(session, query, category=category, line_id=line_id,
                              line_boost=line_boost, limit=limit)
    if record and not ranked.hits and len(ranked.query) >= 2:
        _record_zero(session, principal, ranked.query, category, line_id)
    return ranked


def _record_zero(session: Session, principal: Principal | None, query: str,
                 category: str | None, line_id: int | None) -> None:
    now = clock.now()
    user_id = principal.user_id if principal else None
    last = session.scalars(select(ZeroResultSearch).where(
        ZeroResultSearch.user_id == user_id if user_id is not None
        else ZeroResultSearch.user_id.is_(None),
        ZeroResultSearch.at >= now - ZERO_MERGE).order_by(ZeroResultSearch.id.desc())
        .limit(1)).first()
    if last is not None and (query.startswith(last.query) or last.query.startswith(query)):
        if len(query) > len(last.query):
            last.query = query[:200]
        last.at = now
        return
    session.add(ZeroResultSearch(query=query[:200], category=category, line_id=line_id,
                                 user_id=user_id, at=now))
    session.flush()


def record_use(session: Session, principal: Principal, version_id: int, *,
               order_id: int | None = None, line_id: int | None = None) -> ArticleUse:
    """An agent answered with this version; only a version in force can be used."""
    version = get_version(session, version_id)
    now = clock.now()
    start, end = _window(version)
    if version.status != VersionStatus.published or not (
            start <= now and (end is None or now < end)):
        raise Conflict("该答复口径当前不在有效期内", code="kb_version_not_in_force",
                       details={"status": version.status})
    use = ArticleUse(article_id=version.article_id, version_id=version.id,
                     user_id=principal.user_id, order_id=order_id, line_id=line_id, at=now)
    session.add(use)
    session.flush()
    return use


@dataclass(frozen=True)
class UseCount:
    article_id: int
    code: str
    topic: str
    uses: int


def top_articles(session: Session, *, since: datetime | None = None,
                 until: datetime | None = None, line_id: int | None = None,
                 limit: int = 20) -> list[UseCount]:
    """Articles ranked by how often agents answered with them."""
    stmt = select(ArticleUse.article_id, func.count(ArticleUse.id).label("uses"))
    if since is not None:
        stmt = stmt.where(ArticleUse.at >= since)
    if until is not None:
        stmt = stmt.where(ArticleUse.at < until)
    if line_id is not None:
        stmt = stmt.where(ArticleUse.line_id == line_id)
    rows = session.execute(stmt.group_by(ArticleUse.article_id)
                           .order_by(func.count(ArticleUse.id).desc(), ArticleUse.article_id)
                           .limit(limit)).all()
    out = []
    for article_id, uses in rows:
        article = get_article(session, article_id)
        latest = versions_of(session, article_id)[0]
        out.append(UseCount(article_id, article.code, latest.topic, int(uses)))
    return out


@dataclass(frozen=True)
class ZeroCount:
    query: str
    searches: int
    last_at: datetime


def zero_result_queries(session: Session, *, since: datetime | None = None,
                        limit: int = 50) -> list[ZeroCount]:
    """What agents searched for and found nothing, most asked first: answers to write next."""
    stmt = select(ZeroResultSearch.query, func.count(ZeroResultSearch.id),
                  func.max(ZeroResultSearch.at))
    if since is not None:
        stmt = stmt.where(ZeroResultSearch.at >= since)
    rows = session.execute(stmt.group_by(ZeroResultSearch.query).order_by(
        func.count(ZeroResultSearch.id).desc(), func.max(ZeroResultSearch.at).desc())
        .limit(limit)).all()
    return [ZeroCount(q, int(n), clock.as_aware(at)) for q, n, at in rows]


# --- synonyms ---------------------------------------------------------------------------------


def add_synonym(session: Session, word: str, canonical: str) -> Synonym:
    word, canonical = word.strip().lower(), canonical.strip().lower()
    if not word or not canonical or word == canonical:
        raise InvalidInput("同义词与标准词须不同且非空", code="kb_synonym_invalid")
    if session.scalar(select(Synonym.id).where(Synonym.word == word)) is not None:
        raise Conflict(f"同义词已存在：{word}", code="kb_synonym_taken")
    row = Synonym(word=word, canonical=canonical, created_at=clock.now())
    session.add(row)
    session.flush()
    kb_search.invalidate()
    return row


def list_synonyms(session: Session) -> list[Synonym]:
    return list(session.scalars(select(Synonym).order_by(Synonym.canonical, Synonym.word)))
