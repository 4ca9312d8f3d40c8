"""The only place that changes special lines: open, edit, staff, stock, close.

A line is configuration around calls: the calls themselves stay orders (order.line_id), so
closing a line changes nothing about its orders and its figures are computed from them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.core import clock
from jiesu.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from jiesu.core.roles import Principal, Role
from jiesu.lines import schemas as s
from jiesu.lines.models import (
    LINE_STATE_LABELS,
    Line,
    LineAgent,
    LineArticle,
    LineCategory,
    LineState,
)
from jiesu.units.models import User

MANAGERS = frozenset({Role.supervisor, Role.admin})
READERS = frozenset({Role.agent, Role.dispatcher, Role.visitor, Role.supervisor, Role.admin})


def ensure_manager(principal: Principal) -> None:
    if principal.role not in MANAGERS:
        raise NotAllowed("只有督办员或管理员可以管理专线", code="role_not_allowed")


DASHBOARD_READERS = frozenset({Role.dispatcher, Role.supervisor, Role.admin})


def ensure_dashboard_reader(principal: Principal) -> None:
    if principal.role not in DASHBOARD_READERS:
        raise NotAllowed("当前角色无权查看专线看板", code="role_not_allowed")


def ensure_reader(principal: Principal) -> None:
    if principal.role not in READERS:
        raise NotAllowed("当前角色无权查看专线", code="role_not_allowed")


def get_line(session: Session, line_id: int) -> Line:
    line = session.get(Line, line_id)
    if line is None:
        raise NotFound("专线不存在", code="line_not_found", details={"line_id": line_id})
    return line


def _open_line(session: Session, line_id: int) -> Line:
    line = get_line(session, line_id)
    if line.state != LineState.open.value:
        raise Conflict("专线已关闭，不能再修改", code="line_closed", details={"line_id": line_id})
    return line


# --- hours ------------------------------------------------------------------------------


def _in_timetable(slots: Iterable[dict[str, object]], at: datetime) -> bool:
    local = clock.local(at)
    hhmm = f"{local:%H:%M}"
    weekday = local.isoweekday()
    return any(weekday in slot["weekdays"] and str(slot["start"]) <= hhmm < str(slot["end"])
               for slot in slots if isinstance(slot["weekdays"], list))


def is_open_at(line: Line, at: datetime) -> bool:
    """The line takes calls at `at`: running, within its start and end, within its hours."""
    if line.state != LineState.open.value:
        return False
    if clock.as_aware(line.starts_at) > at:
        return False
    if line.ends_at is not None and clock.as_aware(line.ends_at) <= at:
        return False
    return line.around_the_clock or _in_timetable(line.timetable, at)


def check_intake(session: Session, principal: Principal, line_id: int, at: datetime) -> None:
    """Registered with orders.service: a call carries a line only if that line takes calls
    now and the agent is one of its agents."""
    line = session.get(Line, line_id)
    if line is None:
        raise InvalidInput("专线不存在", code="unknown_line", details={"line_id": line_id})
    if line.state != LineState.open.value:
        raise InvalidInput("专线已关闭", code="line_closed", details={"line_id": line_id})
    if not is_open_at(line, at):
        raise InvalidInput("专线当前不在服务时间内", code="line_outside_hours",
                           details={"line_id": line_id})
    if agent_line_ids(session, principal.user_id, [line_id]) != [line_id]:
        raise NotAllowed("您不是该专线的坐席", code="not_line_agent",
                         details={"line_id": line_id})


# --- members ----------------------------------------------------------------------------


def _check_categories(categories: list[str]) -> list[str]:
    """Names of the category catalogue, as the knowledge base accepts them."""
    from jiesu.knowledge.service import known_category

    cleaned = list(dict.fromkeys(c.strip() for c in categories if c.strip()))
    unknown = [c for c in cleaned if not known_category(c)]
    if unknown or any(len(c) > 60 for c in cleaned):
        raise InvalidInput("类别不在分类目录中", code="unknown_category",
                           details={"categories": unknown or cleaned})
    return cleaned


def _agents(session: Session, user_ids: Iterable[int]) -> list[User]:
    ids = list(dict.fromkeys(user_ids))
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}
    missing = [i for i in ids if i not in users]
    if missing:
        raise InvalidInput("用户不存在", code="unknown_user", details={"user_ids": missing})
    not_agents = [i for i in ids if users[i].role != Role.agent.value or not users[i].active]
    if not_agents:
        raise InvalidInput("只能把在岗坐席加入专线", code="not_an_agent",
                           details={"user_ids": not_agents})
    return [users[i] for i in ids]


def _article_ids(session: Session, article_ids: Iterable[int]) -> list[int]:
    ids = list(dict.fromkeys(article_ids))
    if not ids:
        return []
    from jiesu.lines.knowledge_link import existing_article_ids

    found = existing_article_ids(session, ids)
    missing = [i for i in ids if i not in found]
    if missing:
        raise InvalidInput("知识库条目不存在", code="unknown_article",
                           details={"article_ids": missing})
    return ids


def _active_agent_ids(session: Session, line_id: int) -> set[int]:
    return set(session.scalars(select(LineAgent.user_id).where(
        LineAgent.line_id == line_id, LineAgent.removed_at.is_(None))))


def _active_article_ids(session: Session, line_id: int) -> set[int]:
    return set(session.scalars(select(LineArticle.article_id).where(
        LineArticle.line_id == line_id, LineArticle.removed_at.is_(None))))


def add_agents(session: Session, principal: Principal, line_id: int,
               user_ids: Iterable[int]) -> Line:
    ensure_manager(principal)
    line = _open_line(session, line_id)
    current = _active_agent_ids(session, line.id)
    now = clock.now()
    for user in _agents(session, user_ids):
        if user.id not in current:
            session.add(LineAgent(line_id=line.id, user_id=user.id, added_by_id=principal.user_id,
                                  added_at=now))
    line.updated_at = now
    session.flush()
    return line


def remove_agent(session: Session, principal: Principal, line_id: int, user_id: int) -> Line:
    ensure_manager(principal)
    line = _open_line(session, line_id)
    rows = list(session.scalars(select(LineAgent).where(
        LineAgent.line_id == line.id, LineAgent.user_id == user_id,
        LineAgent.removed_at.is_(None))))
    if not rows:
        raise NotFound("该坐席不在专线上", code="line_agent_not_found",
                       details={"line_id": line_id, "user_id": user_id})
    return _end_membership(session, line, rows)


def add_articles(session: Session, principal: Principal, line_id: int,
                 article_ids: Iterable[int]) -> Line:
    ensure_manager(principal)
    line = _open_line(session, line_id)
    current = _active_article_ids(session, line.id)
    now = clock.now()
    for article_id in _article_ids(session, article_ids):
        if article_id not in current:
            session.add(LineArticle(line_id=line.id, article_id=article_id,
                                    added_by_id=principal.user_id, added_at=now))
    line.updated_at = now
    session.flush()
    return line


def remove_article(session: Session, principal: Principal, line_id: int,
                   article_id: int) -> Line:
    ensure_manager(principal)
    line = _open_line(session, line_id)
    rows = list(session.scalars(select(LineArticle).where(
        LineArticle.line_id == line.id, LineArticle.article_id == article_id,
        LineArticle.removed_at.is_(None))))
    if not rows:
        raise NotFound("该条目不在专线知识库中", code="line_article_not_found",
                       details={"line_id": line_id, "article_id": article_id})
    return _end_membership(session, line, rows)


def _end_membership(session: Session, line: Line,
                    rows: Sequence[LineAgent] | Sequence[LineArticle]) -> Line:
    """Membership rows are ended, never deleted: the line's history keeps who was on it."""
    now = clock.now()
    for row in rows:
        row.removed_at = now
    line.updated_at = now
    session.flush()
    return line


def write_answer(session: Session, principal: Principal, line_id: int,
                 fields: dict[str, str]) -> int:
    """A standard answer written for the line (its page): the knowledge base checks and
    publishes it, then it joins the line. Returns the article id."""
    from jiesu.lines import knowledge_link as kb

    ensure_manager(principal)
    line = _open_line(session, line_id)
    owner = fields.get("owner_unit_id", "")
    version = kb.write_published(
        session, principal, topic=fields.get("topic", ""),
        questions=[q.strip() for q in fields.get("questions", "").splitlines() if q.strip()],
        answer=fields.get("answer", ""), category=fields.get("category", ""),
        owner_unit_id=int(owner) if owner.isdigit() and len(owner) < 10 else None)
    add_articles(session, principal, line.id, [version.article_id])
    return version.article_id


def _set_categories(session: Session, line: Line, categories: list[str]) -> None:
    wanted = _check_categories(categories)
    rows = list(session.scalars(select(LineCategory).where(LineCategory.line_id == line.id)))
    for row in rows:
        if row.category not in wanted:
            session.delete(row)
    have = {row.category for row in rows}
    for category in wanted:
        if category not in have:
            session.add(LineCategory(line_id=line.id, category=category))


# --- the line ---------------------------------------------------------------------------


def create_line(session: Session, principal: Principal, data: s.LineCreate) -> Line:
    ensure_manager(principal)
    if session.scalars(select(Line.id).where(Line.code == data.code)).first() is not None:
        raise Conflict("专线编码已存在", code="line_code_exists", details={"code": data.code})
    # Everything is checked before anything is written: bad input changes nothing.
    from jiesu.lines import deadlines

    categories = _check_categories(data.categories)
    agents = _agents(session, data.agent_ids)
    article_ids = _article_ids(session, data.article_ids)
    deadlines.check_rules(data.deadline_rules)
    now = clock.now()
    line = Line(
        code=data.code, name=data.name, number=data.number, channel_tag=data.channel_tag,
        description=data.description, around_the_clock=bool(data.around_the_clock),
        timetable=[slot.model_dump() for slot in data.timetable or []],
        starts_at=data.starts_at or now, ends_at=data.ends_at, state=LineState.open.value,
        created_by_id=principal.user_id, created_at=now, updated_at=now,
    )
    if line.ends_at is not None and line.ends_at <= line.starts_at:
        raise InvalidInput("结束时间须晚于开始时间", code="line_ends_before_start")
    session.add(line)
    session.flush()
    for category in categories:
        session.add(LineCategory(line_id=line.id, category=category))
    for user in agents:
        session.add(LineAgent(line_id=line.id, user_id=user.id, added_by_id=principal.user_id,
                              added_at=now))
    for article_id in article_ids:
        session.add(LineArticle(line_id=line.id, article_id=article_id,
                                added_by_id=principal.user_id, added_at=now))
    session.flush()
    deadlines.write_rules(session, principal, line.id, data.deadline_rules)
    return line


def update_line(session: Session, principal: Principal, line_id: int,
                data: s.LineUpdate) -> Line:
    ensure_manager(principal)
    line = _open_line(session, line_id)
    given = data.model_fields_set
    if "categories" in given and data.categories is not None:
        _set_categories(session, line, data.categories)
    for name in ("name", "number", "channel_tag", "description"):
        if name in given and getattr(data, name) is not None:
            setattr(line, name, getattr(data, name))
    if not line.number and not line.channel_tag:
        raise InvalidInput("专线须有号码或渠道标签", code="line_needs_number")
    if "around_the_clock" in given and data.around_the_clock is not None:
        line.around_the_clock = data.around_the_clock
        line.timetable = [slot.model_dump() for slot in data.timetable or []]
    elif "timetable" in given and data.timetable:
        line.around_the_clock = False
        line.timetable = [slot.model_dump() for slot in data.timetable]
    if "ends_at" in given:
        if data.ends_at is not None and data.ends_at <= clock.as_aware(line.starts_at):
            raise InvalidInput("结束时间须晚于开始时间", code="line_ends_before_start")
        line.ends_at = data.ends_at
    line.updated_at = clock.now()
    session.flush()
    return line


def close_line(session: Session, principal: Principal, line_id: int, note: str = "") -> Line:
    """The line stops taking calls; its orders, members and figures stay as they were."""
    ensure_manager(principal)
    line = _open_line(session, line_id)
    now = clock.now()
    line.state = LineState.closed.value
    line.closed_at = now
    line.closed_by_id = principal.user_id
    line.close_note = note
    if line.ends_at is None or clock.as_aware(line.ends_at) > now:
        line.ends_at = now
    line.updated_at = now
    session.flush()
    return line


def list_lines(session: Session, *, state: str | None = None,
               agent_id: int | None = None) -> list[Line]:
    stmt = select(Line).order_by(Line.state.desc(), Line.starts_at.desc(), Line.id.desc())
    if state:
        stmt = stmt.where(Line.state == state)
    if agent_id is not None:
        stmt = stmt.where(Line.id.in_(select(LineAgent.line_id).where(
            LineAgent.user_id == agent_id, LineAgent.removed_at.is_(None))))
    return list(session.scalars(stmt))


def agent_line_ids(session: Session, user_id: int, among: Iterable[int] | None = None) -> list[int]:
    stmt = select(LineAgent.line_id).where(LineAgent.user_id == user_id,
                                           LineAgent.removed_at.is_(None))
    if among is not None:
        stmt = stmt.where(LineAgent.line_id.in_(list(among)))
    return sorted(set(session.scalars(stmt)))


def lines_taking_calls(session: Session, user_id: int, at: datetime) -> list[Line]:
    """The lines this agent may take a call on now (the intake screen's choice)."""
    return [line for line in list_lines(session, state=LineState.open.value, agent_id=user_id)
            if is_open_at(line, at)]


def line_article_ids(session: Session, line_id: int) -> list[int]:
    return sorted(_active_article_ids(session, line_id))


def to_public(session: Session, line: Line, now: datetime | None = None) -> s.LinePublic:
    from jiesu.orders.deadline_rules import active_rules
    from jiesu.orders.deadline_rules_api import DeadlineRulePublic

    agents = session.execute(
        select(User.id, User.username, User.display_name)
        .join(LineAgent, LineAgent.user_id == User.id)
        .where(LineAgent.line_id == line.id, LineAgent.removed_at.is_(None))
        .order_by(User.username)
    ).all()
    categories = sorted(session.scalars(
        select(LineCategory.category).where(LineCategory.line_id == line.id)))
    return s.LinePublic(
        id=line.id, code=line.code, name=line.name, number=line.number,
        channel_tag=line.channel_tag, description=line.description,
        around_the_clock=line.around_the_clock, timetable=list(line.timetable or []),
        starts_at=clock.as_aware(line.starts_at),
        ends_at=clock.as_aware(line.ends_at) if line.ends_at else None,
        state=line.state, state_label=LINE_STATE_LABELS[LineState(line.state)],
        open_now=is_open_at(line, now or clock.now()),
        closed_at=clock.as_aware(line.closed_at) if line.closed_at else None,
        close_note=line.close_note,
        agents=[s.LineAgentPublic(user_id=a.id, username=a.username,
                                  display_name=a.display_name) for a in agents],
        categories=categories, article_ids=line_article_ids(session, line.id),
        deadline_rules=[DeadlineRulePublic.of(r) for r in active_rules(session, line.id)],
    )
