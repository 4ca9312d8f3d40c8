"""Places: find the district / street / community a complaint is about.

A gazetteer of Beijing's official divisions (NBS 2023) plus an alias and landmark
table. ``resolve(text)`` scans the text once with a trie-shaped regex, scores every
candidate street and picks the complaint's place (cue words such as 反映/位于/地点
count more than the caller's home, 我住在/家住).
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from jiesu.triage._trie import compile_words
from jiesu.triage.places_build import (
    Alias,
    DivisionRow,
    Target,
    alias_targets,
    load_aliases,
    load_divisions,
    official_entries,
)

__all__ = ["Alias", "Gazetteer", "PlaceMatch", "build_gazetteer", "default_gazetteer", "resolve"]

_CLAUSE_BREAK = re.compile(r"[，。；！？,;!?\n]")
# Cue words: what follows them is where the problem is / where the caller lives.
_COMPLAINT_CUES = re.compile(
    r"反映|投诉|举报|位于|地点|地址是|事发|发生在|问题在|来电称|在其|就在|坐落在|座落在|路过|经过"
)
_HOME_CUES = re.compile(r"我住在|家住|住在|居住在|本人住|我家在|我是.{0,12}(?:居民|业主|住户)")
_NEAR_AFTER = re.compile(r".{0,4}(?:附近|门口|旁边|对面|路口|周边|一带|西侧|东侧|南侧|北侧)")
_KIND_FACTOR = {
    "street": 1.2,
    "street_short": 1.0,
    "community": 1.0,
    "community_part": 1.0,
    "village": 0.9,
    "district": 1.0,
}
# How much one piece of evidence of this kind is trusted on its own.
_KIND_TRUST = {
    "street": 0.95,
    "street_short": 0.9,
    "community": 0.8,
    "community_part": 0.8,
    "village": 0.75,
}
_COMPLAINT_WEIGHT = 3.0
_HOME_WEIGHT = 0.3
_NEAR_WEIGHT = 1.5
_DISTRICT_SUPPORT = 0.6


@dataclass(frozen=True)
class PlaceMatch:
    """Where the text says the problem is. Fields are ``None`` when unknown."""

    district: str | None = None
    district_code: str | None = None
    street: str | None = None
    street_code: str | None = None
    community: str | None = None
    community_code: str | None = None
    matched: list[str] = field(default_factory=list)
    confidence: float = 0.0
    kind: str = "none"


@dataclass
class _Hit:
    surface: str
    start: int
    weight: float
    targets: list[Target]


class Gazetteer:
    """Surface forms → targets, with one compiled scanner. Thread-safe for reads."""

    def __init__(self, rows: list[DivisionRow], aliases: Iterable[Alias] = ()) -> None:
        self._rows = rows
        self._table: dict[str, list[Target]] = defaultdict(list)
        self._lock = threading.Lock()
        self._pattern: re.Pattern[str] | None = None
        for surface, target in official_entries(rows):
            self._table[surface].append(target)
        self._prune()
        for alias in aliases:
            self._put_alias(alias)

    def _prune(self) -> None:
        """One meaning per surface level: districts beat streets beat communities."""
        for surface, targets in self._table.items():
            levels = {t.level for t in targets}
            if "district" in levels:  # bare 海淀/丰台/密云 is the district, never the street
                keep = [t for t in targets if t.level == "district"]
            elif "street" in levels:
                keep = [t for t in targets if t.level == "street"]
            else:  # a community's own name beats a name shortened from 第N社区
                exact = [t for t in targets if t.kind != "community_part"]
                keep = exact or targets
            uniq: dict[tuple[str | None, str | None, str], Target] = {}
            for t in keep:
                uniq.setdefault((t.street_code, t.community_code, t.district_code), t)
            self._table[surface] = list(uniq.values())

    def _put_alias(self, alias: Alias) -> None:
        targets = alias_targets(alias, self._rows)
        if not targets:
            raise ValueError(
                f"别名“{alias.alias}”的区或街道无法识别：{alias.district} {alias.street}"
            )
        self._table[alias.alias] = targets  # an alias overrides official readings
        self._pattern = None

    def add_alias(self, alias: str, district: str, street: str = "", kind: str = "alias") -> None:
        """Add (or replace) a name at run time; the scanner is rebuilt on next use."""
        with self._lock:
            self._put_alias(Alias(alias=alias, district=district, street=street, kind=kind))

    def targets(self, surface: str) -> list[Target]:
        return list(self._table.get(surface, ()))

    def __len__(self) -> int:
        return len(self._table)

    def _scanner(self) -> re.Pattern[str]:
        pattern = self._pattern
        if pattern is None:
            with self._lock:
                if self._pattern is None:
                    self._pattern = compile_words(self._table.keys())
                pattern = self._pattern
        return pattern

    def scan(self, text: str) -> list[_Hit]:
        found = [(m.group(), m.start(), m.end()) for m in self._scanner().finditer(text)]
        if not found:
            return []
        cues = _Cues(text)
        hits: list[_Hit] = []
        for surface, start, end in found:
            targets = self._table.get(surface)
            if targets:
                hits.append(_Hit(surface, start, cues.weight(start, end), targets))
        return hits

    def resolve(self, text: str) -> PlaceMatch:
        return _decide(self.scan(text or ""))


class _Cues:
    """Clause breaks and cue words of one text, found once, looked up per match."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.breaks = [m.end() for m in _CLAUSE_BREAK.finditer(text)]
        self.complaint = [m.end() for m in _COMPLAINT_CUES.finditer(text)]
        self.home = [m.end() for m in _HOME_CUES.finditer(text)]

    @staticmethod
    def _last_before(positions: list[int], start: int) -> int:
        i = bisect_right(positions, start) - 1
        return positions[i] if i >= 0 else -1

    def weight(self, start: int, end: int) -> float:
        clause_start = self._last_before(self.breaks, start)
        complaint = self._last_before(self.complaint, start)
        home = self._last_before(self.home, start)
        weight = 1.0
        if complaint > home and complaint >= clause_start:
            weight = _COMPLAINT_WEIGHT
        elif home > complaint and home >= clause_start:
            weight = _HOME_WEIGHT
        if weight != _HOME_WEIGHT and _NEAR_AFTER.match(self.text, end):
            weight *= _NEAR_WEIGHT
        return weight


def _decide(hits: list[_Hit]) -> PlaceMatch:
    if not hits:
        return PlaceMatch()
    named_districts: dict[str, float] = defaultdict(float)
    for h in hits:
        for t in h.targets:
            if t.level == "district":
                named_districts[t.district_code] += h.weight
    street_score: dict[str, float] = defaultdict(float)
    street_evidence: dict[str, set[int]] = defaultdict(set)
    first_seen: dict[str, int] = {}
    street_target: dict[str, Target] = {}
    community_for: dict[str, tuple[float, Target]] = {}
    used: list[_Hit] = []
    for i, h in enumerate(hits):
        cands = [
            t
            for t in h.targets
            if t.level != "district"
            and t.street_code
            and (not t.needs_district or t.district_code in named_districts)
        ]
        codes = {t.street_code for t in cands if t.street_code}
        if codes:
            used.append(h)
        for t in cands:
            code = t.street_code or ""
            street_score[code] += h.weight * _KIND_FACTOR.get(t.kind, 1.0) / len(codes)
            street_evidence[code].add(i)
            first_seen.setdefault(code, h.start)
            if code not in street_target or t.level == "street":
                street_target[code] = t
            if t.level == "community" and len(codes) == 1 and len(cands) == 1:
                seen = community_for.get(code)
                if seen is None or h.weight > seen[0]:
                    community_for[code] = (h.weight, t)
    for code, t in street_target.items():
        street_score[code] += _DISTRICT_SUPPORT * named_districts.get(t.district_code, 0.0)

    district_hits = [h for h in hits if any(t.level == "district" for t in h.targets)]
    matched = [h.surface for h in hits]
    if street_score:
        ranked = sorted(street_score, key=lambda c: (-street_score[c], first_seen[c]))
        best = ranked[0]
        total = sum(street_score.values())
        tie = len(ranked) > 1 and street_score[ranked[1]] >= street_score[best] - 1e-9
        t = street_target[best]
        other_district = max(
            (w for code, w in named_districts.items() if code != t.district_code), default=0.0
        )
        ambiguous = tie and street_evidence[ranked[1]] == street_evidence[best]
        if not ambiguous and street_score[best] > other_district:
            comm = community_for.get(best)
            share = street_score[best] / total
            kind = comm[1].kind if comm and t.level != "street" else t.kind
            conf = _KIND_TRUST.get(kind, 0.85) * (0.6 + 0.4 * share)
            conf += 0.05 if t.district_code in named_districts else 0.0
            return PlaceMatch(
                district=t.district,
                district_code=t.district_code,
                street=t.street,
                street_code=t.street_code,
                community=comm[1].community if comm else None,
                community_code=comm[1].community_code if comm else None,
                matched=matched,
                confidence=round(min(conf, 0.99), 3),
                kind=kind,
            )
    # No single street: fall back to the district, from named districts and ambiguous names.
    district_score: dict[str, float] = defaultdict(float, named_districts)
    names: dict[str, str] = {}
    for h in hits:
        for t in h.targets:
            names[t.district_code] = t.district
        if any(t.level == "district" for t in h.targets):
            continue
        dcodes = {t.district_code for t in h.targets if not t.needs_district}
        for code in dcodes:
            district_score[code] += h.weight / len(dcodes)
    if not district_score:
        return PlaceMatch(matched=matched)
    ranked_d = sorted(district_score, key=lambda c: -district_score[c])
    if len(ranked_d) > 1 and district_score[ranked_d[1]] >= district_score[ranked_d[0]] - 1e-9:
        return PlaceMatch(matched=matched, confidence=0.2, kind="ambiguous")
    best_d = ranked_d[0]
    share = district_score[best_d] / sum(district_score.values())
    return PlaceMatch(
        district=names[best_d],
        district_code=best_d,
        matched=matched,
        confidence=round(0.3 + 0.4 * share, 3),
        kind="district" if district_hits else "ambiguous",
    )


_default: Gazetteer | None = None
_default_lock = threading.Lock()


def build_gazetteer(
    extra_aliases: Iterable[Alias] = (), *, include_default_aliases: bool = True
) -> Gazetteer:
    """Official divisions + ``data/landmarks.csv`` + ``extra_aliases`` (e.g. rows from the DB)."""
    aliases = [*(load_aliases() if include_default_aliases else []), *extra_aliases]
    return Gazetteer(load_divisions(), aliases)


def default_gazetteer() -> Gazetteer:
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = build_gazetteer()
    return _default


def resolve(text: str, gazetteer: Gazetteer | None = None) -> PlaceMatch:
    """Resolve the place a complaint text is about."""
    return (gazetteer or default_gazetteer()).resolve(text)


def place_as_dict(p: PlaceMatch) -> Mapping[str, object]:
    return {
        "district": p.district,
        "district_code": p.district_code,
        "street": p.street,
        "street_code": p.street_code,
        "community": p.community,
        "community_code": p.community_code,
        "matched": list(p.matched),
        "confidence": p.confidence,
        "kind": p.kind,
    }
