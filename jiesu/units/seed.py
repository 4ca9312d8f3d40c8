"""Load the real units: Beijing districts, streets/towns, communities; departments, utilities."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from jiesu.core import clock
from jiesu.units.models import CatalogueRule, Unit, UnitKind

DATA = Path(__file__).resolve().parents[1] / "triage" / "data"
CENTRE_CODE = "centre"


def _read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load_units(session: Session) -> int:
    """Idempotent: units already present (by code) are left as they are."""
    existing = set(session.scalars(select(Unit.code)))
    now = clock.now()
    added = 0
    if CENTRE_CODE not in existing:
        session.add(
            Unit(
                code=CENTRE_CODE, name="12345市民服务热线中心", kind=UnitKind.centre, created_at=now
            )
        )
        added += 1
    for row in _read("departments.csv"):
        if row["code"] in existing:
            continue
        kind = UnitKind.utility if row["kind"] == "utility" else UnitKind.department
        session.add(
            Unit(
                code=row["code"],
                name=row["name"],
                kind=kind,
                around_the_clock=kind is UnitKind.utility,
                created_at=now,
            )
        )
        added += 1
    session.flush()
    divisions = _read("beijing_divisions.csv")
    added += _load_level(session, existing, divisions, "district", None, UnitKind.district, now)
    added += _load_level(session, existing, divisions, "street", "district", UnitKind.street, now)
    added += _load_level(
        session, existing, divisions, "community", "street", UnitKind.community, now
    )
    return added


def _load_level(
    session: Session,
    existing: set[str],
    rows: list[dict[str, str]],
    level: str,
    parent_level: str | None,
    kind: UnitKind,
    now: datetime,
) -> int:
    codes: dict[str, int] = {code: uid for code, uid in session.execute(select(Unit.code, Unit.id))}
    batch: list[dict[str, object]] = []
    seen: set[str] = set()
    for row in rows:
        code = row[f"{level}_code"]
        if code in existing or code in seen:
            continue
        seen.add(code)
        parent_id = codes[row[f"{parent_level}_code"]] if parent_level else None
        batch.append(
            {
                "code": code,
                "name": row[level],
                "kind": kind.value,
                "parent_id": parent_id,
                "around_the_clock": False,
                "active": True,
                "created_at": now,
            }
        )
    if batch:
        session.execute(insert(Unit), batch)
    return len(batch)


def load_catalogue(session: Session) -> int:
    """The starter responsibility catalogue, loaded once when no rule is active yet."""
    if session.scalar(select(CatalogueRule.id).where(CatalogueRule.retired_at.is_(None)).limit(1)):
        return 0
    now = clock.now()
    rows = _read("catalogue.csv")
    for position, row in enumerate(rows):
        session.add(
            CatalogueRule(
                position=(position + 1) * 10,
                name=row["name"],
                category=None if row["category"] in ("", "*") else row["category"],
                place_scope=row["scope"] or "any",
                keywords=row["keywords"],
                lead_unit_code=row["lead"],
                assisting_unit_codes=",".join(c for c in row["assist"].split("|") if c),
                created_at=now,
            )
        )
    session.flush()
    return len(rows)
