"""The rates per day, unit and category (rates_daily; returns: rates_returns), and when each
day of it is exact (rates_days).

A report sums the rollup for the days that are exact now and counts the other days from
orders, as the plain query does (docs/decisions/0021-rates-rollup.md). A day is exact when

- nothing it counts changed since it was computed: triggers append the day to rates_dirty
  for every order row of it whose rates columns change, every return event of it, and every
  category change of an order returned on it (migrations 0024, 0025), whatever wrote them;
- it was computed under the same exclusions (`rules_key`);
- the report's `now` leaves its overdue count unchanged: no open, unreplied order of the day
  has its reply deadline between the computing time and `now` (valid_after, valid_until).

`refresh` (the worker's `rates_rollup` job, `jiesu report rollup`) recomputes the days that
are not, and fills days never computed, newest first.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Date,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from jiesu.core import clock
from jiesu.core.clock import CHINA_TZ
from jiesu.insights.counts import FIGURES, UNCATEGORISED, figures, received_in, returned_in
from jiesu.insights.models import RatesDaily, RatesDay, RatesDirty, RatesReturns
from jiesu.insights.periods import Period, days_from
from jiesu.insights.rules import RateRules, get_rate_rules
from jiesu.orders.models import Order, OrderEvent

# How far back the job fills days it never computed; older days need `--rebuild`.
FILL_WINDOW_DAYS = 400
# Days per statement when computing: a month is one range of the dispatch index.
CHUNK_DAYS = 31
LOCK_KEY = 7_240_013  # pg_advisory_xact_lock: one refresh at a time (see `refresh`)


def rules_key(rules: RateRules) -> str:
    """The rules the counts depend on (weights and the ranking threshold do not)."""
    return json.dumps({"excluded_states": sorted(rules.excluded_states),
                       "judged_apart": sorted(rules.judged_apart)}, separators=(",", ":"))


def china_day(column: Any, dialect: str) -> ColumnElement[date]:
    """The China-time day of a stored time, as the triggers of migration 0024 compute it."""
    if dialect == "postgresql":
        return cast(func.timezone(literal_column("INTERVAL '+08:00'"), column), Date)
    return func.date(column, "+8 hours")


def day_period(first: date, last: date) -> Period:
    return Period(f"{first}..{last}", "custom", first, last)


def runs(days: Iterable[date]) -> Iterator[tuple[date, date]]:
    """Sorted days as runs of consecutive days (first, last)."""
    ordered = sorted(set(days))
    start = previous = None
    for day in ordered:
        if previous is not None and day == previous + timedelta(days=1):
            previous = day
            continue
        if start is not None and previous is not None:
            yield start, previous
        start = previous = day
    if start is not None and previous is not None:
        yield start, previous


def exact_days(session: Session, period: Period, rules: RateRules, now: datetime) -> set[date]:
    """The days of the period whose rates_daily rows are exact for a report made at `now`."""
    dirty = select(RatesDirty.id).where(RatesDirty.day == RatesDay.day).exists()
    found = session.execute(
        select(RatesDay.day, RatesDay.valid_after, RatesDay.valid_until)
        .where(RatesDay.day >= period.first_day, RatesDay.day <= period.last_day,
               RatesDay.rules_key == rules_key(rules), ~dirty)
    ).all()
    return {day for day, after, until in found
            if (after is None or after < now) and (until is None or now <= until)}


@dataclass
class Refreshed:
    days: int
    rows: int


def _lock(session: Session) -> None:
    # Two refreshes at once could let an older snapshot overwrite a newer one after the newer
    # took the markers; SQLite writers are serial anyway.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def compute_days(session: Session, days: Iterable[date], rules: RateRules,
                 now: datetime) -> Refreshed:
    """Recompute rates_daily and rates_days for these days from orders, as of `now`."""
    dialect = session.get_bind().dialect.name
    key = rules_key(rules)
    pending = and_(Order.replied_at.is_(None), Order.is_open.is_(True),
                   Order.reply_due_at.is_not(None))
    day = china_day(Order.dispatched_at, dialect).label("day")
    category = func.coalesce(Order.category, UNCATEGORISED).label("category")
    columns = ["day", "lead_unit_id", "category", *FIGURES, "due_before", "due_after"]
    total = Refreshed(0, 0)
    for first, last in _chunks(days):
        period = day_period(first, last)
        source = (
            select(day, Order.lead_unit_id, category, *figures(rules, now, dialect),
                   func.max(case((and_(pending, Order.reply_due_at < now),
                                  Order.reply_due_at))),
                   func.min(case((and_(pending, Order.reply_due_at >= now),
                                  Order.reply_due_at))))
            .where(*received_in(period.start, period.end, rules))
            .group_by(day, Order.lead_unit_id, category)
        )
        in_chunk = (RatesDaily.day >= first, RatesDaily.day <= last)
        session.execute(delete(RatesDaily).where(*in_chunk))
        session.execute(insert(RatesDaily).from_select(columns, source))
        bounds: dict[date, tuple[datetime | None, datetime | None]] = {}
        for d, rows, before, after in session.execute(
                select(RatesDaily.day, func.count(), func.max(RatesDaily.due_before),
                       func.min(RatesDaily.due_after)).where(*in_chunk)
                .group_by(RatesDaily.day)):
            bounds[d] = (before, after)
            total.rows += rows
        _compute_returns(session, first, last, dialect)
        session.execute(delete(RatesDay).where(RatesDay.day >= first, RatesDay.day <= last))
        chunk = days_from(first, last)
        session.execute(insert(RatesDay), [
            {"day": d, "rules_key": key, "computed_at": now,
             "valid_after": bounds.get(d, (None, None))[0],
             "valid_until": bounds.get(d, (None, None))[1]} for d in chunk])
        total.days += len(chunk)
    return total


def _compute_returns(session: Session, first: date, last: date, dialect: str) -> None:
    period = day_period(first, last)
    day = china_day(OrderEvent.at, dialect)
    category = func.coalesce(Order.category, UNCATEGORISED)
    source = (
        select(day, OrderEvent.unit_id, category, func.count())
        .select_from(OrderEvent).join(Order, Order.id == OrderEvent.order_id)
        .where(*returned_in(period.start, period.end))
        .group_by(day, OrderEvent.unit_id, category)
    )
    session.execute(delete(RatesReturns).where(RatesReturns.day >= first,
                                               RatesReturns.day <= last))
    session.execute(insert(RatesReturns).from_select(
        ["day", "unit_id", "category", "returned"], source))


def _chunks(days: Iterable[date]) -> Iterator[tuple[date, date]]:
    for first, last in runs(days):
        while first <= last:
            end = min(last, first + timedelta(days=CHUNK_DAYS - 1))
            yield first, end
            first = end + timedelta(days=1)


def to_refresh(session: Session, rules: RateRules, now: datetime, *,
               fill: int) -> tuple[set[date], set[date]]:
    """Take the dirty markers; return their days plus the days no longer exact for `now`
    or computed under other rules, and up to `fill` recent days never computed."""
    marked = set(session.scalars(delete(RatesDirty).returning(RatesDirty.day)))
    stale = set(session.scalars(select(RatesDay.day).where(or_(
        RatesDay.rules_key != rules_key(rules),
        RatesDay.valid_until < now, RatesDay.valid_after >= now))))
    missing: set[date] = set()
    if fill > 0:
        today = now.astimezone(CHINA_TZ).date()
        known = set(session.scalars(select(RatesDay.day).where(
            RatesDay.day > today - timedelta(days=FILL_WINDOW_DAYS))))
        for back in range(FILL_WINDOW_DAYS):
            candidate = today - timedelta(days=back)
            if candidate not in known:
                missing.add(candidate)
                if len(missing) >= fill:
                    break
    return marked | stale, missing


def refresh(session: Session, *, rules: RateRules | None = None, now: datetime | None = None,
            fill: int = CHUNK_DAYS) -> Refreshed:
    """One refresh, in the caller's transaction: every day no longer exact is recomputed."""
    rules = rules or get_rate_rules()
    now = now or clock.now()
    _lock(session)
    changed, missing = to_refresh(session, rules, now, fill=fill)
    return compute_days(session, changed | missing, rules, now)


def rebuild(session: Session, *, rules: RateRules | None = None,
            now: datetime | None = None) -> Refreshed:
    """Every day that has dispatched orders, from scratch (after the migration, or a restore)."""
    rules = rules or get_rate_rules()
    now = now or clock.now()
    _lock(session)
    session.execute(delete(RatesDirty))
    session.execute(delete(RatesDaily))
    session.execute(delete(RatesReturns))
    session.execute(delete(RatesDay))
    first, last = session.execute(
        select(func.min(Order.dispatched_at), func.max(Order.dispatched_at))).one()
    if first is None or last is None:
        return Refreshed(0, 0)
    # Through today: the days since the last dispatch are known to be empty.
    start = first.astimezone(CHINA_TZ).date()
    end = max(last.astimezone(CHINA_TZ).date(), now.astimezone(CHINA_TZ).date())
    return compute_days(session, days_from(start, end), rules, now)


def sums(session: Session, days: set[date], key: str,
         scope: list[int] | None) -> list[dict[str, Any]]:
    """rates_daily summed over these days, by lead unit or by category (`key`)."""
    if not days:
        return []
    column = RatesDaily.lead_unit_id if key == "unit" else RatesDaily.category
    stmt = (select(column.label("key"),
                   *(func.sum(getattr(RatesDaily, name)).label(name) for name in FIGURES))
            .where(RatesDaily.day.in_(sorted(days))).group_by(column))
    if scope is not None:
        stmt = stmt.where(RatesDaily.lead_unit_id.in_(scope))
    return [dict(r._mapping) for r in session.execute(stmt)]


def returned(session: Session, days: set[date], key: str,
             scope: list[int] | None) -> list[tuple[Any, int]]:
    """rates_returns summed over these days, by returning unit or by category (`key`)."""
    if not days:
        return []
    column = RatesReturns.unit_id if key == "unit" else RatesReturns.category
    stmt = (select(column, func.sum(RatesReturns.returned))
            .where(RatesReturns.day.in_(sorted(days))).group_by(column))
    if scope is not None:
        stmt = stmt.where(RatesReturns.unit_id.in_(scope))
    return [(k, int(n)) for k, n in session.execute(stmt)]
