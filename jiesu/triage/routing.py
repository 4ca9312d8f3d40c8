"""Routing: a catalogue of rules, evaluated in order; the first match names the unit.

``data/catalogue.csv`` columns: ``id, name, category, scope, keywords, lead, assist, note``.

- ``category``: ``*`` (any), a level-1 class, or a finer catalogue category; a rule on a
  class also matches categories below it in the taxonomy.
- ``scope``: ``any``; ``street`` / ``district`` (the rule needs a resolved street /
  district); or a district or street code (the rule only applies inside that territory).
- ``keywords``: ``|``-separated regular expressions, any of which must occur; empty = no
  keyword condition.
- ``lead`` / ``assist``: unit codes (``dept.*``, ``util.*``, an NBS code) or ``@street`` /
  ``@district`` for the territorial unit of the resolved place; ``assist`` is
  ``|``-separated.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from jiesu.triage._data import data_path
from jiesu.triage.taxonomy import Taxonomy, load_taxonomy

STREET = "@street"
DISTRICT = "@district"


class PlaceLike(Protocol):
    @property
    def district(self) -> str | None: ...
    @property
    def district_code(self) -> str | None: ...
    @property
    def street(self) -> str | None: ...
    @property
    def street_code(self) -> str | None: ...


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    category: str = "*"
    scope: str = "any"
    keywords: tuple[str, ...] = ()
    lead: str = DISTRICT
    assist: tuple[str, ...] = ()
    note: str = ""

    @property
    def pattern(self) -> re.Pattern[str] | None:
        return _compile(self.keywords)


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str  # department | utility | district | street


@dataclass(frozen=True)
class Route:
    rule_id: str | None
    rule_name: str
    lead: Unit | None
    assisting: list[Unit] = field(default_factory=list)
    matched_words: list[str] = field(default_factory=list)
    explanation: str = ""


@lru_cache(maxsize=512)
def _compile(keywords: tuple[str, ...]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{k})" for k in keywords)) if keywords else None


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (value or "").split("|") if p.strip())


def parse_rules(rows: Iterable[Mapping[str, Any]]) -> list[Rule]:
    """Rows as in ``catalogue.csv`` (or loaded from the database with the same keys)."""
    rules = []
    for r in rows:
        kw = r.get("keywords") or ()
        rule = Rule(
            id=str(r["id"]).strip(),
            name=str(r.get("name") or r["id"]).strip(),
            category=str(r.get("category") or "*").strip() or "*",
            scope=str(r.get("scope") or "any").strip() or "any",
            keywords=_split(kw) if isinstance(kw, str) else tuple(kw),
            lead=str(r.get("lead") or DISTRICT).strip(),
            assist=_split(r.get("assist"))
            if isinstance(r.get("assist") or "", str)
            else tuple(r.get("assist") or ()),
            note=str(r.get("note") or "").strip(),
        )
        _compile(rule.keywords)  # bad regex fails here, at load time
        rules.append(rule)
    return rules


def _read_csv(name: str) -> list[dict[str, str]]:
    path = data_path(name)
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@lru_cache(maxsize=1)
def default_rules() -> tuple[Rule, ...]:
    return tuple(parse_rules(_read_csv("catalogue.csv")))


@lru_cache(maxsize=1)
def default_units() -> dict[str, Unit]:
    """Departments and utilities from ``data/departments.csv`` (code,name,kind,keywords)."""
    return {r["code"]: Unit(r["code"], r["name"], r["kind"]) for r in _read_csv("departments.csv")}


def _category_matches(rule: Rule, category: str | None, taxonomy: Taxonomy) -> bool:
    if rule.category == "*":
        return True
    if not category:
        return False
    chain = [*taxonomy.ancestors(category), taxonomy.top_level(category)]
    return rule.category in chain


def _scope_matches(rule: Rule, place: PlaceLike | None) -> bool:
    street = place.street_code if place else None
    district = place.district_code if place else None
    if rule.scope == "any":
        return True
    if rule.scope == "street":
        return bool(street)
    if rule.scope == "district":
        return bool(district)
    return rule.scope in (street, district)  # a territory code


def _unit(code: str, place: PlaceLike | None, units: Mapping[str, Unit]) -> Unit | None:
    if code == STREET:
        if place and place.street_code:
            return Unit(place.street_code, place.street or place.street_code, "street")
        code = DISTRICT  # no street known: the district takes it
    if code == DISTRICT:
        if place and place.district_code:
            return Unit(place.district_code, place.district or place.district_code, "district")
        return None
    if code in units:
        return units[code]
    kind = (
        "street" if len(code) == 9 and code.isdigit() else "district" if code.isdigit() else "unit"
    )
    return Unit(code, code, kind)


def route(
    text: str,
    category: str | None,
    place: PlaceLike | None,
    rules: Sequence[Rule] | None = None,
    units: Mapping[str, Unit] | None = None,
    taxonomy: Taxonomy | None = None,
) -> Route:
    """First rule whose category, scope and keywords all match decides the units."""
    rules = default_rules() if rules is None else rules
    units = default_units() if units is None else units
    taxonomy = taxonomy or load_taxonomy()
    for rule in rules:
        if not (_category_matches(rule, category, taxonomy) and _scope_matches(rule, place)):
            continue
        words: list[str] = []
        pattern = rule.pattern
        if pattern is not None:
            words = [m.group() for m in pattern.finditer(text or "")]
            if not words:
                continue
        lead = _unit(rule.lead, place, units)
        if lead is None:
            continue  # e.g. @district without a district: let a later rule decide
        assisting = [u for c in rule.assist if (u := _unit(c, place, units)) and u != lead]
        why = f"规则“{rule.name}”（{rule.id}）"
        if words:
            why += f"命中关键词：{'、'.join(dict.fromkeys(words))}"
        return Route(rule.id, rule.name, lead, assisting, list(dict.fromkeys(words)), why)
    return Route(None, "无匹配规则", None, [], [], "没有规则匹配，需要派单员人工选择承办单位")
