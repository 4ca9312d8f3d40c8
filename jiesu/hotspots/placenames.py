"""Estate and landmark names found in a complaint's text (丽发新城, 魅力之城小区, 经济学院).

The gazetteer knows districts, streets and communities; hot spots are finer: one estate, one
school, one market. A name here is a run of characters ending in a place suffix (小区, 花园,
家园, 学院 …), with the administrative prefix (A2区, 朝阳区, 望京街道, 劳动东路) and the verbs
before it (投诉, 关于 …) taken off. Two names are the same place when their cores (the name
without its suffix) are equal or one contains the other (丽发 ~ 丽发新城).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from jiesu.hotspots._data import words as _words

_SUFFIXES = (
    "小区", "花园", "家园", "新城", "新村", "公寓", "社区", "大厦", "广场", "中心", "学院",
    "大学", "中学", "小学", "学校", "幼儿园", "医院", "市场", "公园", "商场", "楼盘", "苑", "园",
    "城", "府", "湾", "村", "庄",
)
# Named subjects that are not places but identify a matter as a place does (58车贷, 顺发驾校):
# the whole name is the core.
_SUBJECTS = ("车贷", "驾校")
_SUFFIX_ALT = "|".join(sorted(_SUFFIXES + _SUBJECTS, key=len, reverse=True))
_CANDIDATE = re.compile(rf"[\u4e00-\u9fa5A-Za-z0-9]{{1,14}}?(?:{_SUFFIX_ALT})+")
# Not places: the government, its offices.
_NOT_PLACE = re.compile(r"(?:政府|委员会|人民医院|办公室|公司)$")
# What may stand before a name and is not part of it.
_LEAD = re.compile(
    r"^(?:关于|投诉|反映|举报|请求|请问|建议|要求|希望|咨询|询问|坚决反对|强烈反对|反对|"
    r"强烈|严查|彻查|解决|整治|处理|督促|尽快|能否|是否|为何|为什么|"
    r"\d+号|对于|对|在|给|把|被|请|由|向|将|从|的|了|和|与|及|我|我们|本人|市民|业主|居民|"
    r"街道|地区|"
    r"[A-Z]\d*(?:市|区|县)|市(?!场)|西地省|[\u4e00-\u9fa5]{2,4}(?:省|自治区)|"
    r"[\u4e00-\u9fa5A-Za-z0-9]{1,5}?(?:市(?!场)|(?<![小社])区|县|街道|镇|乡|大道|路|街(?!道)))"
)
# After a name: it was the name of a street, area or town (八里庄街道, 方庄地区), not an estate.
_ADMIN_AFTER = re.compile(r"街道|地区|镇|乡(?!村)")
_GENERIC_CORES = _words("generic_place_cores.txt")
_MIN_CORE = 2
_MAX_NAME = 10
# Characters that make a span a phrase, not a name (想买套公寓, 据说要放在旧城, 比其他城).
_PHRASE = re.compile(
    r"[的了是在要们于想说买把被我你他她它这那有个将会能比其让对给该请设立和与及或就还很也又]"
)


@dataclass(frozen=True)
class PlaceName:
    name: str  # as written, prefixes off: 丽发新城
    core: str  # without its suffix: 丽发

    def same_place(self, other: PlaceName) -> bool:
        return same_core(self.core, other.core)


def same_core(a: str, b: str) -> bool:
    """Equal, or the shorter (at least half the longer) inside the longer: 丽发 ~ 丽发新城."""
    if not a or not b:
        return False
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= _MIN_CORE and 2 * len(short) >= len(long_) and short in long_


def _strip_lead(span: str) -> str:
    while True:
        m = _LEAD.match(span)
        if not m or len(span) - m.end() < 2:
            return span
        span = span[m.end() :]


def _suffix_of(name: str) -> str:
    for s in sorted(_SUFFIXES, key=len, reverse=True):
        if name.endswith(s):
            return s
    return ""


def core_of(name: str) -> str:
    if name.endswith(_SUBJECTS):
        return name
    core = name[: len(name) - len(_suffix_of(name))]
    # A second suffix (滨河苑 in 伊景园滨河苑 is a part of 伊景园): the core keeps the first.
    while True:
        inner = _suffix_of(core)
        if not inner or len(core) - len(inner) < _MIN_CORE:
            return core
        core = core[: len(core) - len(inner)]


def names_in(text: str) -> list[PlaceName]:
    """Every estate or landmark name in the text, in order of appearance."""
    out: list[PlaceName] = []
    text = text or ""
    for m in _CANDIDATE.finditer(text):
        if _ADMIN_AFTER.match(text, m.end()):
            continue  # 八里庄 in 八里庄街道, 李家庄 in 李家庄镇: a street's or town's name
        name = _strip_lead(m.group(0))
        if _NOT_PLACE.search(name) or len(name) > _MAX_NAME or _PHRASE.search(name):
            continue
        core = core_of(name)
        if len(core) < _MIN_CORE or core in _GENERIC_CORES or core.isdigit():
            continue
        if re.fullmatch(r"[A-Z]\d*[市区县]?", core):
            continue
        out.append(PlaceName(name, core))
    return out


def main_place(title: str, body: str) -> PlaceName | None:
    """The place a message is about: the first name in its title, else its body's most
    frequent one (first seen wins a tie)."""
    in_title = names_in(title)
    if in_title:
        return in_title[0]
    in_body = names_in(body)
    if not in_body:
        return None
    counts = Counter(p.core for p in in_body)
    best = max(counts.values())
    return next(p for p in in_body if counts[p.core] == best)
