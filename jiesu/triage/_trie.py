"""Compile a set of words into one trie-shaped regular expression.

Python's ``re`` tries the branches of a flat alternation one by one, which is slow
for tens of thousands of names. Shaping the pattern as a trie lets the engine
follow one branch per character, so scanning a text costs about as much as
reading it. Optional groups are greedy, so at each start position the longest
word wins (``石景山`` before ``景山``, ``朝阳门`` before ``朝阳``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_Node = dict[str, "_Node"]
_END = ""


def _insert(root: _Node, word: str) -> None:
    node = root
    for ch in word:
        node = node.setdefault(ch, {})
    node[_END] = {}


def _pattern(node: _Node) -> str:
    """Regex for the rest of every word below ``node`` ('' when only the end is left)."""
    terminal = _END in node
    branches = [re.escape(ch) + _pattern(sub) for ch, sub in sorted(node.items()) if ch != _END]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if terminal:
        if len(branches) == 1 and len(branches[0]) == 1:
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
