"""Measure the gazetteer on labelled snippets (``text,district,street[,kind]``)."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from jiesu.triage.places import Gazetteer, PlaceMatch, default_gazetteer
from jiesu.triage.places_build import district_forms, street_forms

EVAL_FILE = Path(__file__).parent / "data" / "places_eval.csv"


@dataclass
class KindFigures:
    n: int = 0
    street_correct: int = 0
    district_correct: int = 0
    confident_wrong: int = 0
    to_person: int = 0

    @property
    def street_accuracy(self) -> float:
        return self.street_correct / self.n if self.n else 0.0

    @property
    def district_accuracy(self) -> float:
        return self.district_correct / self.n if self.n else 0.0


@dataclass
class PlacesReport:
    n: int
    street_accuracy: float
    district_accuracy: float
    per_kind: dict[str, dict[str, float]] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)
    texts_per_second: float = 0.0
    confident_wrong: float = 0.0
    to_person: float = 0.0

    def as_dict(self, *, with_kinds: bool = True) -> dict[str, object]:
        out: dict[str, object] = {
            "street_accuracy": round(self.street_accuracy, 4),
            "district_accuracy": round(self.district_accuracy, 4),
            "confident_wrong": round(self.confident_wrong, 4),
            "to_person": round(self.to_person, 4),
            "n": self.n,
        }
        if with_kinds and self.per_kind:
            out["per_kind"] = self.per_kind
        return out


def _same_district(expected: str, got: str | None) -> bool:
    if not expected:
        return got is None
    return got is not None and (got == expected or district_forms(got)[-1] == expected)


def _same_street(expected: str, got: str | None) -> bool:
    if not expected:
        return got is None
    return got is not None and (got == expected or expected in {f for f, _ in street_forms(got)})


def evaluate_places(
    rows: Iterable[Mapping[str, str]], gazetteer: Gazetteer | None = None
) -> PlacesReport:
    """Street accuracy counts a row right when the street matches, or when the row's street
    is empty and nothing finer than the district was returned (the text names no street)."""
    import time

    gaz = gazetteer or default_gazetteer()
    total = KindFigures()
    kinds: dict[str, KindFigures] = defaultdict(KindFigures)
    errors: list[dict[str, str]] = []
    has_kind = False
    elapsed = 0.0
    for row in rows:
        text = (row.get("text") or "").strip()
        if not text:
            continue
        kind = (row.get("kind") or "").strip()
        has_kind = has_kind or bool(kind)
        t0 = time.perf_counter()
        got: PlaceMatch = gaz.resolve(text)
        elapsed += time.perf_counter() - t0
        street_ok = _same_street((row.get("street") or "").strip(), got.street)
        district_ok = _same_district((row.get("district") or "").strip(), got.district)
        # A wrong street the dispatcher would be shown as sure; a street-less answer is
        # never counted here (it names no street to trust).
        sure_wrong = not street_ok and got.street is not None and not got.needs_person
        for fig in (total, kinds[kind or "all"]):
            fig.n += 1
            fig.street_correct += street_ok
            fig.district_correct += district_ok
            fig.confident_wrong += sure_wrong
            fig.to_person += got.needs_person
        if not (street_ok and district_ok):
            errors.append(
                {
                    "text": text,
                    "kind": kind,
                    "expected": f"{row.get('district', '')} {row.get('street', '')}".strip(),
                    "got": f"{got.district or ''} {got.street or ''}".strip(),
                    "matched": "、".join(got.matched),
                    "explanation": got.explanation,
                    "confidence": f"{got.confidence:.2f}",
                }
            )
    per_kind = {
        k: {
            "n": v.n,
            "street_accuracy": round(v.street_accuracy, 4),
            "district_accuracy": round(v.district_accuracy, 4),
            "confident_wrong": round(v.confident_wrong / v.n, 4) if v.n else 0.0,
        }
        for k, v in sorted(kinds.items())
    }
    return PlacesReport(
        n=total.n,
        street_accuracy=total.street_accuracy,
        district_accuracy=total.district_accuracy,
        per_kind=per_kind if has_kind else {},
        errors=errors,
        texts_per_second=total.n / elapsed if elapsed else 0.0,
        confident_wrong=total.confident_wrong / total.n if total.n else 0.0,
        to_person=total.to_person / total.n if total.n else 0.0,
    )


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [dict(r) for r in csv.DictReader(fh)]
