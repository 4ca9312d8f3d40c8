"""Possible duplicates at intake (orders/duplicates.py): the street's open orders, each compared
by a text profile computed once and cached by order id, give what a fresh search gives."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.core import clock
from jiesu.orders import duplicates
from jiesu.orders.models import Order
from jiesu.triage.duplicates import (
    Candidate,
    DuplicateMatch,
    find_duplicates,
    profile,
    similarity,
)
from tests.factories import WANGJING, new_order
from tests.messages import real_messages, retellings, statements

PLACE = "朝阳区望京街道"


def fresh_search(session: Session, text: str, now: datetime) -> list[DuplicateMatch]:
    """The same search with every candidate's text read and compared anew."""
    rows = session.execute(
        select(Order.id, Order.title, Order.text, Order.street_code, Order.received_at)
        .where(Order.street_code == WANGJING, Order.is_open.is_(True),
               Order.received_at >= now - duplicates.DUPLICATE_WINDOW)
        .order_by(Order.received_at.desc())
        .limit(duplicates.MAX_CANDIDATES)
    )
    pool = [Candidate(str(r.id), f"{r.title}。{r.text}", r.street_code, r.received_at)
            for r in rows]
    return find_duplicates(text, WANGJING, pool, now=now)


def test_intake_records_an_open_order_of_the_street_with_a_close_text_as_a_duplicate(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    title, body = real_messages(1)[0]
    first = new_order(session, title=title, text=body, place_text=PLACE)
    again = new_order(session, title=title, text=retellings(body)[2], place_text=PLACE)
    assert again.suggestion is not None
    score = similarity(f"{title}。{again.text}", f"{first.title}。{first.text}")
    assert again.suggestion["duplicates"] == [{"order_id": first.id, "score": round(score, 4)}]


def test_search_with_cached_profiles_finds_what_a_fresh_search_finds(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    messages = real_messages(40)
    for title, body in messages[:24]:  # each intake searches the pool so far, caching profiles
        new_order(session, title=title, text=body, place_text=PLACE)
    for title, body in messages[:6]:
        new_order(session, title=title, text=retellings(body)[0], place_text=PLACE)
    now = clock.now()
    probes = [f"{t}。{b}" for t, b in messages[:4] + messages[30:34]]
    probes += [retellings(f"{t}。{b}")[1] for t, b in messages[6:10]]
    found_any = 0
    for text in probes:
        expected = fresh_search(session, text, now)
        assert duplicates.find(session, text, WANGJING, now) == expected  # warm
        duplicates.clear_profiles()
        assert duplicates.find(session, text, WANGJING, now) == expected  # cold
        found_any += bool(expected)
    assert found_any >= 8  # real matches were compared, not only empty lists


def test_an_order_id_reused_after_a_rollback_is_compared_by_its_own_text(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    (title, body), (other_title, other_body) = real_messages(2)
    with session.begin_nested() as savepoint:
        gone = new_order(session, title=title, text=body, place_text=PLACE)
        gone_id = gone.id
        assert duplicates.find(session, f"{title}。{body}", WANGJING, clock.now())  # cached
        savepoint.rollback()
    kept = new_order(session, title=other_title, text=other_body, place_text=PLACE)
    if session.get_bind().dialect.name == "sqlite":
        assert kept.id == gone_id  # SQLite hands the rolled-back id out again
    found = duplicates.find(session, f"{other_title}。{other_body}", WANGJING, clock.now())
    assert [(d.id, d.score) for d in found] == [(str(kept.id), 1.0)]
    assert duplicates.find(session, f"{title}。{body}", WANGJING, clock.now()) == []


def test_a_cached_order_text_is_not_read_again(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    if session.get_bind().dialect.name == "sqlite":
        pytest.skip("SQLite reads the texts with the pool: it reuses rolled-back ids")
    for title, body in real_messages(5):
        new_order(session, title=title, text=body, place_text=PLACE)
    text = "望京街道小区门口垃圾堆放多日无人清理"
    duplicates.find(session, text, WANGJING, clock.now())
    with statements(session) as sent:
        duplicates.find(session, text, WANGJING, clock.now())
    assert len(sent) == 1 and "orders.text" not in sent[0]


def test_profile_cache_drops_the_least_recently_used_beyond_its_gram_budget() -> None:
    texts = ["望京西园三区门口垃圾堆放", "花家地西里路灯不亮", "阜通东大街施工噪音扰民"]
    made = [duplicates.Seen(profile(t), datetime(2026, 11, 2, tzinfo=UTC)) for t in texts]
    cache = duplicates.ProfileCache(max_grams=sum(s.profile.size for s in made) - 1)
    cache.put((1, None), made[0])
    cache.put((2, None), made[1])
    assert cache.get_many([(1, None)]) == {(1, None): made[0]}  # 1 is now the most recent
    cache.put((3, None), made[2])  # three are over the budget: 2 goes
    assert set(cache.get_many([(1, None), (2, None), (3, None)])) == {(1, None), (3, None)}
    assert cache.grams == made[0].profile.size + made[2].profile.size
