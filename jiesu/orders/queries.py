"""Read-side queries: search and filter with paging, overdue lists, a caller's history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from jiesu.core import clock
from jiesu.core.roles import Principal
from jiesu.orders import access
from jiesu.orders.models import Order, Praise


@dataclass(frozen=True)
class OrderFilter:
    state: str | None = None
    unit_id: int | None = None
    district_code: str | None = None
    street_code: str | None = None
    category: str | None = None
    type: str | None = None
    urgency: str | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None
    overdue: bool | None = None
    text: str | None = None
    phone: str | None = None
    case_id: int | None = None


def apply_filter(stmt: Select[Order], f: OrderFilter, now: datetime) -> Select[Order]:
    if f.state:
        stmt = stmt.where(Order.state.in_(f.state.split(",")))
    if f.unit_id is not None:
        stmt = stmt.where(Order.lead_unit_id == f.unit_id)
    if f.district_code:
        stmt = stmt.where(Order.district_code == f.district_code)
    if f.street_code:
        stmt = stmt.where(Order.street_code == f.street_code)
    if f.category:
        stmt = stmt.where(Order.category == f.category)
    if f.type:
        stmt = stmt.where(Order.type == f.type)
    if f.urgency:
        stmt = stmt.where(Order.urgency == f.urgency)
    if f.received_from:
        stmt = stmt.where(Order.received_at >= f.received_from)
    if f.received_to:
        stmt = stmt.where(Order.received_at < f.received_to)
    if f.overdue is True:
        stmt = stmt.where(Order.is_open.is_(True), Order.reply_due_at < now)
    elif f.overdue is False:
        stmt = stmt.where(or_(Order.reply_due_at.is_(None), Order.reply_due_at >= now))
    if f.text:
        pattern = f"%{f.text}%"
        stmt = stmt.where(
            or_(Order.title.like(pattern), Order.text.like(pattern), Order.number == f.text)
        )
    if f.phone:
        stmt = stmt.where(phone_condition(f.phone))
    if f.case_id is not None:
        stmt = stmt.where(Order.case_id == f.case_id)
    return stmt


def phone_condition(value: str) -> ColumnElement[bool]:
    """A full number matches exactly; a masked one as the pages show it ("138****5678") or the
    last digits alone ("尾号 5678", four or more) match by their visible digits."""
    value = value.strip()
    if "*" in value:
        head, _, tail = value.partition("*")
        tail = tail.lstrip("*")
        return and_(Order.citizen_phone.like(f"{head}%"), Order.citizen_phone.like(f"%{tail}"),
                    func.length(Order.citizen_phone) >= len(value))
    if 4 <= len(value) < 7:
        return Order.citizen_phone.like(f"%{value}")
    return Order.citizen_phone == value


def search(
    session: Session,
    principal: Principal,
    f: OrderFilter,
    *,
    offset: int = 0,
    limit: int = 50,
    order_by: str = "-received_at",
) -> tuple[Sequence[Order], int]:
    now = clock.now()
    stmt = apply_filter(access.visible_filter(principal, select(Order)), f, now)
    count = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.scalars(stmt.order_by(*ordering(order_by)).offset(offset).limit(limit)).all()
    return rows, count


def ordering(order_by: str) -> tuple[Any, ...]:
    """"-received_at" (newest first), "reply_due_at" (soonest deadline first), ...; ties by id.
    Orders without a deadline come last either way."""
    column = {
        "received_at": Order.received_at,
        "reply_due_at": Order.reply_due_at,
        "id": Order.id,
    }.get(order_by.lstrip("-"), Order.received_at)
    direction = column.desc() if order_by.startswith("-") else column.asc()
    if column is Order.reply_due_at:
        return (Order.reply_due_at.is_(None), direction, Order.id)
    return (direction, Order.id)


def overdue_for_unit(
    session: Session, unit_id: int, *, limit: int = 100, now: datetime | None = None
) -> Sequence[Order]:
    """One index range scan on (lead_unit_id, is_open, reply_due_at)."""
    now = now or clock.now()
    stmt = (
        select(Order)
        .where(Order.lead_unit_id == unit_id, Order.is_open.is_(True), Order.reply_due_at < now)
        .order_by(Order.reply_due_at)
        .limit(limit)
    )
    return session.scalars(stmt).all()


def overdue_for_centre(
    session: Session, *, limit: int = 100, now: datetime | None = None
) -> Sequence[Order]:
    now = now or clock.now()
    stmt = (
        select(Order)
        .where(Order.is_open.is_(True), Order.reply_due_at < now)
        .order_by(Order.reply_due_at)
        .limit(limit)
    )
    return session.scalars(stmt).all()


def praise_counts(session: Session, *, by: str = "unit") -> list[tuple[int | None, int]]:
    column = Praise.unit_id if by == "unit" else Praise.handler_id
    stmt = select(column, func.count()).group_by(column).order_by(func.count().desc())
    return [(key, count) for key, count in session.execute(stmt)]
