"""Each line's figures, computed from its orders (order.line_id) whether the line is open or
closed: calls per day and per hour, the peak day, first-call and dispatched shares, the top
questions (the answers used most), and open orders by lead unit."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from jiesu.core import clock
from jiesu.insights.first_call import local_day, local_hour
from jiesu.lines import knowledge_link as kb
from jiesu.lines.models import Line
from jiesu.orders.models import Order
from jiesu.units.models import Unit

MAX_DAYS = 400  # a line's chart never spans more days than this


@dataclass
class Dashboard:
    line_id: int
    name: str
    state: str
    first_day: str
    last_day: str
    total: int = 0
    counted: int = 0
    first_call: int = 0
    dispatched: int = 0
    first_call_rate: float | None = None
    dispatched_rate: float | None = None
    peak_day: str | None = None
    peak_calls: int = 0
    days: list[str] = field(default_factory=list)
    calls_per_day: list[int] = field(default_factory=list)
    first_call_per_day: list[int] = field(default_factory=list)
    calls_per_hour: list[int] = field(default_factory=lambda: [0] * 24)
    top_questions: list[dict[str, Any]] = field(default_factory=list)
    top_categories: list[dict[str, Any]] = field(default_factory=list)
    open_by_unit: list[dict[str, Any]] = field(default_factory=list)
    generated_at: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _span(line: Line, now: datetime) -> tuple[date, date]:
    first = clock.local(line.starts_at).date()
    end = clock.as_aware(line.ends_at) if line.ends_at else now
    last = clock.local(min(end, now) - timedelta(microseconds=1)).date()
    last = max(first, min(last, first + timedelta(days=MAX_DAYS - 1)))
    return first, last


def line_dashboard(session: Session, line: Line, now: datetime | None = None) -> Dashboard:
    now = now or clock.now()
    dialect = session.get_bind().dialect.name
    first, last = _span(line, now)
    board = Dashboard(line_id=line.id, name=line.name, state=line.state,
                      first_day=first.isoformat(), last_day=last.isoformat(),
                      generated_at=now.isoformat())
    on_line = Order.line_id == line.id
    day = local_day(Order.received_at, dialect).label("day")
    first_call = Order.close_reason == "answered_on_call"
    per_day: dict[str, tuple[int, int]] = {}
    for key, calls, settled in session.execute(
        select(day, func.count(), func.coalesce(func.sum(case((first_call, 1), else_=0)), 0))
        .where(on_line).group_by(day)
    ):
        per_day[str(key)] = (int(calls), int(settled))
    cursor = first
    while cursor <= last:
        calls, settled = per_day.get(cursor.isoformat(), (0, 0))
        board.days.append(cursor.isoformat())
        board.calls_per_day.append(calls)
        board.first_call_per_day.append(settled)
        cursor += timedelta(days=1)
    if per_day:
        peak = max(sorted(per_day), key=lambda d: per_day[d][0])
        board.peak_day, board.peak_calls = peak, per_day[peak][0]
    hour = local_hour(Order.received_at, dialect).label("hour")
    for key, calls in session.execute(select(hour, func.count()).where(on_line).group_by(hour)):
        board.calls_per_hour[int(key) % 24] += int(calls)
    _shares(session, board, on_line)
    _top_questions(session, board, line.id)
    _open_by_unit(session, board, on_line)
    return board


def _shares(session: Session, board: Dashboard, on_line: Any) -> None:
    rows = session.execute(
        select(Order.close_reason, Order.state, Order.dispatched_at.is_not(None), func.count())
        .where(on_line)
        .group_by(Order.close_reason, Order.state, Order.dispatched_at.is_not(None))
    ).all()
    for reason, state, dispatched, count in rows:
        board.total += int(count)
        if reason == "not_accepted" or state == "merged":
            continue
        board.counted += int(count)
        if reason == "answered_on_call":
            board.first_call += int(count)
        if dispatched:
            board.dispatched += int(count)
    if board.counted:
        board.first_call_rate = board.first_call / board.counted
        board.dispatched_rate = board.dispatched / board.counted


def _top_questions(session: Session, board: Dashboard, line_id: int, limit: int = 10) -> None:
    """The answers the line's agents settled most calls with; and, for what was dispatched,
    the categories most asked."""
    used = kb.uses_on_line(session, line_id, limit)
    names = kb.topics(session, [article_id for article_id, _ in used])
    board.top_questions = [
        {"article_id": article_id, "code": names.get(article_id, ("", ""))[0],
         "topic": names.get(article_id, ("", str(article_id)))[1], "calls": calls}
        for article_id, calls in used
    ]
    category = func.coalesce(Order.category, "未分类")
    rows = session.execute(
        select(category, func.count()).where(Order.line_id == line_id,
                                             Order.dispatched_at.is_not(None))
        .group_by(category).order_by(func.count().desc(), category).limit(limit))
    board.top_categories = [{"category": c, "calls": int(n)} for c, n in rows]


def _open_by_unit(session: Session, board: Dashboard, on_line: Any, limit: int = 15) -> None:
    rows = session.execute(
        select(Unit.id, Unit.name, func.count())
        .select_from(Order).join(Unit, Unit.id == Order.lead_unit_id)
        .where(on_line, Order.is_open.is_(True))
        .group_by(Unit.id, Unit.name).order_by(func.count().desc(), Unit.name).limit(limit))
    board.open_by_unit = [{"unit_id": uid, "name": name, "open": int(n)}
                          for uid, name, n in rows]
    waiting = session.scalar(select(func.count()).select_from(Order).where(
        on_line, Order.is_open.is_(True), Order.lead_unit_id.is_(None))) or 0
    if waiting:
        board.open_by_unit.append({"unit_id": None, "name": "待派单", "open": int(waiting)})
