"""Generate the fourth blind set of agent-typed place snippets (``calls_blind4.csv``).

    .venv/bin/python bench/call_snippets_blind4.py

Written before any change that it measures (issue 10, 2026-12-04), and scored once with the
rules frozen. Each earlier blind set stopped being blind when it was fixed; this one differs
from all of them in what the fixes were tuned on, as far as the data allows:

- **places**: streets the earlier sets (development and blind, hand-written ones included)
  named least often (the less-used half), communities and villages whose names occur in no
  earlier set, landmark rows of ``landmarks.csv`` that no earlier set used;
- **wording**: its own templates per kind (14 each, worded unlike the earlier sets: shorthand
  an agent types while listening, Beijing colloquial speech, corrections and trips said other
  ways), its own problems, and **typing styles**: some rows with half-width commas, spaces or
  no punctuation between clauses, or a doubled full stop, as typed in a hurry;
- **homophones**: one character replaced by an everyday character of the same syllable
  (``same``) or a near sound (``near``: zh/z, ch/c, sh/s, n/l both ways, in/ing, en/eng,
  an/ang, **and f/h**, which the earlier sets did not use), drawn from a wider slice of the
  character pool; names of five characters or more sometimes get two characters replaced
  (``two``: the most the rules allow);
- **landmarks**: a third from unused ``landmarks.csv`` rows, a third estates named after NBS
  communities said the colloquial ways (X那个院儿, X家属院, X几号楼; a village's X村口,
  X村东头), a third **colloquial short names** of landmarks in the table (国图, 协和, 民大 …),
  which the table itself does not list: their street is the table's row for the full name
  (so the truth is not our guess).

60 snippets per kind, 360 in all; ``proposals_blind4.csv`` pairs each with a held-out
labelled message. Nobody tuning the matcher reads the rows before the first score is recorded
(docs/triage.md).
"""

from __future__ import annotations

import csv
import random
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from call_snippets import (
    MESSAGES,
    PROBLEMS,
    community_base,
    proposals,
    readings,
    write,
    write_proposals,
)
from call_snippets import near as near_basic
from call_snippets_blind2 import DATA, BlindMaker, _problem_swap, table_landmarks

SEED = 2026_1204
PER_KIND = 60
EARLIER = (
    "calls_dev", "calls_dev_big", "calls_blind", "calls_blind2", "calls_blind3",
    "places_eval", "places_eval_blind",
)

PROBLEMS4 = [
    "化粪池满了往外冒", "路边大树要倒了", "有人半夜在楼下喝酒喊叫", "停车场乱收费",
    "垃圾清运车洒了一路", "小区里有人养鸽子扰民", "人行天桥台阶坏了", "污水管道破了",
    "有人往河里排污水", "路口信号灯时间太短", "露天烧垃圾呛人", "楼道灯坏了一个月",
    "雨后积水过不去人", "建筑垃圾倒在路边", "商铺外摆占了盲道", "马路上井盖塌陷",
    "饭馆油烟熏得开不了窗", "大货车夜里鸣笛", "自来水水压太低", "路面裂缝越来越大",
    "有人在公共绿地圈地", "共享电动车堆在门口", "楼上空调滴水", "公交站没有遮雨棚",
    *PROBLEMS[10:15],
]

TEMPLATES4: dict[str, list[str]] = {
    "homophone": [
        "来电人称{P}那儿{Q}", "{P}，{Q}。请核实", "诉求：{P}{Q}", "说是{P}那块儿的，{Q}",
        "{Q}（{P}）", "反映{P}一带{Q}", "在{P}这边住的邻居都知道，{Q}",
        "{P}周边{Q}，多次反映未解决",
        "{P}那旮旯{Q}", "市民来电：{P}，{Q}", "问题位置{P}，{Q}", "{P}附近吧，{Q}",
        "来电人讲{P}那里{Q}", "他们{P}那块{Q}",
    ],
    "hesitation": [
        "嗯…嗯…那个…{P}，{Q}", "{p}…{p}…{P}，{Q}", "就是…就是…就是{P}，{Q}",
        "呃，是{P}吧，{P}，对，{Q}", "那个…叫什么来着…{P}，{Q}", "{P}……哎，{P}那片，{Q}",
        "嗯{P}，嗯，{Q}", "在…呃…在{P}那，{Q}", "{p}，{P}，{P}那边，{Q}",
        "那个啥，{P}…就那，{Q}", "额…{P}那儿，{Q}", "来电人想了半天说是{P}，{Q}",
        "我想想…{P}，对对对，{Q}", "{P}{P}那块儿，{Q}",
    ],
    "correction": [
        "{X}——不对，{P}，{Q}", "哦不是{X}，是{P}，{Q}", "之前报的{X}错了，实际在{P}，{Q}",
        "不不不，不是{X}是{P}，{Q}", "刚才那个{X}划掉，{P}，{Q}",
        "地点改一下，{P}，原来写的{X}不对，{Q}",
        "您记一下，是{P}，刚才{X}是说错了，{Q}", "{X}，哎不对不对，{P}，{Q}",
        "纠正：{P}（不是{X}），{Q}", "他一开始说{X}，后来又改成{P}了，{Q}",
        "不在{X}那儿，我说的{P}，{Q}", "{X}？不是，{P}，{Q}", "不是{X}，是{P}那块，{Q}",
        "我搞错了，不是{X}，是{P}，{Q}",
    ],
    "route": [
        "打{X}过来，到{P}一看{Q}", "从{X}坐地铁过来，出站到{P}，{Q}",
        "我们从{X}往{P}方向走，到了{P}{Q}", "下了班从{X}到{P}接孩子，{P}{Q}",
        "早上由{X}出发，去{P}办事，在{P}{Q}", "从{X}拉货到{P}，{P}那边{Q}",
        "刚从{X}回来，路上到{P}的时候{Q}", "我开车从{X}来{P}，{P}这块{Q}",
        "从{X}出来，坐了三站到{P}，{Q}", "他是从{X}来的，到{P}之后{Q}",
        "从{X}骑共享单车去{P}，{P}路口{Q}", "周末从{X}带孩子去{P}玩，{P}{Q}",
        "从{X}转了两趟车到{P}，{Q}", "由{X}步行到{P}，发现{Q}",
    ],
    "home": [
        "我自己住{X}，{P}那边{Q}", "我们家在{X}，要说的是{P}，{Q}", "住的地方是{X}，但是{P}{Q}",
        "家里在{X}，今天在{P}看见{Q}", "来电人住址{X}，事发地{P}，{Q}",
        "我是{X}那边的住户，反映{P}{Q}",
        "本人居住在{X}，单位在{P}，{P}{Q}", "住{X}的，去{P}的时候{Q}", "我家就在{X}，可是{P}{Q}",
        "我住在{X}那块儿，{P}这边{Q}", "户籍地{X}，反映{P}{Q}", "我是{X}的老住户了，说一下{P}，{Q}",
        "家住{X}，在{P}上班，{P}{Q}", "住{X}，问题是{P}的，{Q}",
    ],
    "landmark": [
        "{L}那个门口{Q}", "{L}南门往东一点{Q}", "{L}停车场{Q}", "{L}后身儿{Q}",
        "{L}底下{Q}", "{L}出来往西{Q}", "去{L}那条道上{Q}", "{L}院儿里{Q}",
        "{L}西边那条街{Q}", "{L}前面路口{Q}", "挨着{L}那，{Q}", "{L}对面马路{Q}",
        "{L}那一圈{Q}", "从{L}出来就看见{Q}",
    ],
}

# Colloquial short names of landmarks the table lists under their full name only: what the
# caller says, and the table row whose street is the truth.
COLLOQUIAL: list[tuple[str, str]] = [
    ("国图", "国家图书馆"), ("协和", "北京协和医院"), ("积水潭", "积水潭医院"),
    ("民大", "中央民族大学"), ("人大东门", "中国人民大学"), ("人大西门", "中国人民大学"),
    ("农大东区", "中国农业大学东校区"), ("北三院", "北京大学第三医院"),
    ("大剧院", "国家大剧院"), ("大会堂", "人民大会堂"), ("蓝港", "蓝色港湾"),
    ("植物园", "北京植物园"), ("南锣", "南锣鼓巷"), ("中传", "中国传媒大学"),
    ("北中医", "北京中医药大学"), ("阜外", "阜外医院"),
]

# Estates said the way people say them.
ESTATE_FORMS = ("那个院儿", "家属院", "小区3号楼", "小区北门", "那片楼", "小区里头", "那个小区")
VILLAGE_FORMS = ("口", "委会门口", "里头", "东头", "西边地里")

# Typing styles of an agent in a hurry (applied to the whole snippet).
STYLES = (("as_is", 0.6), ("halfwidth", 0.15), ("spaces", 0.1), ("run_on", 0.1), ("stops", 0.05))

_F_H = [("f", "h"), ("h", "f")]


def near(syl: str) -> set[str]:
    """The earlier sets' near sounds, and f/h (湖 hu ↔ 福 fu, 黄 huang ↔ 方 fang)."""
    out = near_basic(syl)
    for a, b in _F_H:
        if syl.startswith(a) and not syl.startswith(a + "h") and syl[len(a):] not in ("", "m"):
            out.add(b + syl[len(a):])
    return out - {syl}


def earlier_usage(extra: tuple[str, ...] = ()) -> tuple[Counter[str], str]:
    """How often each street is an earlier set's answer, and all earlier texts."""
    counts: Counter[str] = Counter()
    texts = []
    for name in (*EARLIER, *extra):
        path = DATA / f"{name}.csv"
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                counts[f"{r['district']}|{r['street']}"] += 1
                texts.append(r["text"])
    return counts, "\n".join(texts)


class HurriedSpelling:
    """The misspellings of this set: f/h among the near sounds, a wider slice of everyday
    characters, and sometimes two characters of a long name."""

    rng: random.Random
    pool: dict[str, list[str]]
    all_names: set[str]

    def misspell(self, name: str) -> tuple[str, str] | None:
        roll = self.rng.random()
        mode = "same" if roll < 0.5 else "near"
        changes = 2 if len(name) >= 5 and self.rng.random() < 0.25 else 1
        out, how = name, mode
        for _ in range(changes):
            got = self._one_change(out, name, mode)
            if got is None:
                return None if out == name else (out, how)
            out = got
        return out, ("two" if changes == 2 else how)

    def _one_change(self, current: str, original: str, mode: str) -> str | None:
        idx = [i for i in range(len(current)) if current[i] == original[i]]
        self.rng.shuffle(idx)
        for i in idx:
            ch = current[i]
            if current[i:].startswith(("街道", "地区")) or ch in "镇乡村区":
                continue
            for syl in sorted(readings(ch)):
                cands = self.pool.get(syl, []) if mode == "same" else [
                    c for s in sorted(near(syl)) for c in self.pool.get(s, [])
                ]
                cands = [c for c in cands[:20] if c != ch and c not in original]
                if not cands:
                    continue
                variant = current[:i] + self.rng.choice(cands) + current[i + 1:]
                if variant in self.all_names:
                    continue
                return variant
        return None

class Blind4Maker(HurriedSpelling, BlindMaker):
    def __init__(self) -> None:
        super().__init__(SEED, TEMPLATES4, PROBLEMS4)
        self.per_kind = PER_KIND
        counts, seen_text = earlier_usage()
        ranked = sorted(self.streets, key=lambda r: (counts[f"{r['district']}|{r['street']}"],
                                                     r["street_code"]))
        self.streets = ranked[: len(ranked) // 2]  # the less-used half
        self.communities = [
            r for r in self.communities if community_base(r["community"]) not in seen_text
        ]
        self.table = [t for t in self.table if t[0] not in seen_text]
        full = {alias: (d, st) for alias, d, st in table_landmarks()}
        self.colloquial = [(said, *full[name]) for said, name in COLLOQUIAL if name in full]

    def row(self, kind: str) -> dict[str, str]:
        if kind != "landmark":
            return super().row(kind)
        t = self.rng.choice(self.templates[kind])
        q = self.rng.choice(self.problems)
        roll = self.rng.random()
        if roll < 1 / 3 and self.table:
            name, d, st = self.rng.choice(self.table)
            note = "listed"
        elif roll < 2 / 3 and self.colloquial:
            name, d, st = self.rng.choice(self.colloquial)
            note = "colloquial"
        else:
            r = self.rng.choice(self.communities)
            base = community_base(r["community"])
            forms = VILLAGE_FORMS if base.endswith("村") else ESTATE_FORMS
            name, d, st = base + self.rng.choice(forms), r["district"], r["street"]
            note = "estate"
        return {"text": t.format(L=name, Q=q), "district": d, "street": st, "kind": kind,
                "note": note}


def draw_style(rng: random.Random, styles: tuple[tuple[str, float], ...]) -> str:
    """One typing style, by the styles' shares (the last one takes what rounding leaves)."""
    roll, acc, style = rng.random(), 0.0, styles[0][0]
    for name, p in styles:
        acc += p
        style = name
        if roll < acc:
            break
    return style


def restyle(rows: list[dict[str, str]], styler: Callable[[str, random.Random], tuple[str, str]],
            rng: random.Random) -> None:
    """Retype every row's text in a drawn style and add the style to its note."""
    for row in rows:
        row["text"], style = styler(row["text"], rng)
        row["note"] = f"{row['note']};{style}" if row["note"] else style


def styled(text: str, rng: random.Random) -> tuple[str, str]:
    style = draw_style(rng, STYLES)
    if style == "halfwidth":
        text = text.replace("，", ",").replace("：", ":")
    elif style == "spaces":
        text = text.replace("，", " ")
    elif style == "run_on":
        text = text.replace("，", "")
    elif style == "stops":
        text = text.replace("，", "。", 1) + "。。"
    return text, style


def main() -> None:
    maker = Blind4Maker()
    rows = maker.rows()
    _problem_swap(rows, random.Random(SEED + 1), PROBLEMS4)
    restyle(rows, styled, random.Random(SEED + 3))
    out = DATA / "calls_blind4.csv"
    write(out, rows)
    print(f"blind4: {len(rows)} snippets → {out}", file=sys.stderr)
    if MESSAGES.exists():
        write_proposals(DATA / "proposals_blind4.csv", proposals(rows, SEED + 2))


if __name__ == "__main__":
    main()
