"""Place aliases and landmarks that admins add through the API (versioned: retire + add).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jiesu.core.db

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "place_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(length=40), nullable=False),
        sa.Column("district", sa.String(length=40), nullable=False),
        sa.Column("district_code", sa.String(length=12), nullable=False),
        sa.Column("street", sa.String(length=60), nullable=False),
        sa.Column("street_code", sa.String(length=12), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", jiesu.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retired_at", jiesu.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_place_aliases_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["place_aliases.id"],
            name=op.f("fk_place_aliases_supersedes_id_place_aliases"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_place_aliases")),
    )
    op.create_index("ix_place_aliases_active", "place_aliases", ["retired_at", "alias"])


def downgrade() -> None:
    op.drop_index("ix_place_aliases_active", table_name="place_aliases")
    op.drop_table("place_aliases")
