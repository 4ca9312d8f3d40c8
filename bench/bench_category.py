"""Category classifier: the shipped model against the plain word+char TF-IDF SVM, one run.

Both are trained on the development four fifths of ``train.csv`` (ids not divisible by 5) and
judged on the held-out fifth (ids divisible by 5, 1,631 messages), which no setting was tuned
on (docs/triage.md, "The head block"): macro-F1 and accuracy on the segmented text and on the
same words joined back into raw text (what arrives at intake), the lowest confidence at which
each is right 98 % of the time and the share it then decides alone, and CPU ms per raw message
(title + body from hot_issues.csv/replies.csv, segmentation included) of each classifier, of
the shipped one scored the way it was before the speed round, and of the whole suggest(), all
taking turns in one run (p50/p99 and the ratio against the plain SVM).

Usage: .venv/bin/python -m bench.bench_category [--cv] [--messages N]
(`make bench` runs it without options.)
``--cv`` adds 5-fold stratified cross-validation on the development four fifths (slow).
Prints figures only; never part of pass/fail.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import time
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.bench_triage import pct, raw_messages
from jiesu.triage.classifier import CategoryModel
from jiesu.triage.evaluation import evaluate
from jiesu.triage.fastpath import FastScorer
from jiesu.triage.places import build_gazetteer
from jiesu.triage.service import TriageEngine
from jiesu.triage.text import _PUNCT_OR_SPACE, MAX_CHARS, _tokenizer, stopwords
from jiesu.triage.training import (
    HEAD_TOKENS,
    HEAD_WEIGHT,
    ModelInfo,
    build_pipeline,
    cross_validate,
    to_examples,
)

MODELS: dict[str, dict[str, Any]] = {
    "plain word+char SVM": {"head_weight": 0.0},
    f"shipped (head {HEAD_TOKENS} tokens x{HEAD_WEIGHT})": {},
}


def shared_train() -> list[dict[str, str]]:
    from jiesu.triage.cli import shared_train_csv

    path: Path = shared_train_csv()
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def held_out(row: dict[str, str]) -> bool:
    return int(row["id"].rsplit("-", 1)[-1]) % 5 == 0


def as_raw(rows: Sequence[dict[str, str]]) -> list[dict[str, str]]:
    """The segmented words joined back into one string: raw text as it arrives."""
    return [
        {"id": r["id"], "text": r["text_segmented"].replace(" ", ""), "label": r["label"]}
        for r in rows
    ]


def fitted(rows: Sequence[dict[str, str]], **options: Any) -> CategoryModel:
    examples = to_examples(rows)
    pipeline = build_pipeline(**options)
    pipeline.fit([e.segmented for e in examples], [e.label for e in examples])
    labels = sorted({e.label for e in examples})
    return CategoryModel(pipeline, ModelInfo("bench", "", "", "", len(examples), labels, {}))


def _point(report: dict[str, Any]) -> str:
    p = report["precision_point"]
    if not p:
        return "98 % never reached"
    return f"98 % at confidence >= {p['threshold']:.2f}, deciding {p['coverage']:.1%} alone"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cv", action="store_true")
    parser.add_argument("--messages", type=int, default=500)
    args = parser.parse_args(argv if argv is not None else [])
    rows = shared_train()
    dev = [r for r in rows if not held_out(r)]
    blind = [r for r in rows if held_out(r)]
    messages = raw_messages(args.messages)
    print(f"train.csv: {len(dev)} development rows, {len(blind)} held-out rows")
    models: dict[str, CategoryModel] = {}
    for name, options in MODELS.items():
        t0 = time.process_time()
        model = models[name] = fitted(dev, **options)
        t_fit = time.process_time() - t0
        seg = evaluate(model, blind).as_dict()
        raw = evaluate(model, as_raw(blind)).as_dict()
        print(
            f"{name}: fit {t_fit:.0f} s CPU; held-out fifth macro-F1 {seg['macro_f1']:.4f} "
            f"(accuracy {seg['accuracy']:.4f}) segmented, {raw['macro_f1']:.4f} "
            f"(accuracy {raw['accuracy']:.4f}) as raw text; raw: {_point(raw)}"
        )
        curve = ", ".join(
            f">={c['threshold']:.2f}: {c['coverage']:.1%}/{c['accuracy']:.1%}"
            for c in raw["coverage"]
        )
        print(f"  coverage/accuracy as raw text: {curve}")
        if args.cv:
            cv = cross_validate(to_examples(dev), folds=5, **options)
            print(
                f"  5-fold CV on the development rows: macro-F1 {cv['macro_f1']:.4f} "
                f"(folds {', '.join(f'{f:.4f}' for f in cv['macro_f1_per_fold'])})"
            )
    if messages:
        speed(models, messages)


def before_path(model: CategoryModel) -> Callable[[str, str], object]:
    """The shipped model scored as before issue 10's speed round: jieba's Python
    segmentation and one dict look-up per character n-gram string (same probabilities)."""
    scorer = FastScorer(model.pipeline, numpy_chars=False)
    tok, stop = _tokenizer(), stopwords()

    def predict(title: str, body: str) -> object:
        raw = f"{title} {body}" if title else body
        raw = unicodedata.normalize("NFKC", raw[: MAX_CHARS + 50])[:MAX_CHARS]
        words = tok.lcut(raw, HMM=True)  # type: ignore[attr-defined]
        seg = " ".join(
            w for w in words if w.strip() and w not in stop and not _PUNCT_OR_SPACE.match(w)
        )
        return model._prediction(*scorer.twin(seg)) if seg else None

    return predict


def speed(models: dict[str, CategoryModel], messages: Sequence[tuple[str, str]]) -> None:
    """CPU ms per raw message. Every contestant takes its turn on each message (twice, in
    both orders), so a change in the shared machine's load weighs on all alike."""
    plain, shipped = (models[name] for name in MODELS)
    engine = TriageEngine(shipped, build_gazetteer())
    engine.suggest("预热")
    contestants: dict[str, Callable[[str, str], object]] = {
        "plain word+char SVM (classifier alone)": lambda t, b: plain.predict(b, t),
        "shipped classifier alone": lambda t, b: shipped.predict(b, t),
        "shipped classifier, path before (Python jieba, dict look-ups)": before_path(shipped),
        "suggest() with the shipped model": lambda t, b: engine.suggest(b, t),
    }
    times: dict[str, list[float]] = {name: [] for name in contestants}
    load = os.getloadavg()[0]
    for turn in range(2):
        for title, body in messages:
            for name in list(contestants)[:: 1 if turn == 0 else -1]:
                t0 = time.process_time()
                contestants[name](title, body)
                times[name].append((time.process_time() - t0) * 1000)
    avg = sum(len(b) + len(t) for t, b in messages) / len(messages)
    print(
        f"speed: {len(messages)} raw messages x2 (title + body, avg {avg:.0f} chars), CPU time, "
        f"load average {load:.1f} -> {os.getloadavg()[0]:.1f}; fast path "
        f"{'on' if shipped.fast is not None and plain.fast is not None else 'OFF'}"
    )
    for name, spent in times.items():
        print(
            f"  {name}: mean {statistics.mean(spent):.2f} ms, p50 {pct(spent, 0.5):.2f}, "
            f"p99 {pct(spent, 0.99):.2f}"
        )
    base, alone, before, whole = times.values()
    mean = statistics.mean
    print(f"shipped vs plain SVM, classifier alone, mean: x{mean(alone) / mean(base):.2f}")
    print(f"shipped classifier now vs the path before, mean: x{mean(alone) / mean(before):.2f}")
    print(
        "suggest() vs the plain SVM classifier alone, same run: "
        f"p50 {pct(whole, 0.5):.2f} / {pct(base, 0.5):.2f} ms = "
        f"x{pct(whole, 0.5) / pct(base, 0.5):.2f}, p99 {pct(whole, 0.99):.2f} / "
        f"{pct(base, 0.99):.2f} ms = x{pct(whole, 0.99) / pct(base, 0.99):.2f}"
    )

if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
