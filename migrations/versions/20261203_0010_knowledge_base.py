"""Knowledge base: articles, their versions and review events, synonyms, zero-result
searches and uses.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jiesu.core.db

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = jiesu.core.db.UTCDateTime(timezone=True)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"],
                                   name=op.f(f"fk_{table}_{column}_{target}"))


def _append_only(table: str) -> None:
    """The review history is append-only, as order events are (the function is 0002's)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION jiesu_append_only()")
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                   f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def upgrade() -> None:
    op.create_table(
        "kb_articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("owner_unit_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        _fk("kb_articles", "owner_unit_id", "units"),
        _fk("kb_articles", "created_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_articles")),
        sa.UniqueConstraint("code", name=op.f("uq_kb_articles_code")),
    )
    op.create_table(
        "kb_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("questions", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=120), nullable=False),
        sa.Column("tags", sa.String(length=400), nullable=False),
        sa.Column("internal_note", sa.Text(), nullable=False),
        sa.Column("valid_from", TS, nullable=False),
        sa.Column("valid_to", TS, nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("published_at", TS, nullable=True),
        sa.Column("ended_at", TS, nullable=True),
        _fk("kb_versions", "article_id", "kb_articles"),
        _fk("kb_versions", "created_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_versions")),
        sa.UniqueConstraint("article_id", "number", name=op.f("uq_kb_versions_article_id")),
    )
    op.create_index("ix_kb_versions_status", "kb_versions", ["status", "article_id"])
    op.create_index("ix_kb_versions_valid_to", "kb_versions", ["status", "valid_to"])
    op.create_table(
        "kb_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", TS, nullable=False),
        _fk("kb_events", "article_id", "kb_articles"),
        _fk("kb_events", "version_id", "kb_versions"),
        _fk("kb_events", "actor_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_events")),
    )
    op.create_index("ix_kb_events_article", "kb_events", ["article_id", "id"])
    _append_only("kb_events")
    op.create_table(
        "kb_synonyms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("word", sa.String(length=40), nullable=False),
        sa.Column("canonical", sa.String(length=40), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_synonyms")),
        sa.UniqueConstraint("word", name=op.f("uq_kb_synonyms_word")),
    )
    op.create_table(
        "kb_zero_searches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("query", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=120), nullable=True),
        sa.Column("line_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", TS, nullable=False),
        _fk("kb_zero_searches", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_zero_searches")),
    )
    op.create_index("ix_kb_zero_searches_at", "kb_zero_searches", ["at"])
    op.create_table(
        "kb_uses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("line_id", sa.Integer(), nullable=True),
        sa.Column("at", TS, nullable=False),
        _fk("kb_uses", "article_id", "kb_articles"),
        _fk("kb_uses", "version_id", "kb_versions"),
        _fk("kb_uses", "user_id", "users"),
        _fk("kb_uses", "order_id", "orders"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_uses")),
    )
    op.create_index("ix_kb_uses_article", "kb_uses", ["article_id", "at"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS kb_events_append_only ON kb_events")
    else:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS kb_events_no_{verb}")
    for index, table in (("ix_kb_uses_article", "kb_uses"),
                         ("ix_kb_zero_searches_at", "kb_zero_searches"),
                         ("ix_kb_events_article", "kb_events"),
                         ("ix_kb_versions_valid_to", "kb_versions"),
                         ("ix_kb_versions_status", "kb_versions")):
        op.drop_index(index, table_name=table)
    for table in ("kb_uses", "kb_zero_searches", "kb_synonyms", "kb_events", "kb_versions",
                  "kb_articles"):
        op.drop_table(table)
