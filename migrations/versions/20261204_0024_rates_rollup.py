"""The rates per day, unit and category (rates_daily, rates_days) and the days whose orders
changed since (rates_dirty), marked by triggers on orders on both databases.

A month at 10,000,000 orders took ~1 s counted from orders, the index alone; the report now
sums the rollup for the days it has exact and counts only the others (decision 0021). The
triggers catch every write, the services' and COPY's: a row trigger on UPDATE that fires
only when a column the rates read changes, one on DELETE, and on PostgreSQL a statement
trigger on INSERT (one marker per day of a whole COPY, not per row). The tables start empty:
`jiesu report rollup --rebuild` fills them (until then, and for any day not exact, the report
counts from orders as before).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04 18:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jiesu.core.db

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every column of orders the rates count or group by (jiesu/insights/counts.py; a test checks
# the triggers name each column the queries read).
WATCHED = ("dispatched_at", "lead_unit_id", "category", "state", "is_open", "close_reason",
           "visit_satisfaction", "visit_solved", "signed_at", "sign_due_at", "contacted_at",
           "contact_due_at", "replied_at", "reply_due_at", "dispatch_count")
FIGURES = ("received", "responded", "visited", "solved", "satisfied", "basically",
           "dissatisfied", "judged_apart", "unreachable", "visit_skipped", "redispatched",
           "overdue", "replied")

PG_DAY = "(({0}.dispatched_at AT TIME ZONE INTERVAL '+08:00')::date)"
PG_FUNCTIONS = f"""
CREATE FUNCTION rates_dirty_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.dispatched_at IS NOT NULL THEN
        INSERT INTO rates_dirty (day) VALUES {PG_DAY.format("OLD")};
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.dispatched_at IS NOT NULL AND (OLD.dispatched_at IS NULL
            OR {PG_DAY.format("NEW")} <> {PG_DAY.format("OLD")}) THEN
        INSERT INTO rates_dirty (day) VALUES {PG_DAY.format("NEW")};
    END IF;
    RETURN NULL;
END $$;
CREATE FUNCTION rates_dirty_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rates_dirty (day)
    SELECT DISTINCT {PG_DAY.format("added")} FROM added WHERE added.dispatched_at IS NOT NULL;
    RETURN NULL;
END $$;
"""
CHANGED_PG = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in WATCHED)
PG_TRIGGERS = (
    f"CREATE TRIGGER rates_dirty_update AFTER UPDATE ON orders FOR EACH ROW "
    f"WHEN ({CHANGED_PG}) EXECUTE FUNCTION rates_dirty_row()",
    "CREATE TRIGGER rates_dirty_delete AFTER DELETE ON orders FOR EACH ROW "
    "WHEN (OLD.dispatched_at IS NOT NULL) EXECUTE FUNCTION rates_dirty_row()",
    "CREATE TRIGGER rates_dirty_insert AFTER INSERT ON orders REFERENCING NEW TABLE AS added "
    "FOR EACH STATEMENT EXECUTE FUNCTION rates_dirty_added()",
)

SQLITE_DAY = "date({0}.dispatched_at, '+8 hours')"
CHANGED_SQLITE = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in WATCHED)
SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER rates_dirty_insert AFTER INSERT ON orders
    WHEN NEW.dispatched_at IS NOT NULL BEGIN
        INSERT INTO rates_dirty (day) VALUES ({SQLITE_DAY.format("NEW")});
    END""",
    f"""CREATE TRIGGER rates_dirty_update AFTER UPDATE ON orders WHEN {CHANGED_SQLITE} BEGIN
        INSERT INTO rates_dirty (day) SELECT {SQLITE_DAY.format("OLD")}
            WHERE OLD.dispatched_at IS NOT NULL;
        INSERT INTO rates_dirty (day) SELECT {SQLITE_DAY.format("NEW")}
            WHERE NEW.dispatched_at IS NOT NULL
              AND {SQLITE_DAY.format("NEW")} IS NOT {SQLITE_DAY.format("OLD")};
    END""",
    f"""CREATE TRIGGER rates_dirty_delete AFTER DELETE ON orders
    WHEN OLD.dispatched_at IS NOT NULL BEGIN
        INSERT INTO rates_dirty (day) VALUES ({SQLITE_DAY.format("OLD")});
    END""",
)


def upgrade() -> None:
    op.create_table(
        "rates_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("lead_unit_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(60), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in FIGURES),
        sa.Column("handling_seconds", sa.BigInteger(), nullable=False),
        sa.Column("due_before", jiesu.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("due_after", jiesu.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("day", "lead_unit_id", "category", name="pk_rates_daily"),
    )
    op.create_table(
        "rates_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("rules_key", sa.String(400), nullable=False),
        sa.Column("computed_at", jiesu.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("valid_after", jiesu.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("valid_until", jiesu.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("day", name="pk_rates_days"),
    )
    op.create_table(
        "rates_dirty",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rates_dirty"),
    )
    op.create_index("ix_rates_dirty_day", "rates_dirty", ["day"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTIONS)
        for statement in PG_TRIGGERS:
            op.execute(statement)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    for name in ("rates_dirty_insert", "rates_dirty_update", "rates_dirty_delete"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}"
                   + (" ON orders" if op.get_bind().dialect.name == "postgresql" else ""))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS rates_dirty_row()")
        op.execute("DROP FUNCTION IF EXISTS rates_dirty_added()")
    op.drop_index("ix_rates_dirty_day", table_name="rates_dirty")
    op.drop_table("rates_dirty")
    op.drop_table("rates_days")
    op.drop_table("rates_daily")
