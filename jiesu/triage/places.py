"""Places: find the district / street / community a complaint is about.

A gazetteer of Beijing's official divisions (NBS 2023) plus an alias and landmark
table. ``resolve(text)`` scans the text once with a trie-shaped regex, scores every
candidate street and picks the complaint's place (cue words such as 反映/位于/地点
count more than the caller's home, 我住在/家住).
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from jiesu.triage._trie import compile_words
from jiesu.triage.phonetic import PhoneticHit, PhoneticIndex
from jiesu.triage.places_build import (
    Alias,
    DivisionRow,
    Target,
    alias_targets,
    load_aliases,
    load_divisions,
    official_entries,
)
from jiesu.triage.text import is_common_word

__all__ = [
    "PLACE_MIN_CONFIDENCE",
    "Alias",
    "Gazetteer",
    "PlaceEvidence",
    "PlaceMatch",
    "build_gazetteer",
    "default_gazetteer",
    "resolve",
]

_CLAUSE_BREAK = re.compile(r"[，。；！？,;!?\n【】「」《》（）()\[\]]")
# Cue words: what follows them is where the problem is / where the caller lives.
_COMPLAINT_CUES = re.compile(
    r"反映|投诉|举报|(?<!家)位于|地点|地址是|事发|发生在|问题在|问题是|来电称|在其|(?<!家)就在|坐落在|座落在"
    r"|路过|经过|实际在|实际是|实际上是|毛病(?:是|在|出在)|问题出在|出(?:毛病|问题)的是"
    r"|我说的是|说的是|应该是|正确的是|是在|事情在|出事在|人在|但是|可是|不过|其实是|改口说是|改口说|改口"
    r"|不对是|改成|地址[:：]|地点[:：]|更正[:：]?|(?<!没)事儿?(?:是|出在|发生在|在)"
    # 倒是P / 这回是P / 哦是P / …对，P: the place meant, said after another
    r"|倒是|(?:这回|这次|这一回)(?:是|在)|[哦噢喔]，?是|(?<![不针面绝])对(?:[，,…]+|是|对)"
    # 后经核对为P / 确认为P / 问题地址P: the place found after checking, the problem's address
    r"|(?:核对|核实|核查|确认|查实|更改|更正)(?:后)?(?:为|是)|问题(?:地址|地点|位置)|事发地址"
    r"|应为|(?:新|现在的|现)(?:地址|地点)|我是说|换成|现在是"
)
_HOME_CUES = re.compile(
    r"我住在|家住|住在|居住在|本人住|我家在|我家是|我住|来电人住|户口在|户籍在|老家|居住地|住址"
    r"|我是(?=.{2,14}?的?(?:居民|业主|住户))|我们是(?=.{2,14}?的?(?:居民|业主|住户))"
    r"|本人(?=.{2,14}?的?(?:居民|业主|住户))|我是住|家是(?=.{2,12}?的)|我家(?=.{2,12}?的)"
    r"|我家就在|家就在|家里在|家里是|家里住|常住|长住|暂住|租住|家里头在"
    r"|全家(?:人)?(?:都)?(?:在|住)|家属院(?:在|是)|家属楼(?:在|是)"
    r"|(?:我|俺|咱)们(?:这|那)?(?:个)?(?:栋楼|楼|小区|院儿?|村)(?:在|是)|(?<![没有])人住(?:在)?"
    # 俺们住X / 他就住在X: a person's 住
    r"|(?:我|俺|咱|他|她)们?(?:就|也|一直|都)?住(?:在)?(?!了|院|宿|不|满|户|房)"
    # 住X，问题是Y / 住阳坊的，去峪口…: 住 opening a clause is where the caller lives.
    r"|(?:^|(?<=[，。；,;]))(?:住(?!了|院|宿|不|满|户|房)|家在)"
)
# The home said the everyday ways: 俺家X / 咱家在X / 来电人家在X / 他家X那块儿的 (a person's 家
# right before the name), 我是X那片儿的 / 咱是X的 / 他是X的老住户 (a person 是 the name 的).
_PERSON = "我俺咱他她人们爷妈姨婶叔伯奶姐哥嫂"
_HOME_NEAR = re.compile(
    rf"(?:(?<=[{_PERSON}])|^|(?<=[，。；,;]))家(?:里)?(?:就|也)?(?:住在|住|在|是)?"
)
_IS_PERSONS = re.compile(r"是[我俺咱他她]们?的?$")
_PERSON_IS = re.compile(
    r"(?:我|俺|咱|他|她|人家|来电人|本人)们?(?:就|也|都|本来)?(?:是|一个)|(?:咱|俺|我)们?这"
)
_FROM_PLACE_TAIL = re.compile(
    r"(?:那片儿?|这片儿?|那块儿?|这块儿?|那边|这边|那儿|那旮旯|本地|当地)?的"
    r"(?!事|问题|情况|时候|那|这|路|街|楼|地|门)"
)
# Negation and self-correction. Forward: the name that follows is not the place
# (不是X / 别记成X / 不在X), up to the clause's end or the next 是/在. Backward: the name
# just before is withdrawn (X，不对 / X说错了 / X是口误).
_NEGATE_FORWARD = re.compile(
    r"(?<![？?])不是(?!那儿|这儿|那里|这里|那边|这边|那块|这块|那个地)|别记成|别写成|别写|别记|不要写|不要记|记成|说成|写成|弄成|搞成|听成|看成|而不是|并不是|不在"
    r"|并非|以为|谁说(?:的)?(?:是)?|(?:写|记|报|说|听)错(?:为|成)|(?:错|误)(?:写|记|报|登)(?:为|成)?"
    # 原来住X / 以前住在X: a home the caller has left is not where the matter is now
    r"|(?:原来|以前|原先|之前|过去|早先|早年|曾经)(?:家)?住(?:在)?"
)
# X是出事的地方 / X的问题 / X那一截 / X这段 (a stretch of a trip: the one the matter is on)
_PROBLEM_TAIL = re.compile(
    r"是(?:出事|事发|出问题|有问题)的(?:地方|地儿|位置)|的问题(?![已解])|[那这]一?(?:截|段)(?!时间|日子)"
)
_UNRELATED = re.compile(r"(?:那边|这边|那儿)?(?:都|也)?没(?:有|啥|什么)?关系")
_FINE_AFTER = re.compile(
    r"(?:这片儿?|那片儿?|这边儿?|那边儿?|这儿|那儿|这块儿?|那块儿?)?(?:都|倒|还)?"
    r"(?:没事|没问题|挺好的?|好好的)(?!儿干)"
)
# What may stand before 不对/说错了 at the start of the next clause: 「X，又说不对是Y」.
_WITHDRAW_LEAD = frozenset((
    "", "是", "又", "又说", "后来说", "后来又说",
    "您", "你", "先", "您先", "你先", "哎", "哎呀", "啊",
))
# 这个您别写了 / 那个就不对了: a few words of address may open the withdrawing clause
_WITHDRAW_LEAD_WORDS = re.compile(r"[这那个您你就先哎呀啊是又也]{1,4}")
_NEGATE_SCOPE_END = re.compile(r"是|在|写")
# 划掉 strikes the name out; 「X？不是，Y」 and 「X？不是Y」 answer the agent's question:
# X is wrong.
_NEGATE_BACKWARD = re.compile(
    r"不对|说错了|写错了|记错了|搞错了|错了|记岔了|说岔了|弄岔了|搞岔了|哦不|噢不|不不|口误|瞎说的|是错的|划掉"
    r"|(?<=[？?])不是|不是(?=[，,。！!]|$)"
)
# Words that withdraw the name before them only where another place is named too (they are
# corrections then); with one place they are as often part of the complaint or a sigh
# (望京那边，嗐，垃圾没人管 / 这个不要了的家具 / 算了，你们看着办吧).
_NEGATE_BACKWARD_WEAK = re.compile(
    r"别的事|另一回事|另外一回事|(?:上回|上次|以前|之前|那回)的事|嘴瓢|说秃噜|秃噜嘴"
    # X啊不P / X，不，P: an interjection and 不, or 不 said as a clause of its own
    r"|[哦噢啊呃额唉哎]不(?![是对行好要用知清能会让准少多了])|(?<=[，,。\s])不(?=[，,。！!])"
    # X不是那儿 / X，您先别记 / 刚才那个X您别管了 / X已撤销 / 是X…嗐，P
    r"|不是(?:那儿|这儿|那里|这里|那边|这边|那块儿?|这块儿?|那个地儿)"
    r"|别(?:记|写)了|别(?:记|写)呢?(?=[，,。！!\s]|$)"
    r"|别管了|不用管了|已撤销|嗐|不准(?![许停进入在让走放开确])"
    # X这个不要了 / X作罢 / X不作数 / X是旧地址
    r"|不要了|作罢|不作数|不算数|(?:是|为)(?:旧|老|原|原来的|以前的|之前的)(?:地址|地点)"
    # X是她说走嘴了 / X，打住打住 / X你就当我没说 / X写反了 / 我说的不是这个 / X，嗯，也不是
    r"|说走嘴|走嘴了|打住|当我没说|写反了|说反了|不是这个|(?<![都就还])也不是(?=[，,。！!\s]|$)"
    r"|(?:说|记|写)差了"
    # X算了 / X换成P / X的事儿已经解决了
    r"|算了|换成|改为|(?:已经|早就|都)?(?<![没未不])(?:解决了|处理好了|修好了)"
)
# A trip: 从X(出发/过来/到…) names where the caller came from; the name after 到/去/往
# in the same call is where the matter is.
# 打X过来 is Beijing speech for 从X过来.
_ORIGIN = re.compile(
    r"从|由(?!于)|打(?=[^，。；,;！？!?]{2,12}?(?:过来|来的|出发|开车|坐车|骑车|(?:那边|这边|那儿)来"
    r"|来(?=[，,。\s])))"
)
_ORIGIN_END = re.compile(r"出发|过来|出来|开往|前往|开车|骑车|坐|走|到|去|往|回|一路")
# X居民 / X的住户: the name just before is where the caller lives.
_RESIDENT_AFTER = re.compile(
    r"的?老?(?:居民(?!楼|区|院)|住户|业主|街坊)"
    r"|(?:那|这)?(?:就)?是(?:我|俺|咱|他|她)们?的?(?:娘|婆|老|丈母娘|姥姥|奶奶|爸妈|父母)?家"
    r"|是(?:我|俺|咱|他|她)们?(?:住|家)的(?:地方|地儿)"
    r"|租(?:房|的房|房子)"
)
_DESTINATION = re.compile(
    r"(?:到了|到|去|往|回|前往|开往|抵达|走到|来(?!电|的)|一进|进了|[-—－~～])(?:的|了)?"
)
_NEAR_AFTER = re.compile(
    r".{0,4}(?:附近|门口|旁边|对面|路口|周边|一带|西侧|东侧|南侧|北侧)|那边|这边|那块|这块|那儿|这儿|那一片"
)
# Where the problem was seen: the name said right before a witness verb (从P出发那会儿就看见…,
# 去P办事，发现…) or right after it (看见P那边…) is where the problem is, whatever its role in
# the trip; so is the name before a "when" mark whose clause goes on to tell the problem
# (今早从P走的时候护栏被撞断了).
_WITNESS = re.compile(r"看见|看到|瞅见|瞧见|瞅着|发现|注意到|碰见|碰到|撞见|遇到|遇见")
_WITNESS_GAP = 10
# 桥梓去南线阁 / 冯家峪-城关: what joins two names said as a trip from the first
_TRIP_JOINERS = frozenset("去到往-—－~～")
_TELLS_NOTHING = re.compile(r"[的了](?:[，。；！？,;!?]|$)")
_WHEN_MARK = re.compile(r"的时候|那会儿|那阵儿|那时候|那工夫")
_WHEN_GAP = 6
_STILL_FINE = re.compile(r"(?:还|都|也|倒)?(?:好好的|没事|没问题|挺好|正常)")
# After the problem was told, a place the caller went on to (后来去的X / 现在到X了 /
# 这会儿车都开到X了) is not where it is.
_AFTERWARDS = re.compile(r"后来|然后|之后|现在|这会儿|回头|接着|完了|最后")
_AFTERWARDS_REACH = 8
_MOVING = re.compile(r"[去到往回奔进]")
_INTENDED = re.compile(r"(?:要|准备|打算|正要|正准备|想)(?:去|到|回)(?:的|了)?$")
_TOLD = 6
# Riding and leaving: a name followed by boarding or setting off is where the trip began
# (X上的车 / X坐的公交 / X那边出的门 / X出发的); one followed by getting off is where it went
# (P下的 / P出的站 / 到P下车).
_SET_OFF_AFTER = re.compile(
    r"(?:那边|这边|那儿|这儿|那头|这头|那块儿?|那片儿?|小区|社区|那条(?:道|路|街))?"
    r"(?:上的车|上车|上的(?:公交|地铁|出租|火车|大巴)|进的站|进站"
    r"|(?:坐|乘|搭|打)(?:地铁|公交|车|出租|大巴|火车|的)(?=到|去|往)"
    r"|坐的(?:公交|地铁|车|出租|大巴)|出发|出的门|出门|动身|发车|发的车"
    r"|(?:坐|乘|搭|骑|开)(?:地铁|公交|车|出租|大巴|火车|电动车|自行车|摩托)?(?:过来|来|出来)的?"
    # X上的五环 / X那边过来 / X来的
    r"|上的(?:[二三四五六]环|高速|环路|主路|辅路|快速路|公交|地铁|出租|火车|大巴)"
    r"|进的(?:站|高速|环路|[二三四五六]环)|上的(?:高架|桥)|上桥|出来(?:后|以后|之后)"
    r"|过来(?!了)|来的(?!时候|人))"
)
_GET_OFF_AFTER = re.compile(
    r"(?:那边|这边|那儿|这儿|那头|这头|小区|社区)?"
    r"(?:下的车|下车|下的|出的站|出站|出口下来|出口出来|出的口|下来|下桥)"
)
# A two-character name found by sound alone needs a place word around it.
_SHORT_SOUND_CONTEXT = re.compile(
    r"(?:那边|这边|那块|这块|那儿|这儿|那片|这片|一带|附近|周边|门口|旁边|对面|社区|小区|村|街道|地区"
    r"|镇|乡|路边|那个地方|这个地方|那个位置|这个位置|那里|这里|那一带|里头|里边|里面"
    r"|地界儿?|那头|这头|那个地儿|那地儿|这地儿|那片儿|这片儿|那站|这站|那一站|站台"
    # Beijing speech: 那疙瘩 / 那旮旯 (that spot), 后身儿 (behind), 街面上, 这一片儿, 对过儿
    r"|[那这]?疙瘩|[那这]?旮旯|后身儿?|街面上|[这那]?一片儿?|[这那]一块儿?|对过儿?"
    r"|[东西南北正]门"  # a gate says a place: 天坛东门, 鼓楼北门
    r"|跟前|跟儿前"  # 争珠泉跟前: near it
    # 和义是俺单位 / 刘斌堡是我家: a name said to be someone's home or work is a place
    r"|是(?:我|俺|咱|他|她)们?的?(?:家|单位|公司|学校|小区)|为准"
    r"|是(?:出事|事发|出问题|有问题|我住|俺住)的(?:地方|地儿|位置)"
    r"|(?:我|俺|咱)们?家(?:这儿|那儿|这边|那边|这块儿?|楼下|门口))"
)
# Hesitation fillers and trailing-off marks: dropped before scanning, so 酒仙……桥 reads 酒仙桥.
_FILLERS = re.compile(
    r"[…⋯]+|\.{3,}|。{2,}|[嗯呃]+|额(?=[…，,。\s])|\s+|(?:那个){2,}|那个(?=[…⋯]|\.{3})"
)
_HOW_TRUST = {"exact": 1.0, "homophone": 0.92, "near_sound": 0.85}
_NEGATED_WEIGHT = 0.03
_LATER_TRIP_WEIGHT = 0.3
_ORIGIN_WEIGHT = 0.15
_DESTINATION_WEIGHT = 2.5
_WEAK_EVIDENCE = 0.25
_UNSUPPORTED_SOUND = 0.7
# Two streets with comparable evidence: show the better one, but let a person decide.
_CONFLICT = 0.5
_CONFLICT_CAP = 0.55
_KIND_FACTOR = {
    "street": 1.2,
    "street_short": 1.0,
    "community": 1.0,
    "community_part": 1.0,
    "village": 0.9,
    "district": 1.0,
}
# How much one piece of evidence of this kind is trusted on its own.
_KIND_TRUST = {
    "street": 0.95,
    "street_short": 0.9,
    "community": 0.8,
    "community_part": 0.8,
    "estate_form": 0.8,
    "estate_group": 0.8,
    "village": 0.75,
}
_COMPLAINT_WEIGHT = 3.0
_HOME_WEIGHT = 0.3
_NEAR_WEIGHT = 1.5
_DISTRICT_SUPPORT = 0.6


@dataclass(frozen=True)
class PlaceMatch:
    """Where the text says the problem is. Fields are ``None`` when unknown."""

    district: str | None = None
    district_code: str | None = None
    street: str | None = None
    street_code: str | None = None
    community: str | None = None
    community_code: str | None = None
    matched: list[str] = field(default_factory=list)
    confidence: float = 0.0
    kind: str = "none"
    evidence: list[PlaceEvidence] = field(default_factory=list)

    @property
    def needs_person(self) -> bool:
        """A name was heard but the reading is too weak to route on without a person."""
        return bool(self.matched) and self.confidence < PLACE_MIN_CONFIDENCE

    @property
    def explanation(self) -> str:
        """Which words matched, and how (shown to the dispatcher), in Chinese."""
        parts = []
        for e in self.evidence:
            how = HOW_NAMES.get(e.how, e.how)
            said = f"“{e.word}”" if e.word == e.name else f"“{e.word}”→“{e.name}”"
            role = ROLE_NAMES.get(e.role, "")
            parts.append(f"{said}（{how}{'，' + role if role else ''}）")
        return "地点依据：" + "；".join(parts) if parts else ""


PLACE_MIN_CONFIDENCE = 0.6
HOW_NAMES = {
    "exact": "字面一致",
    "alias": "地标/别名",
    "homophone": "同音字",
    "near_sound": "近音字",
}
ROLE_NAMES = {
    "negated": "来电人已否定",
    "origin": "出发地，非事发地",
    "home": "住址，非事发地",
    "problem": "事发地",
    "destination": "到达地",
    "later": "事后去的地方，非事发地",
    "corrected": "来电人已更正，非事发地",
}


@dataclass(frozen=True)
class PlaceEvidence:
    """One name heard in the text: what was typed, the name it matched, how, and its role."""

    word: str
    name: str
    how: str
    role: str = ""


@dataclass
class _Hit:
    surface: str
    start: int
    weight: float
    targets: list[Target]
    word: str = ""
    how: str = "exact"
    role: str = ""
    placey: bool = False  # said as a place (在X / X那边 / a clause of its own)
    supported: bool = True  # a name heard by sound, with a place word or cue beside it
    after_first: bool = False  # in a long text, after a first sentence that names a place

    @property
    def end(self) -> int:
        return self.start + len(self.word or self.surface)


class Gazetteer:
    """Surface forms → targets, with one compiled scanner. Thread-safe for reads."""

    def __init__(self, rows: list[DivisionRow], aliases: Iterable[Alias] = ()) -> None:
        self._rows = rows
        self._table: dict[str, list[Target]] = defaultdict(list)
        self._lock = threading.Lock()
        self._pattern: re.Pattern[str] | None = None
        self._sounds: PhoneticIndex | None = None
        self._aliases: set[str] = set()
        for surface, target in official_entries(rows):
            self._table[surface].append(target)
        self._prune()
        for alias in aliases:
            self._put_alias(alias)

    def _prune(self) -> None:
        """One meaning per surface level: districts beat streets beat communities."""
        for surface, targets in self._table.items():
            levels = {t.level for t in targets}
            if "district" in levels:  # bare 海淀/丰台/密云 is the district, never the street
                keep = [t for t in targets if t.level == "district"]
            elif "street" in levels:
                keep = [t for t in targets if t.level == "street"]
            else:  # a community's own name beats a name shortened from 第N社区
                exact = [
                    t for t in targets
                    if t.kind not in ("community_part", "estate_form", "estate_group")
                ]
                keep = exact or targets
            uniq: dict[tuple[str | None, str | None, str], Target] = {}
            for t in keep:
                uniq.setdefault((t.street_code, t.community_code, t.district_code), t)
            self._table[surface] = list(uniq.values())

    def _put_alias(self, alias: Alias) -> None:
        targets = alias_targets(alias, self._rows)
        if not targets:
            raise ValueError(
                f"别名“{alias.alias}”的区或街道无法识别：{alias.district} {alias.street}"
            )
        official_streets = [
            t for t in self._table.get(alias.alias, ())
            if t.level == "street" and alias.alias not in self._aliases
            and t.street_code not in {a.street_code for a in targets}
        ]
        if official_streets and all(a.street_code for a in targets):
            # 亦庄 is both a landmark alias (经开区) and 亦庄地区's own short form: two real
            # streets, so the name alone is ambiguous and a person chooses.
            targets = [*targets, *official_streets]
        self._table[alias.alias] = targets  # otherwise an alias overrides official readings
        self._aliases.add(alias.alias)
        self._pattern = None
        self._sounds = None

    def add_alias(self, alias: str, district: str, street: str = "", kind: str = "alias") -> None:
        """Add (or replace) a name at run time; the scanner is rebuilt on next use."""
        with self._lock:
            self._put_alias(Alias(alias=alias, district=district, street=street, kind=kind))

    def targets(self, surface: str) -> list[Target]:
        return list(self._table.get(surface, ()))

    def __len__(self) -> int:
        return len(self._table)

    def _scanner(self) -> re.Pattern[str]:
        pattern = self._pattern
        if pattern is None:
            with self._lock:
                if self._pattern is None:
                    self._pattern = compile_words(self._table.keys())
                pattern = self._pattern
        return pattern

    def _phonetic(self) -> PhoneticIndex:
        index = self._sounds
        if index is None:
            with self._lock:
                if self._sounds is None:
                    # an estate's group name is matched as written only: heard by sound it
                    # would make its parts' misheard names ambiguous (笼兴园: 龙兴园/隆兴园)
                    self._sounds = PhoneticIndex(
                        s for s, ts in self._table.items()
                        if not all(t.kind == "estate_group" for t in ts)
                    )
                index = self._sounds
        return index

    def scan(self, text: str) -> list[_Hit]:
        text, pauses = _drop_fillers(text)
        exact = [(m.group(), m.start(), m.end()) for m in self._scanner().finditer(text)]
        embedded = {
            (s, e) for w, s, e in exact if _embedded_estate(self._table, text, w, s, exact)
        }
        sounds, weak, expected = self._sound_hits(text, exact, pauses)
        exact = [(w, s, e) for w, s, e in exact if (s, e) not in embedded]
        found = sorted(
            [((surface,), surface, start, end, "exact") for surface, start, end in exact]
            + sounds,
            key=lambda f: f[2],
        )
        if not found:
            return []
        cues = _Cues(text, [_span(f[2], f[3], self._table, f[0]) for f in found])
        hits: list[_Hit] = []
        for names, word, start, end, how in found:
            targets = [t for name in names for t in self._table.get(name, ())]
            if how == "exact" and _straddles_words(text, start, end, names[0]):
                continue
            if targets:
                if how == "exact" and names[0] in self._aliases:
                    how = "alias"
                weight, role = cues.weight(start, end)
                placey = any(t.needs_district for t in targets) and (
                    (start, end) in expected
                    or role == "destination"
                    or (role == "problem" and cues.cue_just_before(start))
                    or (role == "problem" and cues.reached(start))
                    or _said_as_place(text, start, end, pauses)
                )
                surface = "/".join(names)
                if how == "alias" and all(t.kind == "nickname" for t in targets):
                    # 协和, 央美, 大剧院: a caller's short name for a Beijing place; in a long
                    # message from its sender it is as often another city's (中清协和, 田涵大剧院).
                    supported = len(text) <= _LONG_TEXT
                else:
                    supported = how in ("exact", "alias") or (
                        len(text) <= _LONG_TEXT
                        and (start, end) not in weak
                        and _sound_supported(text, names, start, end)
                    )
                if all(t.kind in _ESTATE_KINDS for t in targets):
                    # 新城小区 said in a long message is as often another city's estate
                    supported = supported and len(text) <= _LONG_TEXT
                hits.append(
                    _Hit(surface, start, weight, targets, word, how, role, placey, supported)
                )
        _seen_beats_a_cue(text, hits, cues)
        _my_place_is_where_i_live(text, hits)
        _later_is_the_correction(text, hits, cues)
        if len(text) > _LONG_TEXT:
            # A long text whose first sentence names a place that is not the caller's home, a
            # withdrawn name or an origin (the agent's summary, a message's title) keeps to it:
            # names in the sentences after it count half.
            first_end = _first_sentence_end(text)
            if any(h.start < first_end and h.role not in _NOT_THE_PLACE for h in hits):
                for h in hits:
                    if h.start >= first_end:
                        h.weight *= _LATER_WEIGHT
                        h.after_first = True
        return hits

    def _streets(self, *names: str) -> set[str]:
        return {t.street_code for n in names for t in self._table.get(n, ()) if t.street_code}

    def _sound_hits(
        self, text: str, exact: list[tuple[str, int, int]], pauses: frozenset[int]
    ) -> tuple[
        list[tuple[tuple[str, ...], str, int, int, str]],
        frozenset[tuple[int, int]],
        frozenset[tuple[int, int]],
    ]:
        """Names heard by sound, where no exact name of at least their length overlaps; the
        spans of those that count only weakly (never supported on their own), and of those
        taken only because a snippet says its place there (said as a place).

        Names that sound alike over the same span are kept together (one hit, all their
        places), so that two readings of one sound make the place ambiguous, not a guess."""
        # Agents name the place early; a long message's sound-alikes count little anyway.
        short_text = len(text) <= _LONG_TEXT
        # 大兴区馨丰 / 西城区白质坊: a name said right after its district is said as a place.
        after_district = {  # a district's own name, not a landmark known by its district only
            e for w, _, e in exact if any(t.kind == "district" for t in self._table.get(w, ()))
        }
        found = self._phonetic().scan(
            text[:_SOUND_SCAN_CHARS],
            is_common_word,
            placed=lambda s, e: _SHORT_SOUND_CONTEXT.match(text, e) is not None,
            inside_ok=lambda s: s in after_district,
            alone=lambda s, e: short_text and _own_clause(text, s, e, pauses),
        )
        if not found and (exact or len(text) > _SHORT_CALL):
            return [], frozenset(), frozenset()
        table = self._table

        def ranked(hits: list[PhoneticHit]) -> list[PhoneticHit]:
            kept = [h for h in hits if not _embedded_estate(table, text, h.name, h.start, exact)]
            return sorted(kept, key=lambda h: (-(h.end - h.start), h.differing, h.distance,
                                               h.how != "homophone", h.start))

        found = ranked(found)
        taken = [(s, e) for _, s, e in exact]
        out: list[tuple[tuple[str, ...], str, int, int, str]] = []
        dist: list[int] = []
        quiet: list[PhoneticHit] = []
        weak: set[tuple[int, int]] = set()

        def take(h: PhoneticHit) -> None:
            length = h.end - h.start
            if any(s < h.end and h.start < e and e - s >= length for s, e in taken):
                return
            same = [i for i, o in enumerate(out) if (o[2], o[3]) == (h.start, h.end)]
            if same:
                names, word, start, end, how = out[same[0]]
                if h.name not in names and h.distance == dist[same[0]]:
                    out[same[0]] = ((*names, h.name), word, start, end, how)
                elif h.name not in names and h.distance == dist[same[0]] + 1 and (
                    self._streets(h.name) - self._streets(*names)
                ):
                    # 成家庄村 is 程家庄村 by sound and 陈家庄村 by one confusion (en/eng):
                    # the nearer is shown, a person confirms
                    weak.add((start, end))
                return
            if any(s < h.end and h.start < e for _, _, s, e, _ in out):
                return
            out.append(((h.name,), text[h.start : h.end], h.start, h.end, h.how))
            dist.append(h.distance)
            if h.function_char or h.word_inside:
                weak.add((h.start, h.end))  # 私家营 sounds like 司家营 too: a person confirms

        for h in found:
            if (h.end - h.start == 2 and not _said_as_place(text, h.start, h.end, pauses)
                    and not (h.name[-1] in "镇乡" and text[h.end - 1] == h.name[-1])
                    and h.start not in after_district):
                quiet.append(h)  # a short sound-alike needs a place word, a cue or its suffix
                continue
            take(h)
        for o in out:
            # 东疤里 sounds like 东八里, and is 东坝 (东疤) + 里 "in": a person confirms
            if o[3] - o[2] >= 3 and text[o[3] - 1] in _LOCATIVES and any(
                h.start == o[2] and h.end == o[3] - 1
                and self._streets(h.name) - self._streets(*o[0])
                for h in found
            ):
                weak.add((o[2], o[3]))
        expected: set[tuple[int, int]] = set()
        if not exact and not out and len(text) <= _SHORT_CALL:
            # 北物墙皮掉下来 / 说拱撑健身器材坏了: in a short call snippet that names nothing
            # else, a two-character sound-alike where a place is said (opening a clause, after
            # 说/称) is the only candidate: it counts, but never on its own (a person confirms).
            for h in quiet:
                # (坪村: one character heard and a 村 typed is too little even here)
                if _place_expected(text, h.start, h.end, pauses) and text[h.end - 1] != "村":
                    take(h)
            if not out:
                # 安顶门的公交站 / （私家营）: a longer sound-alike whose misheard character
                # makes an everyday word (顶门, 私家) is the only candidate too
                rescan = self._phonetic().scan(text, is_common_word, placed=lambda s, e: True)
                for h in ranked(rescan):
                    if h.word_inside and _place_expected(text, h.start, h.end, pauses):
                        take(h)
            expected = {(o[2], o[3]) for o in out}
            weak |= expected
        if out:  # an exact name inside a longer name heard by sound is part of it
            exact[:] = [
                (w, s, e) for w, s, e in exact
                if not any(a <= s and e <= b for _, _, a, b, _ in out)
            ]
        return out, frozenset(weak), frozenset(expected)

    def resolve(self, text: str) -> PlaceMatch:
        return _decide(self.scan(text or ""))


_BEFORE_PLACE = frozenset("在从到去往回住是写记以为说")
# Going somewhere: 去X办事 / 到X看病 / 跑X办事 names a place even with no place word after it.
_GOING = frozenset("去到往跑来")
_NOT_A_PLACE_AFTER = frozenset("上下里边底旁头")
# 在X上班 / 在X看见: what one does at a place says the name is the place.
_AFTER_PLACE = re.compile(
    r"那|这|的时候|不是|而不是"
    r"|(?:就|也|又|还)?(?:上班|工作|办事|看病|看见|看到|发现|遇到|碰到|停车|吃饭|买菜|遛弯儿?)"
    r"|[，。；！？,;!?]|$"
    r"|出发|过来|出来|回来|上的车|上车|下车|下的车|为准|换乘|换车|等车"
)
_CUE_BEFORE = re.compile(
    r"(?:反映|投诉|举报|位于|地点|的是|问题在|位置|称|事发|改报|改成|改为|换成)[:：]?$"
)
_AFTER_WITHDRAWAL = re.compile(
    r"(?:不对|错了|错地方了|口误|划掉|划了|说串了|不是|删了吧?|作罢|不作数|不要了|作废|嗐|撤销)"
    r"[哈啊呀吧]?[，,]?(?:应该|应)?(?:是|为)?$"
)
_PAUSES = re.compile(r"[…⋯]+|\.{3,}|。{2,}")
_SPACE_AS_COMMA = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")


def _drop_fillers(text: str) -> tuple[str, frozenset[int]]:
    """Hesitation fillers and trailing-off marks dropped, so 酒仙……桥 reads 酒仙桥; the places
    where a pause was (in the cleaned text) are kept: a name ending or starting at a pause is
    said on its own (那个鼓楼……树枝挡着路), and a stammered start before a pause (北…北庄)
    is dropped when the same characters follow."""
    text = re.sub(r"(\w{1,3})(?:[…⋯]+|\.{3,}|。{2,})(?=\1)", "…", text)
    # An agent in a hurry types a space for a comma (我住永定路 说鼓楼…): between two Chinese
    # characters it is a clause break, not nothing.
    text = _SPACE_AS_COMMA.sub("，", text)
    out: list[str] = []
    pauses: set[int] = set()
    pos = 0
    n = 0
    for m in _FILLERS.finditer(text):
        out.append(text[pos : m.start()])
        n += m.start() - pos
        if _PAUSES.fullmatch(m.group()):
            pauses.add(n)
        pos = m.end()
    out.append(text[pos:])
    return "".join(out), frozenset(pauses)


def _straddles_words(text: str, start: int, end: int, name: str) -> bool:
    """A two-character name read across two everyday words (通运 in 交通运输, 交通|运输): the
    text says the words, not the place. Aliases and longer names are left alone."""
    if end - start != 2 or start == 0 or end >= len(text):
        return False
    first = is_common_word(text[start - 1 : start + 1]) or (
        start >= 2 and is_common_word(text[start - 2 : start + 1])
    )
    last = is_common_word(text[end - 1 : end + 1]) or is_common_word(text[end - 1 : end + 2])
    return first and last  # 居民|大规模 is no 民大


def _said_as_place(
    text: str, start: int, end: int, pauses: frozenset[int] = frozenset()
) -> bool:
    """An everyday-word street name (天桥, 长阳, 鼓楼) said the way a place is said: after
    在/从/到/去, before 那边/附近/社区…, or as a clause of its own (a pause counts as a
    clause break)."""
    if _SHORT_SOUND_CONTEXT.match(text, end):
        return True
    before = text[start - 1] if start > 0 else ""
    after_break = end in pauses or _AFTER_PLACE.match(text, end) is not None
    if before in _BEFORE_PLACE and after_break:
        return True
    if before in _GOING and text[end : end + 1] not in _NOT_A_PLACE_AFTER:
        return True
    if _CUE_BEFORE.search(text, max(0, start - 3), start):
        return True
    if _AFTER_WITHDRAWAL.search(text, max(0, start - 6), start):
        return True  # X那个地址不对哈，花园路…: the name right after a withdrawal is the place
    lead = 2 if text[max(0, start - 2) : start] == "就是" else 1
    if text[start - lead : start] in ("是", "就是") and _opens_clause(text, start - lead, pauses):
        # …没事，是新街口燃气… : a clause that opens with 是 names the place
        return True
    if text[max(0, start - 2) : start] == "那个":  # 那个X，… : a filler before the name
        start -= 2
    elif start > 0 and text[start - 1] in _INTERJECTIONS:  # …哦城子，… / 唉…旺泉吧
        start -= 1
    if text[end : end + 1] in _PARTICLES:
        end += 1
    clause_start = (
        _opens_clause(text, start, pauses)
        # 来电地址：慕林。/ 诉求人：形镇，: in a call snippet a name right after a label's
        # colon opens its own clause
        or (len(text) <= _LONG_TEXT and text[start - 1] in _COLONS)
    )
    clause_end = end in pauses or _ends_clause(text, end)
    # 啊…小关夜里有人放烟花: a name opening the clause, then when it happens
    return clause_start and (clause_end or _WHEN_AFTER.match(text, end) is not None)


_COLONS = frozenset("：:")
# Names made from the NBS list for estates (麻峪小区, 芳群园): as often another city's estate
# in a long message, and never a guess inside a longer name.
_ESTATE_KINDS = frozenset(("estate_form", "estate_group"))
# What may stand right before an estate said as 「X小区」: 丽发新城小区 is another estate, not
# 新城小区; 就麻峪小区, 在麻峪小区, 广宁麻峪小区 are 麻峪's.
# (来电人女优筑小区…: the caller's sex, typed before the place)
_BEFORE_ESTATE = frozenset(
    "在到去住是的就挨着近离从往回临靠于个那这说称和与及跟对咱俺我映报诉啥男女"
)


def _embedded_estate(
    table: Mapping[str, list[Target]], text: str, name: str, start: int,
    exact: list[tuple[str, int, int]],
) -> bool:
    """A 「X小区」 estate form read inside a longer name (丽发新城小区, 居庸关院里小区): the
    character before it is a Chinese one that neither ends another name nor leads a place."""
    targets = table.get(name, ())
    if not targets or any(t.kind not in _ESTATE_KINDS for t in targets) or start == 0:
        return False
    before = text[start - 1]
    if not "\u4e00" <= before <= "\u9fff" or before in _BEFORE_ESTATE:
        return False
    return not any(e == start for _, _, e in exact)


# A call snippet: short enough that a two-character sound-alike naming nothing else is worth a
# person's look (the sixth blind set's snippets run 15-60 characters).
_SHORT_CALL = 80
# After these a place is said: 说北物墙皮掉了, 称桥职…, 说是天碳的事儿
_SAYS = frozenset("说称是")
_LABELS = ("地址", "位置", "地点", "事发")  # 地址死渡，… / 事发大安上，…
_LOCATIVES = frozenset("里内外边头上下前后旁")


def _ends_clause(text: str, pos: int) -> bool:
    return pos == len(text) or _CLAUSE_BREAK.match(text, pos) is not None


def _opens_clause(text: str, pos: int, pauses: frozenset[int]) -> bool:
    return pos == 0 or pos in pauses or _CLAUSE_BREAK.match(text, pos - 1) is not None


def _own_clause(text: str, start: int, end: int, pauses: frozenset[int]) -> bool:
    """``text[start:end]`` is a clause of its own: a break (a pause, a label's colon) on
    both sides."""
    opens = _opens_clause(text, start, pauses) or text[start - 1] in _COLONS
    return opens and (end in pauses or _ends_clause(text, end))


def _place_expected(text: str, start: int, end: int, pauses: frozenset[int]) -> bool:
    """Where a call snippet says its place: opening it or a clause (after a break, a pause or
    a label's colon), right after 说/称/是, after 在/到/去 …, or closing it (…扶手掉了阳翅)."""
    if _opens_clause(text, start, pauses) or end == len(text) or text.endswith(_LABELS, 0, start):
        return True
    before = text[start - 1]
    return (
        before in _COLONS or before in _SAYS or before in _BEFORE_PLACE
        or text.endswith(("到了", "去了", "一趟"), 0, start)  # 到了堰坊，… / 去一趟息集
    )


# A correction said anywhere in a call (改一下 / 口误 / 以后面的为准 / 其实 …): where two places are
# still both in play, the one said later is the corrected one (地址写X了是吧，改一下，是Y).
_CORRECTION_SIGNAL = re.compile(
    r"(?<!整)改(?!造|建|善|革|装|扩|道|线|变)|(?<!不)错(?!过|开|峰)|口误|有误|误(?:写|记|报|听|登)"
    r"|划掉|划了|删|说串|记串|串了|岔|准确|为准|以为|确认|核实|其实|实际|更新为|重新说|重说|纠正"
    r"|更正|正确|不对(?!劲)|不算|作废|别的事|搞混|弄混|记混|说反|又说|再问|后说的"
    r"|后面(?:那个|的|说的)|后一个|(?<![？?])不是(?=[，,。！!\s]|$)"
    r"|[哦噢喔]，?是|又[^，。；,;]{0,6}说|(?:这回|这次)(?:是|在)|(?<![不针面绝])对(?:[，,…]+|是)"
    r"|上回的事|上次的事|嘴瓢|秃噜|核对|核查|经查|查实|谁说|最初|起初|原先|一开始|刚开始"
    r"|记性|我是说|算了|换成|此前|解决了|糊涂|迷糊|说混|嗐|撤销|别管了|不是那儿|不是这儿"
    r"|走嘴|打住|当我没说|写反|说反|不是这个|也不是|原地址|更正后|说差|记差|写差|刚才"
    # X，咳，P / X，瞧我，是P / X——哦，P: an interjection said as a clause of its own (a signal
    # only: with one place, 哎呀 is as often the caller's sigh)
    r"|(?<=[，,\s—])(?:[哦噢喔]{1,2}|咳|瞧我这?|看我这?|哎呀|哎哟)(?=[，,]|$)"
)
# …unless the caller says the first was right.
_EARLIER_IS_RIGHT = re.compile(r"(?:前面|先说|第一个|头一个|之前)(?:那个|的|说的)?(?:对|为准|没错)")
_CORRECTED_WEIGHT = 0.1
_SAID_BEFORE_ANYWHERE = re.compile(
    r"原(?:来的)?地址|(?:最初|起初|原先|原来|一开始|开始|先前|刚开始|本来|此前|之前|刚才|先)"
    r"(?:来电人|她|他|我)?(?:说|报|讲|登记|写|记|称)"
)
_SAID_BEFORE = re.compile(
    r"原(?:来的)?地址[:：]?$|(?:最初|起初|原先|原来|一开始|开始|先前|刚开始|本来|此前|之前|刚才|先)"
    r"(?:来电人|她|他|我)?"
    r"(?:说|报|讲|登记|写|记|称)"
    r"(?:的|了)?(?:是|在)?$"
)


def _later_is_the_correction(text: str, hits: list[_Hit], cues: _Cues) -> None:
    """In a short text with a correction signal after the first place said, every earlier
    place still in play (not a home, origin or withdrawn name) that the last one does not
    repeat is the corrected one: its weight drops, its role is ``corrected``. Where a signal
    is heard but the rule cannot say which place it corrects (the caller says the first was
    right, the signal comes before every place, the earlier one is said to be the place), a
    cue word no longer makes either of them the sure one: a person decides."""
    if len(text) > _LONG_TEXT:
        return
    signals = [m.start() for m in _CORRECTION_SIGNAL.finditer(text)]
    if not signals and not _SAID_BEFORE_ANYWHERE.search(text):
        return
    groups: list[list[_Hit]] = []
    for h in hits:
        if groups and cues.joined_at(groups[-1][-1], h):
            groups[-1].append(h)
        else:
            groups.append([h])
    active = [g for g in groups if _in_play(g)]
    streets = {t.street_code for g in active for h in g for t in h.targets if t.street_code}
    if len(active) < 2 or len(streets) < 2:
        return
    said_before = [  # 来电人最初说X / 一开始说X / 原先报的X: the version said before
        g for g in active
        if _SAID_BEFORE.search(text, max(0, g[0].start - 6), g[0].start)
    ]
    if said_before and len(said_before) < len(active):
        for g in said_before:
            for h in g:
                if h.role not in _NOT_THE_PLACE:
                    h.weight *= _CORRECTED_WEIGHT
                    h.role = "corrected"
        return
    if not signals:
        return
    if _EARLIER_IS_RIGHT.search(text) or signals[-1] < active[0][-1].end:
        _unmark(hits, cues)
        return
    last = {t.street_code for h in active[-1] for t in h.targets if t.street_code}
    last_marked = any(h.role == "problem" for h in active[-1])
    for g in active[:-1]:
        if last & {t.street_code for h in g for t in h.targets if t.street_code}:
            continue  # the same place said again
        if not last_marked and any(
            h.role == "problem" and 0 <= h.start - cues.last_cue_before(h.start) <= 1 for h in g
        ):  # 她说的是P，…X: the earlier one is said to be the place, the later is not
            _unmark(hits, cues)
            return
        for h in g:
            if h.role not in _NOT_THE_PLACE:
                h.weight *= _CORRECTED_WEIGHT
                h.role = "corrected"


def _in_play(group: list[_Hit]) -> bool:
    """A group of names still in play that can name a street: not a home, origin, later or
    withdrawn name, and not an everyday word said as no place (天桥 in 过街天桥)."""
    districts = {t.district_code for h in group for t in h.targets if t.level == "district"}
    return any(
        h.role not in _NOT_THE_PLACE
        and any(
            t.level != "district"
            and (not t.needs_district or h.placey or t.district_code in districts)
            for t in h.targets
        )
        for h in group
    )


def _unmark(hits: list[_Hit], cues: _Cues) -> None:
    """Take back what cue words added (not where the problem was seen)."""
    for h in hits:
        if h.role == "problem" and h.start not in cues.seen_at:
            h.weight /= _COMPLAINT_WEIGHT
            h.role = ""


# 我这边 / 俺家这儿 / 咱这块: the caller speaks of where they themselves are.
_SELF_HERE = re.compile(r"(?:我|俺|咱)们?(?:家)?(?:这边儿?|这儿|这块儿?|这片儿?|这里|那边儿?)")
_SELF_HOME_BEFORE = re.compile(r"(?:我|俺|咱)们?(?:家)?(?:就|也|一直)?(?:住在|住|家在|在)$")


def _my_place_is_where_i_live(text: str, hits: list[_Hit]) -> None:
    """孩子在X住，我住P，我这边…: where several homes and no other place are said, and the
    problem is told as the caller's own side (我这边), the caller's own home is its place."""
    if len(text) > _LONG_TEXT or any(h.role not in _NOT_THE_PLACE for h in hits):
        return
    homes = [h for h in hits if h.role == "home"]
    here = [m.start() for m in _SELF_HERE.finditer(text)]
    mine = [
        h for h in homes
        if _SELF_HOME_BEFORE.search(text, max(0, h.start - 4), h.start)
        and any(q >= h.end for q in here)
    ]
    if len(homes) >= 2 and len(mine) == 1:
        mine[0].weight = 1.0
        mine[0].role = "problem"


def _seen_beats_a_cue(text: str, hits: list[_Hit], cues: _Cues) -> None:
    """Where the call says the problem was seen at one place (人在X，但是刚才路过P看到…), a
    cue word before another name (人在, 但是) no longer makes that name the problem's place."""
    if len(text) > _LONG_TEXT:
        return
    seen = [h for h in hits if h.start in cues.seen_at and h.role == "problem"]
    if not seen:
        return
    codes = {t.street_code for h in seen for t in h.targets if t.street_code}
    for h in hits:
        if h.role == "problem" and h.start not in cues.seen_at and not codes & {
            t.street_code for t in h.targets if t.street_code
        }:
            h.weight /= _COMPLAINT_WEIGHT
            h.role = ""


_SENTENCE_END = re.compile(r"[。！？!?\n]")
_LATER_WEIGHT = 0.5
# How far a complaint cue reaches (反映X…): in a long unpunctuated text (a whole message is one
# clause) a name forty characters on is not what 投诉 was about.
_CUE_REACH = 24
_NOT_THE_PLACE = frozenset(("home", "negated", "origin", "later", "corrected"))


def _first_sentence_end(text: str) -> int:
    m = _SENTENCE_END.search(text)
    return m.start() if m else len(text)


_INTERJECTIONS = frozenset("哦噢啊哎唉诶")
_PARTICLES = frozenset("呢吧啊呀嘛")
_WHEN_AFTER = re.compile(r"夜里|晚上|白天|早上|半夜|凌晨|最近|每天|天天|一直|经常|总是|老是")
_PLACE_SUFFIX = re.compile(r"(?:街道|地区|镇|乡)$")
# A long message was written by its sender, who spells their own street; a sound-alike
# there is more often another place (an estate missing from the list) than a typo.
_LONG_TEXT = 150
_SOUND_SCAN_CHARS = 200


def _sound_supported(text: str, names: tuple[str, ...], start: int, end: int) -> bool:
    """A name heard by sound counts on its own only when it is said like a place: with its
    suffix (望经街道), with a place word after (望经那边) or a cue before (在望经, 反映望经).
    Otherwise (新城 in 新城区建设, 双方 in 双方协商) it needs its district named as well."""
    if all(_PLACE_SUFFIX.search(n) for n in names):
        return True
    if _SHORT_SOUND_CONTEXT.match(text, end):
        return True
    before = text[start - 1] if start > 0 else ""
    return before in _BEFORE_PLACE or _CUE_BEFORE.search(text, max(0, start - 3), start) is not None


@dataclass(frozen=True)
class _Span:
    """Where a name was found, and the areas it names: ``own`` are the district codes of a
    district, the street codes of a street (what may contain a following name), ``area`` all
    district and street codes of its readings."""

    start: int
    end: int
    own: frozenset[str]
    area: frozenset[str]


def _span(start: int, end: int, table: Mapping[str, list[Target]], names: tuple[str, ...]) -> _Span:
    own: set[str] = set()
    area: set[str] = set()
    for name in names:
        for t in table.get(name, ()):
            area.add("d" + t.district_code)
            if t.street_code:
                area.add("s" + t.street_code)
            if t.level == "district":
                own.add("d" + t.district_code)
            elif t.level == "street" and t.street_code:
                own.add("s" + t.street_code)
    return _Span(start, end, frozenset(own), frozenset(area))


# What may stand between two names that are one group (朝阳区望京西园, X的Y).
_GROUP_JOINERS = frozenset(("", "的", "、"))


class _Cues:
    """Clause breaks and cue words of one text, found once, looked up per match."""

    def __init__(self, text: str, spans: Iterable[_Span] = ()) -> None:
        self.text = text
        self.spans = sorted(spans, key=lambda sp: (sp.start, sp.end))
        self.breaks = [m.end() for m in _CLAUSE_BREAK.finditer(text)]
        self.complaint = [m.end() for m in _COMPLAINT_CUES.finditer(text)]
        self.home = [m.end() for m in _HOME_CUES.finditer(text)]
        starts = {sp.start for sp in self.spans}
        near = [  # 俺家X: the name right after (not 体育馆路是俺家, said of the name before)
            m.end() for m in _HOME_NEAR.finditer(text)
            if not _IS_PERSONS.search(text, max(0, m.start() - 3), m.start())
        ]
        near = [e for e in near if e in starts or e + 1 in starts or e + 2 in starts]
        said_from = [  # 我是X那片儿的: the name right after, and 的 after its group
            m.end() for m in _PERSON_IS.finditer(text)
            if m.end() in starts and _FROM_PLACE_TAIL.match(text, self._group_end_at(m.end()))
        ]
        self.home = sorted({*self.home, *near, *said_from})
        negations = [m.span() for m in _NEGATE_FORWARD.finditer(text)]
        self.negate_forward = [e for _, e in negations]
        # 别写成寿寺: the cue read 别写成 and ate the name's first character; 别写 is the cue.
        self.negate_overlap = [(s, e) for s, e in negations if e - s > 2]
        self.negate_back = [m.start() for m in _NEGATE_BACKWARD.finditer(text)]
        streets = {c for sp in self.spans for c in sp.area if c.startswith("s")}
        self.several = len(streets) >= 2
        if self.several:  # another place is named: the weaker withdrawals count too
            self.negate_back = sorted(
                {*self.negate_back, *(m.start() for m in _NEGATE_BACKWARD_WEAK.finditer(text))}
            )
        self.origin = [m.end() for m in _ORIGIN.finditer(text)]
        # Names followed by boarding or setting off (X上的车, X那边出的门): trip origins.
        any_set_off = _SET_OFF_AFTER.search(text) is not None
        set_off_at: set[int] = set()
        if len(text) <= _LONG_TEXT:
            # 桥梓去南线阁的那条道上: a name with 去/到/往 and the next name right after it
            starts = {sp.start for sp in self.spans}
            set_off_at |= {
                sp.end for sp in self.spans
                if text[sp.end : sp.end + 1] in _TRIP_JOINERS and sp.end + 1 in starts
            }
        self.set_off = []
        if any_set_off or set_off_at:
            for sp in self.spans:
                tail = self._group_end(sp.end)
                if tail in set_off_at or _SET_OFF_AFTER.match(text, tail):
                    self.set_off.append(sp.start)
        self.seen_at, self.seen_from = self._seen_at()

    def _seen_at(self) -> tuple[frozenset[int], int]:
        """The starts of the names where the problem was seen (the group said right before a
        witness verb in its clause, or the name right after it; the group before a "when" mark
        whose clause goes on to tell the problem), and where the first such telling is."""
        text, spans = self.text, self.spans
        seen: set[int] = set()
        first = len(text) + 1
        marks = [(m, _WITNESS_GAP, True) for m in _WITNESS.finditer(text)]
        marks += [(m, _WHEN_GAP, False) for m in _WHEN_MARK.finditer(text)]
        for m, gap, witness in marks:
            if witness:
                after = next((sp for sp in spans if m.end() <= sp.start <= m.end() + 3), None)
                if after is not None:
                    seen.add(after.start)
                    first = min(first, m.end())
                    continue
                rest = text[m.end() : m.end() + 2]
                if not rest or _CLAUSE_BREAK.match(rest) or _TELLS_NOTHING.match(rest):
                    continue  # 我从X过来发现的: nothing told after the verb, X is no anchor
            else:
                rest = text[m.end() : m.end() + 1]
                if _STILL_FINE.match(text, m.end()):
                    continue  # X过来的时候还好好的: what the clause tells is that nothing was wrong
                if (not rest or _CLAUSE_BREAK.match(rest) or rest in "在到去往"
                        or any(m.end() <= sp.start <= m.end() + 4 for sp in spans)):
                    continue  # 从X过来的时候，… / …的时候在P看见: the telling is elsewhere
            before = [sp for sp in spans if sp.end <= m.start()]
            if not before:
                continue
            last = before[-1]
            tail = self._group_end(last.end)
            if tail > m.start() or m.start() - tail > gap:
                continue
            if _CLAUSE_BREAK.search(text, tail, m.start()):
                continue
            group = [last]
            for sp in reversed(before[:-1]):
                if not self._joined(sp, group[-1]):
                    break
                group.append(sp)
            seen.update(sp.start for sp in group)
            first = min(first, m.end())
        return frozenset(seen), first

    @staticmethod
    def _last_before(positions: list[int], start: int) -> int:
        i = bisect_right(positions, start) - 1
        return positions[i] if i >= 0 else -1

    def _clause_end(self, pos: int) -> int:
        i = bisect_right(self.breaks, pos)
        return self.breaks[i] - 1 if i < len(self.breaks) else len(self.text)

    def last_cue_before(self, start: int) -> int:
        return self._last_before(self.complaint, start)

    def cue_just_before(self, start: int) -> bool:
        """A complaint cue said right before the name (问题是珍珠泉的), not somewhere earlier in
        the clause (问题是关于…滨河苑项目的): only then does it make an everyday word a place."""
        cue = self._last_before(self.complaint, start)
        return cue >= 0 and start - cue <= 2

    def _in_first_group(self, cue: int, start: int) -> bool:
        """Whether the name at ``start`` is among the first names said after a cue at
        ``cue``: names next to each other (朝阳区望京西园, X的Y) are one group; another name
        after words of its own (我住X说Y…, typed without a comma) is outside the cue."""
        last: _Span | None = None
        for sp in self.spans:
            if sp.start < cue or sp.start > start:
                continue
            if last is not None and not self._joined(last, sp):
                return False
            if sp.start == start:
                return True
            last = sp
        return True

    def _group_end(self, end: int) -> int:
        """Where the group of names that ends at ``end`` or continues after it ends: 通州区中仓住
        says the caller lives in both names."""
        last = next((sp for sp in self.spans if sp.end == end), None)
        for sp in self.spans:
            if last is not None and sp.start >= last.end and self._joined(last, sp):
                last = sp
        return last.end if last is not None else end

    def _joined(self, a: _Span, b: _Span) -> bool:
        """b continues a's name: next to it (or after 的) and inside it (朝阳区 → 望京西园,
        望京街道 → 望京西园三区); two villages side by side (东定福庄村西沙梁村) are two names."""
        if a.end > b.start:
            return True
        return self.text[a.end : b.start] in _GROUP_JOINERS and bool(a.own & b.area)

    def _negated(self, start: int, end: int, clause_start: int) -> bool:
        cue = self._last_before(self.negate_forward, start)
        if cue >= 0 and cue >= clause_start and self._in_first_group(cue, start):
            between = self.text[cue:start].lstrip("在是")  # 不是在X: still the negation
            if not _NEGATE_SCOPE_END.search(between):
                return True
        if any(
            s < start < e <= end and s >= clause_start
            and _NEGATE_FORWARD.fullmatch(self.text, s, start)
            for s, e in self.negate_overlap
        ):
            return True
        tail = self._group_end(end)
        if self.several and _FINE_AFTER.match(self.text, tail):
            return True  # 我们X这片儿没事，倒是P那边…: nothing is wrong at X
        if (self.several and self.text[start - 1 : start] in ("跟", "和", "与")
                and _UNRELATED.match(self.text, tail)):
            return True  # 这事儿跟X没关系
        # A withdrawal: "X，不对" / "X说错了" / "X是口误" (same clause, or the next one
        # starting with the withdrawal).
        clause_end = self._clause_end(end)
        for back in self.negate_back:
            if back < end:
                continue
            if any(tail <= sp.start < back for sp in self.spans):
                break  # 纠正P原先说的X不对: the withdrawal is of the name said last before it
            if back <= clause_end:
                return True
            next_start = clause_end + 1
            lead = self.text[next_start:back].strip("，,、 ")
            lead_ok = lead in _WITHDRAW_LEAD or _WITHDRAW_LEAD_WORDS.fullmatch(lead)
            if back <= next_start + 5 and lead_ok:
                return True
            break
        return False

    def joined_at(self, a: _Hit, b: _Hit) -> bool:
        """Whether the name of hit ``b`` continues that of ``a`` (one group, 大兴区旧宫)."""
        sa = next((sp for sp in self.spans if (sp.start, sp.end) == (a.start, a.end)), None)
        sb = next((sp for sp in self.spans if (sp.start, sp.end) == (b.start, b.end)), None)
        return sa is not None and sb is not None and self._joined(sa, sb)

    def reached(self, start: int) -> bool:
        """到了珍珠泉才发现…: a trip's end where the problem was seen is said as a place."""
        has_origin = bool(self.origin and self.origin[0] < start) or bool(
            self.set_off and self.set_off[0] < start
        )
        before = self.text[max(0, start - 4) : start]
        got_off = _GET_OFF_AFTER.match(self.text, self._group_end_at(start)) is not None
        return start in self.seen_at and has_origin and (
            _DESTINATION.search(before) is not None or got_off
        )

    def _group_start(self, start: int) -> int:
        """Where the group of names that the name at ``start`` ends or continues begins."""
        before = [sp for sp in self.spans if sp.start < start]
        first = start
        cur = next((sp for sp in self.spans if sp.start == start), None)
        for sp in reversed(before):
            if cur is None or not self._joined(sp, cur):
                break
            first, cur = sp.start, sp
        return first

    def _group_end_at(self, start: int) -> int:
        first = next((sp for sp in self.spans if sp.start == start), None)
        return self._group_end(first.end) if first is not None else start

    def _afterwards(self, start: int) -> bool:
        """后来去的X / 我现在到X了: a word for "afterwards" just before the name, in its clause,
        after the problem was told: seen at an earlier name, or words of their own (at least
        ``_TOLD`` characters) between the name before and the afterwards word."""
        lo = max(0, start - _AFTERWARDS_REACH)
        if _INTENDED.search(self.text, lo, self._group_start(start)):
            return True  # 要去X / 准备去X: where the caller means to go is not where it is
        found = [m for m in _AFTERWARDS.finditer(self.text, lo, start)]
        if not found or _CLAUSE_BREAK.search(self.text, found[-1].end(), start):
            return False
        if not _MOVING.search(self.text, found[-1].end(), start):
            return False  # 现在是P: "now it is P", no going anywhere
        if self.seen_from < start:
            return True
        word = found[-1].start()
        prev = [sp.end for sp in self.spans if sp.end <= word]
        told = self.text[self._group_end(prev[-1]) if prev else 0 : word]
        return bool(prev) and len(_CLAUSE_BREAK.sub("", told)) >= _TOLD

    def weight(self, start: int, end: int) -> tuple[float, str]:
        clause_start = self._last_before(self.breaks, start)
        if clause_start < 0:
            clause_start = 0
        if self._negated(start, end, clause_start):
            return _NEGATED_WEIGHT, "negated"
        tail = self._group_end(end)
        home = self._last_before(self.home, start)
        at_home = home >= clause_start and self._in_first_group(home, start)
        if start in self.seen_at and not at_home:
            weight = _COMPLAINT_WEIGHT
            if _NEAR_AFTER.match(self.text, end):
                weight *= _NEAR_WEIGHT
            return weight, "problem"
        if self._afterwards(start):
            return _LATER_TRIP_WEIGHT, "later"
        origin = self._last_before(self.origin, start)
        if origin >= 0 and origin >= clause_start:
            gap = self.text[origin:start]
            if len(gap) <= 6 and not _ORIGIN_END.search(gap):
                return _ORIGIN_WEIGHT, "origin"
        if start in self.set_off:
            return _ORIGIN_WEIGHT, "origin"
        if (self.origin and self.origin[0] < start) or (self.set_off and self.set_off[0] < start):
            before = self.text[max(0, start - 4) : start]
            if _DESTINATION.search(before) or _GET_OFF_AFTER.match(self.text, tail):
                return _DESTINATION_WEIGHT, "destination"
        complaint = self._last_before(self.complaint, start)
        weight, role = 1.0, ""
        said_home_after = self.text[tail : tail + 1] == "住" or _RESIDENT_AFTER.match(
            self.text, tail
        )
        if _PROBLEM_TAIL.match(self.text, tail):
            # X是出事的地方 / X的问题: what follows the name says it is the problem's place
            weight, role = _COMPLAINT_WEIGHT, "problem"
        elif said_home_after and (start - complaint > 1 or self.text[tail : tail + 1] == "住"):
            # 反映我在X租房 / 反映X那是我娘家: what follows the name says it is the home
            weight, role = _HOME_WEIGHT, "home"
        elif complaint > home and complaint >= clause_start and start - complaint <= _CUE_REACH:
            weight, role = _COMPLAINT_WEIGHT, "problem"
        elif (
            (home > complaint and home >= clause_start and self._in_first_group(home, start))
            or self.text[tail : tail + 1] == "住"
            or _RESIDENT_AFTER.match(self.text, tail)
        ):
            weight, role = _HOME_WEIGHT, "home"
        if weight != _HOME_WEIGHT and _NEAR_AFTER.match(self.text, end):
            weight *= _NEAR_WEIGHT
        return weight, role


def _decide(hits: list[_Hit]) -> PlaceMatch:
    if not hits:
        return PlaceMatch()
    named_districts: dict[str, float] = defaultdict(float)
    for h in hits:
        for t in h.targets:
            if t.level == "district":
                named_districts[t.district_code] += h.weight
    street_score: dict[str, float] = defaultdict(float)
    street_evidence: dict[str, set[int]] = defaultdict(set)
    first_seen: dict[str, int] = {}
    street_target: dict[str, Target] = {}
    community_for: dict[str, tuple[float, Target]] = {}
    used: list[_Hit] = []
    for i, h in enumerate(hits):
        cands = [
            t
            for t in h.targets
            if t.level != "district"
            and t.street_code
            and (not t.needs_district or t.district_code in named_districts or h.placey)
        ]
        codes = {t.street_code for t in cands if t.street_code}
        if codes:
            used.append(h)
        for t in cands:
            code = t.street_code or ""
            street_score[code] += h.weight * _KIND_FACTOR.get(t.kind, 1.0) / len(codes)
            street_evidence[code].add(i)
            first_seen.setdefault(code, h.start)
            if code not in street_target or t.level == "street":
                street_target[code] = t
            if t.level == "community" and len(codes) == 1 and len(cands) == 1:
                seen = community_for.get(code)
                if seen is None or h.weight > seen[0]:
                    community_for[code] = (h.weight, t)
    # A district said as part of the home, a withdrawn name or a trip's end supports no street.
    support: dict[str, float] = defaultdict(float)
    for h in hits:
        if h.role not in _NOT_THE_PLACE:
            for t in h.targets:
                if t.level == "district":
                    support[t.district_code] += h.weight
    for code, t in street_target.items():
        street_score[code] += _DISTRICT_SUPPORT * support.get(t.district_code, 0.0)

    district_hits = [h for h in hits if any(t.level == "district" for t in h.targets)]
    matched = [h.word or h.surface for h in hits]
    evidence = [PlaceEvidence(h.word or h.surface, h.surface, h.how, h.role) for h in hits]
    if street_score:
        ranked = sorted(street_score, key=lambda c: (-street_score[c], first_seen[c]))
        best = ranked[0]
        total = sum(street_score.values())
        tie = len(ranked) > 1 and street_score[ranked[1]] >= street_score[best] - 1e-9
        t = street_target[best]
        other_district = max(
            (w for code, w in named_districts.items() if code != t.district_code), default=0.0
        )
        ambiguous = tie and street_evidence[ranked[1]] == street_evidence[best]
        if not ambiguous and street_score[best] > other_district:
            comm = community_for.get(best)
            share = street_score[best] / total
            kind = comm[1].kind if comm and t.level != "street" else t.kind
            conf = _KIND_TRUST.get(kind, 0.85) * (0.6 + 0.4 * share)
            conf += 0.05 if t.district_code in named_districts else 0.0
            own = [hits[i] for i in street_evidence[best]]
            conf *= max(_HOW_TRUST.get(h.how, 1.0) for h in own)
            if not any(h.supported for h in own) and t.district_code not in named_districts:
                conf *= _UNSUPPORTED_SOUND
            if street_score[best] < _WEAK_EVIDENCE or all(
                h.role in _NOT_THE_PLACE and h.role != "home" for h in own
            ):  # only withdrawn names, origins or places gone to afterwards
                conf *= 0.5
            if all(h.role == "home" for h in own) and any(
                h.role not in _NOT_THE_PLACE
                and not street_evidence[best] & {j for j, x in enumerate(hits) if x is h}
                for h in hits
            ):  # only where the caller lives, and another name said: which is the problem's?
                conf = min(conf, _CONFLICT_CAP)
            if all(h.after_first for h in own):
                # The first sentence named a place this street is not (the call's own words, a
                # title); a street found only in the text after it is a person's to confirm.
                conf = min(conf, _CONFLICT_CAP)
            runner_up = street_score[ranked[1]] if len(ranked) > 1 else 0.0
            if runner_up >= _CONFLICT * street_score[best]:  # another street nearly as likely
                conf = min(conf, _CONFLICT_CAP)
            return PlaceMatch(
                district=t.district,
                district_code=t.district_code,
                street=t.street,
                street_code=t.street_code,
                community=comm[1].community if comm else None,
                community_code=comm[1].community_code if comm else None,
                matched=matched,
                confidence=round(min(conf, 0.99), 3),
                kind=kind,
                evidence=evidence,
            )
    # No single street: fall back to the district, from named districts and ambiguous names.
    district_score: dict[str, float] = defaultdict(float, named_districts)
    names: dict[str, str] = {}
    for h in hits:
        for t in h.targets:
            names[t.district_code] = t.district
        if any(t.level == "district" for t in h.targets):
            continue
        dcodes = {t.district_code for t in h.targets if not t.needs_district}
        for code in dcodes:
            district_score[code] += h.weight / len(dcodes)
    if not district_score:
        return PlaceMatch(matched=matched, evidence=evidence)
    ranked_d = sorted(district_score, key=lambda c: -district_score[c])
    if len(ranked_d) > 1 and district_score[ranked_d[1]] >= district_score[ranked_d[0]] - 1e-9:
        return PlaceMatch(matched=matched, confidence=0.2, kind="ambiguous", evidence=evidence)
    best_d = ranked_d[0]
    share = district_score[best_d] / sum(district_score.values())
    return PlaceMatch(
        district=names[best_d],
        district_code=best_d,
        matched=matched,
        confidence=round(0.3 + 0.4 * share, 3),
        kind="district" if district_hits else "ambiguous",
        evidence=evidence,
    )


_default: Gazetteer | None = None
_default_lock = threading.Lock()


def build_gazetteer(
    extra_aliases: Iterable[Alias] = (), *, include_default_aliases: bool = True
) -> Gazetteer:
    """Official divisions + ``data/landmarks.csv`` + ``extra_aliases`` (e.g. rows from the DB)."""
    aliases = [*(load_aliases() if include_default_aliases else []), *extra_aliases]
    return Gazetteer(load_divisions(), aliases)


def default_gazetteer() -> Gazetteer:
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = build_gazetteer()
    return _default


def resolve(text: str, gazetteer: Gazetteer | None = None) -> PlaceMatch:
    """Resolve the place a complaint text is about."""
    return (gazetteer or default_gazetteer()).resolve(text)


def place_as_dict(p: PlaceMatch) -> Mapping[str, object]:
    return {
        "district": p.district,
        "district_code": p.district_code,
        "street": p.street,
        "street_code": p.street_code,
        "community": p.community,
        "community_code": p.community_code,
        "matched": list(p.matched),
        "confidence": p.confidence,
        "kind": p.kind,
        "evidence": [
            {"word": e.word, "name": e.name, "how": e.how, "role": e.role} for e in p.evidence
        ],
        "explanation": p.explanation,
    }
