"""A special line's own deadline rules: deadline_rules.line_id (None: the centre's table).

Revision ID: 0021
Revises: 0011
Create Date: 2026-12-04 01:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deadline_rules") as batch:
        batch.add_column(sa.Column("line_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_deadline_rules_line_id_lines"), "lines",
                                 ["line_id"], ["id"])
        batch.create_index("ix_deadline_rules_line", ["line_id", "retired_at"])


def downgrade() -> None:
    with op.batch_alter_table("deadline_rules") as batch:
        batch.drop_index("ix_deadline_rules_line")
        batch.drop_constraint("fk_deadline_rules_line_id_lines", type_="foreignkey")
        batch.drop_column("line_id")
