"""What the rates count of a group of received orders: one definition for the plain query
(jiesu/insights/rates.py) and the daily rollup (jiesu/insights/rollup.py), so that a month
summed from days is the month counted at once. Definitions: docs/decisions/0006-rates.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_

from jiesu.insights.rules import RateRules
from jiesu.orders.models import Order, OrderEvent

UNCATEGORISED = "未分类"


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _seconds(later: Any, earlier: Any, dialect: str) -> ColumnElement[Any]:
    """Whole seconds between two times: integers add up exactly in any order, so a month
    summed from days (jiesu/insights/rollup.py) equals the month summed at once."""
    if dialect == "postgresql":
        return func.round(func.extract("epoch", later - earlier))
    return func.round((func.julianday(later) - func.julianday(earlier)) * 86400.0)


def figures(rules: RateRules, now: datetime, dialect: str) -> list[ColumnElement[Any]]:
    """Every count of a group of received orders, labelled as RateRow's fields (FIGURES)."""
    # COALESCE: an open order has no close reason, and NULL IN (...) is NULL, not false.
    judged = func.coalesce(Order.close_reason, "").in_(rules.judged_apart)
    visited = and_(Order.visit_satisfaction.is_not(None), ~judged)
    replied = Order.replied_at.is_not(None)
    overdue = and_(Order.reply_due_at.is_not(None), or_(
        and_(replied, Order.replied_at > Order.reply_due_at),
        and_(~replied, Order.is_open.is_(True), Order.reply_due_at < now),
    ))
    return [
        func.count().label("received"),
        _count(and_(Order.signed_at <= Order.sign_due_at,
                    Order.contacted_at <= Order.contact_due_at)).label("responded"),
        _count(visited).label("visited"),
        _count(and_(visited, Order.visit_solved.is_(True))).label("solved"),
        _count(and_(visited, Order.visit_satisfaction == "satisfied")).label("satisfied"),
        _count(and_(visited, Order.visit_satisfaction == "basically")).label("basically"),
        _count(and_(visited, Order.visit_satisfaction == "dissatisfied")).label("dissatisfied"),
        _count(judged).label("judged_apart"),
        _count(Order.close_reason == "unreachable").label("unreachable"),
        _count(Order.close_reason == "visit_skipped").label("visit_skipped"),
        func.coalesce(func.sum(Order.dispatch_count - 1), 0).label("redispatched"),
        _count(overdue).label("overdue"),
        _count(replied).label("replied"),
        func.coalesce(func.sum(case(
            (replied, _seconds(Order.replied_at, Order.dispatched_at, dialect)), else_=0
        )), 0).label("handling_seconds"),
    ]


FIGURES: tuple[str, ...] = ("received", "responded", "visited", "solved", "satisfied",
                            "basically", "dissatisfied", "judged_apart", "unreachable",
                            "visit_skipped", "redispatched", "overdue", "replied",
                            "handling_seconds")


def received_in(first: datetime, end: datetime, rules: RateRules) -> list[ColumnElement[bool]]:
    """The orders a unit received in [first, end): dispatched to it then, not excluded."""
    return [Order.dispatched_at >= first, Order.dispatched_at < end,
            Order.state.not_in(rules.excluded_states), Order.lead_unit_id.is_not(None)]


def returned_in(first: datetime, end: datetime) -> list[ColumnElement[bool]]:
    """The return events of [first, end) that count for a unit: by the unit that returned."""
    return [OrderEvent.action == "return_order", OrderEvent.at >= first, OrderEvent.at < end,
            OrderEvent.unit_id.is_not(None)]
