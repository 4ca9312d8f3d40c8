"""The eighth blind place set: snippets written by hand, one by one (src_<kind>.tsv), joined
into calls_blind8.csv and, each followed by a held-out train.csv message, proposals_blind8.csv.

    .venv/bin/python -m bench.blind8.build [OUT_DIR]     # default jiesu/triage/data

The places were drawn first (random.Random(20261208), 50 per kind, the 16 districts in turn, see
README.md); the held-out messages (ids divisible by 5) with random.Random(8808).
"""

from __future__ import annotations

import csv
import os
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "jiesu" / "triage" / "data"
KINDS = ("homophone", "hesitation", "correction", "route", "home", "landmark")
MESSAGE_SEED = 8808


def snippets() -> list[dict[str, str]]:
    rows = []
    for kind in KINDS:
        for line in (HERE / f"src_{kind}.tsv").read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            text, district, street, note = line.split("\t")
            rows.append({"text": text, "district": district, "street": street,
                         "kind": kind, "note": note})
    return rows


def held_out_messages() -> list[dict[str, str]]:
    shared = Path(os.environ.get("JIESU_SHARED_DATA_DIR", "../shared/data"))
    with (shared / "messages" / "train.csv").open(encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh)
                if int("".join(c for c in r["id"] if c.isdigit())) % 5 == 0
                and r["label"].strip() and r["text_segmented"].strip()]


def write(path: Path, fields: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)


def main(argv: list[str]) -> None:
    out = Path(argv[0]) if argv else DATA
    rows = snippets()
    write(out / "calls_blind8.csv", ["text", "district", "street", "kind", "note"], rows)
    picked = random.Random(MESSAGE_SEED).sample(held_out_messages(), len(rows))
    proposals = []
    for row, msg in zip(rows, picked, strict=True):
        sep = "" if row["text"].endswith("。") else "。"
        proposals.append({"text": row["text"] + sep + "".join(msg["text_segmented"].split()),
                          "label": msg["label"], "district": row["district"],
                          "street": row["street"], "kind": row["kind"], "id": msg["id"]})
    write(out / "proposals_blind8.csv", ["text", "label", "district", "street", "kind", "id"],
          proposals)
    print(f"blind8: {len(rows)} snippets -> {out}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
