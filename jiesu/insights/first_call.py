"""First-call resolution (一次办结率) per line, category, agent or day, for one period.

Definitions (docs/decisions/0020-first-call-resolution.md):

- received     orders received in the period (received_at), on the line(s) in scope
- counted      received, except those not accepted (transferred to 110/119/120/122, other
               legal channels, ...: not ours to settle) and those merged into another order
               (a duplicate of a call already counted)
- first_call   counted orders closed at intake with `answer_on_call` (直接办结): the agent
               answered on the call, nothing was dispatched. Counted against no unit: such an
               order has no lead unit, so it is in no unit's three rates (insights.rates).
- dispatched   counted orders sent to a unit (dispatched_at set)
- waiting      counted orders still with the dispatcher (neither)
- fcr_rate     first_call / counted;  dispatched_rate  dispatched / counted
- consultation_fcr_rate  the same over consultations (咨询) only: the calls a standard answer
               can settle
- with_article first-call orders settled with a knowledge-base answer (a kb_uses row)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from rich.table import Table
from sqlalchemy import ColumnElement, Integer, Select, and_, case, cast, func, select
from sqlalchemy.orm import Session

from jiesu.core import clock
from jiesu.core.errors import InvalidInput
from jiesu.insights.export import table_csv, table_xlsx
from jiesu.insights.periods import Period
from jiesu.lines.models import Line
from jiesu.orders.models import Order, RequestType
from jiesu.units.models import User

GROUPS: tuple[str, ...] = ("line", "category", "agent", "day")
MAIN_LINE = "主热线"
UNCATEGORISED = "未分类"
DEFINITION = {
    "period_by": "received_at",
    "excluded": ["not_accepted", "merged"],
    "first_call": "close_reason = answered_on_call (直接办结, no dispatch)",
    "fcr_rate": "first_call / counted",
    "dispatched_rate": "dispatched / counted",
    "against_units": "none: a first-call order has no lead unit",
}


@dataclass
class FcrRow:
    key: str
    name: str
    received: int = 0
    not_accepted: int = 0
    merged: int = 0
    counted: int = 0
    first_call: int = 0
    with_article: int = 0
    dispatched: int = 0
    waiting: int = 0
    consultations: int = 0
    consultations_first_call: int = 0
    fcr_rate: float | None = None
    dispatched_rate: float | None = None
    consultation_fcr_rate: float | None = None

    def finish(self) -> None:
        self.counted = self.received - self.not_accepted - self.merged
        self.waiting = self.counted - self.first_call - self.dispatched
        if self.counted:
            self.fcr_rate = self.first_call / self.counted
            self.dispatched_rate = self.dispatched / self.counted
        if self.consultations:
            self.consultation_fcr_rate = self.consultations_first_call / self.consultations

    def add(self, other: FcrRow) -> None:
        for name in ("received", "not_accepted", "merged", "first_call", "with_article",
                     "dispatched", "consultations", "consultations_first_call"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class FcrReport:
    period: str
    start: datetime
    end: datetime
    group: str
    line_id: int | None
    rows: list[FcrRow]
    total: FcrRow
    definition: dict[str, Any] = field(default_factory=lambda: dict(DEFINITION))
    generated_at: datetime = field(default_factory=clock.now)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": "first_call", "period": self.period, "start": self.start.isoformat(),
            "end": self.end.isoformat(), "group": self.group, "line_id": self.line_id,
            "generated_at": self.generated_at.isoformat(), "definition": self.definition,
            "total": asdict(self.total), "rows": [asdict(r) for r in self.rows],
        }


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def local_day(column: Any, dialect: str) -> ColumnElement[Any]:
    """The China-time date of a UTC timestamp column, as YYYY-MM-DD (China keeps no DST)."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("Asia/Shanghai", column), "YYYY-MM-DD")
    return func.strftime("%Y-%m-%d", column, "+8 hours")


def local_hour(column: Any, dialect: str) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return func.extract("hour", func.timezone("Asia/Shanghai", column))
    return cast(func.strftime("%H", column, "+8 hours"), Integer)


def _key(group: str, dialect: str) -> ColumnElement[Any]:
    if group == "line":
        return Order.line_id  # type: ignore[return-value]
    if group == "category":
        return func.coalesce(Order.category, UNCATEGORISED)
    if group == "agent":
        return Order.created_by_id  # type: ignore[return-value]
    return local_day(Order.received_at, dialect)


def _query(group: str, period: Period, dialect: str, *, line_id: int | None,
           lines_only: bool) -> Select[Any]:
    key = _key(group, dialect).label("key")
    first_call = Order.close_reason == "answered_on_call"
    consultation = Order.type == RequestType.consultation.value
    stmt = (
        select(
            key,
            func.count().label("received"),
            _count(Order.close_reason == "not_accepted").label("not_accepted"),
            _count(Order.state == "merged").label("merged"),
            _count(first_call).label("first_call"),
            _count(Order.dispatched_at.is_not(None)).label("dispatched"),
            _count(consultation).label("consultations"),
            _count(and_(consultation, first_call)).label("consultations_first_call"),
        )
        .where(Order.received_at >= period.start, Order.received_at < period.end)
        .group_by(key)
    )
    if line_id is not None:
        stmt = stmt.where(Order.line_id == line_id)
    elif lines_only:
        stmt = stmt.where(Order.line_id.is_not(None))
    return stmt


def _with_article(session: Session, group: str, period: Period, dialect: str,
                  line_id: int | None, lines_only: bool) -> dict[Any, int]:
    from jiesu.lines.knowledge_link import settled_with_article

    condition = settled_with_article()
    if condition is None:
        return {}
    key = _key(group, dialect).label("key")
    stmt = (select(key, func.count())
            .where(Order.received_at >= period.start, Order.received_at < period.end,
                   Order.close_reason == "answered_on_call", condition)
            .group_by(key))
    if line_id is not None:
        stmt = stmt.where(Order.line_id == line_id)
    elif lines_only:
        stmt = stmt.where(Order.line_id.is_not(None))
    return {k: int(n) for k, n in session.execute(stmt)}


def _names(session: Session, group: str, keys: list[Any]) -> dict[Any, str]:
    ids = [k for k in keys if k is not None]
    if group == "line":
        names: dict[Any, str] = {i: n for i, n in session.execute(
            select(Line.id, Line.name).where(Line.id.in_(ids)))}
        return {**names, None: MAIN_LINE}
    if group == "agent":
        return {i: n for i, n in session.execute(
            select(User.id, User.display_name).where(User.id.in_(ids)))}
    return {k: str(k) for k in keys}


def compute_fcr(session: Session, period: Period, *, group: str = "line",
                line_id: int | None = None, lines_only: bool = False,
                now: datetime | None = None) -> FcrReport:
    if group not in GROUPS:
        raise InvalidInput("一次办结率的分组应为 line、category、agent 或 day",
                           code="invalid_group", details={"group": group, "allowed": GROUPS})
    if line_id is not None and session.get(Line, line_id) is None:
        raise InvalidInput("专线不存在", code="unknown_line", details={"line_id": line_id})
    dialect = session.get_bind().dialect.name
    articles = _with_article(session, group, period, dialect, line_id, lines_only)
    rows: dict[Any, FcrRow] = {}
    for record in session.execute(_query(group, period, dialect, line_id=line_id,
                                         lines_only=lines_only)):
        data = record._asdict()
        key = data.pop("key")
        row = FcrRow(key="" if key is None else str(key), name="",
                     **{k: int(v) for k, v in data.items()})
        row.with_article = articles.get(key, 0)
        rows[key] = row
    names = _names(session, group, list(rows))
    total = FcrRow(key="total", name="合计")
    for key, row in rows.items():
        row.name = names.get(key, row.key)
        total.add(row)
        row.finish()
    total.finish()
    if group == "day":
        ordered = sorted(rows.values(), key=lambda r: r.key)
    else:
        ordered = sorted(rows.values(), key=lambda r: (-r.received, r.key))
    return FcrReport(period=period.label, start=period.start, end=period.end, group=group,
                     line_id=line_id, rows=ordered, total=total, generated_at=now or clock.now())


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


# (header, value for CSV/xlsx, text for the terminal): the count sits beside every rate.
FcrColumn = tuple[str, Callable[[FcrRow], object], Callable[[FcrRow], str]]
COLUMNS: list[FcrColumn] = [
    ("编码", lambda r: r.key, lambda r: r.key),
    ("专线/类别/坐席/日期", lambda r: r.name, lambda r: r.name),
    ("来电量", lambda r: r.received, lambda r: str(r.received)),
    ("不予受理", lambda r: r.not_accepted, lambda r: str(r.not_accepted)),
    ("已合并", lambda r: r.merged, lambda r: str(r.merged)),
    ("计入量", lambda r: r.counted, lambda r: str(r.counted)),
    ("一次办结", lambda r: r.first_call, lambda r: str(r.first_call)),
    ("一次办结率", lambda r: r.fcr_rate,
     lambda r: f"{_pct(r.fcr_rate)} ({r.first_call}/{r.counted})"),
    ("按知识库答复", lambda r: r.with_article, lambda r: str(r.with_article)),
    ("派单", lambda r: r.dispatched, lambda r: str(r.dispatched)),
    ("派单率", lambda r: r.dispatched_rate,
     lambda r: f"{_pct(r.dispatched_rate)} ({r.dispatched}/{r.counted})"),
    ("待派单", lambda r: r.waiting, lambda r: str(r.waiting)),
    ("咨询量", lambda r: r.consultations, lambda r: str(r.consultations)),
    ("咨询一次办结率", lambda r: r.consultation_fcr_rate,
     lambda r: f"{_pct(r.consultation_fcr_rate)} ({r.consultations_first_call}/"
               f"{r.consultations})"),
]


def to_csv(report: FcrReport) -> str:
    return table_csv(COLUMNS, [*report.rows, report.total])


def to_xlsx(report: FcrReport) -> bytes:
    return table_xlsx(
        "一次办结率", (report.period, report.group, report.generated_at), COLUMNS,
        [*report.rows, report.total],
        {"口径": [[k, str(v)] for k, v in report.definition.items()]},
    )


def render_table(report: FcrReport) -> Table:
    title = (f"一次办结率 {report.period}（{report.start:%Y-%m-%d} 起，按受理时间，分组 "
             f"{report.group}；不予受理、已合并不计入）")
    table = Table(*(header for header, _, _ in COLUMNS if header != "编码"), title=title)
    for row in [*report.rows, report.total]:
        table.add_row(*(text(row) for header, _, text in COLUMNS if header != "编码"))
    return table
