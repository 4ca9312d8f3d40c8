"""Duplicate detection rules."""

from __future__ import annotations

from datetime import datetime, timedelta

from jiesu.triage.duplicates import Candidate, find_duplicates, similarity

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
