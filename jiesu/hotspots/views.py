"""What the API, the pages and the CLI show of a cluster: its members (phones masked), the
place breakdown district → street → estate, and the daily trend."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy.orm import Session

from jiesu.core import clock
from jiesu.core.privacy import mask_phone
from jiesu.hotspots import schemas as s
from jiesu.hotspots import service
from jiesu.hotspots.placenames import main_place
from jiesu.orders.models import Order
from jiesu.units.service import unit_by_code

TREND_DAYS = 60


def _name(session: Session, code: str | None, cache: dict[str, str]) -> str:
    if not code:
        return "未定位"
    if code not in cache:
        unit = unit_by_code(session, code)
        cache[code] = unit.name if unit is not None else code
    return cache[code]


def places(session: Session, orders: list[Order]) -> list[s.PlaceCount]:
    names: dict[str, str] = {}
    counts: Counter[tuple[str, str, str]] = Counter()
    for o in orders:
        estate = main_place(o.title or "", o.text or "")
        counts[(
            _name(session, o.district_code, names), _name(session, o.street_code, names),
            estate.name if estate else "（未写明）",
        )] += 1
    return [
        s.PlaceCount(district=d, street=st, estate=e, orders=n)
        for (d, st, e), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def trend(orders: list[Order]) -> list[s.DayCount]:
    if not orders:
        return []
    days = Counter(clock.local(o.received_at).date() for o in orders)
    last = max(days)
    first = max(min(days), last - timedelta(days=TREND_DAYS - 1))
    out: list[s.DayCount] = []
    d = first
    while d <= last:
        out.append(s.DayCount(day=d.isoformat(), orders=days.get(d, 0)))
        d += timedelta(days=1)
    return out


def detail(session: Session, cluster_id: int) -> s.HotspotDetail:
    row = service.get_cluster(session, cluster_id)
    orders = service.member_orders(session, cluster_id)
    members = [
        s.MemberOrder(
            id=o.id, number=o.number, title=o.title, state=o.state, received_at=o.received_at,
            street_code=o.street_code, citizen_phone=mask_phone(o.citizen_phone),
        )
        for o in orders
    ]
    base = s.HotspotPublic.model_validate(row).model_dump()
    return s.HotspotDetail(**base, members=members, places=places(session, orders),
                           trend=trend(orders))
