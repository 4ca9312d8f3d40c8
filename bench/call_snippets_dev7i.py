"""Generate the seventh round's eighth check set (``calls_dev7i.csv``).

    .venv/bin/python bench/call_snippets_dev7i.py [OUT_DIR]

Written on 2026-12-08 after the rules tuned on ``calls_dev7h.csv`` landed, to measure once
more whether the structure mechanisms carry to wordings they were not written for: every
template, problem and caller phrase is new (none of dev7's, dev7b-h's or any earlier set's):
当我没说, 打住, 说走嘴, 上的高架/下桥, 老户, 户籍地, 我家位于X.
Its first score was taken before any rule was
changed for it (docs/triage.md, "Seventh round"); written by the same hand as the rules, so
blind as to its rows, not as to every habit of wording; a development set after that score.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from call_snippets_dev7 import Maker7, write_check_set

SEED = 7_2026_1216

PROBLEMS7I = [
    "井盖边上塌了个坑",
    "早市的摊位占了消防通道",
    "小区里有人乱扔烟头着了",
    "路边的护栏被拆了",
    "楼道里的灭火器没了",
    "有人在绿化带里停车",
    "菜站的菜叶子烂了一地",
    "小区的铁门夹过孩子的手",
    "夜里大车鸣笛",
    "地面上的电缆露出来了",
    "商场门口的台阶坏了",
    "过街天桥的电梯停了",
    "公园湖边的护栏松了",
    "小区里车位被占",
    "有人在小区里遛马",
    "楼道声控灯不亮",
    "路边的积水结冰了",
    "共享电单车乱停",
    "下水道井盖被偷了",
    "门口的垃圾三天没拉",
]

OPENERS7I = [
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "许阿姨：",
    "来电人（青年男性），",
    "社区网格员反映",
    "一位老太太，",
    "要点：",
    "来电人边哭边说，",
    "送外卖的大哥说",
    "来电人第二次来电，",
]

TEMPLATES7I: dict[str, list[str]] = {
    "homophone": [
        "{P}儿那{Q}",
        "{P}西边{Q}",
        "{P}那疙瘩的{Q}",
        "位置是{P}，{Q}",
        "{P}这边儿{Q}",
        "说{P}那块，{Q}",
        "{P}的街上{Q}",
        "{P}那个村{Q}",
        "{Q}，地点是{P}",
        "{P}的楼下{Q}",
        "在{P}那儿，{Q}",
        "{P}往东{Q}",
    ],
    "hesitation": [
        "{P}…{P}…是{P}没错，{Q}",
        "那个啥来着…{P}，{Q}",
        "就…就…{P}那，{Q}",
        "嗯…{p}…{P}吧，{Q}",
        "{P}…哎，{Q}",
        "呃…让我想想…{P}，{Q}",
        "我也说不太清楚…{P}那片儿，{Q}",
        "{P}…哦对…{Q}",
        "那个…那个…{P}，{Q}",
        "嗯嗯…{P}…嗯…{Q}",
        "{P}…不是…是{P}，{Q}",
        "{p}，{P}，{Q}",
    ],
    "correction": [
        "{X}…我说的不是这个，是{P}，{Q}",
        "{X}（来电人随即更正为{P}），{Q}",
        "{X}你就当我没说，{P}，{Q}",
        "之前给的{X}不对啊，{P}，{Q}",
        "{X}，打住打住，是{P}，{Q}",
        "{X}写反了，是{P}，{Q}",
        "说的是{P}，{X}那是另外一个事儿，{Q}",
        "{X}，嗯，也不是，{P}，{Q}",
        "{X}……要不就是{P}，对，{P}，{Q}",
        "更正后地址：{P}；原地址：{X}；{Q}",
        "{X}是她说走嘴了，{P}，{Q}",
        "记{X}不对，得记{P}，{Q}",
    ],
    "route": [
        "{X}那边上的高架，到{P}下桥，下桥那儿{Q}",
        "打{X}来，到{P}那站{Q}",
        "从{X}一路堵到{P}，{P}这段{Q}",
        "{X}出站后往{P}去，{P}这边{Q}",
        "顺着{X}往{P}那边走，{P}那儿{Q}",
        "{X}坐的地铁，在{P}那站下，站口{Q}",
        "从{X}那边拐过来，{P}路口{Q}",
        "我家车从{X}开出来，开到{P}，{Q}",
        "在{P}堵车那会儿看见{Q}，后来绕到{X}",
        "{X}出来后先去了{P}，{P}那边{Q}",
        "回{X}的路上路过{P}，{Q}",
        "从{X}到{P}再到别处，{P}那块{Q}",
    ],
    "home": [
        "我们家是{X}那边的老户，{P}{Q}",
        "{X}那是我们家，{P}那边{Q}",
        "我从小在{X}长大，说的是{P}，{Q}",
        "我家位于{X}，{P}那边{Q}",
        "来电人户籍地{X}，反映{P}{Q}",
        "住的是{X}，{P}那边{Q}",
        "我租的房子在{X}，{P}{Q}",
        "家就在{X}那块儿，{P}这边{Q}",
        "俺家那口子在{X}上班，俺住{P}，{P}这边{Q}",
        "我住的{P}这儿{Q}",
        "{P}我们那个楼{Q}",
        "俺家{P}那，{Q}",
    ],
    "landmark": [
        "{L}旁{Q}",
        "{L}的门口{Q}",
        "{L}西门外{Q}",
        "{L}东面{Q}",
        "{L}隔壁{Q}",
        "{L}门口那条道{Q}",
        "{L}马路对面{Q}",
        "{L}南口{Q}",
        "{L}北边那条街{Q}",
        "{L}附近那块儿{Q}",
        "{L}侧面{Q}",
        "{L}里头的路{Q}",
    ],
}

SUBKINDS7I: dict[str, dict[int, str]] = {
    "correction": {6: "right_first", 9: "right_first", 8: "both_named"},
    "route": {0: "ride", 5: "ride", 8: "at_middle", 9: "two_stops", 10: "passing"},
    "home": {
        0: "colloquial",
        1: "colloquial",
        8: "work_home",
        9: "at_home",
        10: "at_home",
        11: "at_home",
    },
}


class Maker7i(Maker7):
    templates = TEMPLATES7I
    problems = PROBLEMS7I
    openers = OPENERS7I
    subkinds = SUBKINDS7I
    needs_marks = ("（来电人随即更正为", "：{P}；原地址：", "{X}，嗯，也不是，")


def main(argv: list[str]) -> None:
    write_check_set(Maker7i, "dev7i", SEED, argv)


if __name__ == "__main__":
    main(sys.argv[1:])
