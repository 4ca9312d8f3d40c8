"""Possible duplicates: open orders about the same place and matter within N days.

Pure function over candidates fetched by the caller (the DB query lives elsewhere).
Similarity is the cosine of character 2+3-gram counts of the normalised texts,
which needs no fitted model and takes a few microseconds per pair.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

_NOISE = re.compile(r"[\W_]+")
DEFAULT_WITHIN_DAYS = 7
DEFAULT_THRESHOLD = 0.45
# Without a street to compare, a candidate must be this much more similar.
NO_PLACE_PENALTY = 0.15


@dataclass(frozen=True)
class Candidate:
    id: str
    text: str
    street_code: str | None = None
    received_at: datetime | None = None


@dataclass(frozen=True)
class DuplicateMatch:
    id: str
    score: float
    same_street: bool
    days_apart: float | None


def _grams(text: str) -> Counter[str]:
    s = _NOISE.sub("", unicodedata.normalize("NFKC", text or "")).lower()
    grams: Counter[str] = Counter(s[i : i + 2] for i in range(len(s) - 1))
    grams.update(s[i : i + 3] for i in range(len(s) - 2))
    return grams


def _norm(c: Counter[str]) -> float:
    return math.sqrt(sum(v * v for v in c.values()))


def similarity(a: str, b: str) -> float:
    """Cosine similarity of character 2+3-gram counts, 0..1."""
    ga, gb = _grams(a), _grams(b)
    return _cosine(ga, _norm(ga), gb)


def _cosine(ga: Counter[str], na: float, gb: Counter[str]) -> float:
    nb = _norm(gb)
    if not na or not nb:
        return 0.0
    if len(ga) > len(gb):
        ga, gb = gb, ga
    dot = sum(v * gb.get(k, 0) for k, v in ga.items())
    return dot / (na * nb)


def _as_candidate(c: Candidate | Mapping[str, Any]) -> Candidate:
    if isinstance(c, Candidate):
        return c
    return Candidate(
        id=str(c["id"]),
        text=str(c.get("text") or ""),
        street_code=c.get("street_code"),
        received_at=c.get("received_at"),
    )


def find_duplicates(
    text: str,
    street_code: str | None,
    candidates: Iterable[Candidate | Mapping[str, Any]],
    *,
    now: datetime | None = None,
    within_days: float = DEFAULT_WITHIN_DAYS,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = 5,
) -> list[DuplicateMatch]:
    """Candidates received within ``within_days`` of ``now``, in the same street (when both
    streets are known), whose text similarity reaches ``threshold``; best first."""
    g = _grams(text)
    n = _norm(g)
    out: list[DuplicateMatch] = []
    for raw in candidates:
        c = _as_candidate(raw)
        days: float | None = None
        if now is not None and c.received_at is not None:
            days = abs((now - c.received_at) / timedelta(days=1))
            if days > within_days:
                continue
        if street_code and c.street_code and c.street_code != street_code:
            continue
        same = bool(street_code and c.street_code == street_code)
        need = threshold if same else threshold + NO_PLACE_PENALTY
        score = _cosine(g, n, _grams(c.text))
        if score >= need:
            out.append(DuplicateMatch(c.id, round(score, 4), same, days))
    out.sort(key=lambda d: -d.score)
    return out[:limit]
