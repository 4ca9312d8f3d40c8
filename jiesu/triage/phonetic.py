"""Find place names by sound: what an agent types while listening is often the right sound
written with the wrong character (望经 for 望京, 成寿死 for 成寿寺, 辰寿寺 for 成寿寺).

Every name is indexed by its syllables (``pypinyin``'s character readings, tones dropped),
*folded* over the confusions of Beijing speech and typing: zh/z, ch/c, sh/s, n/l, f/h at
the start of a syllable (f/h: callers from the south, 湖 hu / 福 fu); in/ing, en/eng, an/ang at
its end. A polyphonic character may be read
any of its ways. A text is scanned once against a trie of folded syllables; a hit whose
characters differ from the name is reported with how it differs:

- ``homophone``: every differing character has a reading of the name's character (tones
  aside): the same sound, another character;
- ``near_sound``: some differing character only matches after folding (n/l, zh/z, in/ing …);
- ``exact``: only numerals differ, a digit typed as its Chinese numeral (七九八 for 798).

Exact spellings are found by the character scanner (``places.py``) and preferred there.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache

from pypinyin.pinyin_dict import pinyin_dict

__all__ = ["PhoneticHit", "PhoneticIndex", "fold", "readings"]

_TONE = str.maketrans("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ", "aaaaeeeeiiiioooouuuuvvvvnnnm")
_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"))
_FINALS = (("ing", "in"), ("eng", "en"), ("ang", "an"))


def fold(syllable: str) -> str:
    """The confusion class of a toneless syllable: ``zhang`` → ``zan``, ``ning`` → ``lin``,
    ``feng`` → ``hen``."""
    s = syllable.replace("ü", "v")
    for a, b in _INITIALS:
        if s.startswith(a):
            s = b + s[len(a) :]
            break
    else:
        if s.startswith("n") and len(s) > 1 and not s.startswith("ng"):
            s = "l" + s[1:]
        elif s.startswith("f"):
            s = "h" + s[1:]
    for a, b in _FINALS:
        if s.endswith(a):
            s = s[: -len(a)] + b
            break
    return s


# Digits are read aloud: 三0四医院 is said san-ling-si, and typed 304, 三〇四 or 三0视.
_DIGIT_READINGS = (
    ("ling",), ("yi", "yao"), ("er", "liang"), ("san",), ("si",),
    ("wu",), ("liu",), ("qi",), ("ba",), ("jiu",),
)


@lru_cache(maxsize=65536)
def readings(ch: str) -> frozenset[str]:
    """Toneless readings of one character (empty for anything but a Chinese character or a
    digit; a digit reads as its numeral: 1 as yi or yao, 2 as er or liang)."""
    if ch.isdigit() and not "\u4e00" <= ch <= "\u9fff":
        digit = unicodedata.digit(ch, -1)
        return frozenset(_DIGIT_READINGS[digit]) if 0 <= digit <= 9 else frozenset()
    raw = pinyin_dict.get(ord(ch))
    if not raw:
        return frozenset()
    return frozenset(r.translate(_TONE) for r in raw.split(","))


@lru_cache(maxsize=65536)
def folded(ch: str) -> frozenset[str]:
    return frozenset(fold(r) for r in readings(ch))


@dataclass(frozen=True)
class PhoneticHit:
    """``text[start:end]`` sounds like ``name``; ``how`` is ``homophone`` or ``near_sound``."""

    name: str
    start: int
    end: int
    how: str
    differing: int
    distance: int = 0  # confusions needed (f/h + ang/an = 2): two readings of one sound,
    # the nearer wins (汉家园 is 潘家园 by f/h alone, 方家园 only by f/h and ang/an)
    function_char: bool = False  # a differing character is a function one (在堂 for 斋堂)
    word_inside: bool = False  # kept although its characters make an everyday word (私家营)


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)


def _allowed_differences(length: int) -> int:
    return 1 if length <= 4 else 2


class PhoneticIndex:
    """Names by folded syllables. Build once; ``scan`` is safe across threads."""

    def __init__(self, names: Iterable[str], min_length: int = 2) -> None:
        self._root = _Node()
        self._max = 0
        self.size = 0
        # The first two syllables of every name: most positions of a text start none.
        self._pairs: set[tuple[str, str]] = set()
        for name in set(names):
            if len(name) < min_length:
                continue
            keys = [folded(ch) for ch in name]
            if not all(keys):
                continue
            self._insert(name, keys)
            self._pairs.update((a, b) for a in keys[0] for b in keys[1])
            self.size += 1

    def _insert(self, name: str, keys: list[frozenset[str]]) -> None:
        nodes = [self._root]
        for options in keys:
            nxt: list[_Node] = []
            for node in nodes:
                for k in sorted(options):
                    nxt.append(node.children.setdefault(k, _Node()))
            nodes = nxt
        for node in nodes:
            if name not in node.names:
                node.names.append(name)
        self._max = max(self._max, len(name))

    def scan(
        self,
        text: str,
        is_word: Callable[[str], bool] | None = None,
        placed: Callable[[int, int], bool] | None = None,
        alone: Callable[[int, int], bool] | None = None,
        inside_ok: Callable[[int], bool] | None = None,
    ) -> list[PhoneticHit]:
        """Every span of ``text`` that sounds like a name but is not spelled like it.

        ``is_word`` (an everyday-word test) drops a hit whose differing character belongs to
        an everyday word of the text: 双方 is not a misheard 双丰, 新城 not 星城 — unless the
        span has three characters or more and ``placed(start, end)`` says a place word follows
        it (私家营那边: 私家 is a word, 私家营那边 is a place). A differing function character
        (在, 是 …) drops a hit unless ``alone(start, end)`` says the span is a clause of its
        own (，在堂，: no 在 + 堂 there, but 斋堂). ``inside_ok(start)`` says a name starting
        there may make an everyday word with its own characters whatever its length (西城区白质坊:
        白质, right after its district)."""
        keys = [folded(ch) for ch in text]
        out: list[PhoneticHit] = []
        n = len(text)
        pairs = self._pairs
        for i in range(n - 1):
            first, second = keys[i], keys[i + 1]
            if not first or not second:
                continue
            if len(first) == 1 and len(second) == 1:
                if (next(iter(first)), next(iter(second))) not in pairs:
                    continue
            elif not any((a, b) in pairs for a in first for b in second):
                continue
            frontier = [self._root]
            for j in range(i, min(n, i + self._max)):
                options = keys[j]
                if not options:
                    break
                frontier = [c for node in frontier for k in options
                            if (c := node.children.get(k)) is not None]
                if not frontier:
                    break
                for node in frontier:
                    for name in node.names:
                        hit = _compare(text, i, j + 1, name)
                        if hit is None or (
                            hit.function_char and not (alone and alone(hit.start, hit.end))
                        ):
                            continue
                        inside = bool(inside_ok and inside_ok(hit.start))
                        if (
                            is_word
                            and not _suffixed(text, hit)
                            and _in_word(text, hit, is_word, inside)
                        ):
                            if not (
                                hit.end - hit.start >= 3 and placed and placed(hit.start, hit.end)
                            ):
                                continue
                            hit = replace(hit, word_inside=True)
                        out.append(hit)
        return out


# Function characters: 富力城那 is 富力城 + 那, not a misheard 富力城南.
_FUNCTION_CHARS = frozenset("那这的了在是边儿个哪呢吧啊呀么")


def _compare(text: str, start: int, end: int, name: str) -> PhoneticHit | None:
    typed = text[start:end]
    if typed == name:
        return None
    differing = [
        (a, b) for a, b in zip(typed, name, strict=True) if a != b and not _same_numeral(a, b)
    ]
    if len(differing) > _allowed_differences(len(name)):
        return None
    function_char = any(a in _FUNCTION_CHARS for a, _ in differing)
    same = all(readings(a) & readings(b) for a, b in differing)
    # only numerals written another way (七九八艺术区): the name itself
    how = "exact" if not differing else "homophone" if same else "near_sound"
    distance = sum(_distance(a, b) for a, b in differing)
    return PhoneticHit(name, start, end, how, len(differing), distance, function_char)


_NUMERALS = {
    **{str(d): d for d in range(10)},
    **{c: d for d, c in enumerate("〇一二三四五六七八九")},
    "零": 0, "幺": 1, "两": 2,
}


def _same_numeral(a: str, b: str) -> bool:
    """七九八 typed for 798: a digit and its Chinese numeral are one character, not a typo."""
    da, db = _NUMERALS.get(a), _NUMERALS.get(b)
    return da is not None and da == db


_INITIAL_FOLDS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"), ("f", "h"))


def _split(syllable: str) -> tuple[str, str]:
    for a, _ in (("zh", ""), ("ch", ""), ("sh", "")):
        if syllable.startswith(a):
            return a, syllable[2:]
    if syllable[:1] in "bpmfdtnlgkhjqxrzcsyw":
        return syllable[:1], syllable[1:]
    return "", syllable


@lru_cache(maxsize=65536)
def _distance(a: str, b: str) -> int:
    """The fewest confusions (an initial fold, a final fold) that make a reading of ``a`` one
    of ``b``: 0 when each character's main reading is a reading of the other, 1 for a syllable
    shared only through a rare reading (庞 pang and 方, whose rare reading is pang: no nearer
    than 潘 pan, one fold away)."""
    ra_all, rb_all = readings(a), readings(b)
    if _main_reading(a) in rb_all and _main_reading(b) in ra_all:
        return 0
    best = 3
    for ra in ra_all:
        for rb in rb_all:
            if ra == rb:
                best = min(best, 1)
            elif fold(ra) == fold(rb):
                (ia, fa), (ib, fb) = _split(ra), _split(rb)
                best = min(best, (ia != ib) + (fa != fb))
    return best


@lru_cache(maxsize=65536)
def _main_reading(ch: str) -> str:
    """A character's first (most common) reading in pypinyin's table; a digit's numeral."""
    if ch.isdigit() and not "\u4e00" <= ch <= "\u9fff":
        digit = unicodedata.digit(ch, -1)
        return _DIGIT_READINGS[digit][0] if 0 <= digit <= 9 else ""
    raw = pinyin_dict.get(ord(ch))
    return raw.split(",")[0].translate(_TONE) if raw else ""


_SUFFIXES = ("街道", "地区", "社区", "村", "镇", "乡")


def _suffixed(text: str, hit: PhoneticHit) -> bool:
    """The typed span ends with the name's own place suffix (安顶门街道): a place is meant,
    whatever everyday word (顶门) its misheard characters also make."""
    typed = text[hit.start : hit.end]
    return len(typed) >= 4 and any(
        hit.name.endswith(sfx) and typed.endswith(sfx) for sfx in _SUFFIXES
    )


# From this length on, a misheard character that makes an everyday word with the name's own
# characters (十巴里店: 巴里, 大自燃新城: 自燃) is what an input method offers first, not another
# word: only a word reaching outside the name counts against it.
_WORD_INSIDE_OK = 4


def _in_word(
    text: str, hit: PhoneticHit, is_word: Callable[[str], bool], inside_ok: bool = False
) -> bool:
    lo, hi = max(0, hit.start - 1), min(len(text), hit.end + 1)
    long_name = inside_ok or hit.end - hit.start >= _WORD_INSIDE_OK
    for k in range(hit.start, hit.end):
        if text[k] == hit.name[k - hit.start]:
            continue
        for a in range(max(lo, k - 2), k + 1):
            for b in range(max(a + 2, k + 1), min(hi, a + 3) + 1):
                if long_name and hit.start <= a and b <= hit.end:
                    continue
                word = text[a:b]
                if word not in hit.name and is_word(word):
                    return True
    return False
