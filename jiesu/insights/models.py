"""The rates' indexes and their daily rollup tables, kept beside the queries that use them.

The monthly rates read a range of `orders.dispatched_at` (each order's dispatch to its
current lead unit); return events are read by (action, at), an index orders already has.
Since migration 0022 the index carries the columns the rates count (PostgreSQL); since 0024
a report sums rates_daily for the days it has exact and reads orders only for the others
(jiesu/insights/rollup.py, docs/decisions/0021-rates-rollup.md).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from jiesu.core.db import Base
from jiesu.orders.models import Order

# The columns the rates count ride along (PostgreSQL INCLUDE, migration 0022), so a month is
# one index-only range scan, not the table's rows (at 10M orders the planner read the table).
RATES_COLUMNS = ("state", "is_open", "close_reason", "visit_satisfaction", "visit_solved",
                 "signed_at", "sign_due_at", "contacted_at", "contact_due_at", "replied_at",
                 "reply_due_at", "dispatch_count", "category")
ix_orders_dispatched = Index("ix_orders_dispatched", Order.dispatched_at, Order.lead_unit_id,
                             postgresql_include=list(RATES_COLUMNS))
# The report's "returned, waiting to be re-dispatched" count (migration 0022): a few percent
# of the orders, so a partial index instead of the month's whole range.
ix_orders_returned = Index("ix_orders_returned", Order.dispatched_at,
                           postgresql_where=text("state = 'returned'"),
                           sqlite_where=text("state = 'returned'"))

# The report's intake exclusions, a few percent of the orders (migration 0025).
AT_INTAKE = "close_reason IN ('not_accepted', 'answered_on_call') OR state = 'merged'"
ix_orders_excluded_at_intake = Index("ix_orders_excluded_at_intake", Order.received_at,
                                     postgresql_include=["close_reason", "state"],
                                     postgresql_where=text(AT_INTAKE),
                                     sqlite_where=text(AT_INTAKE))


class RatesDaily(Base):
    """The rates' counts of one China-time day of dispatches, per lead unit and category:
    the month's report sums these for the days they are exact (jiesu/insights/rollup.py,
    docs/decisions/0021-rates-rollup.md)."""

    __tablename__ = "rates_daily"

    day: Mapped[date] = mapped_column(primary_key=True)
    lead_unit_id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(60), primary_key=True)
    received: Mapped[int]
    responded: Mapped[int]
    visited: Mapped[int]
    solved: Mapped[int]
    satisfied: Mapped[int]
    basically: Mapped[int]
    dissatisfied: Mapped[int]
    judged_apart: Mapped[int]
    unreachable: Mapped[int]
    visit_skipped: Mapped[int]
    redispatched: Mapped[int]
    overdue: Mapped[int]
    replied: Mapped[int]
    handling_seconds: Mapped[int] = mapped_column(BigInteger)
    # Open, unreplied orders' reply deadlines nearest before and after the computing time:
    # the overdue count holds while the report's `now` stays between them.
    due_before: Mapped[datetime | None]
    due_after: Mapped[datetime | None]


class RatesReturns(Base):
    """Return events of one China-time day by the returning unit and the order's category
    (migration 0025): the returns of rates_daily's days."""

    __tablename__ = "rates_returns"

    day: Mapped[date] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(60), primary_key=True)
    returned: Mapped[int]


class RatesDay(Base):
    """A day of rates_daily and when it is exact: computed under these rules, at this time,
    its overdue count valid for a report time in (valid_after, valid_until]."""

    __tablename__ = "rates_days"

    day: Mapped[date] = mapped_column(primary_key=True)
    rules_key: Mapped[str] = mapped_column(String(400))
    computed_at: Mapped[datetime]
    valid_after: Mapped[datetime | None]
    valid_until: Mapped[datetime | None]


class RatesDirty(Base):
    """A day whose orders changed after its rates_daily rows were made: written by database
    triggers on orders (every write path, COPY included), consumed by the refresh job.
    Append-only, so concurrent writers never wait on each other."""

    __tablename__ = "rates_dirty"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True)
    day: Mapped[date] = mapped_column(index=True)
