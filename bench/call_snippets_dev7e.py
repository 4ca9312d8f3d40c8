"""Generate the seventh round's fourth check set (``calls_dev7e.csv``).

    .venv/bin/python bench/call_snippets_dev7e.py [OUT_DIR]

Written on 2026-12-08 after the rules tuned on ``calls_dev7d.csv`` landed, to measure once
more whether the structure mechanisms carry to wordings they were not written for: every
template, problem and caller phrase is new (none of dev7's, dev7b-d's or any earlier set's):
old and new addresses (旧地址/新地址), highway exits, a caller who lives in the place she says
has nothing to do with it. Its first score was taken before any rule was
changed for it (docs/triage.md, "Seventh round"); written by the same hand as the rules, so
blind as to its rows, not as to every habit of wording; a development set after that score.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from call_snippets_dev7 import Maker7, write_check_set

SEED = 7_2026_1212

PROBLEMS7E = [
    "楼下烧烤到后半夜", "马路牙子被车压塌了", "树坑里全是烟头", "小区里私搭了个棚子",
    "公交站台的玻璃碎了", "下雨井盖往外喷水", "有人在楼道里抽烟", "路边的配电箱门开着",
    "商户把垃圾扔在绿化带", "路口积水过不去人", "小区的电梯按钮失灵", "施工噪音从早到晚",
    "电瓶车乱停堵门", "屋里的暖气片漏水", "有人在胡同里摆摊卖菜", "路灯杆子倒了",
    "外墙的广告布掉下来了", "小区门口有人拉横幅", "地铁站口的扶梯停了", "有人捡垃圾堆在楼道",
]

OPENERS7E = [
    "", "", "", "", "", "", "", "周女士：", "来电人（男），", "环卫工反映", "一位阿姨打来，",
    "记录：", "来电人说得挺快，", "买菜的大爷说", "来电人在路上，",
]

TEMPLATES7E: dict[str, list[str]] = {
    "homophone": [
        "{P}那一片儿{Q}", "{P}路口{Q}", "位置：{P}，{Q}", "说是{P}那，{Q}", "{P}的小区{Q}",
        "{P}这地方{Q}", "{Q}，在{P}那", "{P}东边{Q}", "{P}西头{Q}", "{P}中间那段{Q}",
        "问题在{P}，{Q}", "{P}那个地方{Q}",
    ],
    "hesitation": [
        "{P}…对…{P}，{Q}", "那个那个…{P}…{Q}", "{p}{P}，{Q}", "呃那个{P}那边儿{Q}",
        "嗯，{P}，嗯，{Q}", "{P}吧应该，{Q}", "就是那个{P}，那个，{Q}", "哎哟{P}，{Q}",
        "额，{P}…{Q}", "{P}（来电人重复两遍）{Q}", "{P}，{P}，没错，{Q}", "嗯…就{P}那块儿吧…{Q}",
    ],
    "correction": [
        "{X}…错了错了，{P}，{Q}", "麻烦把地址从{X}改到{P}，{Q}", "{X}是旧地址，新地址{P}，{Q}",
        "说{X}的那个作罢，{P}，{Q}", "我刚说的是{X}吗？哦，是{P}，{Q}", "{X}这个不要了，留{P}，{Q}",
        "刚报{X}是弄错地方了，{P}，{Q}", "{X}，呃，口误口误，{P}，{Q}",
        "地点写错为{X}，应为{P}，{Q}",
        "前面说的{X}不作数，{P}，{Q}", "{X}的话不对，是{P}的，{Q}", "她纠正说是{P}不是{X}，{Q}",
    ],
    "route": [
        "我开车{X}上的五环，{P}出口下来{Q}", "{X}打车到{P}，{P}这块{Q}",
        "跑步从{X}跑到{P}，{P}那段{Q}", "车从{X}进城，走到{P}，{Q}",
        "我是在{P}下的公交，下来就{Q}，要去{X}", "{X}那边过来，{P}红绿灯那儿{Q}",
        "经过{P}的时候{Q}，当时是从{X}出来", "{X}上车到{P}下车这一路，{P}下车那块{Q}",
        "开着车{X}来的，一进{P}就{Q}", "我们{X}出发去{P}，到{P}一看{Q}",
        "骑电动车从{X}过来，{P}那个路口{Q}", "在{P}等红灯的时候{Q}，后来开到{X}",
    ],
    "home": [
        "我是{X}那个小区的业主，今天去{P}，{Q}", "俺是{X}的，{P}那边{Q}",
        "住在{X}的一个大爷说{P}{Q}", "我们全家都在{X}，这事儿跟{X}没关系，是{P}，{Q}",
        "家住{X}的市民反映{P}{Q}", "来电人是{X}的，说{P}那儿{Q}", "我{X}的，在{P}看见{Q}",
        "户籍{X}，反映{P}{Q}", "我们家属院在{X}，{P}这边{Q}", "我住{P}那片儿，{Q}",
        "{P}，我家这栋楼{Q}", "俺{P}的，楼下{Q}",
    ],
    "landmark": [
        "{L}门口儿{Q}", "{L}南门{Q}", "{L}那边的路{Q}", "{L}斜对角{Q}", "{L}边上的胡同{Q}",
        "{L}侧门{Q}", "靠着{L}{Q}", "{L}东侧{Q}", "{L}往西{Q}", "{L}楼下{Q}", "{L}这边{Q}",
        "{L}附近那条街{Q}",
    ],
}

SUBKINDS7E: dict[str, dict[int, str]] = {
    "correction": {11: "right_first", 2: "old_new", 8: "formal"},
    "route": {0: "ride", 4: "ride", 7: "ride", 6: "at_middle", 11: "at_middle"},
    "home": {1: "colloquial", 3: "colloquial", 6: "colloquial", 9: "at_home", 10: "at_home",
             11: "at_home"},
}


class Maker7e(Maker7):
    templates = TEMPLATES7E
    problems = PROBLEMS7E
    openers = OPENERS7E
    subkinds = SUBKINDS7E
    needs_marks = ("是{X}吗？哦，", "（来电人重复两遍）")


def main(argv: list[str]) -> None:
    write_check_set(Maker7e, "dev7e", SEED, argv)


if __name__ == "__main__":
    main(sys.argv[1:])
