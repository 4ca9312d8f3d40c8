"""Generate the agent-typed place snippets: a development set and a blind set.

    .venv/bin/python bench/call_snippets.py            # rewrites both CSVs (fixed seeds)
    .venv/bin/python bench/call_snippets.py dev_big    # 1,200 more development snippets

Snippets are written the way a call agent types while listening: misheard characters,
hesitations and repetitions, self-corrections, trips from one place to another, the caller's
home beside the problem's place, landmarks and colloquial names. Names are real Beijing
divisions (NBS 2023, ``jiesu/triage/data/beijing_divisions.csv``).

The two sets share nothing but the method: streets and communities are split in two by a
seeded shuffle (development half, blind half), each set has its own hand-written templates
(the blind ones were written separately and are worded differently), and its own seed. The
blind set is committed and never used to tune the matcher (docs/triage.md, decision 0019).

The homophone snippets replace one character of a real name with another character of the
same sound (``same``: same syllable, any tone) or of a near sound (``near``: one of the
confusions of Beijing speech and typing: n/l, zh/z, ch/c, sh/s, in/ing, en/eng, an/ang).
Replacement characters come from the characters of the shared messages (everyday
characters an agent's input method offers), never from the name's own spelling.
"""

from __future__ import annotations

import csv
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

from pypinyin.pinyin_dict import pinyin_dict

ROOT = Path(__file__).resolve().parent.parent
DIVISIONS = ROOT / "jiesu" / "triage" / "data" / "beijing_divisions.csv"
OUT_DEV = ROOT / "jiesu" / "triage" / "data" / "calls_dev.csv"
OUT_BLIND = ROOT / "jiesu" / "triage" / "data" / "calls_blind.csv"
MESSAGES = ROOT.parent / "shared" / "data" / "messages" / "train.csv"

KINDS = ("homophone", "hesitation", "correction", "route", "home", "landmark")
PER_KIND = {"dev": 60, "blind": 55, "dev_big": 200}
# dev_big: more of the development set (same half, same templates, own seed), to tune on.
SEEDS = {"dev": 20261203, "blind": 90210417, "dev_big": 777}
OUT_DEV_BIG = ROOT / "jiesu" / "triage" / "data" / "calls_dev_big.csv"

# Landmarks written from public knowledge (name, district, street). The ones marked
# withheld are NOT in landmarks.csv: they appear in the blind set only, to measure what a
# landmark missing from the table does (the right answer is then "ask a person").
LANDMARKS: list[tuple[str, str, str, bool]] = [
    ("协和医院", "东城区", "东华门街道", False),
    ("儿童医院", "西城区", "月坛街道", False),
    ("积水潭医院", "西城区", "新街口街道", False),
    ("友谊医院", "西城区", "天桥街道", False),
    ("佑安医院", "丰台区", "右安门街道", False),
    ("回龙观医院", "昌平区", "回龙观街道", False),
    ("安定医院", "西城区", "德胜街道", False),
    ("北大六院", "海淀区", "花园路街道", False),
    ("清河站", "海淀区", "清河街道", False),
    ("西单", "西城区", "西长安街街道", False),
    ("后海", "西城区", "什刹海街道", False),
    ("烟袋斜街", "西城区", "什刹海街道", False),
    ("恭王府", "西城区", "什刹海街道", False),
    ("北京动物园", "西城区", "展览路街道", False),
    ("北京天文馆", "西城区", "展览路街道", True),
    ("北京展览馆", "西城区", "展览路街道", False),
    ("动物园批发市场", "西城区", "展览路街道", False),
    ("月坛公园", "西城区", "月坛街道", False),
    ("陶然亭公园", "西城区", "陶然亭街道", False),
    ("龙潭湖公园", "东城区", "龙潭街道", False),
    ("工人体育馆", "东城区", "体育馆路街道", True),
    ("国家大剧院", "西城区", "西长安街街道", False),
    ("人民大会堂", "西城区", "西长安街街道", False),
    ("劳动人民文化宫", "东城区", "东华门街道", True),
    ("北京饭店", "东城区", "东华门街道", False),
    ("东方新天地", "东城区", "东华门街道", False),
    ("国家博物馆", "东城区", "东华门街道", False),
    ("八达岭长城", "延庆区", "八达岭镇", False),
    ("慕田峪长城", "怀柔区", "渤海镇", False),
    ("古北水镇", "密云区", "古北口镇", False),
    ("司马台长城", "密云区", "古北口镇", True),
    ("云居寺", "房山区", "大石窝镇", False),
    ("戒台寺", "门头沟区", "永定地区", True),
    ("龙庆峡", "延庆区", "旧县镇", False),
    ("世界公园", "丰台区", "花乡街道", False),
    ("新发地市场", "丰台区", "花乡街道", False),
    ("新国展", "顺义区", "天竺地区", False),
    ("野生动物园", "大兴区", "榆垡镇", True),
    ("荟聚购物中心", "大兴区", "西红门地区", False),
    ("中央民族大学", "海淀区", "紫竹院街道", False),
    ("北京科技大学", "海淀区", "学院路街道", False),
    ("中国地质大学", "海淀区", "学院路街道", True),
    ("北大医学部", "海淀区", "花园路街道", False),
    ("北京化工大学", "朝阳区", "和平街街道", False),
    ("富力城", "朝阳区", "双井街道", False),
    ("建外SOHO", "朝阳区", "建外街道", False),
    ("百度大厦", "海淀区", "上地街道", True),
    ("中华世纪坛", "海淀区", "羊坊店街道", False),
    ("军事博物馆", "海淀区", "羊坊店街道", False),
    ("护国寺", "西城区", "什刹海街道", False),
    ("白塔寺", "西城区", "新街口街道", False),
    ("德胜门", "西城区", "德胜街道", False),
    ("三里屯SOHO", "朝阳区", "三里屯街道", False),
    ("丫髻山", "平谷区", "刘家店镇", True),
    ("南山滑雪场", "密云区", "河南寨镇", True),
    ("国家体育馆", "朝阳区", "奥运村街道", False),
    ("奥体中心", "朝阳区", "亚运村街道", False),
    ("中国科技馆", "朝阳区", "奥运村街道", False),
    ("东直门", "东城区", "东直门街道", False),
]

PROBLEMS = [
    "垃圾堆了好几天没人清", "晚上施工太吵睡不着", "路灯不亮好几天了", "井盖松了车一过就响",
    "有人占道摆摊", "下水道反味儿", "小区停水一天了", "暖气不热", "有违建在盖", "噪音扰民",
    "共享单车堆满人行道", "树枝挡着路", "有人遛狗不拴绳", "商户油烟直排", "路面塌了个坑",
    "公交站牌倒了", "绿地被占了停车", "夜里货车轰鸣", "电梯老坏", "楼道堆物没人管",
    "污水冒到路上", "河边有人倒渣土", "黑车拉客", "广场舞太吵", "垃圾桶满了没人收",
]

# Development templates. {P} problem place, {X} the other place, {Q} the problem.
DEV_TEMPLATES: dict[str, list[str]] = {
    "homophone": [
        "来电人说{P}那边{Q}", "{P}，{Q}，请尽快处理", "市民反映{P}{Q}",
        "在{P}附近，{Q}", "地点{P}，{Q}", "来电反映{P}这块儿{Q}",
        "{P}那个地方{Q}，来电人很着急", "就在{P}，{Q}",
    ],
    "hesitation": [
        "嗯…那个…{P}，{P}那边{Q}", "就是…就是{P}那儿，{Q}", "{p}…{P}，{Q}",
        "呃，在{P}，对，{P}，{Q}", "那个那个{P}……{Q}", "{p}……嗯{P}那块，{Q}",
        "来电人说{P}…就是{P}那边{Q}", "啊…{P}，{Q}，说了好几遍",
    ],
    "correction": [
        "不是{X}，是{P}，{Q}", "别记成{X}了，是{P}，{Q}", "{X}，不对，{P}，{Q}",
        "我说的是{P}，不是{X}，{Q}", "是{P}不是{X}，{Q}", "刚才说错了，不是{X}是{P}，{Q}",
        "{X}……哦不，{P}，{Q}", "地点别写{X}，写{P}，{Q}",
    ],
    "route": [
        "从{X}出发去{P}，到{P}的时候看到{Q}", "我从{X}过来，在{P}那儿{Q}",
        "从{X}开车到{P}，{P}那段{Q}", "坐车从{X}到{P}，下车发现{Q}",
        "早上从{X}走到{P}，{Q}", "从{X}骑车去{P}，到了{P}{Q}",
        "我从{X}那边过来的，到{P}的时候{Q}", "下班从{X}回{P}，{P}这边{Q}",
    ],
    "home": [
        "我住{X}，但是{P}那边{Q}", "我家在{X}，反映的是{P}{Q}", "家住{X}，问题在{P}，{Q}",
        "我是{X}的居民，今天去{P}办事，{Q}", "我住在{X}，{P}这儿{Q}",
        "来电人住{X}，说{P}{Q}", "我家是{X}的，事情在{P}，{Q}", "住{X}，反映{P}{Q}",
    ],
    "landmark": [
        "{L}门口{Q}", "{L}那边{Q}", "在{L}附近，{Q}", "{L}旁边{Q}，来电人要求处理",
        "就在{L}对面，{Q}", "市民反映{L}周边{Q}", "{L}那一带{Q}", "来电人说{L}外面{Q}",
    ],
}

# Blind templates: written separately, worded differently.
BLIND_TEMPLATES: dict[str, list[str]] = {
    "homophone": [
        "{P}{Q}，麻烦派人看看", "打电话说{P}那片儿{Q}", "{P}的，{Q}",
        "称{P}{Q}，已经好多天", "位置：{P}，情况：{Q}", "那个{P}，{Q}",
        "{Q}，在{P}", "说是{P}路边{Q}",
    ],
    "hesitation": [
        "{P}，呃，{P}，{Q}", "额…{p}…{P}那片，{Q}", "那个…嗯…{P}吧，对{P}，{Q}",
        "{P}…{P}……{Q}", "在…在{P}，{Q}", "是{p}……{P}那，{Q}",
        "嗯嗯，{P}，就{P}，{Q}", "哎…那个{P}，{Q}，她说了两遍",
    ],
    "correction": [
        "{X}…不不，{P}，{Q}", "纠正一下，不在{X}，在{P}，{Q}", "不是在{X}啊，{P}，{Q}",
        "记成{X}是错的，应该是{P}，{Q}", "{X}，说错了，是{P}，{Q}", "你别写{X}，{P}，{Q}",
        "我刚说{X}是口误，是{P}，{Q}", "是{P}，{X}是我瞎说的，{Q}",
    ],
    "route": [
        "刚从{X}出来往{P}走，到{P}了发现{Q}", "他从{X}坐地铁到{P}，出站{Q}",
        "自驾从{X}开往{P}，在{P}{Q}", "从{X}坐公交去{P}，{P}站附近{Q}",
        "下午从{X}出发，去{P}的路上到了{P}，{Q}", "打车从{X}到{P}，{P}门口{Q}",
        "从{X}一路过来到的{P}，{Q}", "由{X}前往{P}，抵达{P}后{Q}",
    ],
    "home": [
        "本人住{X}，不过要反映的是{P}，{Q}", "我户口在{X}，现在说的是{P}那边，{Q}",
        "家在{X}那边，可今天是在{P}碰到的，{Q}", "我们是{X}的住户，{P}那块{Q}",
        "我在{X}住，{P}{Q}", "住址{X}，问题地点{P}，{Q}", "老家{X}的，人在{P}，{Q}",
        "居住地{X}，反映{P}{Q}",
    ],
    "landmark": [
        "{L}那儿{Q}", "到{L}那块儿{Q}", "{L}边上{Q}", "{L}门前{Q}，麻烦管管",
        "靠近{L}，{Q}", "{L}附近{Q}，有一阵子了", "{L}后面{Q}", "挨着{L}，{Q}",
    ],
}

_STREET_SUFFIXES = ("街道", "地区", "满族乡", "回族乡", "镇", "乡")
# Short forms that are everyday words; written with their district or full name.
_EVERYDAY_TEXT = "光明 胜利 新华 向阳 河北 城关 城北 城南 新村 天桥 平房 东风 永定 八角 古城 南口"
_EVERYDAY = frozenset(_EVERYDAY_TEXT.split(" "))
_CONFUSIONS = [("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"), ("l", "n")]
_CONFUSIONS += [("z", "zh"), ("c", "ch"), ("s", "sh")]
_FINALS = [("ing", "in"), ("in", "ing"), ("eng", "en"), ("en", "eng"), ("ang", "an"), ("an", "ang")]
_TONE = str.maketrans("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ", "aaaaeeeeiiiioooouuuuvvvvvnnnm")


def readings(ch: str) -> set[str]:
    raw = pinyin_dict.get(ord(ch))
    return {r.translate(_TONE) for r in raw.split(",")} if raw else set()


def near(syl: str) -> set[str]:
    out: set[str] = set()
    for a, b in _CONFUSIONS:
        if syl.startswith(a) and len(syl) > 1 and not syl.startswith(a + "h"):
            out.add(b + syl[len(a):])
    for a, b in _FINALS:
        if syl.endswith(a):
            out.add(syl[: -len(a)] + b)
    return out - {syl}


def street_short(name: str) -> str:
    for s in _STREET_SUFFIXES:
        if name.endswith(s) and len(name) - len(s) >= 2:
            return name[: -len(s)]
    return name


def community_base(name: str) -> str:
    for s in ("社区居民委员会", "社区居委会", "居委会"):
        if name.endswith(s):
            return name[: -len(s)]
    for s in ("村民委员会", "村委会"):
        if name.endswith(s):
            base = name[: -len(s)]
            return base if base.endswith("村") else base + "村"
    return name


def load() -> tuple[list[dict[str, str]], dict[str, list[dict[str, str]]]]:
    with DIVISIONS.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    by_street: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        by_street[r["street_code"]].append(r)
    return rows, by_street


def char_pool() -> dict[str, list[str]]:
    """Everyday characters by toneless syllable, from the shared messages (or a fallback)."""
    text = ""
    if MESSAGES.exists():
        text = MESSAGES.read_text(encoding="utf-8")[:3_000_000]
    counts: dict[str, int] = defaultdict(int)
    for ch in text:
        if "\u4e00" <= ch <= "\u9fff":
            counts[ch] += 1
    pool: dict[str, list[str]] = defaultdict(list)
    for ch, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        if n < 20:
            continue
        rs = readings(ch)
        if len(rs) == 1:  # unambiguous characters only, as a typist's first choice
            pool[next(iter(rs))].append(ch)
    return pool


class Maker:
    def __init__(self, which: str) -> None:
        self.per_kind = PER_KIND[which]
        self.rng = random.Random(SEEDS[which])
        rows, by_street = load()
        split = random.Random(7)  # the same split for both sets
        codes = sorted(by_street)
        split.shuffle(codes)
        dev = which.startswith("dev")
        half = set(codes[: len(codes) // 2]) if dev else set(codes[len(codes) // 2 :])
        self.streets = [by_street[c][0] for c in sorted(half)]
        self.all_names = {r["street"] for r in rows} | {street_short(r["street"]) for r in rows}
        self.all_names |= {community_base(r["community"]) for r in rows}
        base_count: dict[str, int] = defaultdict(int)
        for r in rows:
            base_count[community_base(r["community"])] += 1
        self.communities = [
            r for r in rows
            if r["street_code"] in half and base_count[community_base(r["community"])] == 1
            and 3 <= len(community_base(r["community"])) <= 7
            and not community_base(r["community"]).endswith(("虚拟社区", "生活区"))
            and not re.search("第[一二三四五六七八九十]+$", community_base(r["community"]))
        ]
        self.pool = char_pool()
        self.district_shorts = {r["district"][:-1] for r in rows}
        self.templates = DEV_TEMPLATES if dev else BLIND_TEMPLATES
        self.landmarks = [lm for lm in LANDMARKS if which == "blind" or not lm[3]]

    def street_mention(self, r: dict[str, str], full: bool | None = None) -> str:
        short = street_short(r["street"])
        d = r["district"]
        if full is None:
            full = self.rng.random() < 0.4
        if short in self.district_shorts:
            return r["street"]
        if short in _EVERYDAY or short == r["street"] or len(r["street"]) > 8:
            return d + r["street"] if short in _EVERYDAY else r["street"]
        name = r["street"] if full else short
        return (d + name) if self.rng.random() < 0.25 else name

    def place(self) -> tuple[str, dict[str, str]]:
        """A problem place: a street (60%) or a community/village with a unique name."""
        if self.rng.random() < 0.6:
            r = self.rng.choice(self.streets)
            return self.street_mention(r), r
        r = self.rng.choice(self.communities)
        return community_base(r["community"]), r

    def other(self, r: dict[str, str]) -> tuple[str, dict[str, str]]:
        for _ in range(50):
            text, o = self.place()
            if o["street_code"] != r["street_code"] and o["district"] != r["district"]:
                return text, o
        return self.place()

    def misspell(self, name: str) -> tuple[str, str] | None:
        idx = list(range(len(name)))
        self.rng.shuffle(idx)
        mode = "same" if self.rng.random() < 0.6 else "near"
        for i in idx:
            ch = name[i]
            if name[i:].startswith(("街道", "地区")) or ch in "镇乡村区":
                continue
            for syl in sorted(readings(ch)):
                cands = self.pool.get(syl, []) if mode == "same" else [
                    c for s in sorted(near(syl)) for c in self.pool.get(s, [])
                ]
                cands = [c for c in cands[:12] if c != ch and c not in name]
                if not cands:
                    continue
                variant = name[:i] + self.rng.choice(cands) + name[i + 1 :]
                if variant in self.all_names:
                    continue
                return variant, mode
        return None

    def row(self, kind: str) -> dict[str, str]:
        t = self.rng.choice(self.templates[kind])
        q = self.rng.choice(PROBLEMS)
        note = ""
        if kind == "landmark":
            if self.rng.random() < 0.5:
                name, d, st, withheld = self.rng.choice(self.landmarks)
                note = "withheld" if withheld else "listed"
                text = t.format(L=name, Q=q)
                return {"text": text, "district": d, "street": st, "kind": kind, "note": note}
            r = self.rng.choice(self.communities)
            base = community_base(r["community"])
            tail = "" if base.endswith(("村", "园", "里", "苑", "院", "区")) else "小区"
            text = t.format(L=base + self.rng.choice([tail, "那个小区", tail + "里"]), Q=q)
            return {"text": text, "district": r["district"], "street": r["street"], "kind": kind,
                    "note": "estate"}
        p_text, r = self.place()
        if kind == "homophone":
            for _ in range(20):
                got = self.misspell(p_text)
                if got:
                    p_text, note = got
                    break
                p_text, r = self.place()
        x_text, _o = self.other(r)
        partial = p_text[: max(1, len(p_text) // 2)]
        text = t.format(P=p_text, X=x_text, Q=q, p=partial)
        return {"text": text, "district": r["district"], "street": r["street"], "kind": kind,
                "note": note}

    def rows(self) -> list[dict[str, str]]:
        out = []
        seen: set[str] = set()
        for kind in KINDS:
            n = 0
            while n < self.per_kind:
                row = self.row(kind)
                if row["text"] in seen:
                    continue
                seen.add(row["text"])
                out.append(row)
                n += 1
        return out


def write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["text", "district", "street", "kind", "note"])
        w.writeheader()
        w.writerows(rows)


def is_holdout(message_id: str) -> bool:
    """Every fifth train.csv message is kept out of the model used for proposal figures."""
    digits = "".join(ch for ch in message_id if ch.isdigit())
    return bool(digits) and int(digits) % 5 == 0


def proposals(snippets: list[dict[str, str]], seed: int) -> list[dict[str, str]]:
    """Each snippet followed by a held-out labelled message (its words joined back), the
    messages drawn with `seed`."""
    with MESSAGES.open(encoding="utf-8") as fh:
        held = [r for r in csv.DictReader(fh) if is_holdout(r["id"])]
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
    args = argv[1:]
    if args[:1] == ["--train-without-holdout"]:  # the training file for proposal figures
        with MESSAGES.open(encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            kept = [r for r in reader if not is_holdout(r["id"])]
        with Path(args[1]).open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(kept[0]))
            w.writeheader()
            w.writerows(kept)
        return
    for name in args or ["dev", "blind"]:
        rows = Maker(name).rows()
        out = {"dev": OUT_DEV, "blind": OUT_BLIND, "dev_big": OUT_DEV_BIG}[name]
        write(out, rows)
        print(f"{name}: {len(rows)} snippets", file=sys.stderr)
        if MESSAGES.exists() and name != "dev_big":
            write_proposals(OUT_DEV.parent / f"proposals_{name}.csv",
                            proposals(rows, SEEDS[name] + 1))


if __name__ == "__main__":
    main(sys.argv)
