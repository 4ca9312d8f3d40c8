"""The token space of the knowledge base: jieba words, synonyms, character and pinyin pairs.

A caller's question reaches the agent by ear, so a query is typed as heard: 公鸡金 for
公积金, 医宝 for 医保. Words alone would miss those, so every text also yields the pinyin
(without tones) of each pair of neighbouring Chinese characters, `~gong_ji`, `~ji_jin`:
a misheard character with the same sound keeps its pairs. Words are put through the
synonym table first (物业费 → 物业管理费), on both sides, so the index and the query
meet on the canonical word. Everything here is pure Python, no database.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from jiesu.triage.text import _tokenizer

_CJK = re.compile(r"[\u4e00-\u9fff]")
_ALNUM = re.compile(r"[a-z0-9]+")
_PUNCT_OR_SPACE = re.compile(r"^[\W_]+$")



@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Words a caller says around the question; they carry nothing to rank on."""
    path = Path(__file__).with_name("data") / "stopwords.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _kept(norm: str) -> list[str]:
    """jieba's precise cut (dictionary words only, HMM off: a short query is cut the way the
    index was), stop words and punctuation out."""
    tok = _tokenizer()
    stop = stopwords()
    return [w for w in tok.lcut(norm, HMM=False)  # type: ignore[attr-defined]
            if w.strip() and w not in stop and not _PUNCT_OR_SPACE.match(w)]


def _search_words(kept: list[str]) -> list[str]:
    """Search-mode words, as jieba's cut_for_search makes them from the same cut: each word
    and the dictionary words of two and three characters inside a longer one; single Chinese
    characters are left to the pinyin pairs."""
    freq: dict[str, int] = _tokenizer().FREQ  # type: ignore[attr-defined]
    stop = stopwords()
    out: list[str] = []
    for w in kept:
        if len(w) > 2:
            for n in (2, 3):
                out.extend(g for g in (w[i:i + n] for i in range(len(w) - n + 1))
                           if freq.get(g) and g not in stop)
        if len(w) > 1 or _ALNUM.fullmatch(w):
            out.append(w)
    return out


def words(text: str) -> list[str]:
    return _search_words(_kept(normalise(text)))


@lru_cache(maxsize=65536)
def _pinyin(char: str) -> str:
    from pypinyin import Style, lazy_pinyin

    return lazy_pinyin(char, style=Style.NORMAL)[0]


def pinyin_pairs(kept: list[str]) -> list[str]:
    """`~a_b` for each pair of neighbouring Chinese characters of the kept words' text."""
    chars = [c for w in kept for c in w if _CJK.match(c)]
    sounds = [_pinyin(c) for c in chars]
    return [f"~{a}_{b}" for a, b in itertools.pairwise(sounds)]


class Synonyms:
    """The synonym table as a rewrite: each word found in a text adds its canonical word.

    Found as a substring, not as a jieba word, so 物业管理费 is found in 物业管理费太贵 however
    jieba cuts it."""

    def __init__(self, table: Mapping[str, str] | None = None) -> None:
        self.table = {normalise(w): normalise(c) for w, c in (table or {}).items() if w and c}
        found = sorted(self.table, key=len, reverse=True)
        self.pattern = (re.compile("|".join(re.escape(w) for w in found)) if found else None)

    def canonical_of(self, text: str) -> list[str]:
        if self.pattern is None:
            return []
        return [self.table[m.group(0)] for m in self.pattern.finditer(normalise(text))]

    def same_as(self, canonical: set[str]) -> list[str]:
        """Every word searched as one of `canonical`."""
        return [w for w, c in self.table.items() if c in canonical]


NO_SYNONYMS = Synonyms()


@dataclass(frozen=True)
class Analysis:
    """A text cut once: its words (canonical words of its synonyms added) and sound pairs."""

    words: list[str]
    pairs: list[str]
    bigrams: list[str] = field(default_factory=list)

    @property
    def tokens(self) -> list[str]:
        return self.words + self.bigrams + self.pairs

    def surface(self) -> list[str]:
        """The words as typed, longest first (for highlighting)."""
        return sorted(set(self.words), key=len, reverse=True)


def char_bigrams(kept: list[str]) -> list[str]:
    """`^ab` for each pair of neighbouring Chinese characters of the kept words' text: the
    exact characters, where jieba cut a place name or a rare term into single characters
    (the pinyin pairs of the same text also match its homophones)."""
    chars = [c for w in kept for c in w if _CJK.match(c)]
    return [f"^{a}{b}" for a, b in itertools.pairwise(chars)]


def analyse(text: str, synonyms: Synonyms = NO_SYNONYMS) -> Analysis:
    norm = normalise(text)
    kept = _kept(norm)
    found = _search_words(kept)
    for canonical in synonyms.canonical_of(norm):
        found.extend(_search_words(_kept(canonical)))
    return Analysis(found, pinyin_pairs(kept), char_bigrams(kept))


def tokens(text: str, synonyms: Synonyms = NO_SYNONYMS) -> list[str]:
    """The text's index/query tokens: its words, the canonical words of its synonyms, its
    character pairs, then its pinyin pairs."""
    return analyse(text, synonyms).tokens


_SOUNDS: dict[str, str] = {}


def sounds(text: str) -> list[str]:
    """The pinyin of each character (its own character when not Chinese)."""
    out = []
    for c in text:
        s = _SOUNDS.get(c)
        if s is None:
            s = _SOUNDS[c] = _pinyin(c) if _CJK.match(c) else c
        out.append(s)
    return out


# A caller moving on to another question: "…，还有个事，…", "另外想问一下…".
_NEXT_QUESTION = re.compile(
    r"[，,。；;？?！!\s]*(?:还有个事|还有一个事|还有件事|还有一件事|还有个问题|还有一个问题|"
    r"另外还有|另外想问|另外问一下|另外|再问一下|再问个事|还想问一下|还想问|顺便问一下|"
    r"顺便问下|顺便问|第二个事|第二个问题|第二件事)[儿呢啊呀吧，,：:\s]*")


def questions_in(text: str) -> list[str]:
    """The separate questions of a caller who asks several things in one breath (one item
    for a single question); each part must have something to search for."""
    parts = [p.strip(" ，,。；;？?！!") for p in _NEXT_QUESTION.split(text)]
    return [p for p in parts if _kept(normalise(p))] if len(parts) > 1 else [text]
