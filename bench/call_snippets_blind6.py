"""Generate the sixth blind set of agent-typed place snippets (``calls_blind6.csv``).

    .venv/bin/python bench/call_snippets_blind6.py [OUT_DIR]

Written on 2026-12-04 by a helper who did not read the place rules' code or any earlier
set's failures, while another helper tuned the rules on the five earlier sets (all of them
development sets by then). It was kept outside the repository until the tuning stopped and
scored once with the rules frozen (docs/triage.md, "Sixth blind set").

What is new against the earlier generators: every template, problem and caller phrase is
written afresh, the way an agent types while listening to different callers (older callers
who repeat themselves, hurried agents who drop punctuation, northern dialect: 咱这儿, 那旮旯,
这疙瘩, 后身儿; half-width punctuation, spaces instead of commas, Latin letters and digits in
addresses: ``3#楼``, ``B座``, ``2单元``); the homophones are typed-by-sound substitutions of
one character chosen with ``pypinyin`` among the everyday characters of the shared messages
(same syllable: ``same``, with ``tone`` when the tone differs; near sound: ``near``: n/l,
zh/z, ch/c, sh/s, f/h, in/ing, en/eng, an/ang); the landmarks are 58 real places written
from public knowledge, kept only where the street is certain (the NBS community list or a
well-known address agrees); the rest of the landmark kind are estates named after NBS
communities, said with a building, a gate or a unit. Some templates put the problem at the
caller's own home or at the origin of a trip: the gold street is always where the problem is.

Kinds, 60 snippets each: ``homophone``, ``hesitation``, ``correction``, ``route``, ``home``,
``landmark``. Every district is drawn from evenly (a district first, then a street of it).
"""

from __future__ import annotations

import csv
import random
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

from pypinyin import Style, pinyin

sys.path.insert(0, str(Path(__file__).resolve().parent))

from call_snippets import (
    MESSAGES,
    community_base,
    load,
    proposals,
    write,
    write_proposals,
)

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "jiesu" / "triage" / "data"
SEED = 6_2026_1204
PER_KIND = 60
KINDS = ("homophone", "hesitation", "correction", "route", "home", "landmark")

# Problems, written for this set (no place words in them).
PROBLEMS6 = [
    "井盖儿丢了，晚上黑看不见", "楼道里堆的破烂儿没人管", "暖气片不热，屋里才十五度",
    "烧烤摊冒烟熏得慌", "半夜广场舞音响忒大声", "下水道反味儿，臭得睡不着",
    "树枝子压着电线了", "路灯一整排都不亮", "有人在绿地里种菜", "共享单车堆得走不了道",
    "电梯老停，困过人", "墙皮掉下来差点砸着人", "雨天积水没过脚脖子", "水管爆了哗哗往外冒水",
    "有人遛狗不拴绳", "工地晚上十一点还在打桩", "快递柜占了消防通道", "垃圾桶满了好几天没人收",
    "马路中间一个大坑", "公交站牌被撞倒了", "小饭馆油烟直接往窗户排", "地下室住了好多人不安全",
    "电动车楼道里充电", "自来水有股怪味儿", "停水三天了也没通知", "煤气味儿挺冲的",
    "路边有人卖活禽", "违章建筑越盖越高", "野猫太多半夜叫", "便道被饭馆占了摆桌子",
    "有黑车趴活儿拉客", "人行横道线都磨没了", "窨井盖子一过车就咣当响", "大货车半夜轰隆隆过",
    "河边有人电鱼", "垃圾直接倒沟里了", "屋顶漏雨物业不管", "门禁坏了谁都能进",
    "红绿灯时间太短老人过不去", "马路边的树倒了",
]

# Who is calling / how the agent opens the line (empty most of the time).
OPENERS = [
    "", "", "", "", "", "", "老大爷来电：", "一位阿姨说", "来电人很着急：", "市民刘女士：",
    "大姐反映", "小伙子打来的，", "外地口音听不太清，", "老人耳背，重复了几遍：", "急！",
    "来电人（Zhang先生）：", "热心市民：",
]

TEMPLATES6: dict[str, list[str]] = {
    # {P}: the problem's place, misspelled by sound.
    "homophone": [
        "{P}{Q}", "来电反映{P}那边{Q}", "{P}这块儿{Q}", "地址{P}，{Q}", "咱{P}这儿{Q}",
        "{P}那旮旯{Q}", "{Q}，在{P}", "{P} {Q} 请尽快处理", "说是{P}附近，{Q}",
        "{P}的，{Q}，都好几回了", "事发地点：{P}。{Q}", "您给记一下，{P}，{Q}",
    ],
    # {P}: the place; {p}: its first characters, said while searching for the word.
    "hesitation": [
        "嗯…那个…{P}，{P}那儿，{Q}", "就是…就是{p}…{P}吧，{Q}", "{P}，{P}，对，{Q}",
        "呃呃 {P} 那个 {Q}", "哎我想想啊…{P}……{Q}", "大概是…{P}？对{P}，{Q}",
        "{p}…{p}…{P}那块儿，{Q}", "那个什么来着，{P}，{Q}", "啊 {P} {P}那边 {Q}",
        "这个…怎么说呢…{P}附近吧…{Q}", "{P}……{P}……老人说话慢，{Q}",
        "叫什么来着…哦{P}，{Q}",
    ],
    # {X}: said first and withdrawn; {P}: the place meant.
    "correction": [
        "{X}…不对不对，{P}，{Q}", "地址写{X}了是吧，改一下，是{P}，{Q}", "不是{X}啊，{P}！{Q}",
        "她说的是{P}，我听成{X}了，{Q}", "{X}，哦不，是{P}那边，{Q}",
        "刚才那个{X}您划掉，{P}，{Q}", "是{P}不是{X}，{Q}",
        "先说{X}后来又说是{P}，以后面的为准，{Q}", "记错了，不在{X}，在{P}，{Q}",
        "{X}那边？不是，{P}，{Q}", "{P}，之前登记成{X}是错的，{Q}",
        "刚才口误，{X}不对，应该是{P}，{Q}",
    ],
    # {X}: where the trip started; {P}: where the problem is (the last template: at the origin).
    "route": [
        "从{X}开车过来，到{P}{Q}", "打{X}那边过来的，走到{P}看见{Q}",
        "坐地铁从{X}到{P}，出站口{Q}", "早上从{X}出门送孩子去{P}上学，{P}校门口{Q}",
        "骑车从{X}回{P}，{P}路口{Q}", "我们从{X}拉货去{P}，刚进{P}就发现{Q}",
        "{X}上的车，{P}下的，下车那站{Q}", "路过{P}（从{X}过来的）{Q}",
        "从{X}往{P}方向走，到{P}这块{Q}", "由{X}前往{P}途中，在{P}{Q}",
        "每天从{X}通勤到{P}上班，{P}这边{Q}", "早上从{P}出发那会儿就看见{Q}，后来去的{X}",
    ],
    # {X}: the caller's home; {P}: the problem's place (the last two: the caller's own home).
    "home": [
        "我住{X}，不是我家那儿，是{P}{Q}", "来电人家在{X}，今天去{P}办事，发现{Q}",
        "大爷说他是{X}的老住户，{P}那边{Q}", "我家{X}的，闺女住{P}，她们那儿{Q}",
        "住址：{X}；事发地：{P}；{Q}", "我在{X}住，上班在{P}，单位门口{Q}",
        "{P}{Q}，我不是那儿的，我住{X}，路过看见的", "咱家在{X}那旮旯，可这事儿是{P}的，{Q}",
        "户口在{X}，人在{P}打工，{P}这边{Q}", "来电人居住地{X}，反映{P}{Q}",
        "我住{P}，我们楼{Q}", "我是{P}的居民，小区里{Q}",
    ],
    # {L}: a landmark or an estate.
    "landmark": [
        "{L}门口{Q}", "{L}南门往东一百米，{Q}", "{L}对面{Q}", "挨着{L}那块{Q}", "{L}后身儿{Q}",
        "{L}那旮旯{Q}", "就{L}旁边儿，{Q}", "{L}里头{Q}", "{L}停车场{Q}", "{L}西边那条路上{Q}",
        "在{L}这疙瘩，{Q}", "{L}北侧{Q}，反映好几次了",
    ],
}

# Landmarks written from public knowledge; kept only where the street is certain (the NBS
# community list or a well-known address agrees). (said forms, district, NBS street)
LANDMARKS6: list[tuple[tuple[str, ...], str, str]] = [
    (("故宫", "故宫博物院", "紫禁城"), "东城区", "东华门街道"),
    (("王府井步行街", "王府井"), "东城区", "东华门街道"),
    (("南锣鼓巷", "南锣"), "东城区", "交道口街道"),
    (("天坛公园", "天坛东门"), "东城区", "天坛街道"),
    (("北京站", "北京火车站"), "东城区", "建国门街道"),
    (("龙潭湖公园", "龙潭公园"), "东城区", "龙潭街道"),
    (("西单", "西单商场"), "西城区", "西长安街街道"),
    (("牛街礼拜寺", "牛街清真寺"), "西城区", "牛街街道"),
    (("陶然亭公园", "陶然亭"), "西城区", "陶然亭街道"),
    (("积水潭医院",), "西城区", "新街口街道"),
    (("友谊医院", "北京友谊医院"), "西城区", "天桥街道"),
    (("后海", "后海酒吧街"), "西城区", "什刹海街道"),
    (("天桥艺术中心",), "西城区", "天桥街道"),
    (("金融街购物中心",), "西城区", "金融街街道"),
    (("颐和园", "颐和园北宫门"), "海淀区", "青龙桥街道"),
    (("北京大学", "北大东门"), "海淀区", "燕园街道"),
    (("清华大学", "清华西门"), "海淀区", "清华园街道"),
    (("北师大", "北京师范大学"), "海淀区", "北太平庄街道"),
    (("北邮", "北京邮电大学"), "海淀区", "北太平庄街道"),
    (("北外", "北京外国语大学"), "海淀区", "紫竹院街道"),
    (("北理工", "北京理工大学"), "海淀区", "紫竹院街道"),
    (("人大", "人民大学"), "海淀区", "海淀街道"),
    (("北林", "北京林业大学"), "海淀区", "学院路街道"),
    (("北交大", "北京交通大学"), "海淀区", "北下关街道"),
    (("北医三院",), "海淀区", "花园路街道"),
    (("301医院", "三零一医院", "解放军总医院"), "海淀区", "万寿路街道"),
    (("紫竹院公园",), "海淀区", "紫竹院街道"),
    (("香山公园", "香山"), "海淀区", "香山街道"),
    (("798", "七九八艺术区", "798艺术区"), "朝阳区", "酒仙桥街道"),
    (("三里屯太古里", "太古里"), "朝阳区", "三里屯街道"),
    (("国贸", "国贸大厦"), "朝阳区", "建外街道"),
    (("秀水街",), "朝阳区", "建外街道"),
    (("潘家园旧货市场", "潘家园古玩城"), "朝阳区", "潘家园街道"),
    (("鸟巢", "国家体育场"), "朝阳区", "奥运村街道"),
    (("水立方",), "朝阳区", "奥运村街道"),
    (("中日友好医院", "中日医院"), "朝阳区", "和平街街道"),
    (("安贞医院",), "朝阳区", "安贞街道"),
    (("新发地批发市场", "新发地"), "丰台区", "花乡街道"),
    (("宛平城",), "丰台区", "宛平街道"),
    (("潭柘寺",), "门头沟区", "潭柘寺镇"),
    (("妙峰山",), "门头沟区", "妙峰山镇"),
    (("十渡风景区", "十渡"), "房山区", "十渡镇"),
    (("周口店北京人遗址", "周口店猿人洞"), "房山区", "周口店地区"),
    (("宋庄画家村",), "通州区", "宋庄镇"),
    (("焦庄户地道战遗址", "焦庄户"), "顺义区", "龙湾屯镇"),
    (("十三陵", "明十三陵"), "昌平区", "十三陵镇"),
    (("小汤山医院",), "昌平区", "小汤山镇"),
    (("居庸关长城", "居庸关"), "昌平区", "南口地区"),
    (("西红门荟聚", "荟聚购物中心"), "大兴区", "西红门地区"),
    (("北京野生动物园", "野生动物园"), "大兴区", "榆垡镇"),
    (("大兴机场", "大兴国际机场"), "大兴区", "大兴国际机场"),
    (("慕田峪长城", "慕田峪"), "怀柔区", "渤海镇"),
    (("雁栖湖",), "怀柔区", "雁栖地区"),
    (("中影基地",), "怀柔区", "杨宋镇"),
    (("金海湖",), "平谷区", "金海湖地区"),
    (("古北水镇",), "密云区", "古北口镇"),
    (("司马台长城",), "密云区", "古北口镇"),
    (("八达岭长城", "八达岭"), "延庆区", "八达岭镇"),
]

# Short forms a Beijinger hears as another unit (亦庄 is the development zone to most).
_SAID_OTHERWISE = frozenset({"亦庄"})
_SUFFIXES = ("满族乡", "回族乡", "街道", "地区", "镇", "乡")
_PUNCT = "，。：；！？（）…、"
_HALF = str.maketrans({"，": ",", "。": ".", "：": ":", "；": ";", "！": "!", "？": "?",
                       "（": "(", "）": ")"})
_FOLD_INITIALS = [("zh", "z"), ("ch", "c"), ("sh", "s"), ("z", "zh"), ("c", "ch"), ("s", "sh"),
                  ("n", "l"), ("l", "n"), ("f", "h"), ("h", "f")]
_FOLD_FINALS = [("ing", "in"), ("in", "ing"), ("eng", "en"), ("en", "eng"), ("ang", "an"),
                ("an", "ang")]


def short(street: str) -> str:
    for s in _SUFFIXES:
        if street.endswith(s) and len(street) - len(s) >= 2:
            return street[: -len(s)]
    return street


def readings(ch: str) -> list[str]:
    return pinyin(ch, style=Style.TONE3, heteronym=True, neutral_tone_with_five=True)[0]


class Places:
    """The NBS streets and communities, with the forms that name exactly one street."""

    def __init__(self) -> None:
        rows, by_street = load()
        self.rows = rows
        self.street_of: dict[str, tuple[str, str]] = {}  # street_code -> (district, street)
        for code, rs in by_street.items():
            self.street_of[code] = (rs[0]["district"], rs[0]["street"])
        districts = {d for d, _ in self.street_of.values()}
        shorts = Counter(short(s) for _, s in self.street_of.values())
        all_street_names = {s for _, s in self.street_of.values()} | set(shorts)
        base_count = Counter(community_base(r["community"]) for r in rows)
        self.names: dict[str, set[str]] = defaultdict(set)  # every real name -> street codes
        for code, (_, s) in self.street_of.items():
            self.names[s].add(code)
            self.names[short(s)].add(code)
        for r in rows:
            self.names[community_base(r["community"])].add(r["street_code"])
        # Streets whose short form is unique and not a district's name or inside another name.
        self.clean_streets: dict[str, list[str]] = defaultdict(list)  # district -> codes
        for code, (d, s) in sorted(self.street_of.items()):
            sh = short(s)
            if "开发区" in s or "示范区" in s or "机场" in s or s[-1] == "园":
                continue
            if shorts[sh] > 1 or self.names[sh] != {code} or any(sh in x for x in districts):
                continue
            if sh in _SAID_OTHERWISE:
                continue
            if any(sh in n and codes != {code} for n, codes in self.names.items() if n != sh):
                continue
            self.clean_streets[d].append(code)
        # Communities: a unique base of 3-6 characters, not inside any other street's name.
        self.clean_comms: dict[str, list[dict[str, str]]] = defaultdict(list)
        for r in rows:
            b = community_base(r["community"])
            if base_count[b] != 1 or not 3 <= len(b) <= 6:
                continue
            if re.search("(虚拟|生活区|工作区|第[一二三四五六七八九十]+|[0-9０-９]|家属)", b):
                continue
            if any(n in b for n in all_street_names if len(n) >= 2
                   and not self.names[n] <= {r["street_code"]}):
                continue
            if any(b in n and codes != {r["street_code"]} for n, codes in self.names.items()
                   if n != b):
                continue
            self.clean_comms[r["district"]].append(r)
        self.districts = sorted(self.clean_streets)

    def ambiguous(self, text: str, code: str) -> bool:
        """Whether `text` equals or contains a real name of another street (length >= 3), or
        is contained in one."""
        for n, codes in self.names.items():
            if codes <= {code} or len(n) < 2:
                continue
            if n == text or (len(n) >= 3 and n in text) or text in n:
                return True
        return False


def char_pool() -> dict[str, list[tuple[str, str]]]:
    """Toneless syllable -> [(character, tone3 reading)] over the 3,000 most frequent
    single-reading characters of the shared messages."""
    freq: Counter[str] = Counter()
    with MESSAGES.open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            freq.update(ch for ch in r["text_segmented"] if "\u4e00" <= ch <= "\u9fff")
    pool: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for ch, _ in freq.most_common(3000):
        rs = readings(ch)
        if len(rs) == 1:
            pool[rs[0].rstrip("012345")].append((ch, rs[0]))
    return pool


def near_syllables(syl: str) -> set[str]:
    out = set()
    for a, b in _FOLD_INITIALS:
        if syl.startswith(a) and not (a in ("z", "c", "s") and syl.startswith(a + "h")):
            out.add(b + syl[len(a):])
    for a, b in _FOLD_FINALS:
        if syl.endswith(a) and not (a in ("in", "en", "an") and syl.endswith(a + "g")):
            out.add(syl[: -len(a)] + b)
    out.discard(syl)
    return out


class Maker6:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.places = Places()
        self.pool = char_pool()
        self.used: set[str] = set()

    # --- places -------------------------------------------------------------------------
    def pick(self, avoid: str = "", kind: str = "") -> tuple[str, str, str]:
        """(said form, district, street): a clean street (60 %) or community (40 %) of a
        district drawn evenly, never the street `avoid`."""
        rng = self.rng
        for _ in range(200):
            d = rng.choice(self.places.districts)
            if rng.random() < 0.6 or not self.places.clean_comms[d]:
                code = rng.choice(self.places.clean_streets[d])
                _, st = self.places.street_of[code]
                if code == avoid:
                    continue
                sh = short(st)
                form = rng.choice([sh, sh, sh, st, d + sh, d[:-1] + sh])
                return form, d, code
            r = rng.choice(self.places.clean_comms[d])
            if r["street_code"] == avoid or r["community"] in self.used:
                continue
            self.used.add(r["community"])
            b = community_base(r["community"])
            if b.endswith(("村", "庄", "里", "园", "苑", "营", "屯", "峪", "坊")):
                form = rng.choice([b, b, b if b.endswith("村") else b + "社区"])
            elif b.endswith("社区"):
                form = b
            else:
                form = rng.choice([b + "社区", b + "小区", b])
            return form, d, r["street_code"]
        raise RuntimeError("no place")

    def misspell(self, name: str, code: str) -> tuple[str, str] | None:
        """Replace one character of the name part (not its suffix) by an everyday one of the
        same or a near syllable; None where no safe replacement exists."""
        rng = self.rng
        core = name
        for s in ("社区", "小区", "那边", "街道", "地区", "镇", "乡"):
            if core.endswith(s) and len(core) - len(s) >= 2:
                core = core[: -len(s)]
                break
        # a district prefix stays as typed
        start = 0
        for d in self.places.districts:
            for p in (d, d[:-1]):
                if core.startswith(p) and len(core) - len(p) >= 2:
                    start = len(p)
                    break
            if start:
                break
        positions = list(range(start, len(core)))
        rng.shuffle(positions)
        want_near = rng.random() < 0.55
        for i in positions:
            if i == len(core) - 1 and core[i] in "村区":
                continue  # the generic tail: a typo there says nothing of the name
            rs = readings(core[i])
            if len(rs) != 1:
                continue
            syl, tone = rs[0].rstrip("012345"), rs[0][-1]
            sylls = sorted(near_syllables(syl)) if want_near else [syl]
            cands = [(c, r) for s in sylls for c, r in self.pool.get(s, [])
                     if c not in name]
            rng.shuffle(cands)
            for c, r in cands[:30]:
                typed = core[:i] + c + core[i + 1:]
                if self.places.ambiguous(typed, code):
                    continue
                note = "near" if want_near else ("same" if r[-1] == tone else "same;tone")
                return name.replace(core, typed, 1), note
        return None

    def landmark(self) -> tuple[str, str, str, str]:
        """(said form, district, street code, note)."""
        rng = self.rng
        if rng.random() < 0.5:
            forms, d, st = rng.choice(LANDMARKS6)
            code = next(c for c, (dd, s) in self.places.street_of.items() if dd == d and s == st)
            return rng.choice(forms), d, code, "landmark"
        d = rng.choice(self.places.districts)
        pool = [r for r in self.places.clean_comms[d] if r["community"] not in self.used
                and not community_base(r["community"]).endswith("村")]
        pool = pool or [r for r in self.places.clean_comms[d] if r["community"] not in self.used]
        r = rng.choice(pool)
        self.used.add(r["community"])
        b = community_base(r["community"])
        tail = "" if b.endswith(("园", "里", "苑", "院", "区", "城", "居")) else "小区"
        if b.endswith("社区"):
            b, tail = b[:-2], "小区"
        extra = ["", "", "3号楼", "5#楼", " 12号楼2单元", "B座", "2号院"]
        if not b.endswith("区"):
            extra.append("东区")
        form = b + tail + rng.choice(extra)
        return form, d, r["street_code"], "estate"

    # --- text ---------------------------------------------------------------------------
    def style(self, text: str) -> tuple[str, str]:
        """The agent's typing: as written, half-width, spaces for commas, no punctuation."""
        rng = self.rng
        s = rng.choices(["as_is", "halfwidth", "spaces", "run_on"], [45, 25, 15, 15])[0]
        if s == "halfwidth":
            text = text.translate(_HALF).replace("…", "...")
        elif s == "spaces":
            text = re.sub("[，。；、]+", " ", text).strip()
        elif s == "run_on":
            text = re.sub(f"[{_PUNCT}]+", "", text)
        return text, s

    def places_for(
        self, kind: str, landmark: Callable[[], tuple[str, str, str, str]], note: str
    ) -> tuple[dict[str, str], str, str, str]:
        """The places a template of ``kind`` is filled with ({L}, or {P} and its misspelling,
        its first characters {p}, another street's {X}), the district, the street code and the
        note (the landmark's or the misspelling's, else ``note``)."""
        if kind == "landmark":
            form, d, code, note = landmark()
            return {"L": form}, d, code, note
        form, d, code = self.pick()
        fill = {"P": form}
        if kind == "homophone":
            m = self.misspell(form, code)
            while m is None:
                form, d, code = self.pick()
                m = self.misspell(form, code)
            fill["P"], note = m
        if kind == "hesitation":
            fill["p"] = form[: 2 if len(form) >= 3 else 1]
        if kind in ("correction", "route", "home"):
            x, _, xcode = self.pick(avoid=code)
            while x in form or form in x or self.places.street_of[xcode] == \
                    self.places.street_of[code]:
                x, _, xcode = self.pick(avoid=code)
            fill["X"] = x
        return fill, d, code, note

    def row(self, kind: str) -> dict[str, str]:
        rng = self.rng
        t = rng.choice(TEMPLATES6[kind])
        q = rng.choice(PROBLEMS6)
        opener = "" if t.startswith(("来电", "说是", "大爷", "住址", "事发", "户口", "您给")) \
            else rng.choice(OPENERS)
        fill, d, code, note = self.places_for(kind, self.landmark, "")
        if kind in ("correction", "route", "home"):
            note = ("at_home" if kind == "home" and "{X}" not in t
                    else "at_origin" if kind == "route" and t.startswith("早上从{P}")
                    else "")
        body, s = self.style(opener + t.replace("{Q}", q))
        if s == "run_on" and kind == "correction" and ("？不是" in t or "哦不" in t):
            # without its marks 「X那边不是P」 reads the other way round: keep the marks
            body, s = opener + t.replace("{Q}", q), "as_is"
        text = body.format(**fill)
        _, st = self.places.street_of[code]
        return {"text": text, "district": d, "street": st, "kind": kind,
                "note": ";".join(x for x in (note, s) if x)}

    def rows(self) -> list[dict[str, str]]:
        return [self.row(k) for k in KINDS for _ in range(PER_KIND)]


def main(argv: list[str]) -> None:
    out_dir = Path(argv[0]) if argv else DATA
    rows = Maker6(SEED).rows()
    write(out_dir / "calls_blind6.csv", rows)
    print(f"blind6: {len(rows)} snippets → {out_dir / 'calls_blind6.csv'}", file=sys.stderr)
    if MESSAGES.exists():
        write_proposals(out_dir / "proposals_blind6.csv", proposals(rows, SEED + 2))


if __name__ == "__main__":
    main(sys.argv[1:])
