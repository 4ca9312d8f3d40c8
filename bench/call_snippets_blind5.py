"""Generate the fifth blind set of agent-typed place snippets (``calls_blind5.csv``).

    .venv/bin/python bench/call_snippets_blind5.py

Written after the fourth round's fixes (2026-12-04) and scored once, to measure the rules as
they stand on rows nobody tuned on; its failures were read only after that score was recorded
(docs/triage.md), and the rules they led to make it a development set now. Made like the fourth
set (``call_snippets_blind4``: f/h and two-character mishearings, typing styles) with:

- places again the less-used half of the streets, now counting the fourth set and the styled
  development set among the earlier ones; communities and villages in no earlier set;
  ``landmarks.csv`` rows that were there before the fourth round (the rows it added are not used,
  they were written by the same hand as the rules) and that no earlier set used;
- its own templates, written as different agents would type them: a terse one (地点+诉求), a
  verbose one (据来电人描述…), one quoting the caller's Beijing speech (地界儿, 甭, 压根儿), and a
  speech-to-text style with no punctuation at all (its own typing style here, 15 % of the rows);
- callers' short names of landmarks that no table lists (北医, 交大, 北展, 动批, 秀水, 国科大,
  佑安): their street is the table's row for the full name.

60 snippets per kind, 360 in all, and ``proposals_blind5.csv``.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from call_snippets import (
    MESSAGES,
    PROBLEMS,
    community_base,
    load,
    proposals,
    write,
    write_proposals,
)
from call_snippets_blind2 import DATA, _problem_swap, table_landmarks
from call_snippets_blind4 import Blind4Maker, draw_style, earlier_usage, restyle

SEED = 5_0417_2026
PER_KIND = 60

PROBLEMS5 = [
    "楼下餐馆后厨污水往外流", "小区门口的减速带掉了", "垃圾楼半夜清运太吵", "有人在人行道上洗车",
    "道边的雨箅子被偷了", "路灯杆子歪了快倒了", "住户私接水管漏水", "公园湖边护栏断了",
    "马路上有块大石头", "工地渣土车不苫盖", "小区消防栓漏水", "楼道里有人堆放电瓶",
    "夜里有人放烟花", "菜摊把路堵死了", "公共厕所水龙头坏了", "大树根把路面拱起来了",
    "空置房里老有人进出", "路口监控杆被撞了", "井盖响得厉害", "暖气管道漏水",
    *PROBLEMS[15:20],
]

TEMPLATES5: dict[str, list[str]] = {
    "homophone": [
        "地点{P} 诉求{Q}", "据来电人描述，{P}附近{Q}，希望尽快解决", "{P}地界儿{Q}",
        "来电：{P}那头{Q}",
        "{P}呢，{Q}", "老百姓说{P}那块{Q}", "来电反映位于{P}的{Q}", "{P}那个地儿{Q}",
        "他说就是{P}吧{Q}", "市民称{P}这块{Q}，已反映过", "【{P}】{Q}", "具体在{P}，{Q}",
        "{P}那一片儿{Q}甭提多烦了", "你们管管{P}那儿，{Q}",
    ],
    "hesitation": [
        "哎哎…{P}…{P}那，{Q}", "是那个，那个{P}，{Q}", "{p}…不是…{P}，{Q}",
        "嗯，就…{P}那一片，{Q}", "他说{P}，{P}那儿，{Q}，说了两遍", "啊…啊…{P}，{Q}",
        "额…就在{P}，{Q}", "那边…那边{P}…{Q}", "{P}…{P}…对对，{Q}", "呃呃…{p}，{P}，{Q}",
        "那叫啥来着…哦{P}，{Q}", "就是说{P}，嗯，{P}那块，{Q}", "唉…{P}吧，{Q}", "{P}——{P}，{Q}",
    ],
    "correction": [
        "压根儿不是{X}，是{P}，{Q}", "{X}是我记岔了，{P}，{Q}", "不是{X}哈，{P}，{Q}",
        "{X}？不对，是{P}，{Q}", "我再说一遍，{P}，不是{X}，{Q}", "错了错了，不是{X}，{P}，{Q}",
        "把{X}改成{P}，{Q}", "刚说的{X}不算，{P}，{Q}", "不是{X}那儿，是在{P}，{Q}",
        "{X}，哦不，我是说{P}，{Q}", "别记{X}，记{P}，{Q}", "应该是{P}，刚才说成{X}了，{Q}",
        "{X}不对，更正为{P}，{Q}", "不是{X}，{P}那边，{Q}",
    ],
    "route": [
        "从{X}坐车到{P}，{P}那块{Q}", "打{X}那边开车来{P}，一到{P}就看见{Q}",
        "我是从{X}过来的，{P}这边{Q}",
        "从{X}出来奔{P}去，到{P}{Q}", "从{X}走到{P}，{Q}", "他从{X}骑车到{P}，发现{Q}",
        "由{X}开往{P}，{P}附近{Q}", "从{X}到{P}的路上，到{P}那段{Q}", "从{X}换乘到{P}，出站{Q}",
        "我们从{X}来{P}办事，{P}{Q}", "从{X}一路走过来，到{P}那块{Q}", "早上从{X}送孩子到{P}，{Q}",
        "从{X}拉客到{P}，{P}路口{Q}", "从{X}搬东西到{P}，在{P}看见{Q}",
    ],
    "home": [
        "我住{X}，要反映{P}的事，{Q}", "我家是{X}的，今天在{P}{Q}", "本人住在{X}，{P}那{Q}",
        "家住{X}，反映{P}{Q}", "我是{X}的，说的是{P}，{Q}", "我们家住{X}，{P}这边{Q}",
        "住在{X}的居民，反映{P}，{Q}", "我住的是{X}，但问题在{P}，{Q}",
        "来电人家住{X}，反映{P}附近{Q}",
        "我是{X}居民，不过{P}{Q}", "家在{X}，在{P}办事时看到{Q}", "我住{X}，去{P}的时候看到{Q}",
        "家住{X}，事情出在{P}，{Q}", "我住{X}那块儿，反映的是{P}{Q}",
    ],
    "landmark": [
        "{L}那块儿{Q}", "{L}旁边那个路口{Q}", "{L}门口这条路{Q}", "在{L}那边，{Q}",
        "{L}东门外头{Q}", "{L}正门对面{Q}", "{L}附近{Q}，有段时间了", "{L}往北一点{Q}",
        "到{L}那个位置{Q}", "{L}边儿上{Q}", "{L}这儿{Q}", "就{L}那，{Q}", "{L}里面{Q}",
        "{L}后门{Q}",
    ],
}

COLLOQUIAL5: list[tuple[str, str]] = [
    ("北医", "北京大学医学部"), ("交大", "北京交通大学"), ("北展", "北京展览馆"),
    ("动批", "动物园批发市场"), ("秀水", "秀水街"), ("国科大", "中国科学院大学玉泉路校区"),
    ("佑安", "佑安医院"),
]
ESTATE_FORMS5 = ("小区", "小区2号楼", "院儿", "小区南门", "那个院里", "那片小区", "小区东门")
VILLAGE_FORMS5 = ("村里", "村北头", "村口", "村委会那")
STYLES5 = (("as_is", 0.55), ("halfwidth", 0.1), ("spaces", 0.1), ("asr", 0.15), ("run_on", 0.1))


class Blind5Maker(Blind4Maker):
    def __init__(self) -> None:
        super().__init__()
        self.rng = random.Random(SEED)
        self.templates = TEMPLATES5
        self.problems = PROBLEMS5
        counts, seen_text = earlier_usage(("calls_blind4", "calls_dev_styled"))
        _, by_street = load()
        rows = [by_street[c][0] for c in sorted(by_street)]
        ranked = sorted(rows, key=lambda r: (counts[f"{r['district']}|{r['street']}"],
                                             r["street_code"]))
        self.streets = ranked[: len(ranked) // 2]
        self.communities = [
            r for r in self.communities if community_base(r["community"]) not in seen_text
        ]
        # table_landmarks() reads the table as it was before the fourth round (TABLE_AT)
        self.table = [t for t in self.table if t[0] not in seen_text]
        full = {alias: (d, st) for alias, d, st in table_landmarks()}
        self.colloquial = [(said, *full[name]) for said, name in COLLOQUIAL5 if name in full]

    def row(self, kind: str) -> dict[str, str]:
        if kind != "landmark":
            return super().row(kind)
        t = self.rng.choice(self.templates[kind])
        q = self.rng.choice(self.problems)
        roll = self.rng.random()
        if roll < 0.4 and self.table:
            name, d, st = self.rng.choice(self.table)
            note = "listed"
        elif roll < 0.6 and self.colloquial:
            name, d, st = self.rng.choice(self.colloquial)
            note = "colloquial"
        else:
            r = self.rng.choice(self.communities)
            base = community_base(r["community"])
            if base.endswith("村"):
                name = base[:-1] + self.rng.choice(VILLAGE_FORMS5)
            else:
                name = base + self.rng.choice(ESTATE_FORMS5)
            d, st, note = r["district"], r["street"], "estate"
        return {"text": t.format(L=name, Q=q), "district": d, "street": st, "kind": kind,
                "note": note}


def styled5(text: str, rng: random.Random) -> tuple[str, str]:
    style = draw_style(rng, STYLES5)
    if style == "halfwidth":
        text = text.replace("，", ",").replace("：", ":")
    elif style == "spaces":
        text = text.replace("，", " ")
    elif style == "run_on":
        text = text.replace("，", "")
    elif style == "asr":  # speech-to-text: no punctuation, no pauses marked
        for mark in "，。：？！、…【】——":
            text = text.replace(mark, "")
    return text, style


def main() -> None:
    rows = Blind5Maker().rows()
    _problem_swap(rows, random.Random(SEED + 1), PROBLEMS5)
    restyle(rows, styled5, random.Random(SEED + 3))
    out = DATA / "calls_blind5.csv"
    write(out, rows)
    print(f"blind5: {len(rows)} snippets → {out}", file=sys.stderr)
    if MESSAGES.exists():
        write_proposals(DATA / "proposals_blind5.csv", proposals(rows, SEED + 2))


if __name__ == "__main__":
    main()
