"""Possible duplicates at intake: the street's open orders of the last days, scored against the
new text by `triage.duplicates`, each order's gram profile computed once per process.

An order's title, text and received time never change after intake: `service.intake` writes
them and nothing else does (no action, effect, job, page or route assigns `Order.title`,
`Order.text` or `Order.received_at`; checked when this cache was written). So what the search
needs of an order, once read, is kept by its id, and the pool query reads only ids (which open
orders, newest first, is the database's answer each time). Only SQLite hands an id out twice:
the id of a row whose transaction rolled back goes to the next insert (PostgreSQL's sequences
never go back). So on SQLite the pool query also reads the texts and received times (an
in-process read, cheap there) and the key carries them: a reused id is never a stale hit, not
even for the same text received at another time (a test suite's rolled-back orders do that).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from jiesu.orders.models import Order
from jiesu.triage.duplicates import DuplicateMatch, Profile, Profiled, profile, rank_duplicates

DUPLICATE_WINDOW = timedelta(days=7)
MAX_CANDIDATES = 300
# Bounded by grams (8 bytes each), not by orders: an order of 370 characters, the mean of the
# public messages, has about 700. 4M grams is 32 MB, the pools of some twenty busy streets.
MAX_CACHED_GRAMS = 4_000_000

# order id, and its received time + text where ids can be reused (SQLite)
Key = tuple[int, str | None]


class Seen(NamedTuple):
    """What the search keeps of an order: its text's profile and when it was received."""

    profile: Profile
    received_at: datetime


class ProfileCache:
    """Least recently used orders' profiles, bounded by their total grams. Thread-safe:
    uvicorn runs sync endpoints in a thread pool."""

    def __init__(self, max_grams: int) -> None:
        self.max_grams = max_grams
        self.grams = 0
        self._items: OrderedDict[Key, Seen] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, keys: list[Key]) -> dict[Key, Seen]:
        found = {}
        with self._lock:
            items = self._items
            for key in keys:
                item = items.get(key)
                if item is not None:
                    items.move_to_end(key)
                    found[key] = item
        return found

    def put(self, key: Key, value: Seen) -> None:
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.grams -= old.profile.size
            self._items[key] = value
            self.grams += value.profile.size
            while self.grams > self.max_grams and len(self._items) > 1:
                _, dropped = self._items.popitem(last=False)
                self.grams -= dropped.profile.size

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.grams = 0


_seen = ProfileCache(MAX_CACHED_GRAMS)


def clear_profiles() -> None:
    """Forget every cached profile (benchmarks measure the cold path with it)."""
    _seen.clear()


def _full_text(title: str | None, text: str) -> str:
    return f"{title}。{text}"  # as orders have always been compared


@lru_cache(maxsize=2)
def _open_orders(with_texts: bool) -> Select[Any]:
    """The pool: open orders of a street received since a time, newest first. Built once:
    building and compiling it anew each call cost about as much as running it."""
    columns: list[Any] = ([Order.id, Order.title, Order.text, Order.received_at] if with_texts
                          else [Order.id])
    return (select(*columns)
            .where(Order.street_code == bindparam("street"), Order.is_open.is_(True),
                   Order.received_at >= bindparam("since", type_=Order.received_at.type))
            .order_by(Order.received_at.desc())
            .limit(MAX_CANDIDATES))


def find(session: Session, text: str, street_code: str, now: datetime,
         exclude: int | None = None) -> list[DuplicateMatch]:
    """Open orders of the last days in the same street whose text is close to `text`
    (but `exclude`: an order already stored is not its own duplicate)."""
    where = {"street": street_code, "since": now - DUPLICATE_WINDOW}
    keys: list[Key]
    if session.get_bind().dialect.name == "sqlite":
        keys = [(order_id, f"{received_at.isoformat()} {_full_text(title, body)}")
                for order_id, title, body, received_at
                in session.execute(_open_orders(True), where)]
    else:
        keys = [(order_id, None) for order_id in session.scalars(_open_orders(False), where)]
    keys = [key for key in keys if key[0] != exclude]
    if not keys:
        return []
    found = _seen.get_many(keys)
    missing = {key[0]: key for key in keys if key not in found}
    if missing:
        rows = session.execute(select(Order.id, Order.title, Order.text, Order.received_at)
                               .where(Order.id.in_(list(missing))))
        for order_id, title, body, received_at in rows:
            key = missing[order_id]
            found[key] = seen = Seen(profile(_full_text(title, body)), received_at)
            _seen.put(key, seen)
    pool = [Profiled(str(key[0]), hit.profile, street_code, hit.received_at)
            for key in keys if (hit := found.get(key)) is not None]
    return rank_duplicates(profile(text), street_code, pool, now=now)
