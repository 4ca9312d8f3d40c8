"""Category classifier, issue 10's fourth round: the ideas that did not beat the shipped model.

5-fold stratified CV (seed 0) on the development four fifths of ``train.csv`` (ids not
divisible by 5), the same folds as ``bench_category --cv`` and docs/triage.md; every score is
the test fold's macro-F1 of a Platt-calibrated LinearSVC (C=1, balanced), the shipped head
model's shape, against the shipped head model on the same fold:

- per-class offsets on the log-probabilities, tuned for macro-F1 (coordinate ascent) on the
  other four folds' out-of-fold probabilities (nested), and one offset for 交通运输 alone;
- character 1-5-grams of the joined tokens: alone, replacing the 1-3-gram block, as a
  z-scored vote beside the shipped model;
- a second stage for the confused pairs: a binary SVM per pair trained on the fold's rows of
  those two classes, deciding where the pair is the shipped model's top two (probability gap
  under 0.1, or always);
- the raw-like rendering: test messages as tokens joined and segmented again (what prediction
  sees), scored by the shipped model and by one trained on the same rendering.

Usage: nice -n 10 .venv/bin/python -m bench.bench_category_ideas   (about 6-8 min CPU)
Prints figures only; never part of pass/fail.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from bench.bench_category import held_out, shared_train
from jiesu.triage.text import segment_raw, strip_spaces
from jiesu.triage.training import build_pipeline, to_examples

PAIRS = (
    ("城乡建设", "环境保护"),
    ("城乡建设", "交通运输"),
    ("城乡建设", "商贸旅游"),
    ("交通运输", "商贸旅游"),
    ("劳动和社会保障", "城乡建设"),
)
Matrix = Any


def calibrated_svm() -> Any:
    """The shipped head model's classifier, unfitted (``build_pipeline``)."""
    return clone(build_pipeline().head)


def chars_1_5() -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="char", ngram_range=(1, 5), preprocessor=strip_spaces, sublinear_tf=True, min_df=2
    )


def zscore(d: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    return np.asarray((d - d.mean()) / d.std())


def proba_and_decision(
    train: Matrix, labels: np.ndarray[Any, Any], test: Matrix
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], Any]:
    """The test rows' calibrated probabilities, the SVM's decisions, and the model."""
    model = calibrated_svm().fit(train, labels)
    svm = model.calibrated_classifiers_[0].estimator
    return np.asarray(model.predict_proba(test)), np.asarray(svm.decision_function(test)), model


def second_stage(
    proba: np.ndarray[Any, Any],
    classes: Sequence[str],
    pair_decisions: dict[tuple[str, str], np.ndarray[Any, Any]],
    max_gap: float,
) -> np.ndarray[Any, Any]:
    """Class indices: the pair's SVM decides where its two classes are the top two."""
    order = np.argsort(-proba, axis=1)
    top1, top2 = order[:, 0], order[:, 1]
    rows = np.arange(len(proba))
    gap = proba[rows, top1] - proba[rows, top2]
    pred = top1.copy()
    for pair, decision in pair_decisions.items():
        i, j = classes.index(pair[0]), classes.index(pair[1])
        hit = (((top1 == i) & (top2 == j)) | ((top1 == j) & (top2 == i))) & (gap < max_gap)
        pred[hit] = np.where(decision[hit] > 0, j, i)
    return pred


def tune_offsets(
    scores: np.ndarray[Any, Any],
    truth: np.ndarray[Any, Any],
    classes: np.ndarray[Any, Any],
    columns: Sequence[int],
    grid: np.ndarray[Any, Any],
) -> np.ndarray[Any, Any]:
    """Per-class additive offsets maximising macro-F1 (coordinate ascent, three rounds)."""
    offsets = np.zeros(scores.shape[1])

    def score(b: np.ndarray[Any, Any]) -> float:
        return float(f1_score(truth, classes[(scores + b).argmax(1)], average="macro"))

    best = score(offsets)
    for _ in range(3):
        for j in columns:
            for g in grid:
                trial = offsets.copy()
                trial[j] = g
                f = score(trial)
                if f > best + 1e-9:
                    best, offsets = f, trial
    return offsets


def main() -> None:
    t_start = time.process_time()
    load_start = os.getloadavg()[0]
    examples = to_examples([r for r in shared_train() if not held_out(r)])
    x = np.array([e.segmented for e in examples], dtype=object)
    y = np.array([e.label for e in examples])
    # the raw-like rendering: tokens joined, segmented again as prediction does
    x_raw = np.array([segment_raw(s.replace(" ", "")) or s for s in x], dtype=object)
    classes = sorted(set(y))
    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(x, y))
    oof = np.zeros((len(y), len(classes)))  # the shipped model's out-of-fold probabilities
    preds: dict[str, list[np.ndarray[Any, Any]]] = {}
    truth: list[np.ndarray[Any, Any]] = []

    def keep(name: str, pred: np.ndarray[Any, Any]) -> None:
        preds.setdefault(name, []).append(np.asarray(classes)[pred])

    for k, (tr, te) in enumerate(folds):
        truth.append(y[te])
        union = build_pipeline().features
        a, b = union.fit_transform(x[tr], y[tr]).tocsr(), union.transform(x[te]).tocsr()
        cuts = np.cumsum([len(v.vocabulary_) for _, v in union.transformer_list])
        p_ship, d_ship, shipped = proba_and_decision(a, y[tr], b)
        oof[te] = p_ship
        keep("shipped (head model, Platt)", p_ship.argmax(1))
        keep(
            "shipped, raw-like test text",
            shipped.predict_proba(union.transform(x_raw[te])).argmax(1),
        )
        union_raw = build_pipeline().features
        a_raw = union_raw.fit_transform(x_raw[tr], y[tr])
        p_raw = calibrated_svm().fit(a_raw, y[tr]).predict_proba(union_raw.transform(x_raw[te]))
        keep("trained and tested on the raw-like text", p_raw.argmax(1))
        vec = chars_1_5()
        c_tr, c_te = vec.fit_transform(x[tr]), vec.transform(x[te])
        p_c15, d_c15, _ = proba_and_decision(c_tr, y[tr], c_te)
        keep("chars 1-5 alone", p_c15.argmax(1))
        for w in (0.3, 1.0):
            keep(
                f"z(shipped) + {w} z(chars 1-5), decisions",
                (zscore(d_ship) + w * zscore(d_c15)).argmax(1),
            )
        swap = sp.hstack([a[:, : cuts[0]], c_tr, a[:, cuts[1] :]]).tocsr()
        swap_te = sp.hstack([b[:, : cuts[0]], c_te, b[:, cuts[1] :]]).tocsr()
        keep(
            "words + chars 1-5 + head (1-3 replaced)",
            proba_and_decision(swap, y[tr], swap_te)[0].argmax(1),
        )
        pair_decisions = {}
        for pair in PAIRS:
            m = np.isin(y[tr], pair)
            svm = LinearSVC(C=1.0, class_weight="balanced", random_state=0)
            svm.fit(a[m], y[tr][m] == pair[1])
            pair_decisions[pair] = svm.decision_function(b)
        for gap in (0.1, 1.01):
            keep(
                f"second stage for 5 pairs, gap < {gap:g}",
                second_stage(p_ship, classes, pair_decisions, gap),
            )
        print(f"fold {k} done, {time.process_time() - t_start:.0f} s CPU", flush=True)

    log_p = np.log(np.clip(oof, 1e-9, 1.0))
    labels = np.asarray(classes)
    variants: dict[str, tuple[Sequence[int], np.ndarray[Any, Any]]] = {
        "offsets per class (log p), nested": (range(len(classes)), np.linspace(-1.5, 1.5, 31)),
        "one offset for 交通运输 (log p), nested": (
            [classes.index("交通运输")],
            np.linspace(0.0, 1.5, 31),
        ),
    }
    for name, (columns, grid) in variants.items():
        for k, (_, te) in enumerate(folds):
            rest = np.concatenate([t for j, (_, t) in enumerate(folds) if j != k])
            b = tune_offsets(log_p[rest], y[rest], labels, columns, grid)
            keep(name, (log_p[te] + b).argmax(1))

    def fold_f1(fold_preds: Sequence[np.ndarray[Any, Any]]) -> list[float]:
        return [
            float(f1_score(t, p, average="macro")) for t, p in zip(truth, fold_preds, strict=True)
        ]

    base = fold_f1(preds["shipped (head model, Platt)"])
    print(f"5-fold CV, development four fifths ({len(y)} rows), macro-F1:")
    for name, fold_preds in preds.items():
        f1s = fold_f1(fold_preds)
        better = sum(f > g for f, g in zip(f1s, base, strict=True))
        print(
            f"  {name}: {np.mean(f1s):.4f} (folds {', '.join(f'{f:.4f}' for f in f1s)}); "
            f"{np.mean(f1s) - np.mean(base):+.4f} against the shipped model, better in {better}/5"
        )
    print(
        f"{time.process_time() - t_start:.0f} s CPU, load average {load_start:.1f} -> "
        f"{os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
