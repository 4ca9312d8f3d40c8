"""Generate the seventh-round development set for sound and landmarks (``calls_dev7s.csv``).

    .venv/bin/python bench/call_snippets_dev7s.py [OUT_DIR]

A development set (the rules of the seventh round were tuned on it), written before the tuning
and scored once with the rules of main as they were (docs/triage.md, "Seventh round: sound and
landmarks"). Two kinds, 120 snippets each, templates and problems written for this set:

- ``homophone``: a third **two-character street short forms** misheard by one character with
  little or nothing beside them (``short2``), the way the sixth blind set's misses were said
  (死渡, 因海, 北物, 在堂 …); a third one character of a longer street or community name replaced
  by an everyday character of the same syllable (``same``); a third by a near one (``near``:
  n/l, zh/z, ch/c, sh/s, f/h, in/ing, en/eng, an/ang), all chosen with ``pypinyin`` among the
  everyday single-reading characters of the shared messages, never making another real name;
- ``landmark``: half the rows of ``landmarks.csv`` below its seventh-round marker (the
  first 253 rows written in that round), said colloquially (门口, 对过儿, 东门, 看病的时候 …;
  ``table7``; a row with no street is right when no street is given: ``district_only``), a
  quarter earlier table
  rows (``table``), a quarter estates 「X小区」 named after NBS communities whose base has two or
  three characters (``estate``: 麻峪小区 is 广宁街道's 麻峪社区).

Typing styles as in the sixth set (as typed, half-width, spaces, no punctuation).
"""

from __future__ import annotations

import csv
import random
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from call_snippets import community_base, write
from call_snippets_blind6 import Places, char_pool, near_syllables, readings, short

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "jiesu" / "triage" / "data"
LANDMARKS = DATA / "landmarks.csv"
SEED = 7_2026_1208
PER_KIND = 120
MARKER = "# seventh round"
# The set was drawn from the first rows written in that round (rows added later are not in it).
TABLE7_ROWS = 253

PROBLEMS7 = [
    "小区门口的路灯坏了一个多月", "楼下餐馆后厨往下水道倒油", "井盖松了车一过就响",
    "夜里有人在空地上烧东西", "外墙保温层掉下来了", "绿化带里的树死了一片",
    "雨水篦子堵了一下雨就淹", "马路牙子被车压碎了", "私搭的棚子占了消防通道",
    "早上五点就有人装卸货吵得很", "公共厕所没人打扫", "楼顶的广告牌晃得厉害",
    "临街商户把垃圾扔在人行道上", "供暖不达标家里才十几度", "一辆僵尸车停了半年没人挪",
    "电线杆歪了快倒了", "有人在路边修车占道", "自来水发黄不敢喝",
    "工地的渣土车不苫盖扬尘大", "健身器材坏了伤了孩子", "隔壁装修天天电钻响",
    "小广告贴得到处都是", "下雨路面塌了一个坑", "流浪狗咬了人",
]

TEMPLATES7 = {
    # {P}: a misheard place name. Few place words beside it: the sixth set's misses.
    "homophone": [
        "{P}，{Q}", "{P} {Q}", "刚接一个，{P}的，{Q}", "打电话的大哥说{P}{Q}", "{P}那疙瘩{Q}",
        "反映人在{P}，{Q}", "{P}后身儿{Q}", "具体是{P}，{Q}", "{Q}，说是在{P}", "{P}这一片儿{Q}",
        "位置大概在{P}那块儿，{Q}", "大妈说：{P}，{Q}", "{P}啊，{Q}", "来电地址：{P}。{Q}",
        "{P}街面上{Q}", "市民称{P}{Q}", "诉求人：{P}，{Q}", "{P}这边儿的{Q}",
    ],
    # {L}: a landmark or an estate, said the way callers say it.
    "landmark": [
        "{L}门口{Q}", "{L}对过儿{Q}", "在{L}看病的时候发现{Q}", "{L}南边那条街{Q}",
        "就{L}那儿，{Q}", "{L}附近的小路上{Q}", "{L}停车场{Q}", "我在{L}上班，{Q}",
        "挨着{L}，{Q}", "{L}旁边那个路口{Q}", "{L}西门外{Q}", "{L}里头{Q}",
        "来电人说{L}那一片{Q}", "地点：{L}东侧，{Q}", "{L}边上{Q}",
    ],
}

_HALF = str.maketrans({"，": ",", "。": ".", "：": ":", "；": ";", "！": "!", "？": "?"})


def table_rows() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(rows before the seventh-round marker, rows after it) of ``landmarks.csv``."""
    before: list[dict[str, str]] = []
    after: list[dict[str, str]] = []
    seen_marker = False
    with LANDMARKS.open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            alias = (r["alias"] or "").strip()
            if alias.startswith(MARKER):
                seen_marker = True
                continue
            if alias and not alias.startswith("#"):
                (after if seen_marker else before).append(r)
    return before, after[:TABLE7_ROWS]


class Maker7:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.places = Places()
        self.pool = char_pool()
        self.old, self.new = table_rows()
        self.used: set[str] = set()
        # Two-character short forms of clean streets (瀛海, 十渡, 北务 …).
        self.short2 = [c for cs in self.places.clean_streets.values() for c in cs
                       if len(short(self.places.street_of[c][1])) == 2]
        # Estates: an NBS community base of 2-3 characters (not a village) that names one
        # street and is no street's short form.
        bases = Counter(community_base(r["community"]).removesuffix("社区")
                        for r in self.places.rows)
        street_shorts = {short(s) for _, s in self.places.street_of.values()}
        self.estates = [
            r for r in self.places.rows
            if (b := community_base(r["community"]).removesuffix("社区"))
            and 2 <= len(b) <= 3 and bases[b] == 1 and b not in street_shorts
            and not b.endswith(("村", "区")) and not re.search("[0-9第]", b)
            and not self.places.ambiguous(b, r["street_code"])
        ]

    def misspell(self, name: str, code: str, want_near: bool) -> tuple[str, str] | None:
        """One character of ``name`` replaced by an everyday one of the same or a near
        syllable; None where no safe replacement exists."""
        rng = self.rng
        positions = list(range(len(name)))
        rng.shuffle(positions)
        for i in positions:
            if name[i] in "村区镇乡":
                continue
            rs = readings(name[i])
            if len(rs) != 1:
                continue
            syl, tone = rs[0].rstrip("012345"), rs[0][-1]
            sylls = sorted(near_syllables(syl)) if want_near else [syl]
            cands = [(c, r) for s in sylls for c, r in self.pool.get(s, []) if c not in name]
            rng.shuffle(cands)
            for c, r in cands[:30]:
                typed = name[:i] + c + name[i + 1:]
                if self.places.ambiguous(typed, code):
                    continue
                note = "near" if want_near else ("same" if r[-1] == tone else "same;tone")
                return typed, note
        return None

    def homophone(self, i: int) -> tuple[str, str, str, str]:
        """(typed form, district, street, note)."""
        rng = self.rng
        for _ in range(500):
            if i % 3 == 0:
                code = rng.choice(self.short2)
                d, st = self.places.street_of[code]
                name = short(st)
                m = self.misspell(name, code, want_near=rng.random() < 0.5)
                if m:
                    return m[0], d, st, "short2;" + m[1]
                continue
            d = rng.choice(self.places.districts)
            if rng.random() < 0.5:
                code = rng.choice(self.places.clean_streets[d])
                _, st = self.places.street_of[code]
                name = short(st)
                if len(name) < 3:
                    continue
            else:
                r = rng.choice(self.places.clean_comms[d])
                if r["community"] in self.used:
                    continue
                code, st = r["street_code"], r["street"]
                name = community_base(r["community"])
            m = self.misspell(name, code, want_near=i % 3 == 2)
            if m and m[0] not in self.used:
                self.used.add(m[0])
                return m[0], d, st, m[1]
        raise RuntimeError("no homophone")

    def landmark(self, i: int) -> tuple[str, str, str, str]:
        rng = self.rng
        if i % 4 in (0, 1):
            r = self.new[(i // 4 * 2 + i % 4) % len(self.new)]
            note = "table7" if r["street"] else "table7;district_only"
            return r["alias"], r["district"], r["street"], note
        if i % 4 == 2:
            r = rng.choice([x for x in self.old if x["street"] and x["alias"] not in self.used])
            self.used.add(r["alias"])
            return r["alias"], r["district"], r["street"], "table"
        r = rng.choice([x for x in self.estates if x["community"] not in self.used])
        self.used.add(r["community"])
        b = community_base(r["community"]).removesuffix("社区")
        extra = rng.choice(["", "", "3号楼", "东门", "2单元", "南区"])
        return b + "小区" + extra, r["district"], r["street"], "estate"

    def style(self, text: str) -> tuple[str, str]:
        s = self.rng.choices(["as_is", "halfwidth", "spaces", "run_on"], [50, 20, 15, 15])[0]
        if s == "halfwidth":
            text = text.translate(_HALF)
        elif s == "spaces":
            text = re.sub("[，。；]+", " ", text).strip()
        elif s == "run_on":
            text = re.sub("[，。；：！？]+", "", text)
        return text, s

    def rows(self) -> list[dict[str, str]]:
        out = []
        self.rng.shuffle(self.new)
        for kind in ("homophone", "landmark"):
            for i in range(PER_KIND):
                form, d, st, note = (self.homophone(i) if kind == "homophone"
                                     else self.landmark(i))
                t = self.rng.choice(TEMPLATES7[kind])
                body, s = self.style(t.replace("{Q}", self.rng.choice(PROBLEMS7)))
                text = body.replace("{P}", form).replace("{L}", form)
                out.append({"text": text, "district": d, "street": st, "kind": kind,
                            "note": f"{note};{s}"})
        return out


def main(argv: list[str]) -> None:
    out_dir = Path(argv[0]) if argv else DATA
    rows = Maker7(SEED).rows()
    write(out_dir / "calls_dev7s.csv", rows)
    print(f"dev7s: {len(rows)} snippets → {out_dir / 'calls_dev7s.csv'}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
