"""Place aliases and landmarks that admins add (地名别名): "老虎洞小区" is in 望京街道.

They extend the gazetteer shipped with triage (`triage/data/landmarks.csv`): triage reads the
active rows here when it builds its gazetteer (orders/suggest.py), so an alias added now is
resolved by the next triage call. Rows are versioned like the catalogue: a change retires the
row and adds its successor; nothing is edited in place.

Targets are checked against the official divisions (the district and street units seeded from
the NBS table) and stored under their official names, whatever short form the admin typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from jiesu.core import clock
from jiesu.core.db import Base
from jiesu.core.errors import Conflict, InvalidInput
from jiesu.core.versioned import live_row, replace_row, retire_row
from jiesu.units.models import Unit, UnitKind

# Spoken street names drop these suffixes: 望京 for 望京街道, 来广营 for 来广营地区.
_STREET_SUFFIXES = ("满族乡", "回族乡", "街道", "地区", "镇", "乡")


class PlaceAlias(Base):
    __tablename__ = "place_aliases"
    __table_args__ = (Index("ix_place_aliases_active", "retired_at", "alias"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alias: Mapped[str] = mapped_column(String(40))
    district: Mapped[str] = mapped_column(String(40))  # official name: 朝阳区
    district_code: Mapped[str] = mapped_column(String(12))
    street: Mapped[str] = mapped_column(String(60), default="")  # official name, or "" (district)
    street_code: Mapped[str | None] = mapped_column(String(12), default=None)
    kind: Mapped[str] = mapped_column(String(20), default="alias")
    note: Mapped[str] = mapped_column(String(200), default="")
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("place_aliases.id"), default=None
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[datetime]
    retired_at: Mapped[datetime | None] = mapped_column(default=None)


def _short(name: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def resolve_target(session: Session, district: str, street: str = "") -> tuple[Unit, Unit | None]:
    """The official district (and street in it) an alias points to; 422 unknown_place if none."""
    district, street = district.strip(), street.strip()
    districts = session.scalars(select(Unit).where(Unit.kind == UnitKind.district.value,
                                                   Unit.active.is_(True))).all()
    found = next((u for u in districts if district in (u.name, _short(u.name, ("区",)))), None)
    if found is None:
        raise InvalidInput(f"找不到区：{district}", code="unknown_place",
                           details={"field": "district", "district": district})
    if not street:
        return found, None
    streets = session.scalars(select(Unit).where(Unit.kind == UnitKind.street.value,
                                                 Unit.parent_id == found.id,
                                                 Unit.active.is_(True))).all()
    match = [u for u in streets if street in (u.name, _short(u.name, _STREET_SUFFIXES))]
    if len(match) != 1:
        raise InvalidInput(f"{found.name}没有街道（乡镇）：{street}", code="unknown_place",
                           details={"field": "street", "district": found.name, "street": street})
    return found, match[0]


def active_aliases(session: Session) -> Sequence[PlaceAlias]:
    stmt = select(PlaceAlias).where(PlaceAlias.retired_at.is_(None))
    return session.scalars(stmt.order_by(PlaceAlias.alias, PlaceAlias.id)).all()


def list_aliases(
    session: Session, *, include_retired: bool = False, q: str | None = None,
    offset: int = 0, limit: int = 100,
) -> tuple[Sequence[PlaceAlias], int]:
    stmt = select(PlaceAlias)
    if not include_retired:
        stmt = stmt.where(PlaceAlias.retired_at.is_(None))
    if q:
        stmt = stmt.where(PlaceAlias.alias.contains(q) | PlaceAlias.district.contains(q)
                          | PlaceAlias.street.contains(q))
    count = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(PlaceAlias.id.desc()).offset(offset).limit(limit))
    return rows.all(), count


def active_entries(session: Session) -> tuple[tuple[str, str, str, str], ...]:
    """(alias, district, street, kind) of every active row: what triage builds its gazetteer
    from (read only when orders/suggest.py's cache key says the rows changed)."""
    stmt = select(PlaceAlias.alias, PlaceAlias.district, PlaceAlias.street, PlaceAlias.kind)
    rows = session.execute(stmt.where(PlaceAlias.retired_at.is_(None))
                           .order_by(PlaceAlias.alias, PlaceAlias.id))
    return tuple((a, d, st, k) for a, d, st, k in rows)


def add_alias(
    session: Session, *, alias: str, district: str, street: str = "", kind: str = "alias",
    note: str = "", actor_id: int | None = None,
) -> PlaceAlias:
    alias = alias.strip()
    district_unit, street_unit = resolve_target(session, district, street)
    taken = select(PlaceAlias.id).where(PlaceAlias.alias == alias,
                                        PlaceAlias.retired_at.is_(None))
    if session.scalars(taken.limit(1)).first() is not None:
        raise Conflict("该别名已存在，请先停用或修改原别名", code="place_alias_exists",
                       details={"alias": alias})
    row = PlaceAlias(
        alias=alias, district=district_unit.name, district_code=district_unit.code,
        street=street_unit.name if street_unit else "",
        street_code=street_unit.code if street_unit else None,
        kind=kind, note=note.strip(), created_by_id=actor_id, created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    return row


def _live(session: Session, alias_id: int) -> PlaceAlias:
    return live_row(session, PlaceAlias, alias_id, message="地名别名不存在或已停用",
                    code="place_alias_not_found")


def replace_alias(
    session: Session, alias_id: int, *, alias: str, district: str, street: str = "",
    kind: str = "alias", note: str = "", actor_id: int | None = None,
) -> PlaceAlias:
    """A new version: the old row is retired, never edited."""
    return replace_row(session, _live(session, alias_id), lambda _old: add_alias(
        session, alias=alias, district=district, street=street, kind=kind, note=note,
        actor_id=actor_id,
    ))


def retire_alias(session: Session, alias_id: int) -> PlaceAlias:
    return retire_row(session, _live(session, alias_id))
