"""Special lines (专线): the line, its agents, categories and knowledge-base subset, and the
line a call came in on (orders.line_id).

Revision ID: 0017
Revises: 0012
Create Date: 2026-12-03 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jiesu.core.db

revision: str = "0017"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AT = jiesu.core.db.UTCDateTime(timezone=True)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    other = target.split(".")[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{table}_{column}_{other}"))


def upgrade() -> None:
    op.create_table(
        "lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("channel_tag", sa.String(length=40), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("around_the_clock", sa.Boolean(), nullable=False),
        sa.Column("timetable", sa.JSON(), nullable=False),
        sa.Column("starts_at", AT, nullable=False),
        sa.Column("ends_at", AT, nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("closed_at", AT, nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("close_note", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("updated_at", AT, nullable=False),
        _fk("lines", "closed_by_id", "users.id"),
        _fk("lines", "created_by_id", "users.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lines")),
        sa.UniqueConstraint("code", name=op.f("uq_lines_code")),
    )
    op.create_table(
        "line_agents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=False),
        sa.Column("added_at", AT, nullable=False),
        sa.Column("removed_at", AT, nullable=True),
        _fk("line_agents", "line_id", "lines.id"),
        _fk("line_agents", "user_id", "users.id"),
        _fk("line_agents", "added_by_id", "users.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_line_agents")),
    )
    op.create_index("ix_line_agents_user", "line_agents", ["user_id", "removed_at"])
    op.create_index("ix_line_agents_line", "line_agents", ["line_id", "removed_at"])
    op.create_table(
        "line_categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=60), nullable=False),
        _fk("line_categories", "line_id", "lines.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_line_categories")),
        sa.UniqueConstraint("line_id", "category", name=op.f("uq_line_categories_line_id")),
    )
    op.create_table(
        "line_articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=False),
        sa.Column("added_at", AT, nullable=False),
        sa.Column("removed_at", AT, nullable=True),
        _fk("line_articles", "line_id", "lines.id"),
        _fk("line_articles", "article_id", "kb_articles.id"),
        _fk("line_articles", "added_by_id", "users.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_line_articles")),
    )
    op.create_index("ix_line_articles_line", "line_articles", ["line_id", "removed_at"])
    if op.get_bind().dialect.name == "sqlite":
        # ADD COLUMN with an inline REFERENCES: no copy of the (large) orders table.
        op.execute("ALTER TABLE orders ADD COLUMN line_id INTEGER "
                   "CONSTRAINT fk_orders_line_id_lines REFERENCES lines (id)")
    else:
        op.add_column("orders", sa.Column("line_id", sa.Integer(), nullable=True))
        op.create_foreign_key(op.f("fk_orders_line_id_lines"), "orders", "lines",
                              ["line_id"], ["id"])
    op.create_index("ix_orders_line_received", "orders", ["line_id", "received_at"])


def downgrade() -> None:
    op.drop_index("ix_orders_line_received", table_name="orders")
    with op.batch_alter_table("orders") as batch:
        batch.drop_constraint("fk_orders_line_id_lines", type_="foreignkey")
        batch.drop_column("line_id")
    op.drop_index("ix_line_articles_line", table_name="line_articles")
    op.drop_table("line_articles")
    op.drop_table("line_categories")
    op.drop_index("ix_line_agents_line", table_name="line_agents")
    op.drop_index("ix_line_agents_user", table_name="line_agents")
    op.drop_table("line_agents")
    op.drop_table("lines")
