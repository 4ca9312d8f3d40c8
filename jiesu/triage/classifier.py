"""Category classifier at prediction time: load the current model, predict a category.

The confidence is the model's score passed through its calibration (``training.calibrate``:
isotonic, fitted on out-of-fold predictions), so it reads as the chance that the label is
right; models without one use the score itself. The score is the lower of the head and the
plain model's probabilities for the label (``twin.twin_top``), or the top probability for a
model with one SVM. Below the
floor (``JIESU_TRIAGE_MIN_CONFIDENCE``, default from the model's sidecar: the lowest
confidence right ≥ 99 % of the time on the development split) the suggestion is flagged
``needs_person``: the dispatcher picks the category by hand.
"""

from __future__ import annotations

import json
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np

from jiesu.triage.fastpath import build_fast_scorer
from jiesu.triage.text import segment_raw, warm_up
from jiesu.triage.training import CURRENT_POINTER, ModelInfo, models_dir
from jiesu.triage.twin import predict_twin

MIN_CONFIDENCE_ENV = "JIESU_TRIAGE_MIN_CONFIDENCE"
# Checked at load: the fast scorer must give the pipeline's probabilities on these.
_PROBES = ("小区 门口 垃圾 堆放 无人 清理", "公司 拖欠 工资 三个 月", "孩子 入学 学区")


class ModelNotFound(FileNotFoundError):
    """No trained category model in the data directory (run ``jiesu triage ensure-model``)."""

    code = "triage_model_not_found"


@dataclass(frozen=True)
class CategoryPrediction:
    label: str
    confidence: float
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    needs_person: bool = False
    probability: float | None = None  # the score before calibration (twin.twin_top)


class CategoryModel:
    """A fitted pipeline plus its sidecar information."""

    def __init__(self, pipeline: Any, info: ModelInfo, min_confidence: float | None = None) -> None:
        self.pipeline = pipeline
        self.info = info
        env = os.environ.get(MIN_CONFIDENCE_ENV)
        if min_confidence is None and env:
            min_confidence = float(env)
        self.min_confidence = info.min_confidence if min_confidence is None else min_confidence
        self.labels: list[str] = [str(c) for c in pipeline.classes_]
        self.fast = build_fast_scorer(pipeline, _PROBES)
        cal = info.calibration or {}
        self._cal_x = np.asarray(cal.get("x") or [], dtype=float)
        self._cal_y = np.asarray(cal.get("y") or [], dtype=float)

    def calibrated(self, probability: float) -> float:
        """The score (twin.twin_top) → the chance of being right (identity without a map)."""
        if not len(self._cal_x):
            return probability
        return float(np.interp(probability, self._cal_x, self._cal_y))

    @property
    def version(self) -> str:
        return self.info.version

    def predict_segmented(self, segmented: str) -> CategoryPrediction:
        if self.fast is not None:
            return self._prediction(*self.fast.twin(segmented))
        return self.predict_many_segmented([segmented])[0]

    def predict_many_segmented(self, segmented: list[str]) -> list[CategoryPrediction]:
        head, plain = predict_twin(self.pipeline, segmented)
        if plain is None:
            return [self._prediction(row, None) for row in head]
        return [self._prediction(row, other) for row, other in zip(head, plain, strict=True)]

    def _prediction(
        self, row: np.ndarray[Any, Any], plain: np.ndarray[Any, Any] | None
    ) -> CategoryPrediction:
        order = np.argsort(-row)
        best = int(order[0])
        prob = float(row[best]) if plain is None else min(float(row[best]), float(plain[best]))
        conf = self.calibrated(prob)
        alts = [(self.labels[int(j)], round(float(row[int(j)]), 4)) for j in order[1:4]]
        return CategoryPrediction(
            label=self.labels[best],
            confidence=round(conf, 6),
            alternatives=alts,
            needs_person=conf < self.min_confidence,
            probability=round(prob, 4),
        )

    def predict(self, text: str, title: str | None = None) -> CategoryPrediction:
        """Raw, unsegmented Chinese text (and optional title) → category."""
        seg = segment_raw(text or "", title)
        if not seg:
            return CategoryPrediction(label="", confidence=0.0, needs_person=True)
        return self.predict_segmented(seg)


def load_model(path: Path, min_confidence: float | None = None) -> CategoryModel:
    info_path = path.with_suffix(".json")
    raw = json.loads(info_path.read_text(encoding="utf-8"))
    known = set(ModelInfo.__dataclass_fields__)
    info = ModelInfo(**{k: v for k, v in raw.items() if k in known})
    if path.suffix == ".joblib":  # older model files
        pipeline = joblib.load(path)
    else:
        with path.open("rb") as fh:
            pipeline = pickle.load(fh)  # our own model files only
    return CategoryModel(pipeline, info, min_confidence)


def current_model_path(data_dir: Path | None = None) -> Path | None:
    out_dir = models_dir(data_dir)
    pointer = out_dir / CURRENT_POINTER
    if not pointer.exists():
        return None
    name = json.loads(pointer.read_text(encoding="utf-8"))["model_file"]
    path = out_dir / name
    return path if path.exists() else None


def load_current(
    data_dir: Path | None = None, min_confidence: float | None = None, *, warm: bool = True
) -> CategoryModel:
    """The model ``category-current.json`` points at; raises :class:`ModelNotFound`."""
    path = current_model_path(data_dir)
    if path is None:
        raise ModelNotFound(
            f"未找到分类模型：{models_dir(data_dir)}（请先运行 jiesu triage train）"
        )
    model = load_model(path, min_confidence)
    if warm:
        warm_up()
    return model
