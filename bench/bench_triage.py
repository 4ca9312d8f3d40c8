"""Triage speed: classifier load and ms/message, places texts/s, suggest() p50/p99.

Usage: .venv/bin/python bench/bench_triage.py [N]   (needs a model: jiesu triage ensure-model)
Figures use CPU time (time.process_time) so a busy machine distorts them less.
Prints figures only; never part of pass/fail.
"""

from __future__ import annotations

import csv
import os
import statistics
import sys
import time
from pathlib import Path

from jiesu.triage.places import build_gazetteer
from jiesu.triage.places_eval import EVAL_FILE, read_rows

REPO = Path(__file__).resolve().parents[1]


def raw_messages(limit: int) -> list[tuple[str, str]]:
    base = Path(os.environ.get("JIESU_SHARED_DATA", "../shared/data"))
    root = (
        base
        if base.is_absolute()
        else next((p for p in (Path.cwd() / base, REPO / base) if p.exists()), REPO / base)
    )
    out: list[tuple[str, str]] = []
    for name in ("hot_issues.csv", "replies.csv"):
        path = root / "messages" / name
        if path.exists():
            with path.open(encoding="utf-8") as fh:
                out += [(r["title"], r["body"]) for r in csv.DictReader(fh)]
    return out[:limit]


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    messages = raw_messages(n)
    snippets = [r["text"] for r in read_rows(EVAL_FILE)]

    t0 = time.process_time()
    gaz = build_gazetteer()
    gaz.resolve("预热")
    print(f"gazetteer build+compile: {time.process_time() - t0:.2f} s ({len(gaz)} names)")
    bodies = [b for _, b in messages]
    for label, texts in (("eval snippets", snippets * 20), ("raw messages", bodies)):
        if not texts:
            continue
        t0 = time.process_time()
        for t in texts:
            gaz.resolve(t)
        dt = time.process_time() - t0
        avg = sum(map(len, texts)) / len(texts)
        print(f"places {label}: {len(texts) / dt:,.0f} texts/s (avg {avg:.0f} chars)")

    from jiesu.triage.classifier import ModelNotFound, load_current

    try:
        t0 = time.process_time()
        model = load_current(warm=False)
        t_model = time.process_time() - t0
        t0 = time.process_time()
        from jiesu.triage.text import warm_up

        warm_up()
        t_jieba = time.process_time() - t0
    except ModelNotFound:
        print("no category model: run `jiesu triage ensure-model` first")
        return
    print(f"model load: {t_model:.2f} s (+ jieba dictionary {t_jieba:.2f} s), {model.version}")
    times = []
    for title, body in messages:
        t0 = time.process_time()
        model.predict(body, title)
        times.append((time.process_time() - t0) * 1000)
    if times:
        avg = sum(len(b) + len(t) for t, b in messages) / len(messages)
        print(
            f"classifier: {statistics.mean(times):.2f} ms/message mean, p50 {pct(times, 0.5):.2f}, "
            f"p99 {pct(times, 0.99):.2f} (n={len(times)}, avg {avg:.0f} chars)"
        )
        short = [b[:120] for _, b in messages]
        t0 = time.process_time()
        for b in short:
            model.predict(b)
        ms = (time.process_time() - t0) * 1000 / len(short)
        print(f"classifier on 120-char texts: {ms:.2f} ms/message")

    from jiesu.triage.service import TriageEngine

    engine = TriageEngine(model, gaz)
    totals = []
    for title, body in messages:
        t0 = time.process_time()
        engine.suggest(body, title)
        totals.append((time.process_time() - t0) * 1000)
    if totals:
        p50, p99 = pct(totals, 0.5), pct(totals, 0.99)
        print(f"suggest(): p50 {p50:.2f} ms, p99 {p99:.2f} ms (n={len(totals)})")


if __name__ == "__main__":
    main()
