"""Generate the seventh round's third check set (``calls_dev7d.csv``).

    .venv/bin/python bench/call_snippets_dev7d.py [OUT_DIR]

Written on 2026-12-08 after the rules tuned on ``calls_dev7c.csv`` landed, to measure once
more whether the structure mechanisms carry to wordings they were not written for: every
template, problem and caller phrase is new (none of dev7's, dev7b's, dev7c's or any earlier
set's), with the formal style of a work order (经核对为, 最初说, 居住地址…问题地址…) next to
speech (啊不, 谁说X了, 说反了). Its first score was taken before any rule was
changed for it (docs/triage.md, "Seventh round"); written by the same hand as the rules, so
blind as to its rows, not as to every habit of wording; a development set after that score.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from call_snippets_dev7 import Maker7, write_check_set

SEED = 7_2026_1211

PROBLEMS7D = [
    "路边的消火栓漏水", "小区的门卫不让救护车进", "有人在公共绿地上晾被子", "烟道往外冒黑烟",
    "窗户外的空调架子锈断了", "路面结冰没人撒盐", "公交站的座椅坏了", "小区里的路灯线外露",
    "有人把电动车推进电梯", "楼道里堆了好几箱纸壳子", "工地的塔吊半夜还在转",
    "路边有坑车轮子陷进去了",
    "一到晚上就有人遛大狗不拴", "化粪池冒了", "有人占着人行道卖水果", "楼上往下滴水",
    "小区的大门锁坏了", "路口有人发小广告", "自来水管冻裂了", "废品站堆到马路上了",
]

OPENERS7D = [
    "", "", "", "", "", "", "", "孙师傅：", "来电人称，", "保洁员反映", "一位大爷，",
    "工单：", "来电人说话带口音，", "接孩子的奶奶说", "来电人边走边说，",
]

TEMPLATES7D: dict[str, list[str]] = {
    "homophone": [
        "{P}那个小区门口{Q}", "反映下{P}，{Q}", "{P}的路上{Q}", "地方在{P}，{Q}", "{P}里{Q}",
        "{Q}，地点{P}", "{P}周围{Q}", "到了{P}，{Q}", "{P}这条路{Q}", "麻烦到{P}处理，{Q}",
        "{P}附近的{Q}", "就在{P}，{Q}",
    ],
    "hesitation": [
        "{P}…{P}吧…{Q}", "那个…哪儿来着…{P}，{Q}", "{P}那个那个{Q}", "就是…{p}…{P}，{Q}",
        "嗯……{P}，{Q}", "{P}{P}，{Q}", "唉 {P} 唉 {Q}", "我说说啊，{P}，{Q}",
        "{P}…哎呀我也说不清…{Q}", "{P}那，那，{Q}", "啊？{P}，{Q}", "{p}……嗯……{P}，{Q}",
    ],
    "correction": [
        "来电人称地点为{X}，后经核对为{P}，{Q}", "{X}，不，{P}，{Q}", "是{P}啊，谁说{X}了，{Q}",
        "我说反了，不是{X}，{P}，{Q}", "地点改为{P}（来电人最初说{X}），{Q}",
        "{X}，等等，应该是{P}，{Q}", "{X}吗？不不，{P}，{Q}", "{X}啊不{P}，{Q}",
        "写的{X}有问题，改{P}，{Q}", "你记的{X}不对，人家说的是{P}，{Q}", "{X}听岔了，{P}，{Q}",
        "{X}那是我瞎说的，{P}，{Q}",
    ],
    "route": [
        "送快递从{X}出来往{P}送，{P}那边{Q}", "{X}坐地铁过来的，在{P}下的车，{Q}",
        "每天{X}到{P}通勤，{P}这段路{Q}", "从{X}一路过来都好好的，到{P}就{Q}",
        "{X}开出来，走到{P}的时候{Q}", "坐出租从{X}来，下车在{P}，下车那儿{Q}",
        "我从{X}那边骑车路过{P}，{Q}", "地铁{X}站到{P}站这一段，{P}站口{Q}",
        "{X}出来的，到{P}那会儿看见{Q}", "刚到{P}就看见{Q}，我是从{X}赶过来的",
        "先去的{X}，又去的{P}，{P}这儿{Q}", "从{X}过来的路上经过{P}，{Q}",
    ],
    "home": [
        "我是{X}住户，反映{P}{Q}", "我娘家在{X}，自己住{P}，{P}这边{Q}",
        "{X}有我一套房，但这回说的是{P}，{Q}", "居住地址{X}，问题地址{P}，{Q}",
        "我们住{X}好多年了，{P}那边{Q}", "咱{X}的老住户，{P}{Q}", "大妈家就在{X}，她说{P}{Q}",
        "我家在{X}，我在{P}上班，{P}那儿{Q}", "我住{X}，{P}是我上班的地方，{Q}",
        "我家{P}，{Q}", "我住的{P}小区{Q}", "我们{P}这个楼{Q}",
    ],
    "landmark": [
        "{L}大门口{Q}", "{L}南侧{Q}", "{L}边儿上{Q}", "{L}对门{Q}", "{L}周围{Q}", "{L}东南角{Q}",
        "{L}附近的{Q}", "挨着{L}的路口{Q}", "{L}正对面{Q}", "{L}旁边那个胡同{Q}", "{L}后面{Q}",
        "{L}前面的路{Q}",
    ],
}

SUBKINDS7D: dict[str, dict[int, str]] = {
    "correction": {2: "right_first", 4: "right_first", 0: "formal", 1: "short_no"},
    "route": {1: "ride", 5: "ride", 7: "ride", 9: "origin_after", 10: "two_stops"},
    "home": {1: "two_homes", 2: "colloquial", 5: "colloquial", 6: "colloquial",
             9: "at_home", 10: "at_home", 11: "at_home"},
}


class Maker7d(Maker7):
    templates = TEMPLATES7D
    problems = PROBLEMS7D
    openers = OPENERS7D
    subkinds = SUBKINDS7D
    needs_marks = ("{X}吗？不不", "{X}，不，", "（来电人最初说")


def main(argv: list[str]) -> None:
    write_check_set(Maker7d, "dev7d", SEED, argv)


if __name__ == "__main__":
    main(sys.argv[1:])
