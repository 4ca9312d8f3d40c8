"""Indexes of the pages: the dispatcher's queue (orders by state and urgency, oldest first)
and a unit's non-lead assignments (assisting, passed on, copied) for its handlers' list.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 16:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_orders_queue", "orders", ["state", "urgency", "received_at"])
    op.create_index(
        "ix_assignments_unit_role", "order_assignments", ["unit_id", "role", "active", "order_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_assignments_unit_role", table_name="order_assignments")
    op.drop_index("ix_orders_queue", table_name="orders")
