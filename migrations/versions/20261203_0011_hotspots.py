"""Hot spots: the centre's alert rule (append-only), clusters of orders about one matter at one
place, and their members (an order split out keeps its row, with left_at).

Revision ID: 0011
Revises: 0017
Create Date: 2026-12-03 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jiesu.core.db

revision: str = '0011'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('hotspot_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('min_callers', sa.Integer(), nullable=False),
    sa.Column('within_hours', sa.Integer(), nullable=False),
    sa.Column('window_days', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', jiesu.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_hotspot_rules_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hotspot_rules'))
    )
    op.create_table('hotspot_clusters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('place', sa.String(length=80), nullable=True),
    sa.Column('district_code', sa.String(length=12), nullable=True),
    sa.Column('street_code', sa.String(length=12), nullable=True),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.Column('orders', sa.Integer(), nullable=False),
    sa.Column('callers', sa.Integer(), nullable=False),
    sa.Column('score', sa.Double(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('first_at', jiesu.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_at', jiesu.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('alerted_at', jiesu.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', jiesu.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_hotspot_clusters_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hotspot_clusters'))
    )
    with op.batch_alter_table('hotspot_clusters', schema=None) as batch_op:
        batch_op.create_index('ix_hotspot_clusters_score', ['status', 'score'], unique=False)
        batch_op.create_index('ix_hotspot_clusters_street', ['street_code', 'last_at'], unique=False)

    op.create_table('hotspot_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cluster_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('similarity', sa.Double(), nullable=False),
    sa.Column('caller', sa.String(length=64), nullable=False),
    sa.Column('proposed_case_id', sa.Integer(), nullable=True),
    sa.Column('joined_at', jiesu.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('left_at', jiesu.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['cluster_id'], ['hotspot_clusters.id'], name=op.f('fk_hotspot_members_cluster_id_hotspot_clusters')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_hotspot_members_order_id_orders')),
    sa.ForeignKeyConstraint(['proposed_case_id'], ['cases.id'], name=op.f('fk_hotspot_members_proposed_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hotspot_members'))
    )
    with op.batch_alter_table('hotspot_members', schema=None) as batch_op:
        batch_op.create_index('ix_hotspot_members_cluster', ['cluster_id', 'left_at'], unique=False)
        batch_op.create_index('ix_hotspot_members_order', ['order_id'], unique=False)

    op.create_table('hotspot_cases',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('cluster_id', sa.Integer(), nullable=False),
    sa.Column('lead_unit_id', sa.Integer(), nullable=False),
    sa.Column('assisting_unit_ids', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', jiesu.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('replied_at', jiesu.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_hotspot_cases_case_id_cases')),
    sa.ForeignKeyConstraint(['cluster_id'], ['hotspot_clusters.id'], name=op.f('fk_hotspot_cases_cluster_id_hotspot_clusters')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_hotspot_cases_created_by_id_users')),
    sa.ForeignKeyConstraint(['lead_unit_id'], ['units.id'], name=op.f('fk_hotspot_cases_lead_unit_id_units')),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_hotspot_cases')),
    sa.UniqueConstraint('cluster_id', name=op.f('uq_hotspot_cases_cluster_id'))
    )



def downgrade() -> None:
    with op.batch_alter_table('hotspot_members', schema=None) as batch_op:
        batch_op.drop_index('ix_hotspot_members_order')
        batch_op.drop_index('ix_hotspot_members_cluster')

    op.drop_table('hotspot_cases')
    op.drop_table('hotspot_members')
    with op.batch_alter_table('hotspot_clusters', schema=None) as batch_op:
        batch_op.drop_index('ix_hotspot_clusters_street')
        batch_op.drop_index('ix_hotspot_clusters_score')

    op.drop_table('hotspot_clusters')
    op.drop_table('hotspot_rules')
