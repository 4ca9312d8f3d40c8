"""Build the gazetteer's name table from the official divisions and the alias table.

Every spoken or written form of a place (a *surface*) maps to one or more
:class:`Target` rows. Forms come from the NBS names (with and without their
suffixes), from community and village names, and from ``data/landmarks.csv``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from jiesu.triage._data import data_path

Level = Literal["district", "street", "community"]

DIVISIONS_FILE = "beijing_divisions.csv"
LANDMARKS_FILE = "landmarks.csv"

# Street short forms that are also everyday words ("天桥" is a footbridge, "河北" a
# province, "平房" a bungalow): they count only when the text names their district.
_WEAK_SHORT_TEXT = """
光明 胜利 新华 向阳 河北 渤海 城关 城北 城南 新村 新镇 空港 安定 荣华
和义 曙光 温泉 永定 东风 天桥 高岭 四海 百善 长阳 中仓 果园 鼓楼 龙山
宝山 石城 八角 古城 平房 南口 北苑 清源 兴丰 星城 迎风 拱辰 双丰 旺泉
仁和 石园 北庄 井庄 香营 永宁 康庄 上庄 东湖 大台 城子 龙泉 清水 东升
椿树 学院路 花园路 文景 杨庄 永顺 滨河 渔阳 泉河 儒林 百泉 旧县 王平 观音寺
博兴 十里堡 珍珠泉 马坡 新街口 金融街 天坛 前门 团结湖 小关 大屯 和平街
"""
WEAK_SHORT_NAMES = frozenset(_WEAK_SHORT_TEXT.split())
_ORDINAL_TAIL = re.compile(r"^(.+?)第[一二三四五六七八九十]+$")
_STREET_SUFFIXES = ("满族乡", "回族乡", "街道", "地区", "镇", "乡")
_COMMUNITY_SUFFIXES = (
    "社区居民委员会",
    "社区居委会",
    "居民委员会",
    "居委会",
)


@dataclass(frozen=True)
class Target:
    """What one surface form points to."""

    level: Level
    district: str
    district_code: str
    street: str | None = None
    street_code: str | None = None
    community: str | None = None
    community_code: str | None = None
    kind: str = "street"
    needs_district: bool = False


@dataclass(frozen=True)
class Alias:
    """An extra name for a place: a landmark, estate, station or colloquial name.

    ``street`` empty means only the district is known from this name.
    """

    alias: str
    district: str
    street: str = ""
    kind: str = "alias"
    note: str = ""


@dataclass(frozen=True)
class DivisionRow:
    district_code: str
    district: str
    street_code: str
    street: str
    community_code: str
    community: str


def _data_path(name: str) -> Path:
    return data_path(name)


def load_divisions(path: Path | None = None) -> list[DivisionRow]:
    with (path or _data_path(DIVISIONS_FILE)).open(encoding="utf-8", newline="") as fh:
        return [
            DivisionRow(
                r["district_code"],
                r["district"],
                r["street_code"],
                r["street"],
                r["community_code"],
                r["community"],
            )
            for r in csv.DictReader(fh)
        ]


def load_aliases(path: Path | None = None) -> list[Alias]:
    """Read an alias table (``alias,district,street,kind,note``); blank/# lines skipped."""
    out: list[Alias] = []
    with (path or _data_path(LANDMARKS_FILE)).open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            alias = (r.get("alias") or "").strip()
            if not alias or alias.startswith("#"):
                continue
            out.append(
                Alias(
                    alias=alias,
                    district=(r.get("district") or "").strip(),
                    street=(r.get("street") or "").strip(),
                    kind=(r.get("kind") or "alias").strip() or "alias",
                    note=(r.get("note") or "").strip(),
                )
            )
    return out


def district_forms(name: str) -> list[str]:
    """``朝阳区`` → ``朝阳区``, ``朝阳``."""
    short = name[:-1] if name.endswith("区") else name
    return [name, short] if len(short) >= 2 else [name]


def street_forms(name: str) -> list[tuple[str, str]]:
    """(surface, kind) pairs: full official name plus spoken short forms.

    ``来广营地区`` → 来广营地区, 来广营乡, 来广营镇, 来广营; ``望京街道`` → 望京街道, 望京.
    """
    forms = [(name, "street")]
    for suffix in _STREET_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            root = name[: -len(suffix)]
            if suffix == "地区":
                forms += [(root + "乡", "street"), (root + "镇", "street")]
            if suffix in ("满族乡", "回族乡"):
                forms.append((root + "乡", "street"))
            if len(root) >= 2:
                forms.append((root, "street_short"))
            break
    return forms


def community_forms(name: str) -> list[tuple[str, str]]:
    """Spoken forms of a community or village name, with their kind."""
    if name.endswith("虚拟社区"):
        return []
    village = ""
    if name.endswith("村民委员会"):
        village = name[: -len("民委员会")]
    elif name.endswith("村委会"):
        village = name[: -len("委会")]
    elif name.endswith("村"):
        village = name
    if village:
        if village.endswith("村村"):
            village = village[:-1]
        forms = [(name, "village"), (village, "village")]
        if name != village + "委会":  # 东麻各庄村村委会 is written 东麻各庄村委会
            forms.append((village + "委会", "village"))
        root = village[:-1]
        if len(root) >= 3:
            forms.append((root, "village"))
        return forms
    if name.endswith("股份经济合作社生活区"):
        return [(name, "village"), (name[: -len("股份经济合作社生活区")], "village")]
    for suffix in _COMMUNITY_SUFFIXES:
        if name.endswith(suffix):
            base = name[: -len(suffix)]
            if base.endswith("社区"):
                base = base[:-2]
            break
    else:
        base = name[:-2] if name.endswith("社区") else name
    forms = [(name, "community"), (base + "社区", "community")]
    if len(base) >= 3:
        forms.append((base, "community"))
    if len(base) == 2 and not base.endswith("区"):
        # 麻峪社区 is the 麻峪小区 of its residents: a two-character base (no form of its own)
        # said with 小区 is its community.
        forms.append((base + "小区", "estate_form"))
    # 芳城园一区第一社区 / 芳城园一区第二社区: callers just say 芳城园一区.
    ordinal = _ORDINAL_TAIL.match(base)
    if ordinal and len(ordinal.group(1)) >= 3:
        forms.append((ordinal.group(1), "community_part"))
    return forms


# 芳群园一区 … 芳群园四区, 模式口东里 … 模式口北里: the part after an estate's name.
_ESTATE_PART = re.compile(
    r"^(.{3,}?)(?:[东西南北中](?:里|区|园|街)?[一二三四五六七八九十]?区?"
    r"|[一二三四五六七八九十]+区|[东西南北中]?里[一二三四五六七八九十]?区?)$"
)


def estate_groups(rows: Iterable[DivisionRow]) -> dict[str, tuple[DivisionRow, ...]]:
    """Estate names whose parts are the NBS communities of one street (芳群园 for 芳群园一区 …
    芳群园四区 in 方庄街道, 模式口 for 模式口东里/中里/南里/北里): callers say the estate."""
    groups: dict[str, dict[str, DivisionRow]] = {}
    for r in rows:
        forms = community_forms(r.community)
        if not forms or forms[0][1] != "community":
            continue
        base = forms[1][0][: -len("社区")]
        m = _ESTATE_PART.match(base)
        if m is None:
            continue
        stem = m.group(1)
        if stem[-1] in "东西南北中河" or re.search("第[一二三四五六七八九十]+$", stem):
            continue  # 永乐西北 / 汽车局河北 / 天通东苑第三北: not an estate's name
        groups.setdefault(stem, {})[r.community_code] = r
    return {
        stem: tuple(parts.values())
        for stem, parts in groups.items()
        if len(parts) >= 2 and len({p.street_code for p in parts.values()}) == 1
    }


def official_entries(rows: Iterable[DivisionRow]) -> Iterator[tuple[str, Target]]:
    """(surface, target) for every district, street and community form, and the estates whose
    parts are communities of one street."""
    rows = list(rows)
    seen_districts: set[str] = set()
    seen_streets: set[str] = set()
    surfaces: set[str] = set()
    for r in rows:
        if r.district_code not in seen_districts:
            seen_districts.add(r.district_code)
            for form in district_forms(r.district):
                yield form, Target("district", r.district, r.district_code, kind="district")
        if r.street_code not in seen_streets:
            seen_streets.add(r.street_code)
            for form, kind in street_forms(r.street):
                yield (
                    form,
                    Target(
                        "street",
                        r.district,
                        r.district_code,
                        r.street,
                        r.street_code,
                        kind=kind,
                        needs_district=kind == "street_short" and form in WEAK_SHORT_NAMES,
                    ),
                )
        for form, kind in community_forms(r.community):
            surfaces.add(form)
            yield (
                form,
                Target(
                    "community",
                    r.district,
                    r.district_code,
                    r.street,
                    r.street_code,
                    r.community,
                    r.community_code,
                    kind=kind,
                ),
            )
    for stem, parts in estate_groups(rows).items():
        if stem in surfaces:
            continue
        p = parts[0]
        yield stem, Target(
            "community", p.district, p.district_code, p.street, p.street_code,
            kind="estate_group",
        )


def alias_targets(alias: Alias, rows: Iterable[DivisionRow]) -> list[Target]:
    """Resolve an alias's district/street names to codes (street may be a short form)."""
    district = alias.district.strip()
    street = alias.street.strip()
    hits: dict[str, Target] = {}
    for r in rows:
        if district and r.district != district and district_forms(r.district)[-1] != district:
            continue
        if street:
            if street not in {f for f, _ in street_forms(r.street)}:
                continue
            hits[r.street_code] = Target(
                "street", r.district, r.district_code, r.street, r.street_code, kind=alias.kind
            )
        else:
            hits[r.district_code] = Target("district", r.district, r.district_code, kind=alias.kind)
    return list(hits.values())
