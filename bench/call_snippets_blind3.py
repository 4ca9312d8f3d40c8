"""Generate the third blind set of agent-typed place snippets (``calls_blind3.csv``).

    .venv/bin/python bench/call_snippets_blind3.py

Written after the fixes that the second blind set led to, before scoring, to measure the rules
as they stand on rows nobody tuned on; same method as the second set (below), its own seed,
templates and problems.

The first blind set (``calls_blind.csv``) stopped being blind once the matcher was fixed
after scoring it. This set was written before any further tuning, with its own seed, its own
templates (worded unlike both earlier sets), every street of the NBS list (both halves), and
the landmark table's own rows (``landmarks.csv``, rows that name a street) plus estates named
after NBS communities. It is committed and scored once, at the end of the work it measures;
nobody tuning the matcher reads it (docs/triage.md).

Kinds, 55 snippets each: ``homophone`` (one character replaced by a same- or near-sounding
everyday character, as ``call_snippets.Maker.misspell``), ``hesitation``, ``correction``,
``route``, ``home``, ``landmark``.
"""

from __future__ import annotations

import csv
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from call_snippets import (
    KINDS,
    PROBLEMS,
    Maker,
    community_base,
    load,
    write,
)

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "jiesu" / "triage" / "data"
OUT = DATA / "calls_blind3.csv"
SEED = 8123_0419
PER_KIND = 55

PROBLEMS2 = [
    "楼顶漏水没人修", "路口有人卖菜堵着", "夜里狗叫扰民", "垃圾分类桶被拉走了", "水管冻裂了",
    "公园厕所锁着门", "地下室住了很多人", "马路边有死鸟", "消防通道被车堵了", "施工围挡倒了",
    "菜市场污水横流", "路灯一直亮着浪费电", "有人在绿地里种菜", "墙皮脱落砸到人", "污水井盖丢了",
    "工地晚上十点还在打桩", "道路结冰没人撒盐", "小区大门坏了关不上", "树上马蜂窝", "电动车乱停",
    *PROBLEMS[5:10],
]

TEMPLATES2: dict[str, list[str]] = {
    "homophone": [
        "{P}那块有{Q}", "在{P}这一片，{Q}", "事发{P}，{Q}", "来电说{P}那个位置{Q}",
        "{P}这里{Q}，催一下", "居民反映{P}附近{Q}", "{P}旁边，{Q}", "他在{P}看到{Q}",
        "{Q}，是{P}那边的事",
    ],
    "hesitation": [
        "嗯…嗯…{P}，{Q}", "{p}…那个…{P}，{Q}", "就…就是{P}，{Q}", "{P}…对，{P}，{Q}",
        "呃……是{P}那边，{Q}", "那个啥…{P}，{Q}", "{P}，{P}那块儿，{Q}", "嗯，{p}……{P}吧，{Q}",
        "来电人停顿了一下说{P}…{Q}",
    ],
    "correction": [
        "不是{X}啊，{P}，{Q}", "{X}？哦不对，{P}，{Q}", "她先说{X}，又说不对是{P}，{Q}",
        "更正一下地址：{P}，不是{X}，{Q}", "我说错了，不是{X}，是{P}，{Q}",
        "{X}写错了，改成{P}，{Q}",
        "不是{X}，在{P}那边，{Q}", "别弄成{X}，是{P}，{Q}", "{X}不对，应该是{P}，{Q}",
    ],
    "route": [
        "从{X}回家路过{P}，{Q}", "开车从{X}到{P}，在{P}看见{Q}", "从{X}出发，到{P}那边{Q}",
        "早上从{X}骑车去{P}上班，{P}那里{Q}", "我从{X}坐公交到{P}，下车就看到{Q}",
        "从{X}走过来到{P}，{Q}", "他从{X}开到{P}，{P}路边{Q}", "从{X}来的，在{P}发现{Q}",
        "由{X}到{P}途中，在{P}{Q}",
    ],
    "home": [
        "我住{X}，{P}那边{Q}", "我家在{X}，今天去{P}，{Q}", "来电人是{X}的居民，反映{P}{Q}",
        "家住{X}，在{P}这边遇到{Q}", "我是{X}的业主，但{P}那儿{Q}", "住在{X}，反映的是{P}，{Q}",
        "我在{X}住，今天在{P}看到{Q}", "户口在{X}，现住{P}附近，{P}{Q}", "我家{X}的，{P}{Q}",
    ],
    "landmark": [
        "{L}附近{Q}", "{L}那一片{Q}", "{L}门口那条路{Q}", "在{L}旁边，{Q}", "{L}那边有{Q}",
        "{L}周围{Q}", "{L}斜对面{Q}", "就在{L}，{Q}", "{L}东边{Q}",
    ],
}


def table_landmarks() -> list[tuple[str, str, str]]:
    """Rows of ``landmarks.csv`` that name a street: (alias, district, official street)."""
    rows, _ = load()
    by_name: dict[tuple[str, str], str] = {}
    for r in rows:
        d = r["district"]
        by_name[(d, r["street"])] = r["street"]
        short = re.sub("(街道|地区|镇|乡)$", "", r["street"])
        by_name.setdefault((d, short), r["street"])
    out = []
    with (DATA / "landmarks.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            d = r["district"] if r["district"].endswith("区") else r["district"] + "区"
            st = by_name.get((d, r["street"].strip()))
            if r["street"].strip() and st:
                out.append((r["alias"], d, st))
    return out


class Blind3Maker(Maker):
    def __init__(self) -> None:
        super().__init__("blind")
        self.which = "blind3"
        self.rng = random.Random(SEED)
        rows, by_street = load()
        self.streets = [by_street[c][0] for c in sorted(by_street)]
        base_count: dict[str, int] = defaultdict(int)
        for r in rows:
            base_count[community_base(r["community"])] += 1
        self.communities = [
            r for r in rows
            if base_count[community_base(r["community"])] == 1
            and 3 <= len(community_base(r["community"])) <= 7
            and not community_base(r["community"]).endswith(("虚拟社区", "生活区"))
            and not re.search("第[一二三四五六七八九十]+$", community_base(r["community"]))
        ]
        self.templates = TEMPLATES2
        self.table = table_landmarks()

    def row(self, kind: str) -> dict[str, str]:
        if kind != "landmark":
            return super().row(kind)  # problems swapped for this set's list in main()
        t = self.rng.choice(self.templates[kind])
        q = self.rng.choice(PROBLEMS2)
        if self.rng.random() < 0.5:
            name, d, st = self.rng.choice(self.table)
            return {"text": t.format(L=name, Q=q), "district": d, "street": st, "kind": kind,
                    "note": "listed"}
        r = self.rng.choice(self.communities)
        base = community_base(r["community"])
        tail = "" if base.endswith(("村", "园", "里", "苑", "院", "区")) else "小区"
        text = t.format(L=base + self.rng.choice([tail, "那个小区", tail + "里头"]), Q=q)
        return {"text": text, "district": r["district"], "street": r["street"], "kind": kind,
                "note": "estate"}

    def rows(self) -> list[dict[str, str]]:
        out = []
        seen: set[str] = set()
        for kind in KINDS:
            n = 0
            while n < PER_KIND:
                row = self.row(kind)
                if row["text"] in seen:
                    continue
                seen.add(row["text"])
                out.append(row)
                n += 1
        return out


def _problem_swap(rows: list[dict[str, str]], rng: random.Random) -> None:
    """Use this set's problems: the earlier list's phrase at the end becomes a new one."""
    for row in rows:
        for q in PROBLEMS:
            if q in row["text"]:
                row["text"] = row["text"].replace(q, rng.choice(PROBLEMS2), 1)
                break


def main() -> None:
    maker = Blind3Maker()
    rows = maker.rows()
    _problem_swap(rows, random.Random(SEED + 1))
    write(OUT, rows)
    print(f"blind3: {len(rows)} snippets → {OUT}", file=sys.stderr)
    # The whole-proposal version: each snippet + a held-out labelled message.
    from call_snippets import MESSAGES, is_holdout

    if MESSAGES.exists():
        with MESSAGES.open(encoding="utf-8") as fh:
            held = [r for r in csv.DictReader(fh) if is_holdout(r["id"])]
        rng = random.Random(SEED + 2)
        with (DATA / "proposals_blind3.csv").open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=["text", "label", "district", "street", "kind",
                                               "id"])
            w.writeheader()
            for row in rows:
                msg = rng.choice(held)
                body = msg["text_segmented"].replace(" ", "")[:240]
                w.writerow({"text": f"{row['text']}。{body}", "label": msg["label"],
                            "district": row["district"], "street": row["street"],
                            "kind": row["kind"], "id": msg["id"]})


if __name__ == "__main__":
    main()
