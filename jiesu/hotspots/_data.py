"""Word lists shipped with the package (data/*.txt, one word a line, # comments)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_DIR = Path(__file__).with_name("data")


@cache
def words(name: str) -> frozenset[str]:
    lines = (_DIR / name).read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))
