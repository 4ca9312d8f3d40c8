"""Evaluate a category model on labelled raw messages; retrain with confirmed categories."""

from __future__ import annotations

import random
import time
import warnings
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

from jiesu.triage.classifier import CategoryModel, ModelNotFound, load_current
from jiesu.triage.text import segment_raw
from jiesu.triage.training import (
    CURVE_TARGETS,
    THRESHOLDS,
    Example,
    ModelInfo,
    fit,
    models_dir,
    precision_at,
    save_model,
    seen_keys,
    text_key,
    to_examples,
)


@dataclass
class EvaluationReport:
    n: int
    accuracy: float
    macro_f1: float
    per_class: dict[str, dict[str, float]]
    confusion: dict[str, Any]
    coverage: list[dict[str, float]]
    ms_per_message: float
    skipped: list[dict[str, str]] = field(default_factory=list)
    model_version: str = ""
    precision_point: dict[str, float] = field(default_factory=dict)
    # the 98 % and 99 % points of the curve, and the model's own floor applied to this file
    precision_points: dict[str, dict[str, float]] = field(default_factory=dict)
    at_floor: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _segment(row: Mapping[str, Any]) -> str:
    seg = str(row.get("text_segmented") or "").strip()
    if seg:
        return seg
    text = str(row.get("text") or "").strip()
    title = str(row.get("title") or "").strip() or None
    return segment_raw(text, title) if (text or title) else ""


def evaluate(model: CategoryModel, rows: Iterable[Mapping[str, Any]]) -> EvaluationReport:
    """Rows: ``text``, ``label`` [, ``title``, ``id``] (raw) or ``text_segmented``.

    Rows with an empty text or a label the model does not know are reported in
    ``skipped`` and left out of the figures. Timing covers segmentation + prediction.
    """
    known = set(model.labels)
    skipped: list[dict[str, str]] = []
    truth: list[str] = []
    preds: list[str] = []
    confs: list[float] = []
    elapsed = 0.0
    for i, row in enumerate(rows):
        rid = str(row.get("id") or i)
        label = str(row.get("label") or "").strip()
        if label not in known:
            skipped.append({"id": rid, "reason": f"未知类别：{label or '（空）'}"})
            continue
        t0 = time.perf_counter()
        seg = _segment(row)
        if not seg:
            skipped.append({"id": rid, "reason": "文本为空"})
            continue
        p = model.predict_segmented(seg)
        elapsed += time.perf_counter() - t0
        truth.append(label)
        preds.append(p.label)
        confs.append(p.confidence)
    labels = [lab for lab in model.labels if lab in set(truth) | set(preds)]
    if not truth:
        return EvaluationReport(
            0, 0.0, 0.0, {}, {"labels": [], "matrix": []}, [], 0.0, skipped, model.version
        )
    with warnings.catch_warnings():  # one-label slices are fine: the labels are passed
        warnings.simplefilter("ignore", UserWarning)
        prec, rec, f1, sup = precision_recall_fscore_support(
            truth, preds, labels=labels, zero_division=0
        )
        matrix = confusion_matrix(truth, preds, labels=labels).tolist()
    per_class = {
        lab: {
            "precision": round(float(p), 4),
            "recall": round(float(r), 4),
            "f1": round(float(f), 4),
            "support": int(s),
        }
        for lab, p, r, f, s in zip(labels, prec, rec, f1, sup, strict=True)
        if s > 0 or lab in set(preds)
    }
    t_arr, p_arr, c_arr = np.array(truth), np.array(preds), np.array(confs)
    coverage = []
    for t in THRESHOLDS:
        keep = c_arr >= t
        n = int(keep.sum())
        acc = float((t_arr[keep] == p_arr[keep]).mean()) if n else 0.0
        coverage.append(
            {"threshold": t, "coverage": round(n / len(truth), 4), "accuracy": round(acc, 4)}
        )
    present = [lab for lab in labels if lab in set(truth)]
    point = precision_point(t_arr == p_arr, c_arr)
    ok_arr = t_arr == p_arr
    points = {f"{t:.2f}": precision_at(ok_arr, c_arr, t) for t in CURVE_TARGETS}
    keep = c_arr >= model.min_confidence
    at_floor = {
        "threshold": model.min_confidence,
        "coverage": round(float(keep.mean()), 4),
        "accuracy": round(float(ok_arr[keep].mean()), 4) if keep.any() else 0.0,
        "wrong_of_all": round(float((keep & ~ok_arr).mean()), 4),
    }
    return EvaluationReport(
        n=len(truth),
        accuracy=round(float((t_arr == p_arr).mean()), 4),
        macro_f1=round(
            float(f1_score(truth, preds, labels=present, average="macro", zero_division=0)), 4
        ),
        per_class=per_class,
        confusion={
            "labels": labels,
            "matrix": matrix,
        },
        coverage=coverage,
        ms_per_message=round(elapsed * 1000 / len(truth), 3),
        skipped=skipped,
        model_version=model.version,
        precision_point=point,
        precision_points=points,
        at_floor=at_floor,
    )


def precision_point(
    correct: np.ndarray[Any, Any], confidence: np.ndarray[Any, Any], target: float = 0.98
) -> dict[str, float]:
    """The lowest confidence (0.01 steps) at which the model is right ``target`` of the
    time, and the share of messages it then decides alone; empty when none reaches it."""
    for step in range(0, 100):
        t = step / 100
        keep = confidence >= t
        n = int(keep.sum())
        if n and float(correct[keep].mean()) >= target:
            return {
                "target": target,
                "threshold": t,
                "coverage": round(n / len(correct), 4),
                "accuracy": round(float(correct[keep].mean()), 4),
            }
    return {}


def split_holdout(
    examples: Sequence[Example], fraction: float, seed: int = 0
) -> tuple[list[Example], list[Example]]:
    """Stratified split: ``fraction`` of every label (at least one when it has ≥2) held out."""
    by_label: dict[str, list[Example]] = defaultdict(list)
    for ex in examples:
        by_label[ex.label].append(ex)
    rng = random.Random(seed)
    train, hold = [], []
    for label in sorted(by_label):
        group = by_label[label][:]
        rng.shuffle(group)
        k = round(len(group) * fraction)
        k = min(max(k, 1), len(group) - 1) if len(group) >= 2 else 0
        hold += group[:k]
        train += group[k:]
    return train, hold


@dataclass
class RetrainReport:
    kept_new: bool
    reason: str
    old_version: str | None
    new_version: str | None
    n_train: int
    n_holdout: int
    new_labels: list[str]
    old: dict[str, Any] | None
    new: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _rows(examples: Sequence[Example]) -> list[dict[str, str]]:
    return [
        {"text_segmented": e.segmented, "label": e.label, "id": str(i)}
        for i, e in enumerate(examples)
    ]


def _holdout_figures(model: CategoryModel, hold: Sequence[Example]) -> dict[str, Any]:
    """Accuracy/macro-F1 on the whole holdout; labels the model lacks count as errors."""
    preds = [model.predict_segmented(e.segmented).label for e in hold]
    truth = [e.label for e in hold]
    labels = sorted(set(truth))
    return {
        "version": model.version,
        "accuracy": round(float(np.mean([p == t for p, t in zip(preds, truth, strict=True)])), 4),
        "macro_f1": round(
            float(f1_score(truth, preds, labels=labels, average="macro", zero_division=0)), 4
        ),
    }


def retrain(
    base_rows: Iterable[Mapping[str, Any]],
    extra_rows: Iterable[Mapping[str, Any]],
    holdout_fraction: float = 0.2,
    data_dir: Path | None = None,
    *,
    current: CategoryModel | None = None,
    seed: int = 0,
    now: datetime | None = None,
) -> RetrainReport:
    """Train on shared data + dispatchers' confirmed categories; keep it only if not worse.

    The held-out slice is drawn from confirmed rows the current model never trained on (its
    `.seen` file; the shared base for older models), so neither model has seen it: a model
    scored on its own training rows would always look best. The challenger learns from
    everything else; when it is not worse there, the kept model is refitted on all rows.
    Labels that appear only in ``extra_rows`` (a centre's own categories) are learnt.
    """
    base = to_examples(base_rows)
    extra = to_examples(extra_rows)
    if current is None:
        try:
            current = load_current(data_dir, warm=False)
        except ModelNotFound:
            current = None
    new_labels = sorted({e.label for e in extra} - {e.label for e in base})
    seen = _seen_by(current, data_dir, base)
    unseen = [e for e in extra if text_key(e.segmented) not in seen]
    hold = split_holdout(unseen, holdout_fraction, seed)[1] if unseen else []
    held = {id(e) for e in hold}
    train_part = [e for e in [*base, *extra] if id(e) not in held]
    old_fig = _holdout_figures(current, hold) if current is not None and hold else None
    new_fig: dict[str, Any] = {"accuracy": None, "macro_f1": None}
    if current is not None and not hold:
        kept, reason = False, "没有旧模型未见过的已确认工单可供比较，保留旧模型"
    else:
        challenger = CategoryModel(fit(train_part), _unsaved_info(train_part))
        if hold:
            new_fig = _holdout_figures(challenger, hold)
        if old_fig is None:
            kept, reason = True, "没有旧模型，采用新模型"
        elif new_fig["macro_f1"] >= old_fig["macro_f1"]:
            kept, reason = True, "新模型在旧模型未见过的留出集上不差于旧模型"
        else:
            kept, reason = False, "新模型在旧模型未见过的留出集上更差，保留旧模型"
    info = None
    if kept:
        everything = [*base, *extra]
        info = save_model(fit(everything), everything, data_dir, now=now, make_current=True)
    return RetrainReport(
        kept_new=kept,
        reason=reason,
        old_version=current.version if current is not None else None,
        new_version=info.version if info is not None else None,
        n_train=len(train_part),
        n_holdout=len(hold),
        new_labels=new_labels,
        old=old_fig,
        new=new_fig,
    )


def _seen_by(
    current: CategoryModel | None, data_dir: Path | None, base: Sequence[Example]
) -> set[str]:
    keys = None
    if current is not None and current.info.model_file:
        keys = seen_keys(models_dir(data_dir) / current.info.model_file)
    return keys if keys is not None else {text_key(e.segmented) for e in base}


def _unsaved_info(examples: Sequence[Example]) -> ModelInfo:
    labels = sorted({e.label for e in examples})
    return ModelInfo("challenger", "", "", "", len(examples), labels, {})
