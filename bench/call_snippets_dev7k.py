"""Generate the seventh round's tenth check set (``calls_dev7k.csv``).

    .venv/bin/python bench/call_snippets_dev7k.py [OUT_DIR]

Written on 2026-12-08 after the rules tuned on ``calls_dev7j.csv`` landed: plainer work-order
wording (来电人反映：…, 据来电人描述, 核实后是) with longer problems that carry building numbers,
every template new (none of dev7's, dev7b-j's or any earlier set's).
Its first score was taken before any rule was
changed for it (docs/triage.md, "Seventh round"); written by the same hand as the rules, so
blind as to its rows, not as to every habit of wording; a development set after that score.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from call_snippets_dev7 import Maker7, write_check_set

SEED = 7_2026_1218

PROBLEMS7K = [
    "3号楼底下的下水道堵了好几天",
    "小区东门外的路灯两个月不亮",
    "早上六点就有人在楼下打电钻",
    "马路对面的工地晚上十点还在施工",
    "楼道里的暖气管子漏水把墙泡了",
    "小区的垃圾站一直没人清运",
    "路口的红绿灯坏了车都乱走",
    "路边停的大货车挡着视线",
    "有人把小区绿地圈起来种菜",
    "楼上住户往下扔垃圾砸着车了",
    "地下室有人住还做饭",
    "公交站的顶棚塌了一半",
    "河边的栏杆缺了一截很危险",
    "饭馆的油烟管道正对着居民窗户",
    "人行道的地砖碎了好多块",
    "小区门口的菜摊子占了半条路",
    "楼下的广场舞音响放到十点",
    "电动车在楼道里充电有味儿",
    "小区的电梯一周坏了三次",
    "外墙保温层掉下来一大块",
]

OPENERS7K = [
    "",
    "",
    "",
    "",
    "",
    "",
    "来电人反映：",
    "市民来电：",
    "来电人称，",
    "据来电人描述，",
    "来电人（老人）说，",
    "来电人反复说，",
    "工单摘要：",
    "来电人很着急，",
]

TEMPLATES7K: dict[str, list[str]] = {
    "homophone": [
        "{P}那边，{Q}，希望尽快处理",
        "在{P}，{Q}，已经反映过一次",
        "{P}这一块，{Q}，物业不管",
        "{Q}，地址是{P}",
        "是{P}的，{Q}",
        "{P}附近，{Q}，请派人来看看",
        "{P}那个地方{Q}",
        "位置在{P}，{Q}，来电人要求回复",
        "{P}里面，{Q}",
        "{P}这儿{Q}，好几天了",
        "{P}那片{Q}",
        "就{P}那儿，{Q}",
    ],
    "hesitation": [
        "嗯…是在{P}，{Q}，希望处理",
        "{P}…对，{P}，{Q}",
        "那个…{P}那边…{Q}",
        "{p}…{P}吧，{Q}，挺长时间了",
        "就是…{P}…{Q}",
        "{P}，嗯，{P}，{Q}",
        "呃…我想一下…{P}，{Q}",
        "{P}那儿…嗯…{Q}",
        "是…是{P}，{Q}",
        "{P}……{Q}，来电人说话有点慢",
        "嗯{P}那块儿，{Q}",
        "{p}…{p}…{P}，{Q}",
    ],
    "correction": [
        "来电人先说{X}，后来说是{P}，{Q}",
        "{X}，不对，是{P}，{Q}，请尽快处理",
        "刚才说的{X}不对，是{P}，{Q}",
        "{X}…哦不是，{P}那边，{Q}",
        "一开始说的是{X}，核实后是{P}，{Q}",
        "地址不是{X}，是{P}，{Q}",
        "{X}那个地址是错的，应该是{P}，{Q}",
        "{X}，她又改口说{P}，{Q}",
        "说{X}是说错了，{P}，{Q}",
        "{X}？不是，是{P}，{Q}，来电人很着急",
        "不在{X}，在{P}，{Q}",
        "{X}不是，{P}，{Q}",
    ],
    "route": [
        "来电人从{X}去{P}，到了{P}发现{Q}",
        "从{X}开车到{P}，{P}那边{Q}",
        "{X}出发，到{P}的时候看见{Q}",
        "坐公交从{X}到{P}，{P}车站附近{Q}",
        "路过{P}的时候看到{Q}，来电人是从{X}来的",
        "从{X}骑车去{P}，到{P}看见{Q}",
        "来电人在{X}上的车，到{P}下车后发现{Q}",
        "从{X}过来，{P}这边{Q}",
        "早上从{X}出门，到{P}的时候{Q}",
        "开车经过{P}，{Q}，当时从{X}过来",
        "从{X}步行到{P}，{P}路口{Q}",
        "由{X}到{P}，途经{P}时{Q}",
    ],
    "home": [
        "来电人住在{X}，反映{P}{Q}",
        "我家在{X}，不过这个事在{P}，{Q}",
        "来电人是{X}的居民，称{P}{Q}",
        "我住{X}，{P}那边{Q}",
        "家住{X}，今天路过{P}发现{Q}",
        "来电人居住在{X}，反映的是{P}，{Q}",
        "我是{X}的，{P}{Q}",
        "住{X}的来电人反映{P}{Q}",
        "来电人家在{X}，{P}这边{Q}",
        "来电人住{P}，{Q}",
        "我家就在{P}，{Q}",
        "来电人是{P}的住户，{Q}",
    ],
    "landmark": [
        "{L}门口，{Q}",
        "{L}附近，{Q}，希望处理",
        "在{L}旁边，{Q}",
        "{L}对面，{Q}",
        "{L}南门那儿{Q}",
        "{L}东边，{Q}",
        "{L}后面，{Q}",
        "{L}西门外，{Q}",
        "{L}北边，{Q}",
        "{L}那一片，{Q}",
        "{L}停车场，{Q}",
        "{L}里边，{Q}",
    ],
}

SUBKINDS7K: dict[str, dict[int, str]] = {
    "route": {3: "ride", 6: "ride", 4: "origin_after", 9: "origin_after"},
    "home": {9: "at_home", 10: "at_home", 11: "at_home"},
}


class Maker7k(Maker7):
    templates = TEMPLATES7K
    problems = PROBLEMS7K
    openers = OPENERS7K
    subkinds = SUBKINDS7K
    needs_marks = ("{X}？不是，", "{X}…哦不是，")


def main(argv: list[str]) -> None:
    write_check_set(Maker7k, "dev7k", SEED, argv)


if __name__ == "__main__":
    main(sys.argv[1:])
