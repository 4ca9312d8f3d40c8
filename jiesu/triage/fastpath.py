"""Score one message without scikit-learn's per-call overhead.

``Pipeline.predict_proba`` on a single document spends ~5 ms in input validation; the
arithmetic itself takes microseconds. :class:`FastScorer` reads the fitted pieces once
(vocabularies, idf, SVM weights, Platt sigmoids) and repeats exactly what the pipeline
computes: sublinear tf × idf, L2 per block, × the block's weight, ``w·x + b``,
``expit(-(a·d + b))``, normalised.
It is built only for the pipeline shape ``training.build_pipeline`` makes and checked
against the pipeline at load time; anything else keeps the slow, general path.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from itertools import repeat
from typing import Any

import numpy as np

_NO_INDEX: np.ndarray[Any, Any] = np.zeros(0, dtype=np.intp)
_NO_VALUE: np.ndarray[Any, Any] = np.zeros(0)


class _Block:
    def __init__(self, vectorizer: Any, offset: int, weight: float = 1.0) -> None:
        self.weight = weight
        self.analyze: Callable[[str], list[str]] = vectorizer.build_analyzer()
        self.vocab: dict[str, int] = vectorizer.vocabulary_
        self.idf: np.ndarray[Any, Any] = vectorizer.idf_
        self.offset = offset
        self.sublinear = bool(vectorizer.sublinear_tf)

    def features(self) -> int:
        return len(self.idf)

    def vector(self, doc: str) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        counts_of = Counter(self.analyze(doc))
        n = len(counts_of)
        # vocabulary look-ups and counts in C (map, fromiter); -1 marks an unknown term
        ids = np.fromiter(map(self.vocab.get, counts_of, repeat(-1, n)), dtype=np.intp, count=n)
        known = ids >= 0
        if not known.any():
            return _NO_INDEX, _NO_VALUE
        idx = ids[known]
        counts = np.fromiter(counts_of.values(), dtype=float, count=n)[known]
        vals = ((np.log(counts) + 1.0) if self.sublinear else counts) * self.idf[idx]
        norm = math.sqrt(float(vals @ vals))
        if norm:
            vals = vals / norm * self.weight
        return idx + self.offset, vals


class FastScorer:
    def __init__(self, pipeline: Any) -> None:
        union = pipeline.named_steps["features"]
        calibrated = pipeline.named_steps["clf"]
        if len(calibrated.calibrated_classifiers_) != 1:
            raise ValueError("fast path needs ensemble=False calibration")
        cc = calibrated.calibrated_classifiers_[0]
        if cc.method != "sigmoid":
            raise ValueError("fast path needs sigmoid calibration")
        self.blocks: list[_Block] = []
        offset = 0
        weights = union.transformer_weights or {}
        for name, vec in union.transformer_list:
            block = _Block(vec, offset, float(weights.get(name, 1.0)))
            self.blocks.append(block)
            offset += block.features()
        svm = cc.estimator
        # column-major: the weights of one feature for all classes lie together
        self.coef: np.ndarray[Any, Any] = np.asfortranarray(svm.coef_)
        self.intercept: np.ndarray[Any, Any] = np.asarray(svm.intercept_)
        self.a = np.array([c.a_ for c in cc.calibrators], dtype=float)
        self.b = np.array([c.b_ for c in cc.calibrators], dtype=float)
        self.n_classes = len(calibrated.classes_)
        if list(svm.classes_) != list(calibrated.classes_):
            raise ValueError("fast path needs the SVM and calibrator classes in the same order")

    def proba(self, doc: str) -> np.ndarray[Any, Any]:
        parts = [block.vector(doc) for block in self.blocks]
        idx = np.concatenate([i for i, _ in parts])
        x = np.concatenate([v for _, v in parts])
        decision = self.coef[:, idx] @ x + self.intercept
        p = 1.0 / (1.0 + np.exp(self.a * decision + self.b))  # expit(-(a*d + b))
        if self.n_classes == 2:
            return np.array([1.0 - p[0], p[0]])
        total = p.sum()
        return p / total if total > 0 else np.full(self.n_classes, 1.0 / self.n_classes)

    def agrees_with(self, pipeline: Any, docs: Sequence[str]) -> bool:
        slow = np.asarray(pipeline.predict_proba(list(docs)))
        fast = np.vstack([self.proba(d) for d in docs])
        return bool(np.allclose(slow, fast, atol=1e-6))


def build_fast_scorer(pipeline: Any, probe: Sequence[str]) -> FastScorer | None:
    """A checked fast scorer, or ``None`` when the pipeline has another shape."""
    try:
        scorer = FastScorer(pipeline)
    except (AttributeError, KeyError, ValueError, TypeError):
        return None
    return scorer if scorer.agrees_with(pipeline, probe) else None
