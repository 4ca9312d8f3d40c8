"""每月一题: the month's key problems, per district or centre-wide, and how last month's ended.

A problem is a hot-spot cluster; its volume is the number of its orders received in the month
(in the district, for a district's report), its growth the ratio to the month before. Top
problems by volume (growth breaks ties) with place, units, two sample texts (phone numbers
masked), the daily trend, and for last month's top problems: orders visited, solved rate,
satisfaction rate (basically satisfied weighs 0.9).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.core import clock
from jiesu.hotspots.models import HotspotCluster, HotspotMember
from jiesu.insights.periods import Period, parse_period
from jiesu.orders.models import Order
from jiesu.units.models import Unit

TOP = 5
BASIC_WEIGHT = 0.9
_PHONE = re.compile(r"(?<!\d)(1\d{2})\d{4}(\d{4})(?!\d)")


def mask_text(text: str) -> str:
    """Mobile numbers inside a citizen's words: 138****5678."""
    return _PHONE.sub(r"\1****\2", text)


@dataclass
class Problem:
    rank: int
    cluster_id: int
    title: str
    place: str | None
    keywords: list[str]
    orders: int
    previous: int
    callers: int
    units: list[tuple[str, int]]
    samples: list[str]
    trend: list[int]
    case_id: int | None

    @property
    def growth(self) -> float | None:
        return None if not self.previous else self.orders / self.previous


@dataclass
class Outcome:
    cluster_id: int
    title: str
    orders: int
    visited: int
    solved_rate: float | None
    satisfaction_rate: float | None


@dataclass
class MonthlyReport:
    month: str
    scope: str  # 全市 or the district's name
    district_code: str | None
    days: list[str]
    total_orders: int
    problems: list[Problem] = field(default_factory=list)
    last_month: list[Outcome] = field(default_factory=list)


def _previous(period: Period) -> Period:
    last = period.first_day - timedelta(days=1)
    return parse_period(f"{last:%Y-%m}")


def _month_orders(
    session: Session, period: Period, district_code: str | None
) -> list[tuple[int, Order]]:
    stmt = (
        select(HotspotMember.cluster_id, Order)
        .join(Order, Order.id == HotspotMember.order_id)
        .where(HotspotMember.left_at.is_(None), Order.received_at >= period.start,
               Order.received_at < period.end)
    )
    if district_code:
        stmt = stmt.where(Order.district_code == district_code)
    return [(int(c), o) for c, o in session.execute(stmt.order_by(Order.received_at, Order.id))]


def _ranked(
    session: Session, period: Period, district_code: str | None, top: int
) -> tuple[list[tuple[int, list[Order]]], int]:
    rows = _month_orders(session, period, district_code)
    by_cluster: dict[int, list[Order]] = defaultdict(list)
    for cid, order in rows:
        by_cluster[cid].append(order)
    before = Counter(c for c, _ in _month_orders(session, _previous(period), district_code))
    ranked = sorted(
        ((cid, orders) for cid, orders in by_cluster.items() if len(orders) >= 2),
        key=lambda kv: (-len(kv[1]), -(len(kv[1]) / max(1, before[kv[0]])), kv[0]),
    )
    return ranked[:top], len(rows)


def _unit_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids)))
    return {int(unit_id): str(name) for unit_id, name in rows}


def monthly_report(
    session: Session, month: str, district_code: str | None = None, top: int = TOP
) -> MonthlyReport:
    period = parse_period(month)
    scope = "全市"
    if district_code:
        unit = session.scalars(select(Unit).where(Unit.code == district_code)).first()
        scope = unit.name if unit is not None else district_code
    days = period.days
    ranked, total = _ranked(session, period, district_code, top)
    previous = _previous(period)
    before = Counter(c for c, _ in _month_orders(session, previous, district_code))
    units = _unit_names(session, {o.lead_unit_id for _, os_ in ranked for o in os_
                                  if o.lead_unit_id})
    report = MonthlyReport(period.label, scope, district_code, [d.isoformat() for d in days],
                           total)
    for n, (cid, orders) in enumerate(ranked, start=1):
        cluster = session.get(HotspotCluster, cid)
        assert cluster is not None
        per_day = Counter(clock.local(o.received_at).date() for o in orders)
        lead = Counter(units[o.lead_unit_id] for o in orders if o.lead_unit_id in units)
        report.problems.append(Problem(
            rank=n, cluster_id=cid, title=cluster.title, place=cluster.place,
            keywords=list(cluster.keywords), orders=len(orders), previous=before[cid],
            callers=len({o.citizen_phone or f"#{o.id}" for o in orders}),
            units=lead.most_common(3), samples=[mask_text(o.text)[:160] for o in orders[:2]],
            trend=[per_day.get(d, 0) for d in days], case_id=cluster.case_id,
        ))
    report.last_month = outcomes(session, previous, district_code, top)
    return report


def outcomes(
    session: Session, period: Period, district_code: str | None, top: int = TOP
) -> list[Outcome]:
    """How the top problems of `period` ended: every order of theirs visited so far."""
    ranked, _ = _ranked(session, period, district_code, top)
    out: list[Outcome] = []
    for cid, _orders in ranked:
        cluster = session.get(HotspotCluster, cid)
        assert cluster is not None
        members = list(session.scalars(
            select(Order).join(HotspotMember, HotspotMember.order_id == Order.id)
            .where(HotspotMember.cluster_id == cid, HotspotMember.left_at.is_(None))
        ))
        visited = [o for o in members if o.visit_solved is not None]
        solved = sum(1 for o in visited if o.visit_solved)
        weights = {"satisfied": 1.0, "basically": BASIC_WEIGHT}
        sat = sum(weights.get(o.visit_satisfaction or "", 0.0) for o in visited)
        out.append(Outcome(
            cluster_id=cid, title=cluster.title, orders=len(members), visited=len(visited),
            solved_rate=solved / len(visited) if visited else None,
            satisfaction_rate=sat / len(visited) if visited else None,
        ))
    return out


def month_of(day: date) -> str:
    return f"{day:%Y-%m}"


@dataclass
class Proactive:
    title: str
    place: str | None
    keywords: list[str]
    last_year_orders: int
    units: list[tuple[str, int]]
    cluster_id: int


def proactive_list(
    session: Session, month: str, district_code: str | None = None, top: int = 10
) -> tuple[str, list[Proactive]]:
    """未诉先办 for `month`: the problems of the same month last year (heating in November,
    flooding in July), to act on before the calls come. Returns (last year's month, list)."""
    period = parse_period(month)
    last_year = f"{period.first_day.year - 1}-{period.first_day.month:02d}"
    ranked, _ = _ranked(session, parse_period(last_year), district_code, top)
    units = _unit_names(session, {o.lead_unit_id for _, os_ in ranked for o in os_
                                  if o.lead_unit_id})
    out: list[Proactive] = []
    for cid, orders in ranked:
        cluster = session.get(HotspotCluster, cid)
        assert cluster is not None
        lead = Counter(units[o.lead_unit_id] for o in orders if o.lead_unit_id in units)
        out.append(Proactive(cluster.title, cluster.place, list(cluster.keywords), len(orders),
                             lead.most_common(3), cid))
    return last_year, out


def next_month(today: date) -> str:
    first = today.replace(day=1) + timedelta(days=32)
    return f"{first:%Y-%m}"
