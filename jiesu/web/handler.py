"""Unit handler: my unit's open orders by deadline, made for a 360 px phone screen.

Overdue orders are red, those due within 24 hours amber. Signing is one tap here; the rest
(call the citizen, notes, extension, reply, return) happens on the order page.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jiesu.core import clock
from jiesu.core.api import SessionDep
from jiesu.core.roles import Principal, Role
from jiesu.orders.models import AssignmentRole, Order, OrderAssignment
from jiesu.orders.statemachine import State
from jiesu.web.common import PagePrincipal, needs, render

router = APIRouter()
PAGE = 50


NOT_LEAD = [AssignmentRole.assist.value, AssignmentRole.delegate.value, AssignmentRole.copy.value]
# States in which an order is with a unit; its reply deadline runs.
WORKING = [State.dispatched.value, State.signed.value, State.in_progress.value,
           State.reopened.value]


SORTS = {"due": "答复时限（最近在前）", "received": "受理时间（最新在前）",
         "urgency": "紧急程度（紧急在前）"}
_URGENCY_RANK = {"emergency": 0, "urgent": 1, "ordinary": 2}


def my_orders(
    session: Session, principal: Principal, limit: int = PAGE, *, state: str | None = None,
    urgency: str | None = None, overdue: bool = False, sort: str = "due",
) -> list[tuple[Order, str]]:
    """My unit's open orders (and as what), soonest reply deadline first by default.

    Orders it leads come from one range scan of ix_orders_lead_overdue (lead_unit_id, is_open,
    reply_due_at) in deadline order; orders it assists, was passed or is copied come from its
    non-lead assignments. Both are merged in the chosen order. Filters: state, urgency, overdue.
    """
    now = clock.now()
    if sort == "received":
        ordering: tuple[Any, ...] = (Order.received_at.desc(), Order.id)
    else:
        ordering = (Order.reply_due_at.asc().nulls_last(), Order.id)
    conditions: list[Any] = [Order.is_open.is_(True)]
    if state:
        conditions.append(Order.state == state)
    if urgency:
        conditions.append(Order.urgency == urgency)
    if overdue:
        conditions.append(Order.reply_due_at < now)
    led = (
        select(Order)
        .where(Order.lead_unit_id == principal.unit_id, Order.state.in_(WORKING), *conditions)
        .order_by(*ordering)
        .limit(limit)
    )
    rows = [(order, "lead") for order in session.scalars(led)]
    others = (
        select(Order, OrderAssignment.role)
        .join(OrderAssignment, OrderAssignment.order_id == Order.id)
        .where(
            OrderAssignment.unit_id == principal.unit_id,
            OrderAssignment.active.is_(True),
            OrderAssignment.role.in_(NOT_LEAD),
            *conditions,
        )
        .order_by(*ordering)
        .limit(limit)
    )
    seen = {order.id for order, _ in rows}
    rows += [(o, role) for o, role in session.execute(others) if o.id not in seen]
    far = datetime.max.replace(tzinfo=UTC)

    def due(order: Order) -> datetime:
        return clock.as_aware(order.reply_due_at) if order.reply_due_at else far

    if sort == "received":
        rows.sort(key=lambda r: (-clock.as_aware(r[0].received_at).timestamp(), r[0].id))
    elif sort == "urgency":
        rows.sort(key=lambda r: (_URGENCY_RANK.get(r[0].urgency, 3), due(r[0]), r[0].id))
    else:
        rows.sort(key=lambda r: (due(r[0]), r[0].id))
    return rows[:limit]


def counts(session: Session, principal: Principal) -> dict[str, int]:
    """Open / overdue / due within 24 h of the orders my unit leads: one pass over the range
    of ix_orders_lead_overdue."""
    now = clock.now()
    stmt = select(
        func.count(),
        func.count().filter(Order.reply_due_at < now),
        func.count().filter(Order.reply_due_at >= now,
                            Order.reply_due_at < now + timedelta(hours=24)),
    ).where(
        Order.lead_unit_id == principal.unit_id, Order.is_open.is_(True),
        Order.state.in_(WORKING),
    )
    total, overdue, near = session.execute(stmt).one()
    return {"open": int(total), "overdue": int(overdue), "near": int(near)}


@router.get("/unit", response_class=HTMLResponse)
def unit_home(
    request: Request, session: SessionDep, principal: PagePrincipal, state: str = "",
    urgency: str = "", overdue: str = "", sort: str = "due",
) -> HTMLResponse:
    needs(principal, Role.handler)
    from jiesu.core.settings import get_settings
    from jiesu.units.models import Unit

    unit = session.get(Unit, principal.unit_id) if principal.unit_id else None
    state = state if state in WORKING else ""
    urgency = urgency if urgency in _URGENCY_RANK else ""
    sort = sort if sort in SORTS else "due"
    rows = my_orders(session, principal, state=state or None, urgency=urgency or None,
                     overdue=overdue == "1", sort=sort)
    return render(
        request, "handler.html", principal, rows=rows, counts=counts(session, principal),
        unit=unit, sorts=SORTS, working=WORKING,
        v={"state": state, "urgency": urgency, "overdue": overdue, "sort": sort},
        may_call=principal.role.value in get_settings().unmasked_phone_roles,
    )
