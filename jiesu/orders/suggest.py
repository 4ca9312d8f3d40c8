"""Triage for orders: the database's catalogue and open orders fed to the pure triage engine.

`suggest_for_intake()` is plugged into `service.intake` so that every order keeps what triage
proposed beside what the dispatcher finally chose (agreement rates).
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from jiesu.core import clock
from jiesu.orders import duplicates
from jiesu.orders import schemas as s
from jiesu.orders.models import Order
from jiesu.triage.places import Gazetteer, build_gazetteer
from jiesu.triage.places_build import Alias, alias_targets, load_divisions
from jiesu.triage.routing import Rule, parse_rules
from jiesu.triage.routing import Unit as RouteUnit
from jiesu.triage.service import Suggestion, TriageEngine, get_engine
from jiesu.units import place_aliases
from jiesu.units.models import CatalogueRule, Unit
from jiesu.units.place_aliases import PlaceAlias

_cache: dict[tuple[Any, ...], TriageEngine] = {}
_lock = threading.Lock()


@lru_cache(maxsize=2)
def _state_query(with_alias_content: bool) -> Select[Any]:
    """Built once: building and compiling it anew each call cost more than running it."""
    rule, unit, alias = CatalogueRule, Unit, PlaceAlias
    figures: list[Any] = [
        func.count(rule.id), func.max(rule.id), func.max(rule.retired_at),
        func.count(unit.id), func.max(unit.id),
        func.count(alias.id), func.count(alias.retired_at), func.max(alias.id),
        func.max(alias.retired_at),
    ]
    columns = [select(figure).scalar_subquery() for figure in figures]
    if with_alias_content:
        sep = "\x1f"
        active = (select((alias.alias + sep + alias.district + sep + alias.street + sep
                          + alias.kind).label("entry"))
                  .where(alias.retired_at.is_(None)).order_by(alias.id).subquery())
        columns.append(select(func.group_concat(active.c.entry, "\x1e")).scalar_subquery())
    return select(*columns)


def _state_key(session: Session) -> tuple[Any, ...]:
    """What the engine is built from, told apart in one round trip: catalogue rules (count,
    newest id, latest retirement), units (count, newest id) and place aliases (count, retired
    count, newest id, latest retirement). Rules and aliases are versioned: a change adds a row
    or retires one, never edits one in place, so each committed change moves these figures.
    SQLite also gives the id of a rolled-back row to the next one (PostgreSQL's sequences never
    go back), so there the key carries the active aliases' content as well (an in-process read):
    an alias added where a rolled-back one was is not a stale hit (decision 0009)."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    return tuple(session.execute(_state_query(sqlite)).one())


def _rules(session: Session) -> list[Rule]:
    rows = session.scalars(
        select(CatalogueRule)
        .where(CatalogueRule.retired_at.is_(None))
        .order_by(CatalogueRule.position, CatalogueRule.id)
    )
    return parse_rules(
        {
            "id": str(row.id),
            "name": row.name,
            "category": row.category or "*",
            "scope": row.place_scope,
            "keywords": row.keywords,
            "lead": row.lead_unit_code,
            "assist": "|".join(c for c in row.assisting_unit_codes.split(",") if c),
        }
        for row in rows
    )


def _units(session: Session) -> dict[str, RouteUnit]:
    rows = session.scalars(select(Unit).where(Unit.kind.in_(["department", "utility"])))
    return {u.code: RouteUnit(u.code, u.name, u.kind) for u in rows}


def _gazetteer(entries: tuple[tuple[str, str, str, str], ...], shipped: Gazetteer) -> Gazetteer:
    """The shipped gazetteer, or one rebuilt with the admins' aliases when there are any."""
    if not entries:
        return shipped
    extra = [Alias(alias=a, district=d, street=st, kind=k) for a, d, st, k in entries]
    try:
        return build_gazetteer(extra_aliases=extra)
    except ValueError:
        # A row whose district or street has since left the divisions: skip it, keep the rest.
        divisions = load_divisions()
        return build_gazetteer(extra_aliases=[a for a in extra if alias_targets(a, divisions)])


def engine_for(session: Session) -> TriageEngine:
    """The shared model and gazetteer with this database's catalogue and place aliases (rebuilt
    when either changes: a newly added alias is resolved by the next call). One query when
    nothing changed; the rows themselves are read only to rebuild."""
    key = _state_key(session)
    engine = _cache.get(key)
    if engine is None:
        base = get_engine()
        with _lock:
            rules = _rules(session)
            gazetteer = _gazetteer(place_aliases.active_entries(session), base.gazetteer)
            engine = TriageEngine(
                base.model, gazetteer, rules=rules or None, units=_units(session),
                urgency=base.urgency_rules,
            )
            _cache.clear()
            _cache[key] = engine
    return engine


def suggest(
    session: Session, text: str, title: str | None, place_text: str | None,
    now: datetime | None = None, with_duplicates: bool = True, exclude: int | None = None,
) -> Suggestion:
    """Triage one text with this database's catalogue, and its open orders as duplicates.

    The classifier and gazetteer run first, on the engine built for the catalogue last seen,
    before this call touches the database: on SQLite a transaction holds the write lock, so
    tens of milliseconds of CPU must not sit inside it. If the catalogue changed meanwhile,
    the text is triaged again with the new engine.
    """
    now = now or clock.now()
    seen = next(iter(_cache.values()), None)
    result = (seen or get_engine()).suggest(text, title, place_text, now, ())
    engine = engine_for(session)
    if engine is not seen:
        result = engine.suggest(text, title, place_text, now, ())
    street = result.place.street_code
    if not with_duplicates or not street:
        return result
    full = f"{title}。{text}" if title else text
    found = duplicates.find(session, full, street, now, exclude=exclude)
    return replace(result, duplicates=found) if found else result


def as_record(result: Suggestion) -> dict[str, Any]:
    """What is stored on the order: enough to show it again and to measure agreement."""
    category, place, urgency, unit = result.category, result.place, result.urgency, result.unit
    return {
        "category": category.label if category else None,
        "category_confidence": round(category.confidence, 4) if category else None,
        "needs_person": result.needs_person,
        "district_code": place.district_code,
        "street_code": place.street_code,
        "community_code": place.community_code,
        "place_matched": list(place.matched),
        "place_confidence": round(place.confidence, 4),
        "place_explanation": place.explanation,
        "place_needs_person": place.needs_person,
        "place_evidence": [[e.word, e.name, e.how, e.role] for e in place.evidence],
        "urgency": urgency.level,
        "urgency_reason": urgency.reason,
        "transfer_to": urgency.transfer_to,
        "unit_code": unit.lead.code if unit.lead else None,
        "unit_name": unit.lead.name if unit.lead else None,
        "assisting_codes": [u.code for u in unit.assisting],
        "rule_id": unit.rule_id,
        "rule_name": unit.rule_name,
        "duplicates": [{"order_id": int(d.id), "score": round(d.score, 4)}
                       for d in result.duplicates],
        "model_version": result.model_version,
    }


def suggest_for_intake(session: Session, data: s.OrderCreate) -> dict[str, Any] | None:
    result = suggest(session, data.text, data.title or None, data.place_text or None,
                     data.received_at)
    return as_record(result)


def confirmed_category_rows(session: Session) -> list[dict[str, str]]:
    """Training rows from closed orders: the category a dispatcher confirmed or corrected.

    Only orders that went through dispatch count (a person chose the category); orders closed
    on the call or not accepted never had one confirmed.
    """
    rows = session.execute(
        select(Order.title, Order.text, Order.category)
        .where(Order.state == "closed", Order.category.is_not(None),
               Order.dispatched_at.is_not(None))
        .order_by(Order.id)
    )
    return [{"title": title or "", "text": text, "label": str(category)}
            for title, text, category in rows]


def returned_unit_ids(session: Session, order_id: int) -> list[int]:
    """The units that sent this order back (退单), oldest first."""
    from jiesu.orders.models import OrderEvent

    rows = session.scalars(
        select(OrderEvent.unit_id)
        .where(OrderEvent.order_id == order_id, OrderEvent.action == "return_order")
        .order_by(OrderEvent.seq)
    )
    return list(dict.fromkeys(u for u in rows if u is not None))


def without_returned(session: Session, order: Order, record: dict[str, Any]) -> dict[str, Any]:
    """The stored proposal for an order, never naming a unit that returned it.

    A unit that sent the order back is proposed neither as lead nor as assisting unit. The lead
    becomes the next candidate that has not returned it: the proposal's assisting units, then
    the order's street, then its district (territory decides when the unit is unclear); the
    record's `returned_note` says why.
    """
    if order.return_count == 0:
        return record
    returned = returned_unit_ids(session, order.id)
    if not returned:
        return record
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(returned)))}
    returned_codes = {u.code for u in units.values()}
    lead_code = record.get("unit_code")
    assisting = [c for c in record.get("assisting_codes") or [] if c not in returned_codes]
    if lead_code not in returned_codes and len(assisting) == len(record.get("assisting_codes")
                                                                  or []):
        return record
    out = dict(record, assisting_codes=assisting)
    if lead_code in returned_codes:
        returned_name = next(u.name for u in units.values() if u.code == lead_code)
        candidates = [*assisting, order.street_code, order.district_code]
        chosen: Unit | None = None
        for code in candidates:
            if not code or code in returned_codes:
                continue
            unit = session.scalars(select(Unit).where(Unit.code == code,
                                                      Unit.active.is_(True))).first()
            if unit is not None:
                chosen = unit
                break
        if chosen is None:
            out.update(unit_code=None, unit_name=None,
                       returned_note=f"原建议单位{returned_name}已退单，请人工选择承办单位")
        else:
            why = ("原建议的协办单位" if chosen.code in assisting
                   else "诉求所在地的属地单位")
            out.update(unit_code=chosen.code, unit_name=chosen.name,
                       assisting_codes=[c for c in assisting if c != chosen.code],
                       returned_note=f"原建议单位{returned_name}已退单，改为建议{why}"
                                     f"{chosen.name}")
    else:
        out["returned_note"] = "已退单的单位不再列为协办单位"
    return out
