"""Unit handler: my unit's open orders by deadline, made for a 360 px phone screen.

Overdue orders are red, those due within 24 hours amber. Signing is one tap here; the rest
(call the citizen, notes, extension, reply, return) happens on the order page.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jiesu.core import clock
from jiesu.core.api import SessionDep
from jiesu.core.roles import Principal, Role
from jiesu.orders.models import Order, OrderAssignment
from jiesu.web.common import PagePrincipal, needs, render

router = APIRouter()
PAGE = 50


def my_orders(
    session: Session, principal: Principal, limit: int = PAGE
) -> list[tuple[Order, str]]:
    """Open orders with an active assignment to my unit (and as what), soonest deadline first."""
    stmt = (
        select(Order, OrderAssignment.role)
        .join(OrderAssignment, OrderAssignment.order_id == Order.id)
        .where(
            OrderAssignment.unit_id == principal.unit_id,
            OrderAssignment.active.is_(True),
            Order.is_open.is_(True),
        )
        .order_by(Order.reply_due_at.is_(None), Order.reply_due_at, Order.id)
        .limit(limit)
    )
    return [(order, role) for order, role in session.execute(stmt)]


def counts(session: Session, principal: Principal) -> dict[str, int]:
    now = clock.now()
    base = (
        select(func.count(func.distinct(Order.id)))
        .join(OrderAssignment, OrderAssignment.order_id == Order.id)
        .where(
            OrderAssignment.unit_id == principal.unit_id,
            OrderAssignment.active.is_(True),
            Order.is_open.is_(True),
        )
    )
    return {
        "open": session.scalar(base) or 0,
        "overdue": session.scalar(base.where(Order.reply_due_at < now)) or 0,
        "near": session.scalar(base.where(
            Order.reply_due_at >= now, Order.reply_due_at < now + timedelta(hours=24)
        )) or 0,
    }


@router.get("/unit", response_class=HTMLResponse)
def unit_home(request: Request, session: SessionDep, principal: PagePrincipal) -> HTMLResponse:
    needs(principal, Role.handler)
    from jiesu.units.models import Unit

    unit = session.get(Unit, principal.unit_id) if principal.unit_id else None
    return render(
        request, "handler.html", principal, rows=my_orders(session, principal),
        counts=counts(session, principal), unit=unit,
    )
