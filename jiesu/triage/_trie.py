"""Compile a set of words into one trie-shaped regular expression.

Python's ``re`` tries the branches of a flat alternation one by one, which is slow
for tens of thousands of names. Shaping the pattern as a trie lets the engine
follow one branch per character, so scanning a text costs about as much as
reading it. Optional groups are greedy, so at each start position the longest
word wins (``石景山`` before ``景山``, ``朝阳门`` before ``朝阳``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

_Node = dict[str, "_Node"]
_END = ""


def _insert(root: _Node, word: str) -> None:
    node = root
    for ch in word:
        node = node.setdefault(ch, {})
    node[_END] = {}


_BUCKET = 48


def _alternation(branches: list[tuple[str, str]]) -> str:
    """``(?:a…|b…|…)``; with many first characters, grouped behind charset lookaheads.

    ``re`` tries the branches of an alternation one by one, so a root with thousands of
    first characters costs thousands of checks per position. Buckets of about √n branches,
    each guarded by a ``(?=[…])`` character-set test, cut that to about 2√n.
    """
    alts = [re.escape(ch) + rest for ch, rest in branches]
    if len(alts) <= _BUCKET:
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    size = max(_BUCKET, math.isqrt(len(branches)) + 1)
    groups = []
    for i in range(0, len(branches), size):
        chunk = branches[i : i + size]
        charset = "".join(re.escape(ch) for ch, _ in chunk)
        groups.append(f"(?=[{charset}])" + _alternation(chunk))
    return "(?:" + "|".join(groups) + ")"


def _pattern(node: _Node) -> str:
    """Regex for the rest of every word below ``node`` ('' when only the end is left)."""
    terminal = _END in node
    branches = [(ch, _pattern(sub)) for ch, sub in sorted(node.items()) if ch != _END]
    if not branches:
        return ""
    body = _alternation(branches)
    if terminal:
        if len(branches) == 1 and not branches[0][1] and len(body) == 1:
            return body + "?"
        return "(?:" + body + ")?"
    return body


def compile_words(words: Iterable[str]) -> re.Pattern[str]:
    """One pattern that finds the leftmost-longest occurrence of any word."""
    root: _Node = {}
    for word in words:
        if word:
            _insert(root, word)
    if not root:
        return re.compile(r"(?!x)x")  # matches nothing
    return re.compile(_pattern(root))
