"""Open311 services from the category taxonomy (附件1): one service per level-2 category,
grouped by its level-1 class; its level-3 categories are the values of one optional
attribute, `subcategory`. A second optional attribute, `request_type`, says which of the six
request types it is (default 求助).

Service codes are the first 8 hex digits of SHA-1 of the path "level1/level2": stable while the
taxonomy keeps the name, whatever the order of its rows (decision 0015).
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from functools import lru_cache

from jiesu.orders.models import REQUEST_TYPE_LABELS, RequestType
from jiesu.triage._data import data_path
from jiesu.triage.taxonomy import load_taxonomy

SUBCATEGORY = "subcategory"
REQUEST_TYPE = "request_type"
DEFAULT_TYPE = RequestType.help


@dataclass(frozen=True)
class Service:
    code: str
    group: str  # level 1
    name: str  # level 2
    subcategories: tuple[str, ...]  # level 3

    @property
    def path(self) -> str:
        return f"{self.group}/{self.name}"

    def category_for(self, subcategory: str | None) -> str:
        """What the order's category becomes: the finest name chosen, as a bare name when the
        taxonomy knows it unambiguously, otherwise as its path (routing reads both)."""
        taxonomy = load_taxonomy()
        if subcategory:
            if taxonomy.parent.get(subcategory) == self.name:
                return subcategory
            return f"{self.path}/{subcategory}"
        if taxonomy.parent.get(self.name) == self.group:
            return self.name
        return self.path


def service_code(path: str) -> str:
    return hashlib.sha1(path.encode("utf-8")).hexdigest()[:8]


@lru_cache(maxsize=1)
def services() -> tuple[Service, ...]:
    children: dict[tuple[str, str], list[str]] = {}
    with data_path("taxonomy.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            l1, l2, l3 = (row.get(k, "").strip() for k in ("level1", "level2", "level3"))
            if not (l1 and l2):
                continue
            subs = children.setdefault((l1, l2), [])
            if l3 and l3 != l2 and l3 not in subs:
                subs.append(l3)
    found = tuple(
        Service(code=service_code(f"{l1}/{l2}"), group=l1, name=l2, subcategories=tuple(subs))
        for (l1, l2), subs in children.items()
    )
    codes = [s.code for s in found]
    if len(set(codes)) != len(codes):  # never silently: two services would share a code
        raise RuntimeError("two Open311 services share a service code")
    return found


@lru_cache(maxsize=1)
def by_code() -> dict[str, Service]:
    return {s.code: s for s in services()}


def find(code: str) -> Service | None:
    return by_code().get(code)


TYPE_VALUES: tuple[tuple[str, str], ...] = tuple(
    (t.value, label) for t, label in REQUEST_TYPE_LABELS.items()
)
