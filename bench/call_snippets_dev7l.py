"""Generate the seventh round's eleventh check set (``calls_dev7l.csv``).

    .venv/bin/python bench/call_snippets_dev7l.py [OUT_DIR]

Written on 2026-12-08 after the rules tuned on ``calls_dev7k.csv`` landed, in speech again:
every template new (none of dev7's, dev7b-k's or any earlier set's): 记串了, 瞧我, 咳, 报错了，报P,
X那儿没事，是P, 送孩子从X到P.
Its first score was taken before any rule was
changed for it (docs/triage.md, "Seventh round"); written by the same hand as the rules, so
blind as to its rows, not as to every habit of wording; a development set after that score.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from call_snippets_dev7 import Maker7, write_check_set

SEED = 7_2026_1219

PROBLEMS7L = [
    "楼前的雨水管断了",
    "小区的路被挖开没人管",
    "有人在楼道贴小广告",
    "马路上的井盖响",
    "楼下的烧烤店占道经营",
    "小区的树该修剪了挡窗户",
    "路边的公厕一直锁着",
    "工地的渣土车不盖布",
    "小区门禁卡刷不开",
    "路面坑洼一下雨全是水",
    "电线搭在树上冒火花",
    "有人在桥下住",
    "小广场的健身器材坏了",
    "楼道的窗户关不上漏风",
    "夜里有人撬车",
    "菜市场的污水流到马路上",
    "路口的监控杆歪了",
    "小区地库积水",
    "饭店门口天天停满车",
    "楼上漏水到我家",
]

OPENERS7L = [
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "马阿姨：",
    "来电人（外地口音），",
    "小区保安说",
    "一个中学生，",
    "登记：",
    "来电人声音很小，",
    "骑车的大叔说",
    "来电人第三次打来，",
]

TEMPLATES7L: dict[str, list[str]] = {
    "homophone": [
        "{P}那边儿{Q}",
        "{P}，{Q}，麻烦看看",
        "在{P}那块儿{Q}",
        "{P}里边{Q}",
        "{Q}，是{P}",
        "{P}北侧{Q}",
        "{P}那个地儿{Q}",
        "去{P}那边看看，{Q}",
        "{P}的小路上{Q}",
        "{P}东面{Q}",
        "{P}这里{Q}",
        "就是{P}这块{Q}",
    ],
    "hesitation": [
        "那个谁…{P}，{Q}",
        "{P}…就是那儿…{Q}",
        "嗯…对对…{P}，{Q}",
        "{p}…{P}…就那儿，{Q}",
        "哎呀，{P}，{Q}",
        "我想想啊，{P}吧，{Q}",
        "{P}…{P}…{Q}",
        "呃{P}那，{Q}",
        "{P}，那个，{Q}",
        "就是那个…那个{P}，{Q}",
        "{P}嘛，就那，{Q}",
        "嗯嗯，{P}，{Q}",
    ],
    "correction": [
        "{X}，错了，我是想说{P}，{Q}",
        "{X}那是我记串了，{P}，{Q}",
        "{X}——哦，{P}，{Q}",
        "刚说的{X}您改一下，{P}，{Q}",
        "您记的{X}不对，她说的是{P}，{Q}",
        "{X}，唉，不是这儿，{P}，{Q}",
        "{X}不对不对，我说的是{P}，{Q}",
        "原来说{X}，现在确认是{P}，{Q}",
        "{X}那儿没事，是{P}，{Q}",
        "{X}报错了，报{P}，{Q}",
        "{X}，瞧我，是{P}，{Q}",
        "{X}，咳，{P}，{Q}",
    ],
    "route": [
        "从{X}过来，在{P}下车，下车就{Q}",
        "{X}坐的车，到{P}那一下车{Q}",
        "骑车从{X}往{P}骑，骑到{P}{Q}",
        "在{P}那儿等车的时候{Q}，后来去了{X}",
        "{X}那边打车过来的，到{P}这儿{Q}",
        "我们从{X}出来，{P}那儿{Q}",
        "从{X}走过来，{P}那个路口{Q}",
        "{X}上的公交，{P}那站下的，下车那儿{Q}",
        "开车经过{P}，{Q}，是从{X}开来的",
        "{X}出门，路过{P}的时候{Q}",
        "送孩子从{X}到{P}，{P}学校门口{Q}",
        "从{X}那块儿绕到{P}，{P}这边{Q}",
    ],
    "home": [
        "我家在{X}，今天在{P}看见{Q}",
        "我住{X}那边的，{P}这里{Q}",
        "来电人是{X}的住户，反映{P}{Q}",
        "俺家{X}的，{P}那块儿{Q}",
        "我在{X}住，到{P}办事的时候{Q}",
        "{X}是我家，{P}那边{Q}",
        "家住{X}的老人反映{P}{Q}",
        "我们住{X}，{P}那儿{Q}",
        "我是{X}人，在{P}看到{Q}",
        "我住{P}，{Q}",
        "我家{P}，{Q}",
        "{P}我们家这儿{Q}",
    ],
    "landmark": [
        "{L}门口那块{Q}",
        "{L}南面{Q}",
        "{L}斜对过{Q}",
        "{L}旁边儿{Q}",
        "{L}那个门口{Q}",
        "{L}东侧那条路{Q}",
        "{L}附近的小区{Q}",
        "{L}西面{Q}",
        "{L}正门{Q}",
        "{L}周边{Q}",
        "{L}里{Q}",
        "{L}背后{Q}",
    ],
}

SUBKINDS7L: dict[str, dict[int, str]] = {
    "route": {0: "ride", 1: "ride", 7: "ride", 3: "at_origin", 8: "origin_after"},
    "home": {3: "colloquial", 9: "at_home", 10: "at_home", 11: "at_home"},
}


class Maker7l(Maker7):
    templates = TEMPLATES7L
    problems = PROBLEMS7L
    openers = OPENERS7L
    subkinds = SUBKINDS7L
    needs_marks = ("{X}——哦，", "{X}，唉，不是这儿", "{X}，咳，", "{X}，瞧我")


def main(argv: list[str]) -> None:
    write_check_set(Maker7l, "dev7l", SEED, argv)


if __name__ == "__main__":
    main(sys.argv[1:])
