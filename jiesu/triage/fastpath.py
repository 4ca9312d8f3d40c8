"""Score one message without scikit-learn's per-call overhead.

``Pipeline.predict_proba`` on a single document spends ~5 ms in input validation; the
arithmetic itself takes microseconds. :class:`FastScorer` reads the fitted pieces once
(vocabularies, idf, SVM weights, Platt sigmoids) and repeats exactly what the pipeline
computes: sublinear tf × idf, L2 per block, × the block's weight, ``w·x + b``,
``expit(-(a·d + b))``, normalised.
It is built only for the pipeline shape ``training.build_pipeline`` makes and checked
against the pipeline at load time; anything else keeps the slow, general path.

Character n-gram blocks (n ≤ 3) are counted and looked up in numpy (:class:`_CharBlock`):
a 400-character message has about a thousand n-grams, and building a string for each and
looking it up in a 470k-term dict was half of the classifier's time.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from itertools import repeat
from typing import Any

import numpy as np

from jiesu.triage.twin import TwinPipeline, predict_twin

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
        counts = np.fromiter(counts_of.values(), dtype=float, count=n)[known]
        return self.weigh(ids[known], counts)

    def weigh(
        self, idx: np.ndarray[Any, Any], counts: np.ndarray[Any, Any]
    ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """Term ids and counts → the block's columns and its tf-idf values (L2, × weight)."""
        vals = ((np.log(counts) + 1.0) if self.sublinear else counts) * self.idf[idx]
        norm = math.sqrt(float(vals @ vals))
        if norm:
            vals = vals / norm * self.weight
        return idx + self.offset, vals


_BITS = 21  # a code point + 1 fits in 21 bits; three of them in one uint64
_MAX_CHAR_N = 3


def _codes(text: str) -> np.ndarray[Any, Any]:
    """Code points + 1 (so that no character packs to 0) as uint64."""
    raw = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return raw.astype(np.uint64) + np.uint64(1)


def _pack(columns: Sequence[np.ndarray[Any, Any]]) -> np.ndarray[Any, Any]:
    key = columns[0].copy()
    for col in columns[1:]:
        key = (key << np.uint64(_BITS)) | col
    return key


def gram_keys(text: str, lo: int, hi: int) -> np.ndarray[Any, Any]:
    """One key per character n-gram of ``text`` (lo ≤ n ≤ hi), in sklearn's order."""
    c = _codes(text)
    m = len(c)
    parts = [_pack([c[j : m - n + 1 + j] for j in range(n)]) for n in range(lo, min(hi, m) + 1)]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)


def vocabulary_keys(vocab: dict[str, int]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """A char n-gram vocabulary as sorted keys and their term ids."""
    by_length: dict[int, list[str]] = {}
    for term in vocab:
        by_length.setdefault(len(term), []).append(term)
    keys, ids = [], []
    for n, terms in by_length.items():
        if not 1 <= n <= _MAX_CHAR_N:
            raise ValueError(f"char n-gram of length {n}")
        c = _codes("".join(terms)).reshape(-1, n)
        keys.append(_pack([c[:, j] for j in range(n)]))
        ids.append(np.fromiter(map(vocab.__getitem__, terms), dtype=np.intp, count=len(terms)))
    all_keys, all_ids = np.concatenate(keys), np.concatenate(ids)
    order = np.argsort(all_keys)
    return all_keys[order], all_ids[order]


class _CharBlock(_Block):
    """A ``TfidfVectorizer(analyzer="char", preprocessor=…)`` block, n ≤ 3, in numpy: each
    n-gram is one 63-bit key, counted with ``np.unique`` and found by binary search."""

    def __init__(self, vectorizer: Any, offset: int, weight: float = 1.0) -> None:
        super().__init__(vectorizer, offset, weight)
        lo, hi = vectorizer.ngram_range
        if vectorizer.analyzer != "char" or vectorizer.preprocessor is None:
            raise ValueError("not a char block with its own preprocessor")
        if not 1 <= lo <= hi <= _MAX_CHAR_N:
            raise ValueError(f"char n-grams {lo}-{hi}")
        self.lo, self.hi = lo, hi
        self.preprocess: Callable[[str], str] = vectorizer.preprocessor
        self.white_spaces = vectorizer._white_spaces  # sklearn's own whitespace rule
        self.keys, self.ids = vocabulary_keys(self.vocab)

    def vector(self, doc: str) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        text = self.white_spaces.sub(" ", self.preprocess(doc))
        if not text or not len(self.keys):
            return _NO_INDEX, _NO_VALUE
        grams, counts = np.unique(gram_keys(text, self.lo, self.hi), return_counts=True)
        pos = np.minimum(np.searchsorted(self.keys, grams), len(self.keys) - 1)
        hit = self.keys[pos] == grams
        if not hit.any():
            return _NO_INDEX, _NO_VALUE
        return self.weigh(self.ids[pos[hit]], counts[hit].astype(float))


def _block(vectorizer: Any, offset: int, weight: float) -> _Block:
    if vectorizer.analyzer == "char" and vectorizer.preprocessor is not None:
        return _CharBlock(vectorizer, offset, weight)
    return _Block(vectorizer, offset, weight)


class _Svm:
    """One Platt-calibrated linear SVM read out of ``CalibratedClassifierCV``."""

    def __init__(self, calibrated: Any) -> None:
        if len(calibrated.calibrated_classifiers_) != 1:
            raise ValueError("fast path needs ensemble=False calibration")
        cc = calibrated.calibrated_classifiers_[0]
        if cc.method != "sigmoid":
            raise ValueError("fast path needs sigmoid calibration")
        svm = cc.estimator
        if list(svm.classes_) != list(calibrated.classes_):
            raise ValueError("fast path needs the SVM and calibrator classes in the same order")
        self.coef: np.ndarray[Any, Any] = np.asarray(svm.coef_)
        self.intercept: np.ndarray[Any, Any] = np.asarray(svm.intercept_)
        self.a = np.array([c.a_ for c in cc.calibrators], dtype=float)
        self.b = np.array([c.b_ for c in cc.calibrators], dtype=float)
        self.n_classes = len(calibrated.classes_)

    def proba(self, decision: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """``w·x`` per class → the calibrated, normalised probabilities."""
        p = 1.0 / (1.0 + np.exp(self.a * (decision + self.intercept) + self.b))
        if self.n_classes == 2:
            return np.array([1.0 - p[0], p[0]])
        total = p.sum()
        return p / total if total > 0 else np.full(self.n_classes, 1.0 / self.n_classes)


class FastScorer:
    """``numpy_chars=False`` looks every char n-gram up as a string (the path before
    :class:`_CharBlock`; the bench times both in one run). For a ``TwinPipeline`` the
    features are computed once and both models read them.

    The weights of both SVMs lie in one row-major matrix, a row per feature (the head model's
    classes, then the plain model's, 0 for the head block's features), so a message costs one
    row gather: reading a column of a 7 × 675k matrix per feature was 65-75 µs of cache misses
    per message for the two models, the gather of one row is 9-13 µs."""

    def __init__(self, pipeline: Any, *, numpy_chars: bool = True) -> None:
        union = pipeline.named_steps["features"]
        self.head = _Svm(pipeline.named_steps["clf"])
        self.plain = _Svm(pipeline.plain) if isinstance(pipeline, TwinPipeline) else None
        self.blocks: list[_Block] = []
        offset = 0
        weights = union.transformer_weights or {}
        for name, vec in union.transformer_list:
            weight = float(weights.get(name, 1.0))
            block = _block(vec, offset, weight) if numpy_chars else _Block(vec, offset, weight)
            self.blocks.append(block)
            offset += block.features()
        k = self.head.n_classes
        columns = [self.head.coef.T]
        if self.plain is not None:
            if list(pipeline.plain.classes_) != list(pipeline.classes_):
                raise ValueError("fast path needs both models' classes in the same order")
            plain = np.zeros((offset, k))
            plain[: pipeline.plain_columns] = self.plain.coef.T
            columns.append(plain)
        self.weights: np.ndarray[Any, Any] = np.ascontiguousarray(np.hstack(columns))

    def twin(self, doc: str) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any] | None]:
        """The head model's probabilities, and the plain model's (None without one)."""
        parts = [block.vector(doc) for block in self.blocks]
        idx = np.concatenate([i for i, _ in parts])
        x = np.concatenate([v for _, v in parts])
        decision = x @ self.weights.take(idx, axis=0)
        k = self.head.n_classes
        head = self.head.proba(decision[:k])
        return head, None if self.plain is None else self.plain.proba(decision[k:])

    def proba(self, doc: str) -> np.ndarray[Any, Any]:
        return self.twin(doc)[0]

    def agrees_with(self, pipeline: Any, docs: Sequence[str]) -> bool:
        slow_head, slow_plain = predict_twin(pipeline, docs)
        fast = [self.twin(d) for d in docs]
        if not np.allclose(slow_head, np.vstack([h for h, _ in fast]), atol=1e-6):
            return False
        if slow_plain is None or self.plain is None:
            return slow_plain is None and self.plain is None
        fast_plain = [p for _, p in fast if p is not None]
        return bool(np.allclose(slow_plain, np.vstack(fast_plain), atol=1e-6))


def build_fast_scorer(pipeline: Any, probe: Sequence[str]) -> FastScorer | None:
    """A checked fast scorer, or ``None`` when the pipeline has another shape."""
    try:
        scorer = FastScorer(pipeline)
    except (AttributeError, KeyError, ValueError, TypeError):
        return None
    return scorer if scorer.agrees_with(pipeline, probe) else None
