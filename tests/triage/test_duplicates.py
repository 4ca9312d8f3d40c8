"""Duplicate detection rules."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from jiesu.triage.duplicates import (
    DEFAULT_THRESHOLD,
    DEFAULT_WITHIN_DAYS,
    NO_PLACE_PENALTY,
    Candidate,
    DuplicateMatch,
    cosine_scores,
    find_duplicates,
    profile,
    similarity,
)
from tests.messages import real_messages, retellings

NOW = datetime(2026, 5, 1, 10, 0)
TEXT = "朝阳区望京街道望京西园三区门口垃圾堆放多日无人清理"


def test_same_place_same_matter_within_window_is_a_duplicate() -> None:
    c = [
        Candidate(
            "1", "望京西园三区门口垃圾堆放好几天了没人清理", "110105026", NOW - timedelta(days=2)
        )
    ]
    found = find_duplicates(TEXT, "110105026", c, now=NOW)
    assert [d.id for d in found] == ["1"] and found[0].same_street


def test_older_than_window_is_ignored() -> None:
    c = [Candidate("1", TEXT, "110105026", NOW - timedelta(days=30))]
    assert find_duplicates(TEXT, "110105026", c, now=NOW, within_days=7) == []


def test_other_street_is_ignored() -> None:
    c = [Candidate("1", TEXT, "110108005", NOW)]
    assert find_duplicates(TEXT, "110105026", c, now=NOW) == []


def test_same_place_other_matter_is_not_a_duplicate() -> None:
    c = [Candidate("1", "望京西园三区楼下餐馆油烟扰民", "110105026", NOW)]
    assert find_duplicates(TEXT, "110105026", c, now=NOW) == []


def test_candidates_may_be_mappings_and_are_ranked() -> None:
    c = [
        {
            "id": "a",
            "text": "望京西园三区门口垃圾没人清理",
            "street_code": "110105026",
            "received_at": NOW,
        },
        {"id": "b", "text": TEXT, "street_code": "110105026", "received_at": NOW},
    ]
    assert [d.id for d in find_duplicates(TEXT, "110105026", c, now=NOW)] == ["b", "a"]


def test_similarity_bounds() -> None:
    assert similarity(TEXT, TEXT) > 0.999
    assert similarity(TEXT, "") == 0.0


# Scoring a pool at once (profiles, vectorised) must give what the plain pairwise cosine gives.


def test_pool_scores_equal_the_plain_cosine_on_real_messages() -> None:
    messages = [f"{title}。{body}" for title, body in real_messages(800)]
    edge = ["", "桥", "！！！", "哈哈哈哈哈哈哈", "ＡＢＣ１２３abc123", "a\ud800b" * 3]
    pool_texts = messages[300:420] + [v for m in messages[600:630] for v in retellings(m)] + edge
    pool = [profile(t) for t in pool_texts]
    queries = messages[:6] + messages[600:606] + edge + ["\n".join(messages[700:705])]
    for query in queries:
        scores = cosine_scores(profile(query), pool).tolist()
        plain = [similarity(query, t) for t in pool_texts]
        # Bit for bit, not only to 4 decimals: a score on the threshold falls the same side.
        assert scores == plain
        assert [round(x, 4) for x in scores] == [round(x, 4) for x in plain]


def _plain_find(text: str, street: str | None, candidates: list[Candidate], now: datetime,
                thresholds: tuple[float, ...]) -> list[list[DuplicateMatch]]:
    """The rules of find_duplicates, one pair at a time with similarity(), per threshold."""
    kept = []
    for c in candidates:
        days = None if c.received_at is None else abs((now - c.received_at) / timedelta(days=1))
        if days is not None and days > DEFAULT_WITHIN_DAYS:
            continue
        if street and c.street_code and c.street_code != street:
            continue
        same = bool(street and c.street_code == street)
        kept.append((c, similarity(text, c.text), same, days))
    return [
        sorted((DuplicateMatch(c.id, round(score, 4), same, days)
                for c, score, same, days in kept
                if score >= (threshold if same else threshold + NO_PLACE_PENALTY)),
               key=lambda d: -d.score)[:5]
        for threshold in thresholds
    ]


def test_find_duplicates_on_real_messages_finds_what_the_plain_search_finds() -> None:
    messages = [f"{title}。{body}" for title, body in real_messages(400)]
    streets = ["110105026", "110105026", None, "110108005"]
    candidates = [
        Candidate(str(i), text, streets[i % 4], None if i % 7 == 0 else
                  NOW - timedelta(days=i % 10, hours=i % 5))
        for i, text in enumerate(t for m in messages[100:160] for t in [m, *retellings(m)])
    ]
    thresholds = (DEFAULT_THRESHOLD, 0.2)
    found_any = 0
    for query in messages[100:116] + messages[:4]:
        plain = _plain_find(query, "110105026", candidates, NOW, thresholds)
        for threshold, expected in zip(thresholds, plain, strict=True):
            found = find_duplicates(query, "110105026", candidates, now=NOW,
                                    threshold=threshold)
            assert found == expected
            found_any += bool(found)
    assert found_any > 15  # the comparison covered many real matches, not only empty lists


def test_pools_scored_from_many_threads_at_once_get_their_own_scores() -> None:
    messages = [f"{title}。{body}" for title, body in real_messages(160)]
    pools = [[profile(t) for t in messages[i : i + 40]] for i in range(0, 160, 40)]
    queries = [profile(t) for t in messages[::8]]
    alone = [[cosine_scores(q, pool).tolist() for pool in pools] for q in queries]
    with ThreadPoolExecutor(max_workers=8) as workers:  # most find the shared arrays taken
        together = list(workers.map(
            lambda q: [cosine_scores(q, pool).tolist() for _ in range(5) for pool in pools],
            queries))
    assert together == [runs * 5 for runs in alone]
