"""Generate the third blind set of agent-typed place snippets (``calls_blind3.csv``).

    .venv/bin/python bench/call_snippets_blind3.py

Written after the fixes that the second blind set led to, before scoring, to measure the rules
as they stand on rows nobody tuned on; made by the second set's `make_set` (its method is
described below), with its own seed, templates and problems.

The first blind set (``calls_blind.csv``) stopped being blind once the matcher was fixed
after scoring it. This set was written before any further tuning, with its own seed, its own
templates (worded unlike both earlier sets), every street of the NBS list (both halves), and
the landmark table's own rows (``landmarks.csv``, rows that name a street) plus estates named
after NBS communities. It is committed and scored once, at the end of the work it measures;
nobody tuning the matcher reads it (docs/triage.md).

Kinds, 55 snippets each: ``homophone`` (one character replaced by a same- or near-sounding
everyday character, as ``call_snippets.Maker.misspell``), ``hesitation``, ``correction``,
``route``, ``home``, ``landmark``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from call_snippets import PROBLEMS
from call_snippets_blind2 import make_set

SEED = 8123_0419

PROBLEMS3 = [
    "楼顶漏水没人修", "路口有人卖菜堵着", "夜里狗叫扰民", "垃圾分类桶被拉走了", "水管冻裂了",
    "公园厕所锁着门", "地下室住了很多人", "马路边有死鸟", "消防通道被车堵了", "施工围挡倒了",
    "菜市场污水横流", "路灯一直亮着浪费电", "有人在绿地里种菜", "墙皮脱落砸到人", "污水井盖丢了",
    "工地晚上十点还在打桩", "道路结冰没人撒盐", "小区大门坏了关不上", "树上马蜂窝", "电动车乱停",
    *PROBLEMS[5:10],
]

TEMPLATES3: dict[str, list[str]] = {
    "homophone": [
        "{P}那块有{Q}", "在{P}这一片，{Q}", "事发{P}，{Q}", "来电说{P}那个位置{Q}",
        "{P}这里{Q}，催一下", "居民反映{P}附近{Q}", "{P}旁边，{Q}", "他在{P}看到{Q}",
        "{Q}，是{P}那边的事",
    ],
    "hesitation": [
        "嗯…嗯…{P}，{Q}", "{p}…那个…{P}，{Q}", "就…就是{P}，{Q}", "{P}…对，{P}，{Q}",
        "呃……是{P}那边，{Q}", "那个啥…{P}，{Q}", "{P}，{P}那块儿，{Q}", "嗯，{p}……{P}吧，{Q}",
        "来电人停顿了一下说{P}…{Q}",
    ],
    "correction": [
        "不是{X}啊，{P}，{Q}", "{X}？哦不对，{P}，{Q}", "她先说{X}，又说不对是{P}，{Q}",
        "更正一下地址：{P}，不是{X}，{Q}", "我说错了，不是{X}，是{P}，{Q}",
        "{X}写错了，改成{P}，{Q}",
        "不是{X}，在{P}那边，{Q}", "别弄成{X}，是{P}，{Q}", "{X}不对，应该是{P}，{Q}",
    ],
    "route": [
        "从{X}回家路过{P}，{Q}", "开车从{X}到{P}，在{P}看见{Q}", "从{X}出发，到{P}那边{Q}",
        "早上从{X}骑车去{P}上班，{P}那里{Q}", "我从{X}坐公交到{P}，下车就看到{Q}",
        "从{X}走过来到{P}，{Q}", "他从{X}开到{P}，{P}路边{Q}", "从{X}来的，在{P}发现{Q}",
        "由{X}到{P}途中，在{P}{Q}",
    ],
    "home": [
        "我住{X}，{P}那边{Q}", "我家在{X}，今天去{P}，{Q}", "来电人是{X}的居民，反映{P}{Q}",
        "家住{X}，在{P}这边遇到{Q}", "我是{X}的业主，但{P}那儿{Q}", "住在{X}，反映的是{P}，{Q}",
        "我在{X}住，今天在{P}看到{Q}", "户口在{X}，现住{P}附近，{P}{Q}", "我家{X}的，{P}{Q}",
    ],
    "landmark": [
        "{L}附近{Q}", "{L}那一片{Q}", "{L}门口那条路{Q}", "在{L}旁边，{Q}", "{L}那边有{Q}",
        "{L}周围{Q}", "{L}斜对面{Q}", "就在{L}，{Q}", "{L}东边{Q}",
    ],
}


if __name__ == "__main__":
    make_set("blind3", SEED, TEMPLATES3, PROBLEMS3)
