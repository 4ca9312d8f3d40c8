"""The supervisor's live figures, each one indexed query on the orders table: today's
volume by hour, open orders by state, overdue orders by lead unit. (The three rates come
from `jiesu.insights.rates`.)
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jiesu.core import clock
from jiesu.orders.models import Order
from jiesu.orders.statemachine import OPEN_STATES


def local_midnight(now: datetime) -> datetime:
    day = clock.local(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return day


def volume_by_hour(session: Session, now: datetime) -> list[int]:
    """Orders received today (local time), per local hour: one range scan on received_at."""
    start = local_midnight(now)
    if session.get_bind().dialect.name == "postgresql":
        # extract() on timestamptz follows the session's TimeZone: pin it to UTC.
        hour = func.extract("hour", func.timezone("UTC", Order.received_at))
    else:
        hour = func.extract("hour", Order.received_at)
    stmt = (
        select(hour, func.count())
        .where(Order.received_at >= start, Order.received_at < start + timedelta(days=1))
        .group_by(hour)
    )
    counts = [0] * 24
    offset = int((start.utcoffset() or timedelta(0)).total_seconds() // 3600)
    for utc_hour, count in session.execute(stmt):
        counts[(int(utc_hour) + offset) % 24] += int(count)
    return counts


def open_by_state(session: Session) -> dict[str, int]:
    """Index-only on (state, received_at) for the open states."""
    states = sorted(s.value for s in OPEN_STATES)
    stmt = select(Order.state, func.count()).where(Order.state.in_(states)).group_by(Order.state)
    found = {state: int(count) for state, count in session.execute(stmt)}
    return {state: found.get(state, 0) for state in states}


def overdue_by_unit(session: Session, now: datetime, limit: int = 15) -> list[tuple[int, str, int]]:
    stmt = (
        select(Order.lead_unit_id, func.count())
        .where(Order.is_open.is_(True), Order.reply_due_at < now,
               Order.lead_unit_id.is_not(None))
        .group_by(Order.lead_unit_id)
        .order_by(func.count().desc())
        .limit(limit)
    )
    rows = [(int(uid or 0), int(count)) for uid, count in session.execute(stmt)]
    names = _names(session, {uid for uid, _ in rows})
    return [(uid, names.get(uid, str(uid)), count) for uid, count in rows]


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    from jiesu.web.common import unit_names

    return unit_names(session, ids)
