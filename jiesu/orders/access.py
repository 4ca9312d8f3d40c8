"""Who may read and act on an order: the centre sees all, a unit only its own orders.

A unit's handlers see orders with an active assignment to their unit (lead, assisting,
delegated community, or the district's read-only copy of a street order). Anything else is
answered as "not found", so a handler learns nothing about other units' orders.
"""

from __future__ import annotations

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import Session

from jiesu.core.errors import NotAllowed, NotFound
from jiesu.core.roles import Principal, Role
from jiesu.orders.models import AssignmentRole, Order, OrderAssignment

ACTING_ROLES = frozenset({AssignmentRole.lead.value, AssignmentRole.delegate.value})


def assignment_roles(session: Session, principal: Principal, order_id: int) -> set[str]:
    if principal.unit_id is None:
        return set()
    rows = session.scalars(
        select(OrderAssignment.role).where(
            OrderAssignment.order_id == order_id,
            OrderAssignment.unit_id == principal.unit_id,
            OrderAssignment.active.is_(True),
        )
    )
    return set(rows)


def can_read(session: Session, principal: Principal, order: Order) -> bool:
    if principal.sees_all_orders:
        return True
    if principal.role is not Role.handler:
        return False
    if order.assignee_id == principal.user_id:
        return True
    return bool(assignment_roles(session, principal, order.id))


def ensure_readable(session: Session, principal: Principal, order: Order | None) -> Order:
    if order is None or not can_read(session, principal, order):
        raise NotFound("工单不存在或无权查看", code="order_not_found")
    return order


def ensure_handler_may_act(
    session: Session, principal: Principal, order: Order, *, assisting: bool = False
) -> None:
    """A handler acts only for the lead (or delegated) unit; assisting units only report."""
    roles = assignment_roles(session, principal, order.id)
    allowed = {AssignmentRole.assist.value} if assisting else ACTING_ROLES
    if order.assignee_id == principal.user_id and not assisting:
        return
    if not roles & allowed:
        raise NotAllowed("本单位不是该工单的承办单位，不能办理", code="not_handling_unit")


def visible_filter(principal: Principal, stmt: Select[Order]) -> Select[Order]:
    if principal.sees_all_orders:
        return stmt
    if principal.role is not Role.handler or principal.unit_id is None:
        return stmt.where(Order.id.is_(None))
    assigned = exists().where(
        OrderAssignment.order_id == Order.id,
        OrderAssignment.unit_id == principal.unit_id,
        OrderAssignment.active.is_(True),
    )
    return stmt.where(or_(assigned, Order.assignee_id == principal.user_id))
