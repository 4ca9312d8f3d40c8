"""Generate the seventh round's ninth check set (``calls_dev7j.csv``).

    .venv/bin/python bench/call_snippets_dev7j.py [OUT_DIR]

Written on 2026-12-08 after the rules tuned on ``calls_dev7i.csv`` landed, to measure once
more whether the structure mechanisms carry to wordings they were not written for: every
template, problem and caller phrase is new (none of dev7's, dev7b-i's or any earlier set's):
说差了, 您给删了, X没问题，有问题的是P, X不是事发地, 还好好的.
Its first score was taken before any rule was
changed for it (docs/triage.md, "Seventh round"); written by the same hand as the rules, so
blind as to its rows, not as to every habit of wording; a development set after that score.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from call_snippets_dev7 import Maker7, write_check_set

SEED = 7_2026_1217

PROBLEMS7J = [
    "小区门口的水管冒水",
    "楼下小饭馆的排风扇太吵",
    "马路边有人私搭电线",
    "公园里的长椅坏了",
    "雨水井盖子翘了",
    "楼顶有人养鸽子",
    "路口的信号灯倒了",
    "垃圾楼臭气熏天",
    "有人在小区里烧树叶",
    "路面上有碎玻璃",
    "电梯里的灯不亮",
    "楼道里有人堆煤",
    "公交站旁边有人卖假货",
    "暖气片一直滴水",
    "人行道中间立了个桩子",
    "工地门口全是泥",
    "小区篮球场的灯一宿不关",
    "河边的护栏断了",
    "路边的下水箅子丢了",
    "便民车乱停",
]

OPENERS7J = [
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "何先生：",
    "来电人（退休教师），",
    "楼长反映",
    "一位外卖员，",
    "记要：",
    "来电人语速慢，",
    "接送孩子的奶奶说",
    "来电人方言较重，",
]

TEMPLATES7J: dict[str, list[str]] = {
    "homophone": [
        "{P}那边的{Q}",
        "{P}里头{Q}",
        "就在{P}那块，{Q}",
        "{P}东头{Q}",
        "地址{P}，{Q}",
        "{P}那个门{Q}",
        "{Q}，位置在{P}",
        "{P}这块的{Q}",
        "靠着{P}{Q}",
        "{P}那地方{Q}",
        "{P}附近那个{Q}",
        "在{P}那边，{Q}",
    ],
    "hesitation": [
        "{P}…{P}那边，{Q}",
        "嗯…那个…是{P}，{Q}",
        "{p}…哦…{P}，{Q}",
        "这个这个…{P}那儿，{Q}",
        "呃，{P}，呃，{Q}",
        "{P}吧，嗯，{Q}",
        "等等…{P}…{Q}",
        "{P}…就是{P}，{Q}",
        "我看看啊…{P}，{Q}",
        "哎…就{P}…{Q}",
        "{P}那个…那个…{Q}",
        "嗯…{P}那块儿…{Q}",
    ],
    "correction": [
        "{X}——不对不对——{P}，{Q}",
        "{X}，说差了，{P}，{Q}",
        "{X}那是以前的事了，现在说的是{P}，{Q}",
        "{X}您给删了，写{P}，{Q}",
        "我刚才说{X}了吗？应该是{P}，{Q}",
        "{X}没问题，有问题的是{P}，{Q}",
        "不好意思，{X}说得不对，{P}才对，{Q}",
        "{X}，哎不对，{P}，{Q}",
        "其实不是{X}，是{P}，{Q}",
        "{X}，这个您别写了，写{P}，{Q}",
        "{X}不是事发地，事发地是{P}，{Q}",
        "先前记的{X}有误，{P}，{Q}",
    ],
    "route": [
        "从{X}过来，在{P}那个路口{Q}",
        "{X}坐的地铁，到{P}出站，出站就{Q}",
        "开车从{X}走，路过{P}看见{Q}",
        "{X}那边骑车来，{P}这块儿{Q}",
        "在{P}下的公交，{Q}，后来又去了{X}",
        "我从{X}到{P}办事，{P}那边{Q}",
        "{X}—{P}这段路，{P}那边{Q}",
        "{X}上的车，到{P}才下，{P}车站{Q}",
        "从{X}绕道{P}，{P}这儿{Q}",
        "在{P}停车的时候{Q}，然后开到{X}",
        "{X}过来的时候还好好的，到了{P}{Q}",
        "往{P}去的路上，{P}附近{Q}，我从{X}来",
    ],
    "home": [
        "我住{X}，不过说的是{P}的事，{Q}",
        "咱家就在{X}，{P}那边{Q}",
        "我是{X}的居民，路过{P}看见{Q}",
        "俺们住{X}，{P}那块儿{Q}",
        "我在{X}住，{P}是我上班的地儿，{Q}",
        "{X}是我家，{P}那儿{Q}",
        "我们家住{X}附近，{P}这边{Q}",
        "来电人家住{X}，反映{P}{Q}",
        "我是{X}那边的住户，{P}{Q}",
        "我住{P}，我家楼下{Q}",
        "{P}，我家门口{Q}",
        "我们{P}的，小区里{Q}",
    ],
    "landmark": [
        "{L}门口{Q}",
        "{L}北门那儿{Q}",
        "{L}斜对面{Q}",
        "{L}南边{Q}",
        "{L}西侧的路{Q}",
        "挨着{L}的地方{Q}",
        "{L}东边那条道{Q}",
        "{L}那一片{Q}",
        "{L}后面那条街{Q}",
        "{L}附近的路口{Q}",
        "{L}前边{Q}",
        "{L}旁边那个门{Q}",
    ],
}

SUBKINDS7J: dict[str, dict[int, str]] = {
    "correction": {5: "fine_x", 10: "formal"},
    "route": {1: "ride", 4: "ride", 7: "ride", 9: "at_middle", 10: "fine_origin"},
    "home": {
        0: "colloquial",
        1: "colloquial",
        3: "colloquial",
        9: "at_home",
        10: "at_home",
        11: "at_home",
    },
}


class Maker7j(Maker7):
    templates = TEMPLATES7J
    problems = PROBLEMS7J
    openers = OPENERS7J
    subkinds = SUBKINDS7J
    needs_marks = ("——不对不对——", "说{X}了吗？", "{X}—{P}", "{X}，哎不对，")


def main(argv: list[str]) -> None:
    write_check_set(Maker7j, "dev7j", SEED, argv)


if __name__ == "__main__":
    main(sys.argv[1:])
