"""The working-day calendar admins maintain: days (holidays, make-up working days) and the
years marked entered, both versioned (retire + add); one active row per date / per year.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jiesu.core.db

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE = sa.text("retired_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "calendar_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("is_workday", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", jiesu.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retired_at", jiesu.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_calendar_days_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["calendar_days.id"],
            name=op.f("fk_calendar_days_supersedes_id_calendar_days"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_days")),
    )
    op.create_index("uq_calendar_days_active_day", "calendar_days", ["day"], unique=True,
                    sqlite_where=ACTIVE, postgresql_where=ACTIVE)
    op.create_table(
        "calendar_years",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column("entered_at", jiesu.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retired_at", jiesu.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["users.id"], name=op.f("fk_calendar_years_entered_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["calendar_years.id"],
            name=op.f("fk_calendar_years_supersedes_id_calendar_years"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_years")),
    )
    op.create_index("uq_calendar_years_active_year", "calendar_years", ["year"], unique=True,
                    sqlite_where=ACTIVE, postgresql_where=ACTIVE)


def downgrade() -> None:
    op.drop_index("uq_calendar_years_active_year", table_name="calendar_years")
    op.drop_table("calendar_years")
    op.drop_index("uq_calendar_days_active_day", table_name="calendar_days")
    op.drop_table("calendar_days")
