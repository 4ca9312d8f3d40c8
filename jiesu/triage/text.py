"""Turn raw Chinese text into the token space the training data lives in.

``train.csv`` was segmented upstream with jieba (precise mode, HMM on) and had stop
words removed with a list we do not have. Raw text is segmented the same way here,
then punctuation, whitespace and ``data/stopwords.txt`` are dropped. That list was
derived from the data: tokens jieba finds often in the raw 附件3/附件4 messages but
never in ``train.csv``. Features use word tokens and character n-grams of the
joined tokens, which makes the two spaces line up even where segmentations differ.

Segmentation at prediction time runs in ``rjieba`` (jieba-rs: the same dictionary, the same
DAG and HMM, in Rust; about 15 times faster than jieba's Python). Its one difference, an
alphanumeric run with ``-``/``.``/``_`` kept whole (80-90, baidu.com), is cut again by jieba
itself, so the tokens are jieba's (checked on all 7,109 raw 附件3/附件4 messages, and in
``tests/triage/test_text.py``). jieba's own tokenizer stays for its dictionary (``FREQ``).
"""

from __future__ import annotations

import itertools
import logging
import re
import threading
import unicodedata
from functools import lru_cache

import rjieba

from jiesu.triage._data import data_path

_PUNCT_OR_SPACE = re.compile(r"^[\W_]+$")
# A token jieba-rs keeps whole where jieba cuts it: letters or digits joined by - . _
# (jieba's regex for non-Chinese runs splits there).
_JOINED_RUN = re.compile(r"^(?=.*[-._])(?=.*[A-Za-z0-9])[A-Za-z0-9+#&._%-]+$")
_MAY_JOIN = re.compile(r"[A-Za-z0-9][-._]|[-._][A-Za-z0-9]")
_jieba_lock = threading.Lock()


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    path = data_path("stopwords.txt")
    words = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in words if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=1)
def _tokenizer() -> object:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    with _jieba_lock:
        tok = jieba.Tokenizer()
        tok.initialize()
    return tok


# Only the first MAX_CHARS characters of title + body are segmented: jieba's cost grows with
# the length, and what a message is about is said early (the title first). Cutting the
# development folds' test messages at 600 segmented characters (about 800 raw ones: raw text
# is 1.36 times longer) left macro-F1 unchanged (docs/triage.md, "Speed"); 6 % of the raw
# 附件3/附件4 messages are longer than MAX_CHARS.
MAX_CHARS = 1000


def cut(text: str) -> list[str]:
    """jieba's precise mode with HMM, token for token, at jieba-rs speed."""
    words: list[str] = rjieba.cut(text, True)
    if not _MAY_JOIN.search(text):
        return words
    tok = _tokenizer()
    out: list[str] = []
    for w in words:
        if _JOINED_RUN.match(w):
            out += tok.lcut(w, HMM=True)  # type: ignore[attr-defined]
        else:
            out.append(w)
    return out


def segment_raw(text: str, title: str | None = None) -> str:
    """Raw title + body → space-separated tokens, the form of ``text_segmented``."""
    raw = f"{title} {text}" if title else text
    raw = unicodedata.normalize("NFKC", raw[: MAX_CHARS + 50])[:MAX_CHARS]
    stop = stopwords()
    words = cut(raw)
    return " ".join(
        w for w in words if w.strip() and w not in stop and not _PUNCT_OR_SPACE.match(w)
    )


def is_common_word(word: str, min_frequency: int = 30) -> bool:
    """An everyday word of jieba's dictionary (新城, 双方, 国家), not a rare or made-up one."""
    freq: dict[str, int] = _tokenizer().FREQ  # type: ignore[attr-defined]
    return freq.get(word, 0) >= min_frequency


def warm_up() -> None:
    """Load both dictionaries (jieba-rs, jieba) now rather than on the first message."""
    segment_raw("预热")
    _tokenizer()


# Analyzers live at module level so that joblib can pickle the fitted pipeline.
def word_ngrams(segmented: str) -> list[str]:
    tokens = segmented.split()
    return tokens + [a + "_" + b for a, b in itertools.pairwise(tokens)]


def strip_spaces(segmented: str) -> str:
    return segmented.replace(" ", "")


class Head:
    """The first ``k`` tokens of a message: mostly its title, the caller's own summary.

    ``train.csv`` has title and body merged (title first), so the head is cut from the
    merged tokens both when training and when predicting; the classifier gives these
    tokens a feature block of their own (docs/triage.md, "The head block"). ``k`` travels
    inside the pickled model, so a later change of the default does not alter old models.
    """

    def __init__(self, k: int) -> None:
        self.k = k

    def tokens(self, segmented: str) -> list[str]:
        return segmented.split()[: self.k]

    def joined(self, segmented: str) -> str:
        return "".join(segmented.split()[: self.k])
