"""Open311 GeoReport v2: the client apps an admin issued api keys to, and what Open311 adds to
an order that came in through it (service code, coordinates, token, client).

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-03 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jiesu.core.db

revision: str = "0012"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "open311_clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("key_prefix", sa.String(length=12), nullable=False),
        sa.Column("key_digest", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", jiesu.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", jiesu.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", jiesu.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_open311_clients_user_id_users")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_open311_clients_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open311_clients")),
    )
    op.create_index("ix_open311_clients_key_digest", "open311_clients", ["key_digest"],
                    unique=True)
    op.create_table(
        "open311_requests",
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=40), nullable=False),
        sa.Column("service_code", sa.String(length=20), nullable=False),
        sa.Column("requested_at", jiesu.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("long", sa.Float(), nullable=True),
        sa.Column("address_string", sa.String(length=300), nullable=False),
        sa.Column("address_id", sa.String(length=60), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("device_id", sa.String(length=100), nullable=False),
        sa.Column("account_id", sa.String(length=100), nullable=False),
        sa.Column("media_url", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"],
                                name=op.f("fk_open311_requests_order_id_orders")),
        sa.ForeignKeyConstraint(["client_id"], ["open311_clients.id"],
                                name=op.f("fk_open311_requests_client_id_open311_clients")),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_open311_requests")),
    )
    op.create_index("ix_open311_requests_token", "open311_requests", ["token"], unique=True)
    op.create_index("ix_open311_requests_requested", "open311_requests", ["requested_at"])


def downgrade() -> None:
    op.drop_index("ix_open311_requests_requested", table_name="open311_requests")
    op.drop_index("ix_open311_requests_token", table_name="open311_requests")
    op.drop_table("open311_requests")
    op.drop_index("ix_open311_clients_key_digest", table_name="open311_clients")
    op.drop_table("open311_clients")
