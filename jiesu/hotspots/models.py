"""Hot-spot tables: the centre's alert rule, the clusters of orders, their members."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jiesu.core.db import Base


class HotspotRule(Base):
    """The centre's threshold: `min_callers` distinct callers within `within_hours` about one
    matter at one place make an alert; orders join a cluster while its last order is at most
    `window_days` old. Append-only: the newest row is in force, the older ones are history."""

    __tablename__ = "hotspot_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    min_callers: Mapped[int] = mapped_column(default=5)
    within_hours: Mapped[int] = mapped_column(default=24)
    window_days: Mapped[int] = mapped_column(default=30)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[datetime]


class HotspotCluster(Base):
    __tablename__ = "hotspot_clusters"
    __table_args__ = (
        Index("ix_hotspot_clusters_score", "status", "score"),
        Index("ix_hotspot_clusters_street", "street_code", "last_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    place: Mapped[str | None] = mapped_column(String(80), default=None)
    district_code: Mapped[str | None] = mapped_column(String(12), default=None)
    street_code: Mapped[str | None] = mapped_column(String(12), default=None)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The centroid's best terms with weights: what a new order is compared with (case proposals).
    terms: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    orders: Mapped[int] = mapped_column(default=0)
    callers: Mapped[int] = mapped_column(default=0)
    score: Mapped[float] = mapped_column(default=0.0)
    explanation: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | case
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), default=None)
    first_at: Mapped[datetime]
    last_at: Mapped[datetime]
    alerted_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime]


class HotspotMember(Base):
    """An order in a cluster. Split out: `left_at` is set, the row stays (history)."""

    __tablename__ = "hotspot_members"
    __table_args__ = (
        Index("ix_hotspot_members_cluster", "cluster_id", "left_at"),
        Index("ix_hotspot_members_order", "order_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("hotspot_clusters.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    similarity: Mapped[float] = mapped_column(default=1.0)
    caller: Mapped[str] = mapped_column(String(64), default="")
    # The cluster was already a joint case when the order joined: proposed, not linked.
    proposed_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), default=None)
    joined_at: Mapped[datetime]
    left_at: Mapped[datetime | None] = mapped_column(default=None)


class JointCase(Base):
    """A joint case (联办) opened from a cluster: the case its orders are linked to, the lead
    unit that replies for all, the assisting units."""

    __tablename__ = "hotspot_cases"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("hotspot_clusters.id"), unique=True)
    lead_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    assisting_unit_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    replied_at: Mapped[datetime | None] = mapped_column(default=None)
