"""Possible duplicates: open orders about the same place and matter within N days.

Pure functions over candidates fetched by the caller (the DB query lives elsewhere).
Similarity is the cosine of character 2+3-gram counts of the normalised texts, which needs no
fitted model. `similarity()` computes it plainly for two texts; duplicate searches compute each
text's `Profile` once (a caller may keep them: orders/duplicates.py caches them per order) and
score a whole pool of profiles in a few vectorised passes (`cosine_scores`), to the same float.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

_NOISE = re.compile(r"[\W_]+")
DEFAULT_WITHIN_DAYS = 7
DEFAULT_THRESHOLD = 0.45
# Without a street to compare, a candidate must be this much more similar.
NO_PLACE_PENALTY = 0.15
# An odd 64-bit constant (2**64 / golden ratio): multiplying by it modulo 2**64 is a bijection,
# so a scrambled gram still identifies its gram exactly, and its top bits are a good hash slot.
_SCRAMBLE = np.uint64(0x9E3779B97F4A7C15)


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


def _normalise(text: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", text or "")).lower()


def _grams(text: str) -> Counter[str]:
    s = _normalise(text)
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


@dataclass(frozen=True, eq=False)
class Profile:
    """A text's 2+3-grams ready to score: one key per gram occurrence (repeats kept, so a dot
    product needs no counts) and the norm of the gram counts, as `_norm` computes it."""

    keys: NDArray[np.uint64]
    norm: float

    @property
    def size(self) -> int:
        return int(self.keys.size)


def profile(text: str) -> Profile:
    """The grams of `_grams(text)`, each as one integer: its code points (+1, never 0) side by
    side in 21 bits each (2-grams below 2**42, 3-grams above), then scrambled."""
    s = _normalise(text)
    points = np.frombuffer(s.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    p = points.astype(np.uint64) + np.uint64(1)
    twenty_one, forty_two = np.uint64(21), np.uint64(42)
    codes = np.concatenate(((p[:-1] << twenty_one) | p[1:],
                            (p[:-2] << forty_two) | (p[1:-1] << twenty_one) | p[2:]))
    _, counts = np.unique(codes, return_counts=True)
    return Profile(codes * _SCRAMBLE, math.sqrt(int(np.dot(counts, counts))))


class _Scratch:
    """Work arrays reused from call to call: allocating a pool's worth of fresh arrays (about
    1.5 MB each for 300 orders) costs more in page faults than the arithmetic done in them."""

    # Kept between calls up to 2**19 pool grams and 2**18 table slots (about 25 MB); a pool of
    # very long texts gets bigger arrays for its call only.
    KEEP_SIZE, KEEP_TABLE = 1 << 19, 1 << 18

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.size = 0
        self.keys = self.slots = self.held = self.mine = np.empty(0, np.uint64)
        self.weights = np.empty(0, np.int64)
        self.flags = np.empty(0, np.bool_)
        self.table_weight = np.empty(0, np.int64)
        self.table_key = np.empty(0, np.uint64)

    def trim(self) -> None:
        if self.size > self.KEEP_SIZE or self.table_weight.size > self.KEEP_TABLE:
            self.reset()

    def fit(self, size: int, table_bits: int) -> None:
        if size > self.size:
            self.size = 1 << (size - 1).bit_length()
            self.keys, self.slots, self.held, self.mine = (
                np.empty(self.size, np.uint64) for _ in range(4))
            self.weights = np.empty(self.size, np.int64)
            self.flags = np.empty(self.size, np.bool_)
        if (1 << table_bits) > self.table_weight.size:
            self.table_weight = np.empty(1 << table_bits, np.int64)
            self.table_key = np.empty(1 << table_bits, np.uint64)


_scratch = _Scratch()
_scratch_lock = threading.Lock()


def cosine_scores(query: Profile, pool: Sequence[Profile]) -> NDArray[np.float64]:
    """The cosine of `query` with each profile of `pool`: bit for bit the float that
    `similarity()` gives for the two texts (integer dot products, then the same two float
    operations), for the whole pool in a few array passes instead of a Python loop per pair."""
    if not pool or not query.norm:
        return np.zeros(len(pool))
    if _scratch_lock.acquire(blocking=False):
        try:
            return _scores(query, pool, _scratch)
        finally:
            _scratch.trim()
            _scratch_lock.release()
    return _scores(query, pool, _Scratch())  # another thread is scoring: no waiting


def _scores(query: Profile, pool: Sequence[Profile], scratch: _Scratch) -> NDArray[np.float64]:
    keys, counts = np.unique(query.keys, return_counts=True)
    # A hash table of the query's grams, 64 slots per gram (2**12 to 2**20): a pool gram that
    # is not in the query lands on an empty slot (weight 0) all but ~1.5% of the time.
    bits = max(12, min(20, (64 * keys.size).bit_length()))
    shift = np.uint64(64 - bits)
    arrays = [p.keys for p in pool]
    sizes = np.fromiter(map(len, arrays), np.intp, len(arrays))
    total = int(sizes.sum())
    scratch.fit(total, bits)
    weight_of, key_of = scratch.table_weight[: 1 << bits], scratch.table_key[: 1 << bits]
    weight_of.fill(0)
    slots, first = np.unique((keys >> shift).astype(np.intp), return_index=True)
    weight_of[slots] = counts[first]  # one query gram per slot; the others are found below
    key_of[slots] = keys[first]

    pooled = np.concatenate(arrays, out=scratch.keys[:total])
    where = np.right_shift(pooled, shift, out=scratch.slots[:total]).view(np.intp)
    # mode="clip" (every slot is in range anyway): take() buffers its output in "raise" mode.
    weight = np.take(weight_of, where, out=scratch.weights[:total], mode="clip")
    hit = np.flatnonzero(np.not_equal(weight, 0, out=scratch.flags[:total]))
    # A slot hit by another gram, or holding another of the query's grams: look it up exactly.
    n = hit.size
    hit_slots = np.take(where, hit, out=scratch.mine[:n].view(np.intp), mode="clip")
    held = np.take(key_of, hit_slots, out=scratch.held[:n], mode="clip")
    mine = np.take(pooled, hit, out=scratch.mine[:n], mode="clip")  # hit_slots are used up
    other = hit[np.not_equal(held, mine, out=scratch.flags[:n])]
    if other.size:
        pos = np.minimum(np.searchsorted(keys, pooled[other]), keys.size - 1)
        weight[other] = np.where(keys[pos] == pooled[other], counts[pos], 0)
    dots = np.zeros(len(pool), np.int64)
    filled = sizes > 0
    if filled.any():
        starts = (np.cumsum(sizes) - sizes)[filled]
        dots[filled] = np.add.reduceat(weight, starts)
    norms = np.array([p.norm for p in pool])
    scores = np.zeros(len(pool))
    np.divide(dots, query.norm * norms, out=scores, where=norms > 0)
    return scores


def _as_candidate(c: Candidate | Mapping[str, Any]) -> Candidate:
    if isinstance(c, Candidate):
        return c
    return Candidate(
        id=str(c["id"]),
        text=str(c.get("text") or ""),
        street_code=c.get("street_code"),
        received_at=c.get("received_at"),
    )


class Profiled(NamedTuple):
    """A candidate whose text is given as its profile (computed once, perhaps long ago). A
    named tuple: a pool builds hundreds per call, at a fraction of a dataclass's cost."""

    id: str
    profile: Profile
    street_code: str | None = None
    received_at: datetime | None = None


def _eligible(
    c: Candidate | Profiled, street_code: str | None, now: datetime | None, within_days: float
) -> tuple[bool, float | None]:
    """Whether a candidate is in the time window and not in another street; its days apart."""
    days: float | None = None
    if now is not None and c.received_at is not None:
        days = abs((now - c.received_at) / timedelta(days=1))
        if days > within_days:
            return False, days
    if street_code and c.street_code and c.street_code != street_code:
        return False, days
    return True, days


def rank_duplicates(
    query: Profile,
    street_code: str | None,
    candidates: Sequence[Profiled],
    *,
    now: datetime | None = None,
    within_days: float = DEFAULT_WITHIN_DAYS,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = 5,
) -> list[DuplicateMatch]:
    """`find_duplicates` for candidates already profiled: the same rules, the same result."""
    scores = cosine_scores(query, [c.profile for c in candidates])
    out: list[DuplicateMatch] = []
    # Only a score that reaches the lower bar can count (no street asks for more).
    for i in np.flatnonzero(scores >= threshold).tolist():
        c, score = candidates[i], float(scores[i])
        eligible, days = _eligible(c, street_code, now, within_days)
        if not eligible:
            continue
        same = bool(street_code and c.street_code == street_code)
        need = threshold if same else threshold + NO_PLACE_PENALTY
        if score >= need:
            out.append(DuplicateMatch(c.id, round(score, 4), same, days))
    out.sort(key=lambda d: -d.score)
    return out[:limit]


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
    profiled = []
    for raw in candidates:
        c = _as_candidate(raw)
        if _eligible(c, street_code, now, within_days)[0]:  # no gram work for the others
            profiled.append(Profiled(c.id, profile(c.text), c.street_code, c.received_at))
    if not profiled:  # nothing to compare with: the query's grams are not needed
        return []
    return rank_duplicates(profile(text), street_code, profiled, now=now,
                           within_days=within_days, threshold=threshold, limit=limit)
