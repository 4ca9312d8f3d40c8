"""Place and unit names as people read them: 朝阳区 望京街道 花家地西里社区, never a code.

Every unit (district, street/town, community/village, department, utility) is a row of the
units table, keyed by its code. The code → name map is read once and kept until the units
table changes (its row count or newest id moves: units are added, never renumbered); the pages
name places from the shipped divisions the table is seeded from (no query per page).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jiesu.units.models import Unit

# "花家地西里社区居委会" reads "花家地西里社区"; villages likewise.
_COMMITTEE = re.compile(r"(居民委员会|居委会|村民委员会|村委会)$")


@dataclass(frozen=True)
class UnitName:
    id: int
    code: str
    name: str
    kind: str
    parent_code: str | None


_lock = threading.Lock()
_cached: tuple[tuple[int, int | None], dict[str, UnitName], dict[int, UnitName]] | None = None


def short_name(name: str) -> str:
    return _COMMITTEE.sub("", name)


def _maps(session: Session) -> tuple[dict[str, UnitName], dict[int, UnitName]]:
    global _cached
    key_row = session.execute(select(func.count(Unit.id), func.max(Unit.id))).one()
    key = (int(key_row[0]), key_row[1])
    cached = _cached
    if cached is not None and cached[0] == key:
        return cached[1], cached[2]
    with _lock:
        rows = session.execute(select(Unit.id, Unit.code, Unit.name, Unit.kind, Unit.parent_id))
        raw = [(i, c, n, k, p) for i, c, n, k, p in rows]
        codes = {i: c for i, c, _, _, _ in raw}
        by_code = {
            c: UnitName(i, c, short_name(n), k, codes.get(p) if p is not None else None)
            for i, c, n, k, p in raw
        }
        by_id = {u.id: u for u in by_code.values()}
        _cached = (key, by_code, by_id)
    return by_code, by_id


def names_by_code(session: Session) -> dict[str, UnitName]:
    return _maps(session)[0]


def names_by_id(session: Session) -> dict[int, UnitName]:
    return _maps(session)[1]


def place_label(
    session: Session, district_code: str | None, street_code: str | None,
    community_code: str | None = None, *, sep: str = " ",
) -> str:
    """The resolved place by name: "朝阳区 望京街道 花家地西里社区" (what is known of it)."""
    by_code = names_by_code(session)
    parts = []
    for code in (district_code, street_code, community_code):
        if code:
            found = by_code.get(code)
            parts.append(found.name if found else code)
    return sep.join(parts)


def territorial_path(session: Session, code: str, *, sep: str = " › ") -> str:
    """A unit with its parents: "朝阳区 › 望京街道"; a department is its name alone."""
    return _path(names_by_code(session), code, sep)


def _path(by_code: dict[str, UnitName], code: str, sep: str) -> str:
    chain: list[str] = []
    current = by_code.get(code)
    while current is not None and len(chain) < 4:
        if current.kind != "centre":
            chain.append(current.name)
        current = by_code.get(current.parent_code) if current.parent_code else None
    return sep.join(reversed(chain)) or code


# For the pages: the shipped divisions and departments (what the units table is seeded from),
# read once, so a template can name any place without a database round trip or a session.
@lru_cache(maxsize=1)
def page_names() -> dict[str, UnitName]:
    import csv

    from jiesu.units.seed import DATA

    found: dict[str, UnitName] = {}
    with (DATA / "departments.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            found[row["code"]] = UnitName(0, row["code"], row["name"], row["kind"], None)
    with (DATA / "beijing_divisions.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            parent = None
            for level, kind in (("district", "district"), ("street", "street"),
                                ("community", "community")):
                code = row[f"{level}_code"]
                if code and code not in found:
                    found[code] = UnitName(0, code, short_name(row[level]), kind, parent)
                parent = code or parent
    return found


def page_place(district_code: str | None, street_code: str | None,
               community_code: str | None = None, *, sep: str = " ") -> str:
    by_code = page_names()
    return sep.join(
        (by_code[c].name if c in by_code else c)
        for c in (district_code, street_code, community_code) if c
    )


def page_unit_path(code: str, *, sep: str = " › ") -> str:
    return _path(page_names(), code, sep)
