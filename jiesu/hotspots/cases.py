"""Joint cases (联办) from hot spots. Every step is an action on each order (an event):

- `open_case`: the cluster's open orders are linked to a new case (`link_case`); opened by a
  dispatcher, those still waiting go to the lead unit with the assisting units (`dispatch`).
- `dispatch_case`: a dispatcher sends the case's waiting orders to the lead unit (a case a
  supervisor opened, orders linked later).
- `reply_case`: the lead unit answers once; each member it leads is signed, contacted and
  replied in turn (`sign`, `contact`, `reply`), so each citizen is answered and each order
  still goes to its own return visit.
- `split_out`: a wrongly joined order leaves the case (`unlink_case`) and the cluster.
- Orders that join the cluster later are proposed, not linked: the member row keeps the case
  (`proposed_case_id`) and the order page says "this may belong to case N".
- `case_at_intake`: the same proposal while the agent types, before the order exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jiesu.core import clock
from jiesu.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from jiesu.core.roles import Principal, Role
from jiesu.hotspots import live, service
from jiesu.hotspots.detector import Message
from jiesu.hotspots.models import HotspotCluster, HotspotMember, JointCase
from jiesu.orders import schemas as os_
from jiesu.orders import service as orders
from jiesu.orders.models import Order
from jiesu.orders.statemachine import Action
from jiesu.units.models import Unit

CASE_ROLES = frozenset({Role.dispatcher, Role.supervisor})
WAITING = frozenset({"received", "returned"})


def _unit(session: Session, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise InvalidInput("单位不存在", code="unknown_unit", details={"unit_id": unit_id})
    return unit


def open_case(
    session: Session, principal: Principal, cluster_id: int, *, lead_unit_id: int,
    assisting_unit_ids: list[int], title: str | None = None, note: str = "",
) -> JointCase:
    if principal.role not in CASE_ROLES:
        raise NotAllowed("只有派单员或督办员可以成立联办案件", code="role_not_allowed")
    cluster = service.get_cluster(session, cluster_id)
    if cluster.case_id is not None:
        raise Conflict("该热点已成立联办案件", code="already_a_case",
                       details={"case_id": cluster.case_id})
    _unit(session, lead_unit_id)
    assisting = [u for u in dict.fromkeys(assisting_unit_ids) if u != lead_unit_id]
    for u in assisting:
        _unit(session, u)
    members = [o for o in service.member_orders(session, cluster_id) if o.is_open]
    if not members:
        raise InvalidInput("热点中没有在办工单", code="no_open_orders")
    case = orders.create_case(session, principal, os_.CaseCreate(
        title=(title or f"联办：{cluster.place or ''}{cluster.title}")[:200], note=note,
        order_ids=[o.id for o in members],
    ))
    # Dispatching is the dispatchers' (the state machine's rule): opened by a supervisor, the
    # waiting orders are linked and wait in the queue for the lead unit recorded here.
    for o in members:
        if o.state in WAITING and principal.role is Role.dispatcher:
            orders.act(session, principal, o.id, Action.dispatch, os_.Dispatch(
                lead_unit_id=lead_unit_id, assisting_unit_ids=assisting,
                note=f"联办案件 {case.id}：{cluster.title}"[:2000],
            ))
    cluster.case_id, cluster.status = case.id, "case"
    row = JointCase(case_id=case.id, cluster_id=cluster.id, lead_unit_id=lead_unit_id,
                    assisting_unit_ids=assisting, created_by_id=principal.user_id,
                    created_at=clock.now())
    session.add(row)
    session.flush()
    return row


def dispatch_case(
    session: Session, principal: Principal, case_id: int, note: str = ""
) -> list[int]:
    """Send the case's waiting orders (received, or returned to the centre) to the lead unit
    with the assisting units: what `open_case` does when a dispatcher opens it, for a case a
    supervisor opened or orders linked later. Dispatching is the dispatchers'."""
    case = get_case(session, case_id)
    if principal.role is not Role.dispatcher:
        raise NotAllowed("只有派单员可以派单", code="role_not_allowed")
    cluster = session.get(HotspotCluster, case.cluster_id)
    done: list[int] = []
    for o in case_orders(session, case_id):
        if o.state not in WAITING:
            continue
        orders.act(session, principal, o.id, Action.dispatch, os_.Dispatch(
            lead_unit_id=case.lead_unit_id, assisting_unit_ids=list(case.assisting_unit_ids),
            note=(note or f"联办案件 {case_id}：{cluster.title if cluster else ''}")[:2000],
        ))
        done.append(o.id)
    return done


def may_view(principal: Principal, case: JointCase) -> bool:
    """The centre's dispatchers and supervisors, and the handlers of the lead and assisting
    units."""
    if principal.role in CASE_ROLES:
        return True
    return principal.role is Role.handler and principal.unit_id is not None and (
        principal.unit_id == case.lead_unit_id or principal.unit_id in case.assisting_unit_ids)


def case_for_order(session: Session, order: Order) -> JointCase | None:
    """The joint case an order is linked to, if its case came from a hot spot."""
    return None if order.case_id is None else session.get(JointCase, order.case_id)


def get_case(session: Session, case_id: int) -> JointCase:
    row = session.get(JointCase, case_id)
    if row is None:
        raise NotFound("联办案件不存在", code="case_not_found")
    return row


def case_orders(session: Session, case_id: int) -> list[Order]:
    return list(session.scalars(
        select(Order).where(Order.case_id == case_id).order_by(Order.received_at, Order.id)
    ))


@dataclass(frozen=True)
class CaseReply:
    replied: list[int]
    skipped: dict[int, str]  # order id -> why not (another unit leads it, already replied …)


def reply_case(
    session: Session, principal: Principal, case_id: int, *, outcome: str, reply: str
) -> CaseReply:
    """The lead unit's one answer, given to every member order it leads."""
    case = get_case(session, case_id)
    if principal.role is not Role.handler or principal.unit_id != case.lead_unit_id:
        raise NotAllowed("只有联办案件的主办单位可以统一答复", code="not_lead_unit")
    body = os_.Reply.model_validate({"outcome": outcome, "reply": reply})
    replied: list[int] = []
    skipped: dict[int, str] = {}
    for o in case_orders(session, case_id):
        if o.state in WAITING:
            skipped[o.id] = "not_dispatched"  # a dispatcher sends it to the lead unit first
            continue
        if o.lead_unit_id != case.lead_unit_id:
            skipped[o.id] = "other_lead_unit"
            continue
        if o.state in {"dispatched", "reopened"}:
            orders.act(session, principal, o.id, Action.sign, os_.ActionBase())
        if o.state == "signed":
            orders.act(session, principal, o.id, Action.contact,
                       os_.Contact(method="phone", note=f"联办案件 {case_id} 统一答复"))
        if o.state != "in_progress":
            skipped[o.id] = o.state
            continue
        orders.act(session, principal, o.id, Action.reply, body)
        replied.append(o.id)
    case.replied_at = clock.now()
    session.flush()
    return CaseReply(replied, skipped)


def split_out(
    session: Session, principal: Principal, case_id: int, order_id: int, reason: str
) -> Order:
    """Take a wrongly joined order out of the case and out of its cluster."""
    case = get_case(session, case_id)
    order = session.get(Order, order_id)
    if order is None or order.case_id != case_id:
        raise InvalidInput("该工单不在此联办案件中", code="not_in_case")
    done = orders.act(session, principal, order_id, Action.unlink_case,
                      os_.UnlinkCase(reason=reason))
    member = session.scalars(select(HotspotMember).where(
        HotspotMember.order_id == order_id, HotspotMember.cluster_id == case.cluster_id,
        HotspotMember.left_at.is_(None),
    )).first()
    if member is not None:
        member.left_at = clock.now()
        cluster = session.get(HotspotCluster, case.cluster_id)
        with live.lock():
            rule = service.current_rule(session)
            index = live.live_index(session, rule.window_days, clock.now())
            index.remove(case.cluster_id, str(order_id))
            if cluster is not None and case.cluster_id in index.clusters:
                service.refresh(cluster, index.clusters[case.cluster_id], clock.now())
        session.flush()
        live.forget()  # the tables changed under every process's index: rebuild on next use
    return done


def link_proposed(session: Session, principal: Principal, order_id: int) -> Order:
    """Accept the proposal: link the order to the case its cluster became."""
    member = session.scalars(select(HotspotMember).where(
        HotspotMember.order_id == order_id, HotspotMember.proposed_case_id.is_not(None),
        HotspotMember.left_at.is_(None),
    )).first()
    if member is None or member.proposed_case_id is None:
        raise InvalidInput("该工单没有联办案件建议", code="no_case_proposal")
    return orders.act(session, principal, order_id, Action.link_case,
                      os_.LinkCase(case_id=member.proposed_case_id))


def proposal_for(session: Session, order_id: int) -> int | None:
    """The case an order may belong to (its cluster is a joint case it is not linked to)."""
    row = session.execute(
        select(HotspotMember.proposed_case_id, Order.case_id)
        .join(Order, Order.id == HotspotMember.order_id)
        .where(HotspotMember.order_id == order_id, HotspotMember.left_at.is_(None))
    ).first()
    if row is None or row[0] is None or row[1] == row[0]:
        return None
    return int(row[0])


@dataclass(frozen=True)
class IntakeMatch:
    """What the agent sees while typing: the joint case the text may belong to."""

    case_id: int
    cluster_id: int
    title: str
    place: str | None
    similarity: float
    lead_unit: str
    open_orders: int


def warm_up() -> None:
    """Build the joint cases' index and its word weights while a server starts, so the first
    agent's keystroke does not (1.6 s on the demo data; a served process runs this in a
    thread, see jiesu.main)."""
    from jiesu.core.db import session_scope

    with session_scope() as session:
        rule = service.current_rule(session)
        with live.lock():
            live.case_index(session, rule.window_days)


def case_at_intake(
    session: Session, *, text: str, title: str | None, street_code: str | None, now: datetime
) -> IntakeMatch | None:
    """The open joint case whose cluster the typed text would join (same street, same place,
    similar matter, inside the centre's window), or None. Nothing is stored."""
    if not text.strip() or not street_code:
        return None
    rule = service.current_rule(session)
    msg = Message(id="intake", title=title or "", body=text, created_at=now, area=street_code)
    with live.lock():
        got = live.case_index(session, rule.window_days).peek(msg)
    if got is None:
        return None
    cluster = session.get(HotspotCluster, got.cluster_id)
    if cluster is None or cluster.case_id is None:
        return None
    case = session.get(JointCase, cluster.case_id)
    if case is None:
        return None
    # Through the cluster's members (indexed), not a search of all orders by case.
    open_orders = int(session.scalar(
        select(func.count(Order.id)).join(HotspotMember, HotspotMember.order_id == Order.id)
        .where(HotspotMember.cluster_id == cluster.id, HotspotMember.left_at.is_(None),
               Order.case_id == case.case_id, Order.is_open.is_(True))
    ) or 0)
    if not open_orders:
        return None  # every member is closed: the case is over, a new order starts afresh
    lead = session.get(Unit, case.lead_unit_id)
    return IntakeMatch(
        case_id=case.case_id, cluster_id=cluster.id, title=cluster.title, place=cluster.place,
        similarity=got.similarity, lead_unit=lead.name if lead is not None else "",
        open_orders=open_orders,
    )


def intake_message(match: IntakeMatch) -> str:
    where = f"{match.place}，" if match.place else ""
    return (f"可能属于联办案件 {match.case_id}：{where}{match.title}"
            f"（主办：{match.lead_unit}，在办 {match.open_orders} 件）")
