"""Generate the seventh development set of agent-typed place snippets (``calls_dev7.csv``).

    .venv/bin/python bench/call_snippets_dev7.py [OUT_DIR]

Written on 2026-12-08, before the seventh round's rule changes, to tune the *structure* rules
(who said which place in which role) on wordings no earlier generator used. It is a
development set: its first score (rules of main ``5881abb``) is in docs/triage.md, and the
rules were tuned on it afterwards.

It reuses the sixth set's place drawing (``Places``, ``Maker6.pick``/``misspell``: a district
drawn evenly, then a clean street or community) and writes everything else afresh: problems,
callers, and at least 12 templates per kind. The structure kinds carry the ways of speaking the
sixth set showed the rules do not generalise to — the problem seen at the *start* of a trip
(``at_origin``), bus and subway rides (``ride``), the home said colloquially
(``colloquial``), the problem at the caller's own home (``at_home``), corrections where the
right place is said later and only a word says so (``later``) — each in several wordings,
with Beijing speech (俺, 咱, 那片儿, 斜对过儿, 溜达), and the typing of an agent in a hurry
(half-width commas, spaces, no punctuation at all).

Kinds, 60 snippets each: ``homophone``, ``hesitation``, ``correction``, ``route``, ``home``,
``landmark``. The gold street is always where the problem is.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from call_snippets import write
from call_snippets_blind6 import Maker6

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "jiesu" / "triage" / "data"
SEED = 7_2026_1208
PER_KIND = 60
KINDS = ("homophone", "hesitation", "correction", "route", "home", "landmark")

# Problems written for this set (no place words in them).
PROBLEMS7 = [
    "井盖松了踩上去晃悠", "楼下饭馆后厨的泔水倒马路上", "小区大门的道闸坏了车随便进",
    "有人在河道里倒建筑垃圾", "路边停的僵尸车一年多没人动", "夜里有人烧东西烟特别大",
    "供暖到现在还是凉的", "楼顶的广告牌被风吹得快掉了", "天天早上五点就有人装卸货",
    "自行车道上全是摆摊的", "下水井往外返水", "公厕锁着门进不去", "楼道灯坏了俩月",
    "路面塌了一块", "公园里有人放风筝缠着电线", "小区里的健身器材断了",
    "有流浪狗咬人", "过街天桥的台阶松动了", "菜市场门口垃圾成堆", "电线杆子歪了",
    "有人私拉电线给电动车充电", "施工围挡倒了占了半条路", "地铁口黑摩的乱停",
    "居民楼外墙瓷砖往下掉", "马路上的护栏被撞断了", "有人往楼下扔垃圾",
    "燃气表箱门关不上", "绿化带里的树死了一片", "早市噪音太大", "排水沟堵了一下雨就淹",
]

# How the agent opens the line (empty most of the time).
OPENERS7 = [
    "", "", "", "", "", "", "", "王师傅来电，", "老太太打电话说", "接线记录：",
    "匿名市民：", "外卖小哥反映，", "一男子来电，", "来电人姓赵，", "车友打来说",
    "这位大叔嗓门挺大，", "电话那头挺吵，",
]

TEMPLATES7: dict[str, list[str]] = {
    # {P}: the problem's place, misspelled by sound.
    "homophone": [
        "位置在{P}，{Q}", "{Q}，具体是{P}", "就{P}嘛，{Q}", "{P}东头儿{Q}", "您记{P}，{Q}",
        "{P}这片儿老是{Q}", "报个地方{P}，{Q}", "{Q}就在{P}那", "是{P}的事儿，{Q}",
        "{P}街面上{Q}", "麻烦派人去趟{P}，{Q}", "{P}那块地方{Q}", "{P}那疙瘩{Q}",
    ],
    # {P}: the place; {p}: its first characters, said while searching for the word.
    "hesitation": [
        "那个啥…{P}，{Q}", "在…在…{P}，{Q}", "{p}…{p}什么来着…{P}，对，{Q}",
        "呃…就是那个…{P}那，{Q}", "嗯嗯{P}，{P}那一片，{Q}", "我想想…应该是{P}吧…嗯{P}，{Q}",
        "{P}…就{P}，{Q}", "等会儿啊…{P}，{Q}", "哎呀叫啥来着…{P}！{Q}", "{p}……{P}，{Q}",
        "就是就是{P}那儿{Q}", "额…{P}…额…{Q}", "{P}吧…应该是{P}，{Q}",
    ],
    # {X}: said first and withdrawn; {P}: the place meant (``later``: only a word says so).
    "correction": [
        "{X}是我说错了，正确地址{P}，{Q}", "刚才说的{X}作废，是{P}，{Q}", "{X}那个不算，{P}，{Q}",
        "不好意思说岔了，{X}不对是{P}，{Q}", "登记的{X}有误，实际地点{P}，{Q}",
        "{X}…哎不是，{P}，{Q}", "把{X}改成{P}，{Q}", "地址更正一下，{X}更正为{P}，{Q}",
        "{X}？哦不对，是{P}，{Q}", "之前报的是{X}，后来核实是{P}，{Q}",
        "{X}，{P}，后面那个对，{Q}", "来电人纠正：{P}，原先说的{X}不对，{Q}",
        "您刚才听成{X}了吧，是{P}，{Q}", "一开始说{X}，再问又说{P}，按后说的记，{Q}",
        "{X}…{P}，以{P}为准，{Q}",
    ],
    # {X}: where the trip started; {P}: where the problem is.
    "route": [
        "{X}坐的公交，到{P}下车，{P}站台{Q}", "在{X}上的地铁，{P}出的站，出站口{Q}",
        "我打{X}那边来，{P}这儿{Q}", "{X}出发的，经过{P}时看见{Q}",
        "在{P}上车的时候就发现{Q}，后来坐到{X}", "{P}出来的时候看见{Q}，我现在到{X}了",
        "去{P}的路上，{P}那段{Q}，我是从{X}来的", "送货从{X}跑到{P}，{P}这儿{Q}",
        "{X}那边出的门，到了{P}才发现{Q}", "骑电动车{X}往{P}走，{P}这段{Q}",
        "从{X}一路溜达到{P}，{Q}", "刚在{P}等车那会儿看到{Q}，这会儿车都开到{X}了",
        "今早从{P}走的时候{Q}，后来去了{X}", "从{X}坐到{P}，一下车就看见{Q}",
    ],
    # {X}: the caller's home; {P}: the problem's place (at_home: the problem at home).
    "home": [
        "我是{X}那片儿的，今儿去{P}，看见{Q}", "本人家住{X}，去{P}看亲戚时发现{Q}",
        "我们家在{X}，{P}那边{Q}", "俺家{X}，{P}{Q}", "家在{X}，单位在{P}，单位门口{Q}",
        "我家{X}那边没事，是{P}{Q}", "住{X}的来电人说{P}{Q}", "咱是{X}的，{P}那边{Q}",
        "他家{X}那块儿的，跑{P}办事看见{Q}", "我老家{X}的，现在在{P}，{P}这边{Q}",
        "来电人住在{X}，反映的是{P}，{Q}", "人家是{X}的住户，说的是{P}的事，{Q}",
        "我家就住{P}，楼下{Q}", "{P}是我家，家门口{Q}", "我们{P}的住户都说{Q}",
    ],
    # {L}: a landmark or an estate.
    "landmark": [
        "{L}边上{Q}", "{L}东门那儿{Q}", "{L}斜对过儿{Q}", "去{L}那条道上{Q}", "{L}外头{Q}",
        "{L}附近那个路口{Q}", "{L}正门口儿{Q}", "{L}院里{Q}", "{L}后头{Q}", "靠近{L}{Q}",
        "{L}往南走二百米{Q}", "{L}底下{Q}",
    ],
}

# Sub-kinds, by the template's index, for the note column.
SUBKINDS: dict[str, dict[int, str]] = {
    "correction": {10: "later", 13: "later", 14: "later", 11: "right_first"},
    "route": {0: "ride", 1: "ride", 4: "at_origin", 5: "at_origin", 11: "at_origin",
              12: "at_origin", 13: "ride"},
    "home": {0: "colloquial", 3: "colloquial", 7: "colloquial", 8: "colloquial",
             12: "at_home", 13: "at_home", 14: "at_home"},
}

# Landmarks of the table with a street (frozen here, so the set regenerates byte-identical
# whatever later rounds add to landmarks.csv).
LANDMARKS7: list[tuple[str, str, str]] = [
    ("北京大学第三医院", "海淀区", "花园路街道"), ("人民大会堂", "西城区", "西长安街街道"),
    ("簋街", "东城区", "北新桥街道"), ("前海", "西城区", "什刹海街道"),
    ("北大六院", "海淀区", "花园路街道"), ("东方新天地", "东城区", "东华门街道"),
    ("北京交通大学", "海淀区", "北下关街道"), ("王府井", "东城区", "东华门街道"),
    ("北京化工大学", "朝阳区", "和平街街道"), ("龙潭湖公园", "东城区", "龙潭街道"),
    ("十渡景区", "房山区", "十渡镇"), ("北大西门", "海淀区", "燕园街道"),
    ("解放军总医院", "海淀区", "万寿路街道"), ("地坛公园", "东城区", "和平里街道"),
    ("华贸中心", "朝阳区", "八里庄街道"), ("云居寺", "房山区", "大石窝镇"),
    ("工人体育场", "朝阳区", "三里屯街道"), ("建外SOHO", "朝阳区", "建外街道"),
    ("中国人民大学", "海淀区", "海淀街道"), ("北京林业大学", "海淀区", "学院路街道"),
    ("国家图书馆", "海淀区", "紫竹院街道"), ("中央美术学院", "朝阳区", "望京街道"),
    ("儿童医院", "西城区", "月坛街道"), ("北京火车站", "东城区", "建国门街道"),
    ("安贞医院", "朝阳区", "安贞街道"), ("丫髻山", "平谷区", "刘家店镇"),
    ("慕田峪长城", "怀柔区", "渤海镇"), ("中央民族大学", "海淀区", "紫竹院街道"),
    ("北科大", "海淀区", "学院路街道"), ("北京饭店", "东城区", "东华门街道"),
    ("故宫", "东城区", "东华门街道"), ("天桥艺术中心", "西城区", "天桥街道"),
    ("中国农业大学", "海淀区", "马连洼街道"), ("大兴机场", "大兴区", "大兴国际机场"),
]

_PUNCT = "，。：；！？（）…、"
_HALF = str.maketrans({"，": ",", "。": ".", "：": ":", "；": ";", "！": "!", "？": "?",
                       "（": "(", "）": ")"})
# Templates whose meaning needs their marks (「X？哦不对…」「X…哎不是，P」): kept as typed.
_NEEDS_MARKS = ("？哦不对", "…哎不是")


class Maker7(Maker6):
    templates = TEMPLATES7
    problems = PROBLEMS7
    openers = OPENERS7
    subkinds = SUBKINDS
    needs_marks = _NEEDS_MARKS

    def style7(self, text: str) -> tuple[str, str]:
        """As typed, half-width, spaces for commas, no punctuation at all."""
        rng = self.rng
        s = rng.choices(["as_is", "halfwidth", "spaces", "run_on"], [40, 20, 15, 25])[0]
        if s == "halfwidth":
            text = text.translate(_HALF).replace("…", "...")
        elif s == "spaces":
            text = re.sub("[，。；、：]+", " ", text).strip()
        elif s == "run_on":
            text = re.sub(f"[{_PUNCT}]+", "", text)
        return text, s

    def landmark7(self) -> tuple[str, str, str, str]:
        rng = self.rng
        if rng.random() < 0.5:
            name, d, st = rng.choice(LANDMARKS7)
            code = next(c for c, (dd, s) in self.places.street_of.items() if dd == d and s == st)
            return name, d, code, "landmark"
        return self.landmark()

    def row(self, kind: str) -> dict[str, str]:
        rng = self.rng
        i = rng.randrange(len(self.templates[kind]))
        t = self.templates[kind][i]
        q = rng.choice(self.problems)
        opener = "" if t.startswith(("本人", "住", "来电人", "人家", "我是", "报个", "您")) \
            else rng.choice(self.openers)
        note = self.subkinds.get(kind, {}).get(i, "")
        fill, d, code, note = self.places_for(kind, self.landmark7, note)
        raw = opener + t.replace("{Q}", q)
        body, s = self.style7(raw)
        if s != "as_is" and any(m in t for m in self.needs_marks):
            body, s = raw, "as_is"
        text = body.format(**fill)
        _, st = self.places.street_of[code]
        return {"text": text, "district": d, "street": st, "kind": kind,
                "note": ";".join(x for x in (note, s) if x)}

    def rows7(self) -> list[dict[str, str]]:
        return [self.row(k) for k in KINDS for _ in range(PER_KIND)]


def write_check_set(maker: type[Maker7], name: str, seed: int, argv: list[str]) -> None:
    """Write ``calls_<name>.csv`` (PER_KIND rows of each kind) to argv[0] or the data folder."""
    out_dir = Path(argv[0]) if argv else DATA
    rows = maker(seed).rows7()
    assert len(rows) == PER_KIND * len(KINDS)
    write(out_dir / f"calls_{name}.csv", rows)
    print(f"{name}: {len(rows)} snippets → {out_dir / f'calls_{name}.csv'}", file=sys.stderr)


def main(argv: list[str]) -> None:
    write_check_set(Maker7, "dev7", SEED, argv)


if __name__ == "__main__":
    main(sys.argv[1:])
