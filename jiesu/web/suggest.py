"""What the pages show of triage: a flat view of `jiesu.orders.suggest` (the triage engine
with this database's catalogue and open orders), for the agent's and dispatcher's screens.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.orders.models import Order
from jiesu.units.models import Unit
from jiesu.units.service import unit_by_code


@dataclass
class UnitChoice:
    id: int
    code: str
    name: str


@dataclass
class SuggestView:
    available: bool = False
    category: str | None = None
    confidence: float | None = None
    needs_person: bool = True
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    place: str = ""
    place_confidence: float | None = None
    place_explanation: str = ""
    place_needs_person: bool = False
    district_code: str | None = None
    street_code: str | None = None
    community_code: str | None = None
    urgency: str = "ordinary"
    urgency_reason: str = ""
    transfer_to: str | None = None
    lead: UnitChoice | None = None
    assisting: list[UnitChoice] = field(default_factory=list)
    explanation: str = ""
    duplicates: list[tuple[Order, float]] = field(default_factory=list)
    # Why the proposal is not the first choice: the unit it would name returned the order.
    returned_note: str = ""

    @property
    def lead_label(self) -> str:
        return f"{self.lead.name}（{self.lead.code}）" if self.lead else ""


def _units(session: Session, codes: list[str]) -> list[UnitChoice]:
    found = []
    for code in codes:
        unit = unit_by_code(session, code)
        if unit is not None and unit.active:
            found.append(UnitChoice(unit.id, unit.code, unit.name))
    return found


def _duplicates(session: Session, pairs: list[tuple[int, float]], exclude: int | None
                ) -> list[tuple[Order, float]]:
    found = []
    for order_id, score in pairs:
        if order_id == exclude:
            continue
        order = session.get(Order, order_id)
        if order is not None:
            found.append((order, score))
    return found


def from_record(session: Session, record: dict[str, Any], *, exclude: int | None = None
                ) -> SuggestView:
    """A view of `orders.suggest.as_record()`: what is stored on the order at intake."""
    place = [record.get("district_code"), record.get("street_code")]
    view = SuggestView(
        available=True,
        category=record.get("category"),
        confidence=record.get("category_confidence"),
        needs_person=bool(record.get("needs_person", True)),
        place="、".join(record.get("place_matched") or []) or ("已识别" if any(place) else ""),
        place_confidence=record.get("place_confidence") or None,
        place_explanation=str(record.get("place_explanation") or ""),
        place_needs_person=bool(record.get("place_needs_person", False)),
        district_code=record.get("district_code"),
        street_code=record.get("street_code"),
        community_code=record.get("community_code"),
        urgency=str(record.get("urgency") or "ordinary"),
        urgency_reason=str(record.get("urgency_reason") or ""),
        transfer_to=record.get("transfer_to"),
        explanation=str(record.get("rule_name") or ""),
    )
    if record.get("unit_code"):
        leads = _units(session, [str(record["unit_code"])])
        view.lead = leads[0] if leads else None
    view.assisting = _units(session, [str(c) for c in record.get("assisting_codes") or []])
    pairs = [(int(d["order_id"]), float(d["score"])) for d in record.get("duplicates") or []]
    view.duplicates = _duplicates(session, pairs, exclude)
    return view


def live(
    session: Session,
    text: str,
    place_text: str | None,
    now: datetime,
    *,
    with_duplicates: bool = True,
) -> SuggestView:
    """Triage typed text now (the agent's screen), with the database's catalogue."""
    if not text.strip():
        return SuggestView()
    from jiesu.orders import suggest as triage

    result = triage.suggest(session, text, None, place_text or None, now,
                            with_duplicates=with_duplicates)
    view = from_record(session, triage.as_record(result))
    p = result.place
    view.place = "".join(x for x in (p.district, p.street, p.community) if x)
    if result.category is not None:
        view.alternatives = [(str(a), float(c)) for a, c in result.category.alternatives][:3]
    view.explanation = result.unit.explanation or view.explanation
    return view


_cache: OrderedDict[int, SuggestView] = OrderedDict()
_cache_lock = threading.Lock()
CACHE_MAX = 2_000


def for_order(session: Session, order: Order, now: datetime) -> SuggestView:
    """The suggestion a dispatcher sees beside an order: the one stored at intake, or (for
    orders taken in while triage at intake was off) one computed now and remembered."""
    if order.suggestion:
        return _avoid_returned(session, order, from_record(session, order.suggestion,
                                                           exclude=order.id))
    with _cache_lock:
        cached = _cache.get(order.id)
    if cached is None:
        cached = live(session, order.text, order.place_text, now, with_duplicates=False)
        with _cache_lock:
            _cache[order.id] = cached
            while len(_cache) > CACHE_MAX:
                _cache.popitem(last=False)
    return _avoid_returned(session, order, cached)


def _avoid_returned(session: Session, order: Order, view: SuggestView) -> SuggestView:
    """Never propose a unit that returned the order; the explanation says whom instead, why."""
    if not order.return_count:
        return view
    from jiesu.orders.suggest import without_returned

    record = {"unit_code": view.lead.code if view.lead else None,
              "assisting_codes": [u.code for u in view.assisting]}
    adjusted = without_returned(session, order, record)
    if adjusted is record:
        return view
    leads = _units(session, [adjusted["unit_code"]]) if adjusted.get("unit_code") else []
    note = str(adjusted.get("returned_note") or "")
    return replace(
        view, lead=leads[0] if leads else None,
        assisting=_units(session, list(adjusted["assisting_codes"])),
        explanation=f"{note}。{view.explanation}" if view.explanation else note,
        returned_note=note,
    )


def dispatchable_units(session: Session) -> list[Unit]:
    """The units a dispatcher may choose from (for the shared datalist)."""
    from jiesu.units.service import DISPATCHABLE_KINDS

    stmt = (
        select(Unit)
        .where(Unit.active.is_(True), Unit.kind.in_([k.value for k in DISPATCHABLE_KINDS]))
        .order_by(Unit.kind, Unit.code)
    )
    return list(session.scalars(stmt))


def resolve_unit(session: Session, value: str) -> Unit | None:
    """A unit typed as “名称（code）”, a bare code, or an exact name."""
    value = value.strip()
    if not value:
        return None
    for left, right in (("（", "）"), ("(", ")")):
        if value.endswith(right) and left in value:
            code = value[value.rindex(left) + 1 : -1].strip()
            unit = unit_by_code(session, code)
            if unit is not None:
                return unit
    unit = unit_by_code(session, value)
    if unit is not None:
        return unit
    return session.scalars(select(Unit).where(Unit.name == value, Unit.active.is_(True))).first()
