"""Generate the seventh blind set of agent-typed place snippets (``calls_blind7.csv``).

    .venv/bin/python bench/call_snippets_blind7.py [OUT_DIR]   # default jiesu/triage/data

Written on 2026-12-08 outside the repository by a helper who did not read the place rules'
code, their tests, their docs or any earlier set's rows, while other helpers tuned the rules.
Standard library plus ``pypinyin`` (in the repository's venv). It reads, read-only:
``jiesu/triage/data/beijing_divisions.csv`` (gold answers), ``jiesu/triage/data/landmarks.csv``
(a capped share of the landmark rows) and ``/work/shared/data/messages/train.csv`` (the
held-out fifth for ``proposals_blind7.csv``, and the character frequencies for homophones).

Kinds, 72 snippets each: homophone, hesitation, correction, route, home, landmark. For every
kind the gold district runs through the 16 districts in a shuffled cycle, so each district is
drawn 4 or 5 times per kind; the street (or community / village) inside it is drawn at random
from the whole NBS list with the seed.
"""

from __future__ import annotations

import csv
import io
import os
import random
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

from pypinyin import Style, lazy_pinyin, pinyin

MAIN = Path(__file__).resolve().parent.parent
DATA = MAIN / "jiesu" / "triage" / "data"
DIVISIONS = DATA / "beijing_divisions.csv"
TABLE = DATA / "landmarks.csv"
MESSAGES = (Path(os.environ.get("JIESU_SHARED_DATA_DIR", "../shared/data"))
            / "messages" / "train.csv")
# The data files as committed before this session's tuning began (main moves while the set is
# written; the landmark rows added by the tuners are not used).
TABLE_AT = "789f880"  # 2026-12-04 19:03 UTC, the table as it was before the seventh round
DIVISIONS_AT = "789f880"


def pinned(path: Path, commit: str) -> str:
    """A file of the repository as committed at `commit` (read-only git show)."""
    rel = path.relative_to(MAIN).as_posix()
    return subprocess.run(["git", "-C", str(MAIN), "show", f"{commit}:{rel}"], check=True,
                          capture_output=True, text=True, encoding="utf-8").stdout
SEED = 7_2026_1208
PER_KIND = 72
KINDS = ("homophone", "hesitation", "correction", "route", "home", "landmark")

# --------------------------------------------------------------------------------------
# Problems written for this set (no place words in them).
PROBLEMS7 = [
    "充电桩坏了一个多月没人修", "路边停的僵尸车落满了灰", "楼顶太阳能热水器往下滴水",
    "商户把空调外机装在人行道上，一直滴水", "公厕里没灯，晚上不敢进", "健身器材螺丝松了，晃悠",
    "有人私自砍树", "大门道闸天天抬不起来", "装修电钻从早上七点就开始", "幼儿园门口家长车乱停",
    "门店大喇叭循环叫卖", "工地泥浆水直接排到马路上", "暖气阀门关不上", "燃气表箱门被撬了",
    "早点铺凌晨三点就剁馅", "外卖电动车逆行差点撞着孩子", "私搭的鸽子棚臭味大",
    "广告牌被风刮得快掉了", "高压线底下有人盖彩钢房", "过街桥台阶碎了好几块",
    "盲道被自行车棚挡死了", "公交站没遮阳棚，老人晒得够呛", "流动摊卖三无辣条",
    "地下车库渗水，车都泡了", "消防通道被铁栅栏焊死了", "二次供水水箱好几年没洗",
    "有人养了几十只猫，一股骚味", "排水沟盖板翘起来绊人", "施工拉的电线裸露在外头",
    "厨余垃圾桶招苍蝇，一股馊味", "隔离护栏被撞歪了", "有人在空地烧纸冒黑烟",
    "报刊亭改成小卖部占着道", "活鱼摊污水横流", "健身场的地砖全松了，下雨溅一身泥",
    "声控灯坏了，黑咕隆咚的", "坑塘里漂着死鱼", "自行车道上停满了汽车",
    "有人卖散装汽油", "扶梯停了一个礼拜", "出租屋隔了十几个床位", "过街信号灯按钮按了没反应",
    "墙上贴满小广告刷不掉", "快递包裹堆在人行道上", "汽修店在路边喷漆，味儿刺鼻",
    "KTV半夜还在唱", "排水口让人用水泥封了", "枯树枝掉下来砸了车", "大狗见人就扑也没人管",
    "有人开无人机低飞扰民", "桥栏杆锈断了一截", "路面洒了一溜油，电动车滑倒了",
    "旁边开了个黑网吧，孩子们天天泡着", "物业乱收停车费", "自来水管冻裂了",
    "垃圾清运车漏汤，一路滴", "楼下饭馆的排风扇轰轰响一宿",
]

# How the agent opens the line (empty most of the time).
OPENERS7 = [
    "", "", "", "", "", "", "", "", "", "坐席记录：", "受理内容：", "来电（女，约60岁）：",
    "市民王先生称，", "外卖小哥反映：", "匿名来电，", "来电人补充：", "Li女士来电：",
    "家长来电，", "出租车司机反映，", "二次来电：", "老两口一起打来的，",
]

# (template, note). {P}: where the problem is; {X}, {Y}: other places; {Q}: the problem;
# {p}: first characters of {P}; {c}: its first character; {bus}: a bus line; {bld}: building.
TEMPLATES7: dict[str, list[tuple[str, str]]] = {
    "homophone": [
        ("{P}：{Q}", ""), ("反映：{P}，{Q}", ""), ("{Q}——{P}", ""), ("{P}一带{Q}", ""),
        ("{P}这片{Q}，想让人来看看", ""), ("麻烦派人去{P}看看，{Q}", ""),
        ("位置{P}，问题{Q}", ""), ("{P}那条街上{Q}", ""), ("{P}周边{Q}", ""),
        ("我们{P}{Q}", ""), ("{P}，问题：{Q}", ""), ("在{P}呢，{Q}", ""),
        ("{Q}，地方是{P}", ""), ("{P}靠马路这边{Q}", ""), ("{P}{Q}，来电人挺生气", ""),
    ],
    "hesitation": [
        ("嗯…嗯…{P}，{Q}", "filler"), ("呃，那个…{P}那片儿，{Q}", "filler"),
        ("{c}…{c}{c}…{P}，{Q}", "stammer"), ("{p}、{p}…{P}，就这，{Q}", "stammer"),
        ("我跟您说啊…{P}…对，就{P}，{Q}", "twice"), ("{P}嘛…{P}，{Q}，麻烦登一下", "twice"),
        ("就那个，就那个就那个…{P}，{Q}", "restart"), ("那…那什么…{P}，{Q}", "restart"),
        ("我说的是…呃…是…{P}，{Q}", "filler"), ("嗯嗯 就是 {P} {Q}", "filler"),
        ("哎呦我这脑子…{P}！{P}，{Q}", "twice"), ("在…在…在{P}，{Q}", "stammer"),
        ("那地儿叫…{p}…嗯{P}，{Q}", "partial"), ("您稍等我想想…{P}，应该是{P}，{Q}", "twice"),
        ("这个…这个这个…{P}那儿，{Q}", "restart"),
    ],
    "correction": [
        ("{X}那块……哎不对，说秃噜了，是{P}，{Q}", "caller"),
        ("地址先写的{X}，来电人纠正为{P}，{Q}", "record"),
        ("您那写的{X}？那可不对，得是{P}，{Q}", "caller"),
        ("等会儿等会儿，{X}那是我上回反映的事，这回是{P}，{Q}", "caller"),
        ("{X}（误）→{P}，{Q}", "record"),
        ("坐席误录为{X}，经与来电人核对应为{P}，{Q}", "agent"),
        ("来电人改口了：{X}作废，{P}，{Q}", "caller"),
        ("是{P}，刚才嘴一快说成{X}了，{Q}", "caller"),
        ("我这写成{X}了？重来，{P}，{Q}", "agent"),
        ("{X}不是，我说的{P}啊，您听岔了，{Q}", "agent"),
        ("{X}错了应该是{P}{Q}", "run_on"),
        ("不对{X}那是我闺女家出事的是{P}{Q}", "run_on"),
        ("更正一下地点：由{X}改为{P}。{Q}", "record"),
        ("哦哦搞混了，{X}是我单位，{P}这边{Q}", "caller"),
        ("来电人核实后说不是{X}而是{P}{Q}", "run_on"),
        ("{P}！不是{X}，{X}那边好好的没事，{Q}", "caller"),
    ],
    "route": [
        ("坐{bus}路从{X}到{P}，在{P}站下车，站台边上{Q}", "dest;bus"),
        ("打车从{X}去{P}，下车的地方{Q}", "dest;taxi"),
        ("我从{X}骑共享单车到{P}，{P}这儿{Q}", "dest;bike"),
        ("开车从{X}出发，导航到{P}，到地方一看{Q}", "dest;car"),
        ("地铁{X}上车，{P}换乘，去{Y}；换乘那个站口{Q}", "transfer;subway"),
        ("从{X}坐公交，到{P}倒车去{Y}，倒车那站{Q}", "transfer;bus"),
        ("从{X}去{Y}，半道经过{P}，{P}那段{Q}", "via;car"),
        ("我们从{X}走到{Y}，一路都还行，就是{P}那一截{Q}", "via;walk"),
        ("每天{X}到{Y}通勤，中间穿过{P}，{P}这段{Q}", "via;car"),
        ("{X}—{P}—{Y}这么坐车，毛病在中间的{P}：{Q}", "via;bus"),
        ("我在{P}上的车，上车那站{Q}，现在车都快到{X}了", "origin;bus"),
        ("刚从{P}出来，{P}那边{Q}，我现在在去{X}的路上", "origin;walk"),
        ("出门时在{P}就瞧见{Q}，后来我开车去了{X}，{X}那边没事", "origin;car"),
        ("拉货从{X}送到{P}，{P}卸货的地方{Q}", "dest;truck"),
        ("遛弯儿从{X}溜达到{P}，{P}那儿{Q}", "dest;walk"),
    ],
    "home": [
        ("我家在{X}，不过今天要说的是{P}，{P}那边{Q}", "elsewhere"),
        ("我住{X}，上礼拜去{P}看我妈，她楼下{Q}", "relative"),
        ("每天去{P}上班，单位门口{Q}，我自己家在{X}", "work"),
        ("就我家，{P}，楼上{Q}", "at_home"),
        ("家住{P}，自家窗户底下{Q}", "at_home"),
        ("我白天在{X}上班，晚上回{P}，家门口{Q}", "at_home"),
        ("刚从{X}搬到{P}，新家这边{Q}", "at_home"),
        ("我是{X}的，替{P}的老同学打的，他们院里{Q}", "relative"),
        ("我住{X}，孩子学校在{P}，学校门口{Q}", "school"),
        ("户籍{X}，现住{P}，住的这栋楼{Q}", "at_home"),
        ("在{P}租的房，原来住{X}，出租屋这边{Q}", "at_home"),
        ("我住{X}挺好的，是{P}那边的亲戚家{Q}", "relative"),
        ("我在{X}住了二十年，{P}那边{Q}，我是路过看见的", "elsewhere"),
        ("家里（{X}）没事，是我去{P}买菜时看到{Q}", "elsewhere"),
        ("我住{P}，{bld}，{Q}", "at_home"),
    ],
    "landmark": [
        ("{L}旁边的辅路上{Q}", ""), ("{L}正门口的公交站{Q}", ""), ("从{L}出来往南走两百米，{Q}", ""),  # noqa: E501
        ("{L}院墙外头{Q}", ""), ("{L}西门这儿{Q}", ""), ("{L}斜对过儿{Q}", ""),
        ("{L}里面的空场上{Q}", ""), ("紧挨着{L}的那条胡同{Q}", ""), ("{L}地下车库出口{Q}", ""),
        ("{L}一进门左手边{Q}", ""), ("{L}那站下车就是，{Q}", ""), ("{L}边上的小卖部旁{Q}", ""),
        ("人在{L}呢，{Q}", ""), ("{L}后墙根儿{Q}", ""), ("{L}北门外那个路口{Q}", ""),
    ],
}

# Landmark templates for open places (scenic areas, streets, areas): no gates, walls, garages.
OUTDOOR_LANDMARK7 = [t for t in TEMPLATES7["landmark"]
                     if not any(w in t[0] for w in ("门", "墙", "里面", "车库"))]

# Landmark templates for a village (its own places: committee, entrance, clinic, school).
VILLAGE_LANDMARK7 = [
    ("{L}村委会门口{Q}", ""), ("{L}村口大槐树底下{Q}", ""), ("{L}西头那条土路上{Q}", ""),
    ("{L}卫生室旁边{Q}", ""), ("{L}小学后头{Q}", ""), ("{L}的文化活动室门口{Q}", ""),
    ("进了{L}往北走，{Q}", ""),
]

# Landmarks written from public knowledge and NOT taken from landmarks.csv; each one's street
# is backed by the NBS community list (a community named after it in that street) or a
# well-known address. (said forms, district, NBS street, type)
OWN7: list[tuple[tuple[str, ...], str, str, str]] = [
    (("国际关系学院", "国关"), "海淀区", "青龙桥街道", "university"),
    (("西苑医院", "中医科学院西苑医院"), "海淀区", "青龙桥街道", "hospital"),
    (("309医院", "解放军309医院"), "海淀区", "青龙桥街道", "hospital"),
    (("304医院", "三〇四医院"), "海淀区", "八里庄街道", "hospital"),
    (("北京肿瘤医院（阜成路那个）", "海淀阜成路的北京肿瘤医院"), "海淀区", "八里庄街道", "hospital"),  # noqa: E501
    (("空军总医院", "空总"), "海淀区", "甘家口街道", "hospital"),
    (("海军总医院", "海总医院"), "海淀区", "甘家口街道", "hospital"),
    (("工商大学阜成路校区",), "海淀区", "甘家口街道", "university"),
    (("青年政治学院", "中国青年政治学院"), "海淀区", "紫竹院街道", "university"),
    (("钢铁研究总院", "钢研总院"), "海淀区", "北下关街道", "institute"),
    (("大钟寺", "大钟寺古钟博物馆"), "海淀区", "北下关街道", "temple"),
    (("五塔寺",), "海淀区", "北下关街道", "temple"),
    (("中国农业科学院", "农科院"), "海淀区", "北下关街道", "institute"),
    (("铁科院", "铁道科学研究院"), "海淀区", "北下关街道", "institute"),
    (("万寿寺", "北京艺术博物馆"), "海淀区", "紫竹院街道", "temple"),
    (("空军指挥学院",), "海淀区", "曙光街道", "university"),
    (("768创意园", "768园区"), "海淀区", "学院路街道", "area"),
    (("石油大院",), "海淀区", "学院路街道", "estate_known"),
    (("护国寺小吃街", "护国寺街"), "西城区", "什刹海街道", "street"),
    (("法源寺",), "西城区", "牛街街道", "temple"),
    (("报国寺", "报国寺古玩市场"), "西城区", "广安门内街道", "market"),
    (("天宁寺", "天宁寺塔"), "西城区", "广安门外街道", "temple"),
    (("西城马连道茶城", "马连道茶叶街（西城）"), "西城区", "广安门外街道", "market"),
    (("隆福寺", "隆福大厦"), "东城区", "景山街道", "mall"),
    (("夕照寺",), "东城区", "龙潭街道", "temple"),
    (("国家体育总局", "体育总局"), "东城区", "体育馆路街道", "office"),
    (("慈云寺桥", "慈云寺"), "朝阳区", "八里庄街道", "area"),
    (("十里河灯具城", "十里河建材市场"), "朝阳区", "十八里店地区", "market"),
    (("模式口大街", "模式口历史文化街区"), "石景山区", "金顶街街道", "street"),
    (("隆恩寺",), "石景山区", "五里坨街道", "temple"),
    (("灵水村", "灵水举人村"), "门头沟区", "斋堂镇", "village"),
    (("黄花城水长城", "黄花城"), "怀柔区", "九渡河镇", "scenic"),
    (("神堂峪", "神堂峪景区"), "怀柔区", "雁栖地区", "scenic"),
    (("长陵", "明长陵"), "昌平区", "十三陵镇", "scenic"),
    (("百里山水画廊",), "延庆区", "千家店镇", "scenic"),
    (("装甲兵工程学院", "装甲兵学院"), "丰台区", "北宫镇", "university"),
    (("万泉寺",), "丰台区", "太平桥街道", "area"),
    (("镇国寺",), "丰台区", "马家堡街道", "area"),
    (("西峰寺",), "丰台区", "长辛店街道", "temple"),
]
NO_SUBWAY = frozenset({"门头沟区", "怀柔区", "平谷区", "密云区", "延庆区"})
TABLE_SHARE = 22  # landmark rows taken from landmarks.csv, at most (under a third of 72)

# Callers' short forms of streets (广外 = 广安门外 ...): a community named with one would
# read as that street.
_SAID_AS_STREET = ("广外", "广内", "建外", "朝外", "东外", "西外", "德外", "安外", "永外",
                   "崇外", "宣外", "阜外", "复外", "东内", "西内", "朝内", "崇内", "宣内")
_SUFFIXES = ("满族乡", "回族乡", "街道", "地区", "镇", "乡")
_COMM_TAILS = ("社区居民委员会", "社区居委会", "居民委员会", "居委会", "社区")
_VILL_TAILS = ("村民委员会", "村委会")
_HALF = str.maketrans({"，": ",", "。": ".", "：": ":", "；": ";", "！": "!", "？": "?",
                       "（": "(", "）": ")", "—": "-"})
BUILDINGS = ["3号楼", "5#楼2单元", "B座", "12号楼", "2号院4门", "7栋", "1单元602"]


def short(street: str) -> str:
    for s in _SUFFIXES:
        if street.endswith(s) and len(street) - len(s) >= 2:
            return street[: -len(s)]
    return street


def comm_base(name: str) -> tuple[str, bool]:
    """(said base, is_village)."""
    for t in _VILL_TAILS:
        if name.endswith(t):
            b = name[: -len(t)]
            return (b if b.endswith("村") else b + "村"), True
    if name.endswith("委员会"):
        return "", False  # 治理委员会 and the like: not said by callers
    for t in _COMM_TAILS:
        if name.endswith(t) and len(name) > len(t):
            return name[: -len(t)], False
    return name, name.endswith("村")


def syllable(ch: str) -> str | None:
    rs = pinyin(ch, style=Style.TONE3, heteronym=True, neutral_tone_with_five=True)[0]
    return rs[0] if len(rs) == 1 and rs[0][-1].isdigit() else None


NEAR = [("nl", "n", "l"), ("nl", "l", "n"), ("zhz", "zh", "z"), ("zhz", "z", "zh"),
        ("chc", "ch", "c"), ("chc", "c", "ch"), ("shs", "sh", "s"), ("shs", "s", "sh"),
        ("fh", "f", "h"), ("fh", "h", "f")]
NEAR_F = [("in_ing", "ing", "in"), ("in_ing", "in", "ing"), ("en_eng", "eng", "en"),
          ("en_eng", "en", "eng"), ("an_ang", "ang", "an"), ("an_ang", "an", "ang")]


def near_of(syl: str) -> list[tuple[str, str]]:
    """[(tag, near syllable)] for a toneless syllable."""
    out = []
    for tag, a, b in NEAR:
        if syl.startswith(a) and not (len(a) == 1 and a in "zcs" and syl[1:2] == "h"):
            out.append((tag, b + syl[len(a):]))
    for tag, a, b in NEAR_F:
        if syl.endswith(a):
            if a in ("in", "en", "an") and syl.endswith(a + "g"):
                continue
            out.append((tag, syl[: -len(a)] + b))
    return out


class Places:
    def __init__(self) -> None:
        self.rows = list(csv.DictReader(io.StringIO(pinned(DIVISIONS, DIVISIONS_AT))))
        self.street_of: dict[str, tuple[str, str]] = {}
        for r in self.rows:
            self.street_of[r["street_code"]] = (r["district"], r["street"])
        self.pairs = set(self.street_of.values())
        self.districts = sorted({d for d, _ in self.street_of.values()},
                                key=lambda d: min(c for c, v in self.street_of.items()
                                                  if v[0] == d))
        self.dshort = {d: d[:-1] for d in self.districts}
        shorts = Counter(short(s) for _, s in self.street_of.values())
        self.names: dict[str, set[str]] = defaultdict(set)
        for code, (_, s) in self.street_of.items():
            self.names[s].add(code)
            self.names[short(s)].add(code)
        bases = Counter()
        for r in self.rows:
            b, _ = comm_base(r["community"])
            if b:
                self.names[b].add(r["street_code"])
                bases[b] += 1
                if b.endswith("村") and len(b) >= 3:
                    self.names[b[:-1]].add(r["street_code"])
        dnames = set(self.districts) | set(self.dshort.values())
        famous: dict[str, tuple[str, str]] = {}
        for t in csv.DictReader(io.StringIO(pinned(TABLE, TABLE_AT))):
            famous[t["alias"]] = (t["district"], t["street"])
        famous["工人体育馆"] = ("朝阳区", "三里屯街道")  # 工体, whatever the NBS row says

        def clash(text: str, code: str) -> bool:
            for n, codes in self.names.items():
                if codes <= {code} or len(n) < 2:
                    continue
                if n == text or text in n or (n in text and len(n) >= 2):
                    return True
            return False

        self.clash = clash
        # what each real name (3+ characters) sounds like, tones dropped
        self.sound: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for n, codes in self.names.items():
            if len(n) >= 3:
                self.sound[tuple(lazy_pinyin(n))] |= codes

        def sounds_like_other(text: str, code: str) -> bool:
            py = lazy_pinyin(text)
            if len(py) != len(text):
                return True  # cannot tell: refuse
            for L in range(3, len(text) + 1):
                for s in range(len(text) - L + 1):
                    if self.sound.get(tuple(py[s:s + L]), set()) - {code}:
                        return True
            return False

        self.sounds_like_other = sounds_like_other
        # streets: (code, short, needs_district)
        self.streets: dict[str, list[tuple[str, str, bool]]] = defaultdict(list)
        for code, (d, s) in sorted(self.street_of.items()):
            sh = short(s)
            if any(w in s for w in ("开发区", "示范区", "机场", "园区", "基地")):
                continue
            if sh in dnames or sh == "亦庄":
                continue
            if shorts[sh] > 1:
                self.streets[d].append((code, sh, True))  # shared short: the district is said
                continue
            if clash(sh, code):
                continue
            self.streets[d].append((code, sh, False))
        # communities / villages: unique base, 2..6 chars, no other street's name inside
        self.comms: dict[str, list[tuple[str, str, bool]]] = defaultdict(list)
        for r in self.rows:
            b, vill = comm_base(r["community"])
            if not b or bases[b] != 1 or not 3 <= len(b) <= 6:
                continue
            if famous.get(b, (r["district"], r["street"])) != (r["district"], r["street"]):
                continue
            if re.search(r"[0-9０-９A-Za-z（）()]|第|虚拟|生活区|工作区|家属|大院|治理|筹备", b):
                continue
            if any(x in b for x in dnames) or any(x in b for x in _SAID_AS_STREET):
                continue
            code = r["street_code"]
            if any(w in r["street"] for w in ("开发区", "示范区", "机场", "园区", "基地")):
                continue  # special units, not said as a place by callers
            if clash(b, code) or (vill and len(b) >= 3 and clash(b[:-1], code)):
                continue
            self.comms[r["district"]].append((code, b, vill))

    def district_of(self, code: str) -> str:
        return self.street_of[code][0]


class Maker7:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.places = Places()
        self.pool = self._pool()
        self.used_comm: set[str] = set()
        self.seen_text: set[str] = set()
        self.table_rows = self._table()
        self.table_used = 0
        self.used_lm: set[object] = set()
        self.own_uses: Counter[tuple[str, ...]] = Counter()

    # ---------------------------------------------------------------- data
    def _pool(self) -> dict[str, list[tuple[str, str]]]:
        freq: Counter[str] = Counter()
        with MESSAGES.open(encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                freq.update(ch for ch in r["text_segmented"] if "\u4e00" <= ch <= "\u9fff")
        pool: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for ch, _ in freq.most_common(2500):
            s = syllable(ch)
            if s and self._level1(ch):
                pool[s[:-1]].append((ch, s))
        return pool

    @staticmethod
    def _level1(ch: str) -> bool:
        """GB2312 level-1 (the 3,755 most common characters): what a pinyin IME offers
        first."""
        try:
            b = ch.encode("gb2312")
        except UnicodeEncodeError:
            return False
        return len(b) == 2 and 0xB0A1 <= (b[0] << 8 | b[1]) <= 0xD7F9

    def _table(self) -> list[tuple[str, str, str, str]]:
        out = []
        for r in csv.DictReader(io.StringIO(pinned(TABLE, TABLE_AT))):
            if r["street"] and (r["district"], r["street"]) in self.places.pairs \
                    and r["kind"] not in ("area", "alias", "street") \
                    and not any(r["alias"] in f for forms, *_ in OWN7 for f in forms):
                out.append((r["alias"], r["district"], r["street"], r["kind"]))
        return out

    # ---------------------------------------------------------------- places
    def cycle(self) -> list[str]:
        out: list[str] = []
        while len(out) < PER_KIND:
            ds = list(self.places.districts)
            self.rng.shuffle(ds)
            out += ds
        return out[:PER_KIND]

    def pick(self, d: str | None = None, avoid: set[str] = frozenset(),
             comm_share: float = 0.45) -> tuple[str, str, str, str]:
        """(said form, district, street code, what) in district d (random if None)."""
        rng = self.rng
        P = self.places
        for _ in range(500):
            dd = d or rng.choice(P.districts)
            if rng.random() < comm_share and P.comms[dd]:
                code, b, vill = rng.choice(P.comms[dd])
                if code in avoid or b in self.used_comm:
                    continue
                self.used_comm.add(b)
                if vill:
                    form = rng.choice([b, b, b, b, b + "那村子"]) if len(b) >= 3 else b
                elif b.endswith(("里", "园", "苑", "区", "居", "院", "城", "坊", "营", "庄")) \
                        or b.endswith("社区"):
                    form = rng.choice([b, b, b + "社区"])
                elif b.endswith("小区"):
                    form = b
                else:
                    form = rng.choice([b + "社区", b + "小区", b])
                if rng.random() < 0.25:
                    form = rng.choice([dd, P.dshort[dd]]) + form
                return form, dd, code, "village" if vill else "community"
            code, sh, need_d = rng.choice(P.streets[dd])
            if code in avoid:
                continue
            st = P.street_of[code][1]
            form = rng.choice([sh, sh, sh, st])
            if need_d:  # a short form two streets share: the district and the full name
                form = rng.choice([dd, P.dshort[dd]]) + st
            elif rng.random() < 0.2:
                form = rng.choice([dd, P.dshort[dd]]) + form
            return form, dd, code, "street"
        raise RuntimeError("no place")

    def other(self, code: str, forms: list[str], d: str | None = None,
              comm_share: float = 0.45) -> str:
        """A place in another street (of district d where given), not overlapping the given
        forms."""
        while True:
            x, _, xc, _ = self.pick(d, avoid={code}, comm_share=comm_share)
            if self.places.street_of[xc] == self.places.street_of[code]:
                continue
            if any(x in f or f in x for f in forms):
                continue
            return x

    # ---------------------------------------------------------------- homophones
    def misspell(self, d: str, want: str) -> tuple[str, str, str, str] | None:
        """(typed form, district, code, note) with one (two for want='two_chars') characters
        of the name typed by sound; None where this draw has none."""
        rng = self.rng
        P = self.places
        for _ in range(60):
            use_comm = rng.random() < 0.45 and P.comms[d]
            if use_comm:
                code, core, vill = rng.choice(P.comms[d])
                if core in self.used_comm:
                    continue
                what = "village" if vill else "community"
                tail = "" if vill or core.endswith(("里", "园", "苑", "区", "社区")) else \
                    rng.choice(["", "社区", "小区"])
                need_d = False
            else:
                code, core, need_d = rng.choice(P.streets[d])
                if need_d:
                    continue  # a shared short form: not typed by sound here
                what, tail = "street", rng.choice(["", "", "", "街道" if
                                                   P.street_of[code][1].endswith("街道") else ""])
            if want == "two_chars" and len(core) < 4:
                continue
            positions = [i for i in range(len(core))
                         if not (i == len(core) - 1 and core[i] in "村里区庄营")]
            rng.shuffle(positions)
            typed, tags = core, []
            n_sub = 2 if want == "two_chars" else 1
            for i in positions:
                if len(tags) == n_sub:
                    break
                s = syllable(core[i])
                if not s:
                    continue
                base, tone = s[:-1], s[-1]
                cands: list[tuple[str, str]] = []
                if want in ("same", "two_chars"):
                    cands = [(c, "same") for c, r in self.pool.get(base, []) if r[-1] == tone]
                if want in ("tone",) or (want == "two_chars" and not cands):
                    cands = [(c, "tone") for c, r in self.pool.get(base, []) if r[-1] != tone]
                if want.startswith("near_") or (want == "two_chars" and not cands):
                    for tag, ns in near_of(base):
                        if want == "two_chars" or want == "near_" + tag:
                            cands += [(c, "near_" + tag) for c, r in self.pool.get(ns, [])]
                cands = [(c, t) for c, t in cands if c not in core]
                rng.shuffle(cands)
                for c, t in cands[:40]:
                    cand = typed[:i] + c + typed[i + 1:]
                    if cand in P.names or P.clash(cand, code) or \
                            P.sounds_like_other(cand, code) or \
                            any(x in cand and x not in core for x in P.dshort.values()):
                        continue
                    typed, tags = cand, [*tags, t]
                    break
            if len(tags) < n_sub:
                continue
            if use_comm:
                self.used_comm.add(core)
            said = need_d or rng.random() < 0.4
            form = typed + tail
            if said:
                form = rng.choice([d + form, P.dshort[d] + form, form + "（" + d + "）",
                                   d + "的" + form])
            note = ("two_chars" if want == "two_chars" else tags[0])
            return form, d, code, f"{note};{what};{'district' if said else 'bare'}"
        return None

    # ---------------------------------------------------------------- landmarks
    def landmark(self, d: str) -> tuple[str, str, str, str]:
        rng = self.rng
        P = self.places
        own = [o for o in OWN7 if o[1] == d]
        table = [t for t in self.table_rows if t[1] == d]
        roll = rng.random()
        table = [t for t in table if t[0] not in self.used_lm] or table
        own = [o for o in own if self.own_uses[o[0]] < 2]
        if table and self.table_used < TABLE_SHARE and roll < 0.3:
            alias, dd, st, kind = rng.choice(table)
            self.used_lm.add(alias)
            self.table_used += 1
            code = next(c for c, v in P.street_of.items() if v == (dd, st))
            return alias, dd, code, f"table;{kind}"
        if own and roll < 0.7:
            forms, dd, st, kind = rng.choice(own)
            self.own_uses[forms] += 1
            code = next(c for c, v in P.street_of.items() if v == (dd, st))
            return rng.choice(forms), dd, code, f"own;{kind}"
        pool = [c for c in P.comms[d] if c[1] not in self.used_comm
                and not c[1].endswith(("镇", "乡", "地区", "街道", "镇社区", "乡社区"))
                and not any(w in P.street_of[c[0]][1] for w in ("开发区", "示范区", "园区"))]
        estates = [c for c in pool if not c[2]]
        if estates and rng.random() < 0.7:
            pool = estates
        code, b, vill = rng.choice(pool)
        self.used_comm.add(b)
        if vill:
            form, kind = b, "village"
        else:
            stem = b[:-2] if b.endswith("社区") else b
            if stem.endswith(("所", "厂", "局", "部", "校", "队", "站", "院")):
                tail = rng.choice(["家属院", "宿舍", ""])
            elif stem.endswith(("园", "苑", "居", "城", "里", "区", "府", "庭", "湾")):
                tail = rng.choice(["", "", "小区"])
            else:
                tail = "小区"
            if tail and P.clash(stem + tail, code):
                tail = ""  # 「…南小区」 and the like would name another community
            form = stem + tail + rng.choice(["", "", "", "3号楼", "南区", "5#楼",
                                             "A座", "2期"])
            kind = "estate"
        if rng.random() < 0.3:
            form = rng.choice([d, P.dshort[d]]) + form
        return form, d, code, kind

    # ---------------------------------------------------------------- text
    def style(self, text: str, kind: str, tnote: str) -> tuple[str, str]:
        rng = self.rng
        if tnote == "run_on":
            return text, ""
        before = text
        s = rng.choices(["", "halfwidth", "spaces", "no_punct"], [68, 14, 10, 8])[0]
        if s == "no_punct" and kind in ("correction", "route", "home"):
            s = "spaces"
        if s == "halfwidth":
            text = text.translate(_HALF).replace("…", "...")
        elif s == "spaces":
            text = re.sub("[，。；、：]+", " ", text).strip()
        elif s == "no_punct":
            text = re.sub("[，。；、：！？（）…—]+", "", text)
            text = text.replace(" ", "")
        return text, (s if text != before else "")

    def row(self, kind: str, d: str, want: str = "") -> dict[str, str]:
        rng = self.rng
        P = self.places
        tmpl, tnote = rng.choice(TEMPLATES7[kind])
        while "subway" in tnote and d in NO_SUBWAY:
            tmpl, tnote = rng.choice(TEMPLATES7[kind])
        q = rng.choice(PROBLEMS7)
        fill: dict[str, str] = {}
        if kind == "landmark":
            form, d, code, note = self.landmark(d)
            fill["L"] = form
            if note == "village":
                tmpl, tnote = rng.choice(VILLAGE_LANDMARK7)
            elif note.endswith(("scenic", "village", "street", "area", "airport")):
                tmpl, tnote = rng.choice(OUTDOOR_LANDMARK7)
        elif kind == "homophone":
            m = self.misspell(d, want)
            while m is None:
                want = rng.choice(["same", "tone"])
                m = self.misspell(d, want)
            form, d, code, note = m
            fill["P"] = form
        else:
            subway = "subway" in tnote
            form, d, code, what = self.pick(d, comm_share=0.0 if subway else 0.45)
            fill["P"] = form
            note = f"{tnote};{what}" if tnote else what
            if kind == "hesitation":
                fill["c"] = form[0]
                fill["p"] = form[: 2 if len(form) >= 4 else 1]
                for pre in (d, P.dshort[d]):
                    if form.startswith(pre) and len(form) - len(pre) >= 2:
                        fill["p"] = pre
                        break
            far_ok = tnote.startswith(("dest;taxi", "dest;truck", "dest;car", "origin;car"))
            near = kind == "route" and not (far_ok and rng.random() < 0.4)
            if "{X}" in tmpl:
                fill["X"] = self.other(code, [form], d if near else None,
                                       0.0 if subway else 0.45)
            if "{Y}" in tmpl:
                fill["Y"] = self.other(code, [form, fill["X"]], d if near else None,
                                       0.0 if subway else 0.45)
            fill["bus"] = str(rng.choice([3, 15, 27, 52, 68, 102, 300, 345, 408, 523, 613,
                                          621, 944, 967]))
            fill["bld"] = rng.choice(BUILDINGS)
        opener = rng.choice(OPENERS7) if not tmpl.startswith(("反映", "麻烦", "位置")) else ""
        if kind == "home" and opener in ("外卖小哥反映：", "出租车司机反映，"):
            opener = ""
        text = opener + tmpl.replace("{Q}", q)
        for k, v in fill.items():
            text = text.replace("{" + k + "}", v)
        text, s = self.style(text, kind, tnote)
        district, street = P.street_of[code]
        return {"text": text, "district": district, "street": street, "kind": kind,
                "note": ";".join(x for x in (note, s) if x)}

    def rows(self) -> list[dict[str, str]]:
        out = []
        homo_wants = (["same"] * 16 + ["tone"] * 14 + ["two_chars"] * 6 +
                      ["near_nl"] * 5 + ["near_zhz"] * 5 + ["near_chc"] * 4 + ["near_shs"] * 5 +
                      ["near_fh"] * 4 + ["near_in_ing"] * 4 + ["near_en_eng"] * 4 +
                      ["near_an_ang"] * 5)
        assert len(homo_wants) == PER_KIND
        for kind in KINDS:
            wants = list(homo_wants)
            self.rng.shuffle(wants)
            for i, d in enumerate(self.cycle()):
                for _ in range(50):
                    r = self.row(kind, d, wants[i] if kind == "homophone" else "")
                    if r["text"] not in self.seen_text:
                        break
                self.seen_text.add(r["text"])
                out.append(r)
        return out


def write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["text", "district", "street", "kind", "note"])
        w.writeheader()
        w.writerows(rows)


def is_holdout(message_id: str) -> bool:
    digits = "".join(ch for ch in message_id if ch.isdigit())
    return bool(digits) and int(digits) % 5 == 0


def proposals(snippets: list[dict[str, str]], seed: int) -> list[dict[str, str]]:
    """Each snippet followed by one held-out labelled message (its words joined back)."""
    with MESSAGES.open(encoding="utf-8") as fh:
        held = [r for r in csv.DictReader(fh) if is_holdout(r["id"]) and r["label"]]
    rng = random.Random(seed)
    out = []
    for row in snippets:
        msg = rng.choice(held)
        body = msg["text_segmented"].replace(" ", "")[:240]
        out.append({"text": f"{row['text']}。{body}", "label": msg["label"],
                    "district": row["district"], "street": row["street"], "kind": row["kind"],
                    "id": msg["id"]})
    return out


def write_proposals(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["text", "label", "district", "street", "kind", "id"])
        w.writeheader()
        w.writerows(rows)


def main(argv: list[str]) -> None:
    out_dir = Path(argv[0]) if argv else DATA
    rows = Maker7(SEED).rows()
    write(out_dir / "calls_blind7.csv", rows)
    write_proposals(out_dir / "proposals_blind7.csv", proposals(rows, SEED + 1))
    print(f"blind7: {len(rows)} snippets -> {out_dir}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
