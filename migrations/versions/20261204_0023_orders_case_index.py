"""The orders of a case (a joint case's page, its one reply, GET /api/v1/cases/{id}) are one
index range scan: a partial index on orders.case_id (most orders are in no case), on both
databases. Before, each of those read the whole orders table.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IN_A_CASE = "case_id IS NOT NULL"


def upgrade() -> None:
    op.create_index("ix_orders_case", "orders", ["case_id"],
                    postgresql_where=sa.text(IN_A_CASE), sqlite_where=sa.text(IN_A_CASE))


def downgrade() -> None:
    op.drop_index("ix_orders_case", table_name="orders")
