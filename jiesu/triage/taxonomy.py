"""The 3-level category catalogue (附件1): level3 → level2 → level1.

``top_level(name)`` maps any catalogue category (any level) to its level-1 class;
names not in the catalogue map to themselves, so a centre's own categories keep working.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache

from jiesu.triage._data import data_path


@dataclass(frozen=True)
class Taxonomy:
    parent: dict[str, str] = field(default_factory=dict)  # level3→level2, level2→level1
    level1: tuple[str, ...] = ()
    top: dict[str, str] = field(default_factory=dict)  # any name → level1, when unique

    def top_level(self, name: str) -> str:
        """Level-1 class of ``name``; unknown names are returned unchanged."""
        name = name.strip()
        if "/" in name:  # a path: its first part is the level-1 class
            return name.split("/", 1)[0].strip()
        return self.top.get(name, name)

    def ancestors(self, name: str) -> list[str]:
        """``name`` followed by its parents up to level 1."""
        chain = [name]
        while chain[-1] in self.parent and self.parent[chain[-1]] not in chain:
            chain.append(self.parent[chain[-1]])
        return chain

    def __contains__(self, name: object) -> bool:
        return name in self.parent or name in self.level1


def parse_taxonomy(rows: list[dict[str, str]]) -> Taxonomy:
    """Names with more than one parent (``其他`` …) are left out: they are ambiguous alone.

    Such a category can still be given as a path, ``城乡建设/安全生产/其他``.
    """
    parents: dict[str, set[str]] = {}
    tops: dict[str, set[str]] = {}
    level1: list[str] = []
    for r in rows:
        l1, l2, l3 = (r.get(k, "").strip() for k in ("level1", "level2", "level3"))
        if l1 and l1 not in level1:
            level1.append(l1)
        for name in (l2, l3):
            if name and l1:
                tops.setdefault(name, set()).add(l1)
        if l2 and l2 != l1:
            parents.setdefault(l2, set()).add(l1)
        if l3 and l3 not in (l2, l1):
            parents.setdefault(l3, set()).add(l2 or l1)
    parent = {name: next(iter(ps)) for name, ps in parents.items() if len(ps) == 1}
    top = {name: next(iter(ls)) for name, ls in tops.items() if len(ls) == 1}
    top.update({name: name for name in level1})
    return Taxonomy(parent=parent, level1=tuple(level1), top=top)


@lru_cache(maxsize=1)
def load_taxonomy() -> Taxonomy:
    path = data_path("taxonomy.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        return parse_taxonomy(list(csv.DictReader(fh)))


def top_level(name: str) -> str:
    return load_taxonomy().top_level(name)
