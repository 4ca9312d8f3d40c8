"""Generate the seventh round's fifth check set (``calls_dev7f.csv``).

    .venv/bin/python bench/call_snippets_dev7f.py [OUT_DIR]

Written on 2026-12-08 after the rules tuned on ``calls_dev7e.csv`` landed, to measure once
more whether the structure mechanisms carry to wordings they were not written for: every
template, problem and caller phrase is new (none of dev7's, dev7b-e's or any earlier set's):
算了, 此前称, 非X, a withdrawal said after the right place is repeated, a trip typed X-P.
Its first score was taken before any rule was changed for it (docs/triage.md,
"Seventh round"); written by the same hand as the rules, so blind as to its rows, not as
to every habit of wording; a development set after that score.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from call_snippets_dev7 import Maker7, write_check_set

SEED = 7_2026_1213

PROBLEMS7F = [
    "有人往河里倒污水", "小区大门口停满了车", "马路上的井盖丢了一个", "楼顶的太阳能往下漏水",
    "路边摊的油烟熏人", "地下室老往外冒味儿", "小区的消防栓被人拆了", "公园的厕所没人打扫",
    "快递车天天堵路口", "施工的围墙裂了", "楼下商铺半夜装修", "路边的树被人砍了",
    "过街通道里全是积水", "电动车停车棚着过火", "人行道被饭馆占了", "垃圾车作业声音太大",
    "一楼住户私开门脸", "路灯一闪一闪的", "小区里有人养鸡", "公交站牌字看不清",
]

OPENERS7F = [
    "", "", "", "", "", "", "", "吴先生：", "来电人（女），", "保安反映", "一位大哥，",
    "备注：", "来电人一直重复，", "遛狗的阿姨说", "来电人情绪平稳，",
]

TEMPLATES7F: dict[str, list[str]] = {
    "homophone": [
        "{P}北边{Q}", "{P}南头{Q}", "就{P}那，{Q}", "{P}这个位置{Q}", "{Q}，{P}这儿",
        "来电说{P}，{Q}", "{P}口那儿{Q}", "去一趟{P}，{Q}", "{P}那条道{Q}", "{P}的路口{Q}",
        "{P}跟前{Q}", "{P}那一块{Q}",
    ],
    "hesitation": [
        "{P}，呃，{P}，{Q}", "啊…啊…{P}，{Q}", "{P}…这个…{Q}", "这么说吧…{P}…{Q}",
        "{p}…不对…{P}，{Q}", "嗯那啥…{P}…{Q}", "{P}嘛…{Q}", "你听我说…{P}…{Q}",
        "{P}那块…那块…{Q}", "哎呀就…{P}，{Q}", "{P}……对，没错……{Q}", "呃……{p}…{P}那儿，{Q}",
    ],
    "correction": [
        "{X}，不好意思，我是说{P}，{Q}", "{X}……嗯……{P}，{P}，刚才那个不对，{Q}",
        "来电人改称事发地在{P}（此前称{X}），{Q}", "{X}呀？不对不对，{P}呀，{Q}",
        "先记{X}……算了，{P}，{Q}", "地址：{P}（非{X}），{Q}", "我把{X}跟{P}搞混了，是{P}，{Q}",
        "{X}的事儿已经解决了，现在是{P}，{Q}", "没在{X}，在{P}，{Q}", "{X}？{P}！{P}！{Q}",
        "报错了，{X}换成{P}，{Q}", "{X}，哎呀瞧我这记性，{P}，{Q}",
    ],
    "route": [
        "从{X}奔{P}去，刚到{P}就{Q}", "{X}上的地铁，到{P}换乘时{Q}",
        "早上七点多{X}出的门，{P}那块儿{Q}",
        "{X}到{P}那趟车上人太多，到{P}下来看见{Q}", "回家路上，打{X}过来，{P}那个口{Q}",
        "从{X}往回走，走到{P}{Q}", "我在{X}上车的，车到{P}的时候{Q}",
        "{P}这块{Q}，我就是从这路过，要去{X}", "接孩子从{X}回来，经过{P}看见{Q}",
        "{X}进的高速，{P}下的高速，收费站那儿{Q}", "{X}-{P}，{P}这段{Q}",
        "出了{X}往{P}走，{P}那边{Q}",
    ],
    "home": [
        "来电人住{X}附近，反映{P}{Q}", "我就住{X}边上，{P}那儿{Q}", "咱这{X}的，{P}{Q}",
        "我一个{X}的，跑来{P}，{Q}", "{X}那边是我家，这回是{P}，{Q}",
        "我住{X}，离{P}不远，{P}那边{Q}", "孩子在{X}住，我住{P}，我这边{Q}",
        "来电人（居住在{X}）反映{P}{Q}", "我是在{X}住的，{P}的问题，{Q}",
        "住{P}的，家门口{Q}", "俺们{P}这儿{Q}", "{P}，我们家楼道{Q}",
    ],
    "landmark": [
        "{L}那个口{Q}", "{L}北口{Q}", "{L}东北角{Q}", "{L}西侧{Q}", "{L}边{Q}", "{L}靠马路那边{Q}",
        "{L}对着的{Q}", "{L}后门{Q}", "到{L}那儿{Q}", "{L}底商{Q}", "{L}的停车场{Q}", "{L}周边{Q}",
    ],
}

SUBKINDS7F: dict[str, dict[int, str]] = {
    "correction": {1: "withdraw_after_repeat", 2: "formal", 6: "both_named"},
    "route": {1: "ride", 3: "ride", 6: "ride", 9: "ride", 7: "origin_after"},
    "home": {2: "colloquial", 3: "colloquial", 6: "two_homes", 9: "at_home", 10: "at_home",
             11: "at_home"},
}


class Maker7f(Maker7):
    templates = TEMPLATES7F
    problems = PROBLEMS7F
    openers = OPENERS7F
    subkinds = SUBKINDS7F
    needs_marks = ("{X}呀？不对", "{X}？{P}！", "（此前称", "（非{X}）", "{X}-{P}")


def main(argv: list[str]) -> None:
    write_check_set(Maker7f, "dev7f", SEED, argv)


if __name__ == "__main__":
    main(sys.argv[1:])
