"""The monthly rates read indexes only (PostgreSQL): ix_orders_dispatched carries the columns
the rates count, ix_orders_received the two the report's exclusions read; and the orders
returned and not yet re-dispatched get a small partial index of their own (both databases).

At 10,000,000 orders the planner read the whole table for one month's rates (2.5 GB, 3.8 s);
with the columns INCLUDEd the month is one index-only range scan (docs/bench.md). SQLite has
no INCLUDE: there the indexes stay as they were.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 02:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RATES_COLUMNS = ["state", "is_open", "close_reason", "visit_satisfaction", "visit_solved",
                 "signed_at", "sign_due_at", "contacted_at", "contact_due_at", "replied_at",
                 "reply_due_at", "dispatch_count", "category"]
EXCLUSION_COLUMNS = ["close_reason", "state"]


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


RETURNED = "state = 'returned'"


def upgrade() -> None:
    op.create_index("ix_orders_returned", "orders", ["dispatched_at"],
                    postgresql_where=sa.text(RETURNED), sqlite_where=sa.text(RETURNED))
    if not _postgresql():
        return
    op.drop_index("ix_orders_dispatched", table_name="orders")
    op.create_index("ix_orders_dispatched", "orders", ["dispatched_at", "lead_unit_id"],
                    postgresql_include=RATES_COLUMNS)
    op.drop_index("ix_orders_received", table_name="orders")
    op.create_index("ix_orders_received", "orders", ["received_at"],
                    postgresql_include=EXCLUSION_COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_orders_returned", table_name="orders")
    if not _postgresql():
        return
    op.drop_index("ix_orders_received", table_name="orders")
    op.create_index("ix_orders_received", "orders", ["received_at"])
    op.drop_index("ix_orders_dispatched", table_name="orders")
    op.create_index("ix_orders_dispatched", "orders", ["dispatched_at", "lead_unit_id"])
