"""Indexes the rate queries need, kept beside the queries that use them.

The monthly rates read a range of `orders.dispatched_at` (each order's dispatch to its
current lead unit); return events are read by (action, at), an index orders already has.
See docs/decisions/0006-rates.md for why an index and not a pre-aggregated table.
"""

from __future__ import annotations

from sqlalchemy import Index

from jiesu.orders.models import Order

ix_orders_dispatched = Index("ix_orders_dispatched", Order.dispatched_at, Order.lead_unit_id)
