"""The three rates per unit, district (with its streets) or category, for one period.

One aggregate query over the orders dispatched in the period (index ix_orders_dispatched)
plus one over the return events; every definition is in docs/decisions/0006-rates.md:

- received      orders whose dispatch to their current lead unit falls in the period,
                except those back with the dispatcher or merged (RateRules.excluded_states)
- responded     received, signed_at <= sign_due_at and contacted_at <= contact_due_at
- visited       the citizen answered a return visit (close_visited, or reopen after a
                visit); orders judged "not solvable under law" are counted apart
- resolution    solved / visited;  satisfaction  (满意 + w × 基本满意) / visited
- composite     weights of RateRules; a unit is ranked only with >= min_visited visits
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, case, func, or_, select, text
from sqlalchemy.orm import Session, aliased

from jiesu.core import clock
from jiesu.core.errors import InvalidInput
from jiesu.insights import rollup
from jiesu.insights.counts import UNCATEGORISED, figures, received_in, returned_in
from jiesu.insights.periods import Period
from jiesu.insights.rules import RateRules, get_rate_rules
from jiesu.orders.models import Order, OrderEvent
from jiesu.units.models import Unit, UnitKind

Group = Literal["unit", "district", "category"]
GROUPS: tuple[str, ...] = ("unit", "district", "category")


@dataclass
class RateRow:
    key: str
    name: str
    unit_id: int | None = None
    kind: str | None = None
    received: int = 0
    responded: int = 0
    visited: int = 0
    solved: int = 0
    satisfied: int = 0
    basically: int = 0
    dissatisfied: int = 0
    judged_apart: int = 0
    unreachable: int = 0
    visit_skipped: int = 0
    redispatched: int = 0
    returned: int = 0
    overdue: int = 0
    replied: int = 0
    handling_seconds: float = 0.0
    response_rate: float | None = None
    resolution_rate: float | None = None
    satisfaction_rate: float | None = None
    composite: float | None = None
    avg_handling_hours: float | None = None
    rank: int | None = None

    def finish(self, rules: RateRules) -> None:
        self.response_rate = self.responded / self.received if self.received else None
        if self.visited:
            self.resolution_rate = self.solved / self.visited
            weighted = self.satisfied + rules.basically_weight * self.basically
            self.satisfaction_rate = weighted / self.visited
        if self.response_rate is not None and self.resolution_rate is not None:
            assert self.satisfaction_rate is not None
            self.composite = (rules.weight_response * self.response_rate
                              + rules.weight_resolution * self.resolution_rate
                              + rules.weight_satisfaction * self.satisfaction_rate)
        if self.replied:
            self.avg_handling_hours = self.handling_seconds / self.replied / 3600


@dataclass
class RatesReport:
    period: str
    start: datetime
    end: datetime
    group: str
    rows: list[RateRow]
    ranking: list[RateRow]
    excluded: dict[str, int]
    rules: dict[str, Any]
    generated_at: datetime = field(default_factory=clock.now)

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period, "start": self.start.isoformat(), "end": self.end.isoformat(),
            "group": self.group, "generated_at": self.generated_at.isoformat(),
            "rules": self.rules, "excluded": self.excluded,
            "rows": [asdict(r) for r in self.rows],
            "ranking": [{"rank": r.rank, "key": r.key, "name": r.name, "visited": r.visited,
                         "composite": r.composite} for r in self.ranking],
        }


def _scope_units(session: Session, unit_id: int | None) -> list[int] | None:
    """A unit, and for a district also its streets; None means every unit."""
    if unit_id is None:
        return None
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise InvalidInput("单位不存在", code="unknown_unit", details={"unit_id": unit_id})
    ids = [unit.id]
    if unit.kind == UnitKind.district:
        ids += list(session.scalars(select(Unit.id).where(Unit.parent_id == unit.id)))
    return ids


def _district_of(unit: Any) -> ColumnElement[Any]:
    return case((unit.kind == UnitKind.district.value, unit.id),
                (unit.kind == UnitKind.street.value, unit.parent_id))


def _district_keys(session: Session) -> dict[int, int | None]:
    """Each unit's district (as `_district_of`): a district itself, a street its parent."""
    found: dict[int, int | None] = {}
    for uid, kind, parent in session.execute(select(Unit.id, Unit.kind, Unit.parent_id)):
        found[uid] = (uid if kind == UnitKind.district.value
                      else parent if kind == UnitKind.street.value else None)
    return found


def _group_key(group: str, unit_id: Any, unit: Any) -> ColumnElement[Any]:
    if group == "unit":
        return unit_id  # type: ignore[no-any-return]
    if group == "district":
        return _district_of(unit)
    return func.coalesce(Order.category, UNCATEGORISED)


def _order_query(group: str, period: Period, rules: RateRules, now: datetime,
                 dialect: str, scope: list[int] | None) -> Select[Any]:
    lead = aliased(Unit)
    key = _group_key(group, Order.lead_unit_id, lead).label("key")
    stmt = (
        select(key, *figures(rules, now, dialect))
        .select_from(Order)
        .where(*received_in(period.start, period.end, rules))
        .group_by(key)
    )
    if group == "district":  # only districts need the unit row (its kind and parent)
        stmt = stmt.join(lead, lead.id == Order.lead_unit_id)
    if scope is not None:
        stmt = stmt.where(Order.lead_unit_id.in_(scope))
    return stmt


def _returns_query(group: str, period: Period, scope: list[int] | None) -> Select[Any]:
    """Orders each unit sent back in the period (return events, by the returning unit)."""
    actor = aliased(Unit)
    key = _group_key(group, OrderEvent.unit_id, actor).label("key")
    stmt = (
        select(key, func.count())
        .select_from(OrderEvent)
        .where(*returned_in(period.start, period.end))
        .group_by(key)
    )
    if group == "district":
        stmt = stmt.join(actor, actor.id == OrderEvent.unit_id)
    elif group == "category":
        stmt = stmt.join(Order, Order.id == OrderEvent.order_id)
    if scope is not None:
        stmt = stmt.where(OrderEvent.unit_id.in_(scope))
    return stmt


def _excluded(session: Session, period: Period, rows: list[RateRow]) -> dict[str, int]:
    """What the report left out, so a reader can check the denominators."""
    # Each count reads one index range (received_at, dispatched_at), never the whole table.
    at_intake = session.execute(
        select(Order.close_reason, Order.state, func.count())
        .where(Order.received_at >= period.start, Order.received_at < period.end,
               or_(Order.close_reason.in_(["not_accepted", "answered_on_call"]),
                   Order.state == "merged"))
        .group_by(Order.close_reason, Order.state)
    ).all()
    returned = session.scalar(
        select(func.count()).where(Order.dispatched_at >= period.start,
                                   Order.dispatched_at < period.end, Order.state == "returned")
    ) or 0

    def intake(reason: str | None = None, state: str | None = None) -> int:
        return sum(n for r, s, n in at_intake
                   if (reason is None or r == reason) and (state is None or s == state))

    return {
        "not_accepted": intake(reason="not_accepted"),
        "answered_on_call": intake(reason="answered_on_call"),
        "merged": intake(state="merged"),
        "returned_pending_redispatch": int(returned),
        "not_solvable_judged_apart": sum(r.judged_apart for r in rows),
        "visit_unreachable": sum(r.unreachable for r in rows),
        "visit_skipped": sum(r.visit_skipped for r in rows),
    }


def _names(session: Session, group: str, keys: list[Any]) -> dict[Any, tuple[str, str, str]]:
    if group == "category":
        return {k: (str(k), str(k), "category") for k in keys}
    units = session.scalars(select(Unit).where(Unit.id.in_([k for k in keys if k is not None])))
    return {u.id: (u.code, u.name, u.kind) for u in units}


def _live_parts(period: Period, exact: set[date]) -> Iterator[Period]:
    """The runs of the period's days the rollup cannot answer (all of it when none)."""
    for first, last in rollup.runs(d for d in period.days if d not in exact):
        yield period if (first, last) == (period.first_day, period.last_day) \
            else rollup.day_period(first, last)


def _counted(session: Session, period: Period, exact: set[date], group: str,
             rules: RateRules, now: datetime, scope: list[int] | None
             ) -> Iterator[dict[str, Any]]:
    """The period's counts by group key: rates_daily for the days it has exact for `now`,
    the plain aggregate over orders for each run of the other days."""
    dialect = session.get_bind().dialect.name
    yield from rollup.sums(session, exact, "category" if group == "category" else "unit", scope)
    for part in _live_parts(period, exact):
        for record in session.execute(_order_query(group, part, rules, now, dialect, scope)):
            yield record._asdict()


def _returned(session: Session, period: Period, exact: set[date], group: str,
              scope: list[int] | None) -> Iterator[tuple[Any, int]]:
    yield from rollup.returned(session, exact, "category" if group == "category" else "unit",
                               scope)
    for part in _live_parts(period, exact):
        for key, count in session.execute(_returns_query(group, part, scope)):
            yield key, int(count)


def compute_rates(
    session: Session, period: Period, *, group: str = "unit", unit_id: int | None = None,
    rules: RateRules | None = None, now: datetime | None = None, use_rollup: bool = True,
) -> RatesReport:
    """The report; `use_rollup=False` counts every day from orders (the reference the rollup is
    tested against, and what a report does for any day the rollup cannot answer exactly)."""
    if group not in GROUPS:
        raise InvalidInput("分组方式应为 unit、district 或 category", code="invalid_group",
                           details={"group": group})
    rules = rules or get_rate_rules()
    now = now or clock.now()
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        # Counted from orders, a month at 10M orders took 0.3 s more compiling the aggregate
        # (JIT) than running it; for this transaction only (docs/bench.md).
        session.execute(text("SET LOCAL jit = off"))
    scope = _scope_units(session, unit_id)
    # Districts are the sums of their own and their streets' rows: counted by unit (one
    # index-only scan, no join with units in the month's aggregate) and folded here.
    fold = _district_keys(session) if group == "district" else None
    query_group = "unit" if fold is not None else group
    rows: dict[Any, RateRow] = {}
    exact = rollup.exact_days(session, period, rules, now) if use_rollup else set()
    for data in _counted(session, period, exact, query_group, rules, now, scope):
        key = data.pop("key")
        if fold is not None:
            key = fold.get(key)
        if key is None:  # departments and utilities have no district
            continue
        row = rows.setdefault(key, RateRow(key=str(key), name=str(key)))
        for name, value in data.items():
            added = float(value) if name == "handling_seconds" else int(value)
            setattr(row, name, getattr(row, name) + added)
    for key, count in _returned(session, period, exact, query_group, scope):
        if fold is not None:
            key = fold.get(key)
        if key is None:
            continue
        rows.setdefault(key, RateRow(key=str(key), name=str(key))).returned += int(count)
    names = _names(session, group, list(rows))
    for key, row in rows.items():
        if key in names:
            row.key, row.name, row.kind = names[key]
            row.unit_id = key if group != "category" else None
        row.finish(rules)
    ranking = rank(list(rows.values()), rules)
    # Ranked rows first, in rank order; then the rest by volume.
    ordered = sorted(rows.values(), key=lambda r: (r.rank is None, r.rank or 0, -r.received,
                                                   r.key))
    return RatesReport(
        period=period.label, start=period.start, end=period.end, group=group, rows=ordered,
        ranking=ranking, excluded=_excluded(session, period, ordered),
        rules=rules.model_dump(mode="json"), generated_at=now,
    )


def rank(rows: list[RateRow], rules: RateRules) -> list[RateRow]:
    """Only rows with enough visited orders are ranked; ties share a rank."""
    eligible = [r for r in rows if r.composite is not None and r.visited >= rules.min_visited]
    eligible.sort(key=lambda r: (-(r.composite or 0.0), -r.visited, r.key))
    previous: float | None = None
    for position, row in enumerate(eligible, start=1):
        if previous is None or abs((row.composite or 0.0) - previous) > 1e-12:
            row.rank = position
        else:
            row.rank = eligible[position - 2].rank
        previous = row.composite
    return eligible

