"""The live index of the open clusters, kept per process and synchronised with the database.

The worker assigns new orders one by one (`service.assign_pending`); the index it adds them to
lives in memory (adding one order costs a few candidate comparisons, bench/bench_hotspots.py).
Before each batch the index catches up with members other processes wrote (members with a
higher id), and is rebuilt from the tables when they no longer match what it holds (another
database, a rolled-back test, a split).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jiesu.hotspots.detector import ClusterIndex, Idf, Message, Params, prepare
from jiesu.hotspots.models import HotspotCluster, HotspotMember, JointCase
from jiesu.orders.models import Order

IDF_SAMPLE = 20_000  # recent orders the IDF is fitted on at a rebuild
IDF_MIN_DOCS = 50  # fewer: every word weighs the same


def message_of(order: Order, caller: str | None = None) -> Message:
    return Message(
        id=str(order.id),
        title=order.title or "",
        body=order.text or "",
        created_at=order.received_at,
        caller=caller if caller is not None else caller_key(order),
        area=order.street_code or "",
    )


def caller_key(order: Order) -> str:
    """Who called: the phone number (kept only as a key, never shown), else the order itself."""
    return (order.citizen_phone or "").strip() or f"order-{order.id}"


@dataclass
class _Live:
    index: ClusterIndex
    last_member_id: int
    fingerprint: tuple[int, int, int] | None  # (member id, order id, cluster id) of the last


_LIVE: dict[str, _Live] = {}
_lock = threading.RLock()


def lock() -> threading.RLock:
    return _lock


def _key(session: Session) -> str:
    return str(session.get_bind().engine.url)


def forget() -> None:
    with _lock:
        _LIVE.clear()
        _CASES.clear()
        _IDF.clear()


def _fingerprint(session: Session) -> tuple[int, int, int] | None:
    row = session.execute(
        select(HotspotMember.id, HotspotMember.order_id, HotspotMember.cluster_id)
        .order_by(HotspotMember.id.desc()).limit(1)
    ).first()
    return None if row is None else (int(row[0]), int(row[1]), int(row[2]))


def _rebuild(session: Session, params: Params, now: datetime) -> _Live:
    since = now - timedelta(days=params.window_days)
    rows = session.execute(
        select(HotspotMember.cluster_id, HotspotMember.caller, Order)
        .join(Order, Order.id == HotspotMember.order_id)
        .join(HotspotCluster, HotspotCluster.id == HotspotMember.cluster_id)
        .where(HotspotMember.left_at.is_(None), HotspotCluster.last_at >= since)
        .order_by(HotspotMember.id)
    ).all()
    items = [(int(cid), prepare(message_of(order, caller))) for cid, caller, order in rows]
    sample = [list(item.terms) for _, item in items[-IDF_SAMPLE:]]
    idf = Idf.fit(sample) if len(sample) >= IDF_MIN_DOCS else Idf({})
    index = ClusterIndex(idf, params)
    for cid, item in items:
        index.restore(cid, item)
    top = session.scalar(select(func.max(HotspotCluster.id))) or 0
    index._next = max(index._next, int(top) + 1)
    fp = _fingerprint(session)
    return _Live(index, fp[0] if fp else 0, fp)


def live_index(session: Session, window_days: int, now: datetime) -> ClusterIndex:
    """The index for this database, caught up with its members. Call under `lock()`."""
    params = replace(Params(), window_days=float(window_days))
    key = _key(session)
    live = _LIVE.get(key)
    fp = _fingerprint(session)
    stale = (
        live is None
        or live.index.params != params
        or (fp is None and live.last_member_id != 0)
        or (fp is not None and fp[0] < live.last_member_id)
    )
    if not stale and live is not None and live.fingerprint is not None:
        same = session.execute(
            select(HotspotMember.order_id, HotspotMember.cluster_id)
            .where(HotspotMember.id == live.fingerprint[0])
        ).first()
        stale = same is None or (int(same[0]), int(same[1])) != live.fingerprint[1:]
    if stale or live is None:
        live = _LIVE[key] = _rebuild(session, params, now)
        return live.index
    if fp is not None and fp[0] > live.last_member_id:
        rows = session.execute(
            select(HotspotMember.cluster_id, HotspotMember.caller, Order)
            .join(Order, Order.id == HotspotMember.order_id)
            .where(HotspotMember.id > live.last_member_id, HotspotMember.left_at.is_(None))
            .order_by(HotspotMember.id)
        ).all()
        for cid, caller, order in rows:
            live.index.restore(int(cid), message_of(order, caller))
        live.last_member_id, live.fingerprint = fp[0], fp
    return live.index


def note_written(session: Session) -> None:
    """After this process wrote members: what it holds now matches the tables."""
    live = _LIVE.get(_key(session))
    fp = _fingerprint(session)
    if live is not None and fp is not None:
        live.last_member_id, live.fingerprint = fp[0], fp


# --- The joint cases' clusters, for intake ("this may belong to case N") --------------------
# A web process must answer while the agent types, without the whole live index (the worker's):
# it holds only the clusters that are joint cases, rebuilt when their members change, with an
# IDF fitted on the most recent orders (refitted at a rebuild when older than IDF_MAX_AGE_S).

CASE_IDF_SAMPLE = 500
IDF_MAX_AGE_S = 3_600.0


@dataclass
class _CaseIndex:
    index: ClusterIndex
    fingerprint: tuple[int, int, int]


_CASES: dict[str, _CaseIndex] = {}
_IDF: dict[str, tuple[float, Idf]] = {}


def _case_fingerprint(session: Session) -> tuple[int, int, int]:
    # From the joint cases (a few rows) through the members' cluster index: no scan of the
    # clusters or members of the whole window.
    count, top, clusters = session.execute(
        select(func.count(HotspotMember.id), func.max(HotspotMember.id),
               func.count(func.distinct(HotspotMember.cluster_id)))
        .where(HotspotMember.cluster_id.in_(select(JointCase.cluster_id)),
               HotspotMember.left_at.is_(None))
    ).one()
    return int(count or 0), int(top or 0), int(clusters or 0)


def _recent_idf(session: Session, key: str) -> Idf:
    import time

    held = _IDF.get(key)
    if held is not None and time.monotonic() - held[0] < IDF_MAX_AGE_S:
        return held[1]
    rows = session.execute(select(Order.title, Order.text, Order.received_at)
                           .order_by(Order.id.desc()).limit(CASE_IDF_SAMPLE)).all()
    sample = [list(prepare(Message("idf", title or "", text or "", at)).terms)
              for title, text, at in rows]
    idf = Idf.fit(sample) if len(sample) >= IDF_MIN_DOCS else Idf({})
    _IDF[key] = (time.monotonic(), idf)
    return idf


def case_index(session: Session, window_days: int) -> ClusterIndex:
    """The clusters that are joint cases, with their active members. Call under `lock()`."""
    key = _key(session)
    fp = _case_fingerprint(session)
    held = _CASES.get(key)
    if held is not None and held.fingerprint == fp and held.index.params.window_days == window_days:
        return held.index
    rows = session.execute(
        select(HotspotMember.cluster_id, HotspotMember.caller, Order)
        .join(Order, Order.id == HotspotMember.order_id)
        .where(HotspotMember.cluster_id.in_(select(JointCase.cluster_id)),
               HotspotMember.left_at.is_(None))
        .order_by(HotspotMember.id)
    ).all()
    index = ClusterIndex(_recent_idf(session, key),
                         replace(Params(), window_days=float(window_days)))
    for cid, caller, order in rows:
        index.restore(int(cid), message_of(order, caller))
    _CASES[key] = _CaseIndex(index, fp)
    return index
