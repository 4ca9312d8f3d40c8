"""Generate the seventh round's check set (``calls_dev7b.csv``).

    .venv/bin/python bench/call_snippets_dev7b.py [OUT_DIR]

Written on 2026-12-08 *after* the seventh round's first mechanisms landed (anchoring on where
the problem is told, rides, homes said colloquially, the later place after a correction
signal), to check whether they carry to wordings they were not written for: every template,
problem and caller phrase here is new (none of ``calls_dev7.csv``'s or any earlier set's).
Its first score was taken before any rule was changed for it (docs/triage.md, "Seventh
round"); it is written by the same hand as the rules, so it is blind as to its rows, not as to
every habit of wording, and it became a development set after that score.

Same place drawing and typing styles as ``calls_dev7.csv``; 60 snippets per kind.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from call_snippets_dev7 import Maker7, write_check_set

SEED = 7_2026_1209

PROBLEMS7B = [
    "人行道上的地砖翘起来了", "楼下的小卖部天天放大喇叭", "污水顺着墙根流", "一棵大树歪在楼上",
    "有人在路边烧纸", "小广告贴得到处都是", "停车场收费不给票", "楼梯扶手掉了",
    "电动车把消防通道堵死了", "地下车库进水了", "路口的红绿灯不亮", "垃圾站的味儿太大",
    "有人占道修车", "工地的土没盖网", "下水道的盖子碎了", "马路上有一大片油",
    "群租房住了二十多口人", "凌晨还有人在喝酒唱歌", "一排路灯白天也亮着", "公交站没有顶棚",
    "暖气管子漏水", "路边的井冒热气", "老旧小区的电线乱搭", "施工把水管挖断了",
]

OPENERS7B = [
    "", "", "", "", "", "", "", "刘阿姨：", "来电人女士，", "出租车司机说", "一位老先生，",
    "电话记录：", "来电人语速很快，", "带孩子的妈妈说", "信号不好断断续续的，",
]

TEMPLATES7B: dict[str, list[str]] = {
    "homophone": [
        "{P}那块儿{Q}", "到{P}看看吧，{Q}", "{P}的{Q}", "{Q}，位置{P}附近", "{P}这儿{Q}好几天了",
        "就是{P}，{Q}", "{P}这一片{Q}", "在{P}，{Q}", "{P}那条街{Q}", "帮忙查查{P}，{Q}",
        "{Q}（{P}）", "{P}周边{Q}",
    ],
    "hesitation": [
        "{p}，{p}，{P}，对对对，{Q}", "就那个，那个，{P}，{Q}", "呃……{P}……是{P}，{Q}",
        "你等下…我看看…{P}，{Q}", "{P}啊，嗯，{P}，{Q}", "是叫{P}吧…对…{Q}",
        "{P}…{P}那儿…那个…{Q}", "怎么说呢就{P}附近那个…{Q}", "嗯 就 {P} 吧 {Q}",
        "{p}…啥来着…{P}！{Q}", "我记得是{P}…{Q}", "哎呀那叫什么…{P}呗，{Q}",
    ],
    "correction": [
        "{X}……啊不对不对是{P}，{Q}", "记一下{X}，哎呀说串了，{P}，{Q}", "{X}划了，写{P}，{Q}",
        "您把{X}删了吧，{P}，{Q}", "是{P}，刚才{X}那是别的事，{Q}",
        "一会儿说{X}一会儿说{P}，最后确认是{P}，{Q}", "原来登记{X}，现在更新为{P}，{Q}",
        "我重新说一遍，{P}，不是刚才那个{X}，{Q}", "{X}不准确，准确位置是{P}，{Q}",
        "更正地址为{P}（原{X}），{Q}", "{X}那块儿？嗨，不是，{P}，{Q}",
        "开始以为是{X}，后来一看是{P}，{Q}", "{X}那个地址不对哈，{P}，{Q}",
    ],
    "route": [
        "坐公交从{X}上车，{P}下车后看见{Q}", "{X}那站上的地铁，坐到{P}，{P}站{Q}",
        "我是从{X}那边一路骑过来的，到{P}这儿{Q}", "开车经{X}去{P}，在{P}{Q}",
        "{P}那儿{Q}，我是路过，本来是从{X}去别处", "打车从{X}到{P}，{P}路口{Q}",
        "出门前在{P}就看见{Q}，然后去了{X}", "{X}发车的那趟公交，{P}那站{Q}",
        "刚从{P}出来，{P}门口{Q}，现在往{X}走", "下午{X}到{P}这一路，{P}这头{Q}",
        "我们从{X}过来接人，{P}这边{Q}", "人在{X}，但是刚才路过{P}看到{Q}",
    ],
    "home": [
        "我们家就{X}的，{P}那块{Q}", "俺们住{X}，{P}{Q}", "来电的是{X}的居民，反映{P}{Q}",
        "我这人住{X}，但是反映的是{P}，{Q}", "家{X}，事儿在{P}，{Q}", "本人{X}人，今天在{P}看到{Q}",
        "老家{X}，今天在{P}，{Q}", "我是{X}那边的老街坊，说的是{P}，{Q}",
        "{X}是俺家，{P}是俺单位，单位那儿{Q}", "就我家{P}这儿，{Q}", "我住{P}，小区里{Q}",
        "俺家{P}，楼道里{Q}",
    ],
    "landmark": [
        "{L}旁边{Q}", "{L}对过{Q}", "{L}西门{Q}", "{L}门前{Q}", "{L}那儿{Q}", "在{L}附近{Q}",
        "{L}北门外{Q}", "{L}东边{Q}", "{L}南边那条街{Q}", "{L}里边{Q}", "出了{L}往北{Q}",
        "{L}路口{Q}",
    ],
}

SUBKINDS7B: dict[str, dict[int, str]] = {
    "correction": {4: "right_first", 7: "right_first", 9: "right_first", 5: "later",
                   11: "later"},
    "route": {0: "ride", 1: "ride", 7: "ride", 4: "at_origin", 6: "at_origin", 8: "at_origin",
              11: "here_now"},
    "home": {0: "colloquial", 1: "colloquial", 4: "colloquial", 5: "colloquial",
             8: "colloquial", 9: "at_home", 10: "at_home", 11: "at_home"},
}


class Maker7b(Maker7):
    templates = TEMPLATES7B
    problems = PROBLEMS7B
    openers = OPENERS7B
    subkinds = SUBKINDS7B
    needs_marks = ("？嗨，不是",)


def main(argv: list[str]) -> None:
    write_check_set(Maker7b, "dev7b", SEED, argv)


if __name__ == "__main__":
    main(sys.argv[1:])
