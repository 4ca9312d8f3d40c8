"""The proposal as a dispatcher sees it: category + lead unit + street, judged together.

Rows carry ``text``, ``label`` (category) and ``district``, ``street`` (the problem's place;
``street`` empty when the text names none) [, ``title``, ``id``, ``kind``]. The expected lead
unit is what the catalogue gives for the *true* category and place, so a unit counts wrong
only when a wrong category or place sent the order elsewhere.

Each row ends in one of three outcomes:

- ``right``: decided alone (no ``needs_person``), category, street and lead unit all right;
- ``to_person``: the proposal says a person must choose (low confidence, no unit, a weak place),
  or it leaves out a street the text names (the dispatcher fills it in);
- ``confident_wrong``: decided alone, but something in it is wrong.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from jiesu.triage.places import PlaceMatch
from jiesu.triage.places_build import district_forms, load_divisions, street_forms
from jiesu.triage.routing import route
from jiesu.triage.service import TriageEngine


@dataclass
class ProposalReport:
    n: int
    right: float
    to_person: float
    confident_wrong: float
    category_right: float
    street_right: float
    unit_right: float
    wrong_parts: dict[str, int] = field(default_factory=dict)
    per_kind: dict[str, dict[str, float]] = field(default_factory=dict)
    examples: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Places:
    """(district, street) names as written in a row → the codes of the divisions."""

    def __init__(self) -> None:
        self.districts: dict[str, tuple[str, str]] = {}
        self.streets: dict[tuple[str, str], tuple[str, str]] = {}
        for r in load_divisions():
            for form in district_forms(r.district):
                self.districts[form] = (r.district, r.district_code)
            for form, _ in street_forms(r.street):
                self.streets[(r.district, form)] = (r.street, r.street_code)

    def match(self, district: str, street: str) -> PlaceMatch:
        d = self.districts.get(district.strip())
        if d is None:
            return PlaceMatch()
        s = self.streets.get((d[0], street.strip())) if street.strip() else None
        return PlaceMatch(
            district=d[0],
            district_code=d[1],
            street=s[0] if s else None,
            street_code=s[1] if s else None,
            confidence=1.0,
            kind="street" if s else "district",
        )


def evaluate_proposals(
    engine: TriageEngine, rows: Iterable[Mapping[str, Any]], max_examples: int = 20
) -> ProposalReport:
    places = _Places()
    outcome: Counter[str] = Counter()
    parts: Counter[str] = Counter()
    per_kind: dict[str, Counter[str]] = defaultdict(Counter)
    examples: list[dict[str, str]] = []
    n = cat_ok_n = street_ok_n = unit_ok_n = 0
    for row in rows:
        text = str(row.get("text") or "").strip()
        label = str(row.get("label") or "").strip()
        if not text or not label:
            continue
        title = str(row.get("title") or "").strip() or None
        truth = places.match(str(row.get("district") or ""), str(row.get("street") or ""))
        full = f"{title}。{text}" if title else text
        expected_unit = route(full, label, truth, engine.rules, engine.units).lead
        s = engine.suggest(text, title)
        cat_ok = s.category is not None and s.category.label == label
        street_ok = s.place.street_code == truth.street_code
        unit_ok = (s.unit.lead.code if s.unit.lead else None) == (
            expected_unit.code if expected_unit else None
        )
        n += 1
        cat_ok_n += cat_ok
        street_ok_n += street_ok
        unit_ok_n += unit_ok
        if s.needs_person or (truth.street_code and s.place.street_code is None):
            result = "to_person"  # a street named but not found is left to the dispatcher
        elif cat_ok and street_ok and unit_ok:
            result = "right"
        else:
            result = "confident_wrong"
            wrong = [k for k, ok in (("category", cat_ok), ("street", street_ok),
                                     ("unit", unit_ok)) if not ok]
            parts.update(wrong)
            if len(examples) < max_examples:
                examples.append({
                    "text": text[:80],
                    "wrong": "+".join(wrong),
                    "expected": f"{label} / {truth.street or truth.district or '—'} / "
                                f"{expected_unit.name if expected_unit else '—'}",
                    "got": f"{s.category.label if s.category else '—'} / "
                           f"{s.place.street or s.place.district or '—'} / "
                           f"{s.unit.lead.name if s.unit.lead else '—'}",
                })
        outcome[result] += 1
        per_kind[str(row.get("kind") or "all")][result] += 1
    if not n:
        return ProposalReport(0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    return ProposalReport(
        n=n,
        right=round(outcome["right"] / n, 4),
        to_person=round(outcome["to_person"] / n, 4),
        confident_wrong=round(outcome["confident_wrong"] / n, 4),
        category_right=round(cat_ok_n / n, 4),
        street_right=round(street_ok_n / n, 4),
        unit_right=round(unit_ok_n / n, 4),
        wrong_parts=dict(parts),
        per_kind={
            k: {key: round(c[key] / sum(c.values()), 4)
                for key in ("right", "to_person", "confident_wrong")} | {"n": sum(c.values())}
            for k, c in sorted(per_kind.items())
        },
        examples=examples,
    )


def has_places(rows: Sequence[Mapping[str, Any]]) -> bool:
    """Rows labelled with a place as well as a category (the proposal can be judged)."""
    return bool(rows) and all("district" in r for r in rows[:1])
