"""Generate a development set of hurried, agent-typed snippets (``calls_dev_styled.csv``).

    .venv/bin/python bench/call_snippets_dev_styled.py

The development half of the streets and the development templates (``call_snippets.py``),
with the fourth blind set's *mechanisms* but none of its rows or wording: f/h among the near
sounds and two misheard characters in long names (``HurriedSpelling``), and the typing styles
of an agent in a hurry (half-width commas, spaces, no punctuation, doubled full stops). It is
what the rules for those mechanisms are tuned on; the fourth blind set is scored, not tuned on.
100 snippets per kind.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from call_snippets import Maker, write
from call_snippets_blind4 import HurriedSpelling, restyle, styled

DATA = Path(__file__).resolve().parent.parent / "jiesu" / "triage" / "data"
SEED = 5150_2026


class DevStyledMaker(HurriedSpelling, Maker):
    def __init__(self) -> None:
        super().__init__("dev_big")
        self.rng = random.Random(SEED)
        self.per_kind = 100


def main() -> None:
    rows = DevStyledMaker().rows()
    restyle(rows, styled, random.Random(SEED + 1))
    out = DATA / "calls_dev_styled.csv"
    write(out, rows)
    print(f"dev_styled: {len(rows)} snippets → {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
