"""Generate the seventh round's sixth check set (``calls_dev7g.csv``).

    .venv/bin/python bench/call_snippets_dev7g.py [OUT_DIR]

Written on 2026-12-08 after the rules tuned on ``calls_dev7f.csv`` landed, to measure once
more whether the structure mechanisms carry to wordings they were not written for: every
template, problem and caller phrase is new (none of dev7's, dev7b-f's or any earlier set's):
糊涂了, 先别记, 已撤销, 驶向/行至, 打的车, X人, 村民. Its first score was taken before any rule was
changed for it (docs/triage.md, "Seventh round"); written by the same hand as the rules, so
blind as to its rows, not as to every habit of wording; a development set after that score.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from call_snippets_dev7 import Maker7, write_check_set

SEED = 7_2026_1214

PROBLEMS7G = [
    "下水道返臭",
    "小区里狗屎没人管",
    "楼下的便利店天天卸货堵门",
    "路边有一堆建筑垃圾",
    "小区喷泉的水发臭了",
    "路边的栏杆歪了扎人",
    "电线杆上的变压器嗡嗡响",
    "停车位被地锁占了",
    "凌晨有人在街上喊叫",
    "公交车站没有站牌",
    "健身广场的灯坏了",
    "空调外机滴水滴到过道",
    "饭店把油水倒下水井",
    "马路中间有个坑积水",
    "老人摔倒的地方没有扶手",
    "卖早点的三轮车占道",
    "暖气阀门漏水",
    "楼道窗户玻璃碎了",
    "排水口被树叶堵了",
    "快递包装扔得满地都是",
]

OPENERS7G = [
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "郑大姐：",
    "来电人（老年男性），",
    "物业保洁说",
    "一个小姑娘，",
    "速记：",
    "来电人有点耳背，",
    "下班路上的小伙子说",
    "来电人带着哭腔，",
]

TEMPLATES7G: dict[str, list[str]] = {
    "homophone": [
        "{P}北头{Q}",
        "{P}那个路口{Q}",
        "地儿是{P}，{Q}",
        "{P}那儿呢{Q}",
        "去看看{P}，{Q}",
        "{P}这一带{Q}",
        "是{P}那块，{Q}",
        "{Q}就{P}",
        "{P}边上{Q}",
        "{P}的马路{Q}",
        "就搁{P}，{Q}",
        "{P}那头儿{Q}",
    ],
    "hesitation": [
        "{P}吧…嗯…是{P}，{Q}",
        "这个…这个…{P}…{Q}",
        "{p}…{p}…哦{P}，{Q}",
        "哎…{P}那儿…{Q}",
        "{P}，{P}那个，{Q}",
        "嗯{P}嗯，{Q}",
        "等一下…{P}，{Q}",
        "{P}还是…嗯…{P}，{Q}",
        "那个叫…{P}，{Q}",
        "唔…{P}…{Q}",
        "啊啊{P}，{Q}",
        "你说啥？哦…{P}，{Q}",
    ],
    "correction": [
        "{X}，我糊涂了，是{P}，{Q}",
        "{X}，您先别记，{P}，{Q}",
        "{X}？错，{P}，{Q}",
        "是{X}…嗐，{P}，{Q}",
        "{X}，更正，{P}，{Q}",
        "之前登的{X}作废了啊，是{P}，{Q}",
        "{X}已撤销，改报{P}，{Q}",
        "{X}不是那儿，{P}，{Q}",
        "他说的{X}我给听错了，是{P}，{Q}",
        "{P}，{Q}，刚才那个{X}您别管了",
        "确认一下：{P}，不是{X}那边，{Q}",
        "{X}那块儿说得不对，是{P}，{Q}",
    ],
    "route": [
        "从{X}绕到{P}，{P}这边{Q}",
        "{X}的车开到{P}，{P}这块儿{Q}",
        "{X}那站上来的，坐到{P}，{P}站外{Q}",
        "溜达着从{X}到了{P}，{Q}",
        "{X}坐车到{P}，在{P}{Q}",
        "半路上经过{P}，{Q}，我从{X}出来的",
        "我在{X}打的车，在{P}下车，车门口{Q}",
        "由{X}驶向{P}，行至{P}时{Q}",
        "{X}那头过来，一到{P}就{Q}",
        "{X}转车到{P}，{P}这儿{Q}",
        "在{P}等公交时发现{Q}，车是往{X}开的",
        "从{X}回来路过{P}，{Q}",
    ],
    "home": [
        "俺们家是{X}的，{P}那块{Q}",
        "本人系{X}住户，{P}{Q}",
        "我们这楼在{X}，{P}那边{Q}",
        "家是{X}那边的，人在{P}，{P}这儿{Q}",
        "{X}人，在{P}上班，{P}这边{Q}",
        "我老伴儿住{X}，我在{P}看孩子，{P}这边{Q}",
        "住{X}的，反映{P}那边{Q}",
        "来电人系{X}村民，反映{P}{Q}",
        "俺家住{X}，这回说的是{P}，{Q}",
        "我家就是{P}的，{Q}",
        "{P}我们楼{Q}",
        "{P}，就我们小区{Q}",
    ],
    "landmark": [
        "{L}门外{Q}",
        "{L}西边儿{Q}",
        "{L}那块儿{Q}",
        "{L}对面儿{Q}",
        "{L}东门口{Q}",
        "{L}后边{Q}",
        "挨着{L}那儿{Q}",
        "{L}里面{Q}",
        "{L}北面{Q}",
        "{L}那条街上{Q}",
        "{L}附近有{Q}",
        "{L}出口{Q}",
    ],
}

SUBKINDS7G: dict[str, dict[int, str]] = {
    "correction": {9: "withdrawn_after", 10: "right_first"},
    "route": {2: "ride", 6: "ride", 9: "ride", 5: "origin_after", 10: "at_stop"},
    "home": {0: "colloquial", 5: "two_homes", 9: "at_home", 10: "at_home", 11: "at_home"},
}


class Maker7g(Maker7):
    templates = TEMPLATES7G
    problems = PROBLEMS7G
    openers = OPENERS7G
    subkinds = SUBKINDS7G
    needs_marks = ("{X}？错，", "{X}，更正，", "{X}，您先别记", "？哦…")


def main(argv: list[str]) -> None:
    write_check_set(Maker7g, "dev7g", SEED, argv)


if __name__ == "__main__":
    main(sys.argv[1:])
