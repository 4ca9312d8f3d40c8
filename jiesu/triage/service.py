"""One entry point: ``suggest(text, ...)`` → category, place, urgency, unit, duplicates.

A module-level :class:`TriageEngine` is loaded lazily on first use (model from
``$JIESU_DATA_DIR/models``, gazetteer, catalogue). Without a trained model the
category is left empty and flagged for the dispatcher; everything else still works.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from jiesu.triage.classifier import CategoryModel, CategoryPrediction, ModelNotFound, load_current
from jiesu.triage.duplicates import Candidate, DuplicateMatch, find_duplicates
from jiesu.triage.places import Gazetteer, PlaceMatch, default_gazetteer
from jiesu.triage.routing import Route, Rule, Unit, default_rules, default_units, route
from jiesu.triage.taxonomy import top_level
from jiesu.triage.urgency import Urgency, UrgencyRule, assess
from jiesu.triage.urgency import default_rules as urgency_rules


@dataclass(frozen=True)
class Suggestion:
    category: CategoryPrediction | None
    top_category: str | None
    place: PlaceMatch
    urgency: Urgency
    unit: Route
    duplicates: list[DuplicateMatch] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    model_version: str | None = None

    @property
    def explanation(self) -> str:
        """Why this proposal: the routing rule, then which words named the place and how."""
        return "；".join(x for x in (self.unit.explanation, self.place.explanation) if x)

    @property
    def needs_person(self) -> bool:
        """True when a dispatcher must choose something by hand."""
        return (
            self.category is None
            or self.category.needs_person
            or self.unit.lead is None
            or self.place.needs_person
        )


class TriageEngine:
    """Model + gazetteer + catalogue. Immutable after construction; safe across threads."""

    def __init__(
        self,
        model: CategoryModel | None,
        gazetteer: Gazetteer,
        rules: Sequence[Rule] | None = None,
        units: Mapping[str, Unit] | None = None,
        urgency: Sequence[UrgencyRule] | None = None,
    ) -> None:
        self.model = model
        self.gazetteer = gazetteer
        self.rules = tuple(rules) if rules is not None else default_rules()
        self.units = dict(units) if units is not None else default_units()
        self.urgency_rules = tuple(urgency) if urgency is not None else urgency_rules()

    @classmethod
    def load(cls, data_dir: Path | None = None, *, require_model: bool = False) -> TriageEngine:
        try:
            model: CategoryModel | None = load_current(data_dir)
        except ModelNotFound:
            if require_model:
                raise
            model = None
        gaz = default_gazetteer()
        gaz.resolve("预热")  # compile the scanner now, not on the first call
        return cls(model, gaz)

    def _place(self, text: str, place_text: str | None) -> PlaceMatch:
        if place_text:
            given = self.gazetteer.resolve(place_text)
            if given.street_code:
                return given
            found = self.gazetteer.resolve(text)
            if found.street_code and given.district_code in (None, found.district_code):
                return found
            if given.district_code:
                return given
            return found
        return self.gazetteer.resolve(text)

    def suggest(
        self,
        text: str,
        title: str | None = None,
        place_text: str | None = None,
        now: datetime | None = None,
        candidates: Iterable[Candidate | Mapping[str, Any]] = (),
    ) -> Suggestion:
        timings: dict[str, float] = {}
        t_all = t0 = time.perf_counter()
        full = f"{title}。{text}" if title else text

        category = self.model.predict(text, title) if self.model is not None else None
        if category is not None and not category.label:
            category = None
        t1 = time.perf_counter()
        timings["category"] = (t1 - t0) * 1000

        place = self._place(full, place_text)
        t2 = time.perf_counter()
        timings["place"] = (t2 - t1) * 1000

        urgency = assess(full, now, self.urgency_rules)
        t3 = time.perf_counter()
        timings["urgency"] = (t3 - t2) * 1000

        label = category.label if category else None
        unit = route(full, label, place, self.rules, self.units)
        t4 = time.perf_counter()
        timings["routing"] = (t4 - t3) * 1000

        dups = find_duplicates(full, place.street_code, candidates, now=now)
        t5 = time.perf_counter()
        timings["duplicates"] = (t5 - t4) * 1000
        timings["total"] = (t5 - t_all) * 1000
        return Suggestion(
            category=category,
            top_category=top_level(label) if label else None,
            place=place,
            urgency=urgency,
            unit=unit,
            duplicates=dups,
            timings_ms={k: round(v, 3) for k, v in timings.items()},
            model_version=self.model.version if self.model is not None else None,
        )


_engine: TriageEngine | None = None
_lock = threading.Lock()


_warm_up_failed = False


def warm_up() -> None:
    """Load the shared engine now (a server does it in a thread as it starts)."""
    global _warm_up_failed
    try:
        get_engine()
    except Exception:  # no model yet, a bad file: intake still works, triage says so
        _warm_up_failed = True
        raise


def engine_state() -> str:
    """"ready", "loading" (a server's first seconds) or "unavailable" (warm-up failed)."""
    if _engine is not None:
        return "ready"
    return "unavailable" if _warm_up_failed else "loading"


def get_engine() -> TriageEngine:
    global _engine
    if _engine is None:
        with _lock:
            if _engine is None:
                _engine = TriageEngine.load()
    return _engine


def set_engine(engine: TriageEngine | None) -> None:
    """Replace (or, with ``None``, drop) the shared engine, e.g. after retraining or in tests."""
    global _engine
    with _lock:
        _engine = engine


def suggest(
    text: str,
    title: str | None = None,
    place_text: str | None = None,
    now: datetime | None = None,
    candidates: Iterable[Candidate | Mapping[str, Any]] = (),
) -> Suggestion:
    """Triage one message with the shared engine. See :class:`Suggestion`."""
    return get_engine().suggest(text, title, place_text, now, candidates)
