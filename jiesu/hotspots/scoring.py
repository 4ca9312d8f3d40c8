"""How hot a cluster is, and how it is told: count, distinct callers, growth, span, likes.

score = distinct callers
      + 0.25 × repeated messages (a caller writing again counts a little, not as a new caller)
      + 0.5 × the most distinct callers in any 7 days (a burst is hotter than a trickle)
      + 2 × ln(1 + likes)              (web messages: others who agree)
      + 2 × growth                     (live only: callers in the last 7 days over the 7 before)
Every term is in the explanation, so a supervisor sees why a matter ranks where it does.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from jiesu.hotspots.detector import Cluster, Message

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class HotIssue:
    cluster_id: int
    title: str
    place: str | None
    keywords: list[str]
    score: float
    message_ids: list[str]
    callers: int
    messages: int
    likes: int
    first_at: datetime
    last_at: datetime
    peak_week: int
    growth: float | None
    explanation: str
    rank: int = 0
    parts: dict[str, float] = field(default_factory=dict)

    @property
    def time_span(self) -> str:
        return f"{self.first_at:%Y-%m-%d} 至 {self.last_at:%Y-%m-%d}"

    def as_json(self) -> dict[str, object]:
        return {
            "rank": self.rank,
            "title": self.title,
            "place": self.place,
            "keywords": self.keywords,
            "score": round(self.score, 2),
            "message_ids": self.message_ids,
            "time_span": self.time_span,
            "first_at": self.first_at.isoformat(sep=" "),
            "last_at": self.last_at.isoformat(sep=" "),
            "callers": self.callers,
            "messages": self.messages,
            "likes": self.likes,
            "explanation": self.explanation,
            "score_parts": {k: round(v, 2) for k, v in self.parts.items()},
        }


def _callers(members: Iterable[Message]) -> set[str]:
    return {m.caller or f"#{m.id}" for m in members}


def peak_week(members: Sequence[Message]) -> int:
    """The most distinct callers within any 7 days."""
    ordered = sorted(members, key=lambda m: m.created_at)
    best, start = 0, 0
    for end in range(len(ordered)):
        while ordered[end].created_at - ordered[start].created_at > WEEK:
            start += 1
        best = max(best, len(_callers(ordered[start : end + 1])))
    return best


def growth(members: Sequence[Message], as_of: datetime) -> float:
    """Callers in the 7 days to `as_of` over those in the 7 days before (1 when none before)."""
    last = _callers(m for m in members if as_of - WEEK < m.created_at <= as_of)
    before = _callers(m for m in members if as_of - 2 * WEEK < m.created_at <= as_of - WEEK)
    return len(last) / max(1, len(before))


def place_of(cluster: Cluster) -> str | None:
    """The place name most members give, when at least a third of them give one."""
    if not cluster.places:
        return None
    name = cluster.places.most_common(1)[0][0]
    return name if 3 * sum(cluster.places.values()) >= len(cluster.members) else None


def keywords_of(cluster: Cluster, n: int = 6) -> list[str]:
    """The centroid's best words, a word inside another chosen one left out (搅拌 in 搅拌站).
    A character pair that mostly comes from a longer word among the candidates reads as that
    word (搅拌, 拌站 → 搅拌站; 暖气 stays 暖气 beside a rarer 暖气片): the pairs help matching,
    people read words."""
    candidates = cluster.terms(4 * n)
    weight = cluster.centroid
    chosen: list[str] = []
    for t in candidates:
        if len(t) == 2:
            t = next((u for u in candidates if len(u) >= 3 and t in u
                      and weight[u] >= 0.5 * weight[t]), t)
        if any(t in c or c in t for c in chosen):
            continue
        chosen.append(t)
        if len(chosen) == n:
            break
    return chosen


def representative(cluster: Cluster) -> Message:
    """The member whose title shares the most of the cluster's key terms (earliest on a tie)."""
    terms = cluster.terms(8)
    weights = {t: len(terms) - i for i, t in enumerate(terms)}

    def fit(m: Message) -> tuple[float, float]:
        got = sum(w for t, w in weights.items() if t in m.title)
        return (got, -m.created_at.timestamp())

    return max(cluster.members, key=fit)


def score_cluster(cluster: Cluster, as_of: datetime | None = None) -> HotIssue:
    members = sorted(cluster.members, key=lambda m: (m.created_at, m.id))
    callers = len(_callers(members))
    likes = sum(max(0, m.likes) for m in members)
    peak = peak_week(members)
    g = growth(members, as_of) if as_of is not None else None
    parts = {
        "callers": float(callers),
        "repeats": 0.25 * (len(members) - callers),
        "burst": 0.5 * peak,
        "likes": 2 * math.log1p(likes),
    }
    if g is not None:
        parts["growth"] = 2 * g
    place = place_of(cluster)
    keywords = keywords_of(cluster)
    first, last = members[0].created_at, members[-1].created_at
    days = max(1, math.ceil((last - first).total_seconds() / 86400))
    words = "、".join(keywords[:3])
    explanation = f"{callers} 位来电人 {days} 天内 {len(members)} 件"
    if place:
        explanation += f"，{place}"
    explanation += f"，{words}"
    if likes:
        explanation += f"，点赞 {likes}"
    if peak > 1:
        explanation += f"，最多一周 {peak} 人"
    if g is not None:
        explanation += f"，近 7 天增长 {g:.1f} 倍"
    return HotIssue(
        cluster_id=cluster.id,
        title=representative(cluster).title,
        place=place,
        keywords=keywords,
        score=sum(parts.values()),
        message_ids=[m.id for m in members],
        callers=callers,
        messages=len(members),
        likes=likes,
        first_at=first,
        last_at=last,
        peak_week=peak,
        growth=g,
        explanation=explanation,
        parts=parts,
    )


def rank(
    clusters: Iterable[Cluster],
    *,
    top: int | None = None,
    min_callers: int = 3,
    as_of: datetime | None = None,
) -> list[HotIssue]:
    """Clusters with at least `min_callers` distinct callers, hottest first, ranked 1..n."""
    issues = [
        score_cluster(c, as_of) for c in clusters if len(_callers(c.members)) >= min_callers
    ]
    issues.sort(key=lambda i: (-i.score, i.first_at, i.cluster_id))
    if top is not None:
        issues = issues[:top]
    return [
        HotIssue(**{**i.__dict__, "rank": n}) for n, i in enumerate(issues, start=1)
    ]

