"""Indexes the rate queries need, kept beside the queries that use them.

The monthly rates read a range of `orders.dispatched_at` (each order's dispatch to its
current lead unit); return events are read by (action, at), an index orders already has.
See docs/decisions/0006-rates.md for why an index and not a pre-aggregated table; since
migration 0022 the index also carries the columns the rates count (PostgreSQL), which keeps a
month at 10,000,000 orders near a second.
"""

from __future__ import annotations

from sqlalchemy import Index, text

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
