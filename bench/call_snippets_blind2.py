"""Generate the second blind set of agent-typed place snippets (``calls_blind2.csv``).

    .venv/bin/python bench/call_snippets_blind2.py

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
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from call_snippets import (
    MESSAGES,
    PROBLEMS,
    Maker,
    community_base,
    load,
    proposals,
    write,
    write_proposals,
)

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "jiesu" / "triage" / "data"
SEED = 4417_2026

PROBLEMS2 = [
    "马路上有个大坑", "楼下烧烤摊烟太大", "半夜有人装修砸墙", "垃圾站臭得不行", "自来水发黄",
    "单元门禁坏了", "路边停满了僵尸车", "小广告贴满了墙", "雨水井堵了积水", "人行道砖翘起来了",
    "工地扬尘没盖网", "快递车乱停堵路", "有人私搭电线充电", "公厕没人打扫", "护栏被撞歪了",
    "健身器材坏了", "流浪狗很多", "燃气味儿挺大", "冬天暖气不达标", "红绿灯不亮",
    *PROBLEMS[:5],
]

TEMPLATES2: dict[str, list[str]] = {
    "homophone": [
        "来电：{P}，{Q}", "{P}这边儿{Q}，希望有人管", "市民称在{P}{Q}", "诉求地点{P}，{Q}",
        "{Q}，地址是{P}", "他说{P}里头{Q}", "{P}那里{Q}，反映多次", "就{P}，{Q}，挺严重",
        "群众来电反映：{P}{Q}",
    ],
    "hesitation": [
        "嗯……{P}，{P}，{Q}", "那什么…{p}…{P}那儿，{Q}", "{P}，啊，{P}，{Q}",
        "就是那个…那个…{P}，{Q}", "呃…呃…{P}那块儿{Q}", "{p}，{p}…{P}，{Q}",
        "来电人结巴：{P}…{P}……{Q}", "哎呀…在那个{P}，{Q}", "唔…{P}吧，{Q}",
    ],
    "correction": [
        "{X}？不对不对，是{P}，{Q}", "更正：不是{X}，是{P}，{Q}", "先说的{X}不对，是{P}，{Q}",
        "不是{X}那边，是{P}这边，{Q}", "{X}是记错了，{P}，{Q}", "啊不是{X}，我是说{P}，{Q}",
        "别写成{X}，应该写{P}，{Q}", "她说{X}，后来改口说是{P}，{Q}", "说成{X}了，其实是{P}，{Q}",
    ],
    "route": [
        "从{X}那边坐车过来，{P}这儿{Q}", "从{X}出门，走到{P}看见{Q}", "由{X}驾车到{P}，{P}路口{Q}",
        "上午从{X}过来送货，到{P}时{Q}", "从{X}骑电动车到{P}，{Q}",
        "坐地铁从{X}到{P}，{P}出口{Q}", "我从{X}来{P}看病，{P}这边{Q}",
        "他们从{X}转车去{P}，在{P}发现{Q}", "从{X}遛弯到{P}，{Q}",
    ],
    "home": [
        "我家住{X}，但事儿出在{P}，{Q}", "我是住{X}的，{P}那儿{Q}",
        "户籍{X}，现在反映{P}的情况，{Q}",
        "我住的是{X}，今天路过{P}，{Q}", "家是{X}的，{P}这边{Q}", "来电人居住在{X}，反映{P}{Q}",
        "本人{X}居民，在{P}遇到{Q}", "我老家是{X}的，人在{P}，{Q}", "住{X}那边，不过是{P}{Q}",
    ],
    "landmark": [
        "{L}这边{Q}", "{L}那里{Q}，请处理", "就在{L}跟前，{Q}", "{L}外头{Q}", "去{L}的时候看到{Q}",
        "{L}对过儿{Q}", "离{L}不远，{Q}", "{L}北门{Q}", "{L}边儿上{Q}，好几天了",
    ],
}


# The landmark table these sets were drawn from (rows added later would change them).
TABLE_AT = "095effb"


def table_text(commit: str = TABLE_AT) -> str:
    return subprocess.run(
        ["git", "show", f"{commit}:jiesu/triage/data/landmarks.csv"],
        capture_output=True, text=True, check=True, cwd=DATA,
    ).stdout


def table_landmarks(text: str | None = None) -> list[tuple[str, str, str]]:
    """Rows of ``landmarks.csv`` (as of ``TABLE_AT`` unless ``text`` is given) that name a
    street: (alias, district, official street)."""
    rows, _ = load()
    by_name: dict[tuple[str, str], str] = {}
    for r in rows:
        d = r["district"]
        by_name[(d, r["street"])] = r["street"]
        short = re.sub("(街道|地区|镇|乡)$", "", r["street"])
        by_name.setdefault((d, short), r["street"])
    out = []
    for r in csv.DictReader((table_text() if text is None else text).splitlines()):
        d = r["district"] if r["district"].endswith("区") else r["district"] + "区"
        st = by_name.get((d, r["street"].strip()))
        if r["street"].strip() and st:
            out.append((r["alias"], d, st))
    return out


class BlindMaker(Maker):
    """A later blind set: its own seed, templates and problems, every street, the landmark
    table's rows and NBS estates (55 snippets per kind, as the first blind set)."""

    def __init__(self, seed: int, templates: dict[str, list[str]],
                 problems: list[str]) -> None:
        super().__init__("blind")
        self.rng = random.Random(seed)
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
        self.templates = templates
        self.problems = problems
        self.table = table_landmarks()

    def row(self, kind: str) -> dict[str, str]:
        if kind != "landmark":
            return super().row(kind)  # problems swapped for this set's list in make_set()
        t = self.rng.choice(self.templates[kind])
        q = self.rng.choice(self.problems)
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


def _problem_swap(rows: list[dict[str, str]], rng: random.Random, problems: list[str]) -> None:
    """Use this set's problems: the earlier list's phrase at the end becomes a new one."""
    for row in rows:
        for q in PROBLEMS:
            if q in row["text"]:
                row["text"] = row["text"].replace(q, rng.choice(problems), 1)
                break


def make_set(name: str, seed: int, templates: dict[str, list[str]],
             problems: list[str]) -> None:
    """Write ``calls_<name>.csv`` and, with the labelled messages, ``proposals_<name>.csv``
    (each snippet + a held-out message)."""
    rows = BlindMaker(seed, templates, problems).rows()
    _problem_swap(rows, random.Random(seed + 1), problems)
    out = DATA / f"calls_{name}.csv"
    write(out, rows)
    print(f"{name}: {len(rows)} snippets → {out}", file=sys.stderr)
    if MESSAGES.exists():
        write_proposals(DATA / f"proposals_{name}.csv", proposals(rows, seed + 2))


if __name__ == "__main__":
    make_set("blind2", SEED, TEMPLATES2, PROBLEMS2)
