"""Units (the centre, departments, utilities, district → street → community), users, catalogue."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jiesu.core.db import Base


class UnitKind(StrEnum):
    centre = "centre"  # the hotline centre itself
    department = "department"  # 委办局
    utility = "utility"  # 水、电、气、热
    district = "district"  # 区
    street = "street"  # 街道 / 乡镇 / 地区
    community = "community"  # 社区 / 村


UNIT_KIND_LABELS = {
    UnitKind.centre: "热线中心",
    UnitKind.department: "委办局",
    UnitKind.utility: "公共服务企业",
    UnitKind.district: "区",
    UnitKind.street: "街道乡镇",
    UnitKind.community: "社区村",
}


class Unit(Base):
    __tablename__ = "units"
    __table_args__ = (Index("ix_units_parent", "parent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), default=None)
    # Water, power, gas and heating serve around the clock (Art. 19): calendar-hour deadlines.
    around_the_clock: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]

    parent: Mapped[Unit | None] = relationship(remote_side="Unit.id", lazy="raise")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(60))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), default=None)
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped on password change or logout-everywhere: invalidates issued tokens.
    token_version: Mapped[int] = mapped_column(default=0)
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]


class CatalogueRule(Base):
    """One row of the responsibility catalogue (权责派单目录).

    Rules are versioned by never editing a row in place: a change retires the row and adds
    its successor (`supersedes_id`), so a past suggestion can always name the rule it used.
    """

    __tablename__ = "catalogue_rules"
    __table_args__ = (Index("ix_catalogue_active_position", "retired_at", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[str | None] = mapped_column(String(60), default=None)
    place_scope: Mapped[str] = mapped_column(String(20), default="any")
    keywords: Mapped[str] = mapped_column(Text, default="")
    lead_unit_code: Mapped[str] = mapped_column(String(40))
    assisting_unit_codes: Mapped[str] = mapped_column(Text, default="")
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("catalogue_rules.id"), default=None
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[datetime]
    retired_at: Mapped[datetime | None] = mapped_column(default=None)
