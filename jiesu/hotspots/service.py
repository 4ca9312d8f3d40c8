"""Hot spots: the only place that changes their tables.

- `assign_pending`: new orders join the open clusters one by one (the worker's `hotspots` job,
  seconds after intake); a cluster that reaches the centre's threshold alerts supervisors and
  dispatchers through the inbox (outbox `notify`, kind `hotspot_alert`), once.
- `set_rule`: the centre's threshold, append-only (the newest row is in force).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from jiesu.core import clock, outbox
from jiesu.core.errors import NotAllowed, NotFound
from jiesu.core.roles import Principal, Role
from jiesu.hotspots import live
from jiesu.hotspots.detector import Cluster, ClusterIndex
from jiesu.hotspots.models import HotspotCluster, HotspotMember, HotspotRule
from jiesu.hotspots.scoring import keywords_of, place_of, representative, score_cluster
from jiesu.orders.models import Order

BATCH = 200
DEFAULT_RULE = {"min_callers": 5, "within_hours": 24, "window_days": 30}
RULE_ROLES = frozenset({Role.supervisor, Role.admin})


def current_rule(session: Session) -> HotspotRule:
    row = session.scalars(select(HotspotRule).order_by(HotspotRule.id.desc()).limit(1)).first()
    if row is not None:
        return row
    return HotspotRule(id=0, note="默认", created_at=clock.now(), **DEFAULT_RULE)


def set_rule(
    session: Session, principal: Principal, *, min_callers: int, within_hours: int,
    window_days: int, note: str = "",
) -> HotspotRule:
    if principal.role not in RULE_ROLES:
        raise NotAllowed("只有督办或管理员可以设置热点阈值", code="role_not_allowed")
    row = HotspotRule(
        min_callers=min_callers, within_hours=within_hours, window_days=window_days,
        note=note, created_by_id=principal.user_id, created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    return row


def _serialise(session: Session) -> None:
    """One assigner at a time across processes (PostgreSQL); SQLite writes one at a time."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(120011)"))


@dataclass(frozen=True)
class Assigned:
    order_id: int
    cluster_id: int
    new: bool
    alerted: bool


def pending_orders(session: Session, limit: int = BATCH) -> list[Order]:
    """Orders not yet in any cluster, oldest first (after the newest order already placed)."""
    last = session.scalar(select(func.max(HotspotMember.order_id))) or 0
    return list(session.scalars(
        select(Order).where(Order.id > last).order_by(Order.id).limit(limit)
    ))


def assign_pending(session: Session, *, limit: int = BATCH) -> list[Assigned]:
    """Put the orders that arrived since the last run into clusters; alert where due."""
    _serialise(session)
    orders = pending_orders(session, limit)
    if not orders:
        return []
    rule = current_rule(session)
    now = clock.now()
    done: list[Assigned] = []
    with live.lock():
        index = live.live_index(session, rule.window_days, now)
        for order in orders:
            done.append(_assign(session, index, order, rule, now))
        session.flush()
        live.note_written(session)
    return done


def _assign(
    session: Session, index: ClusterIndex, order: Order, rule: HotspotRule, now: datetime
) -> Assigned:
    msg = live.message_of(order)

    def new_cluster() -> int:
        row = HotspotCluster(
            title=order.title or order.text[:40], district_code=order.district_code,
            street_code=order.street_code, first_at=order.received_at,
            last_at=order.received_at, created_at=now,
        )
        session.add(row)
        session.flush()
        return row.id

    got = index.add(msg, new_id=new_cluster)
    row = session.get(HotspotCluster, got.cluster_id)
    assert row is not None
    session.add(HotspotMember(
        cluster_id=got.cluster_id, order_id=order.id, similarity=got.similarity,
        caller=msg.caller[:64], joined_at=now,
        proposed_case_id=row.case_id if row.case_id != order.case_id else None,
    ))
    cluster = index.clusters[got.cluster_id]
    refresh(row, cluster, now)
    alerted = False
    if row.alerted_at is None and due_for_alert(cluster, rule, now):
        row.alerted_at = now
        alerted = True
        for role in ("supervisor", "dispatcher"):
            outbox.enqueue(session, "notify", {
                "kind": "hotspot_alert", "order_id": order.id, "number": f"#{row.id}",
                "unit_id": None, "role": role, "user_id": None, "cluster_id": row.id,
            })
    return Assigned(order.id, got.cluster_id, got.new, alerted)


def refresh(row: HotspotCluster, cluster: Cluster, now: datetime) -> None:
    """Copy what the index knows of a cluster into its row."""
    issue = score_cluster(cluster, as_of=now)
    row.title = representative(cluster).title[:200] or row.title
    row.place = place_of(cluster)
    row.keywords = keywords_of(cluster)
    row.terms = {t: round(cluster.centroid[t] / cluster.norm, 4) for t in cluster.terms(20)}
    row.orders = issue.messages
    row.callers = issue.callers
    row.score = round(issue.score, 3)
    row.explanation = issue.explanation
    row.first_at, row.last_at = issue.first_at, issue.last_at
    streets = Counter(m.area for m in cluster.members if m.area)
    if streets:
        row.street_code = streets.most_common(1)[0][0]


def due_for_alert(cluster: Cluster, rule: HotspotRule, now: datetime) -> bool:
    """`min_callers` distinct callers within the last `within_hours`."""
    since = now - timedelta(hours=rule.within_hours)
    recent = {m.caller for m in cluster.members if m.created_at >= since}
    return len(recent) >= rule.min_callers


def get_cluster(session: Session, cluster_id: int) -> HotspotCluster:
    row = session.get(HotspotCluster, cluster_id)
    if row is None:
        raise NotFound("热点不存在", code="hotspot_not_found")
    return row


def list_clusters(
    session: Session, *, min_orders: int = 2, alerted: bool | None = None, limit: int = 50
) -> list[HotspotCluster]:
    stmt = select(HotspotCluster).where(HotspotCluster.orders >= min_orders)
    if alerted is True:
        stmt = stmt.where(HotspotCluster.alerted_at.is_not(None))
    elif alerted is False:
        stmt = stmt.where(HotspotCluster.alerted_at.is_(None))
    stmt = stmt.order_by(HotspotCluster.score.desc(), HotspotCluster.id).limit(limit)
    return list(session.scalars(stmt))


def member_orders(session: Session, cluster_id: int) -> list[Order]:
    return list(session.scalars(
        select(Order).join(HotspotMember, HotspotMember.order_id == Order.id)
        .where(HotspotMember.cluster_id == cluster_id, HotspotMember.left_at.is_(None))
        .order_by(Order.received_at, Order.id)
    ))
