"""Two readings of one message: with the head block, and without it (decision 0023).

The head block (the first tokens, mostly the title) helps on messages that open with their
title, and misleads when the first words are something else: a call agent's note of where the
caller is and what they say first, followed by the message. :class:`TwinPipeline` fits one
feature union and two Platt-calibrated linear SVMs on it, one on every block (the **head**
model) and one on the word and character blocks only (the **plain** model: the same columns,
so the features are computed once for both). The label is the head model's; the score that is
calibrated into the confidence is the lower of the two models' probabilities for that label
(:func:`twin_top`), so a message is decided alone only when both readings are sure of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.pipeline import FeatureUnion

# the blocks the plain model reads: the first two of the union (words, chars)
PLAIN_BLOCKS = 2


def twin_top(
    head: np.ndarray[Any, Any], plain: np.ndarray[Any, Any] | None
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Rows of class probabilities → the label's column and the score to calibrate.

    Without a plain model (older files, the baseline) the score is the top probability."""
    best = head.argmax(axis=1)
    rows = np.arange(len(head))
    score = head[rows, best]
    if plain is not None:
        score = np.minimum(score, plain[rows, best])
    return best, score


class TwinPipeline:
    """``features`` (a FeatureUnion whose first ``PLAIN_BLOCKS`` blocks are the plain ones),
    ``head`` and ``plain`` (CalibratedClassifierCV over a linear SVM, not yet fitted)."""

    def __init__(self, features: FeatureUnion, head: Any, plain: Any) -> None:
        self.features = features
        self.head = head
        self.plain = plain
        self.plain_columns = 0
        self.classes_: np.ndarray[Any, Any] = np.zeros(0)

    @property
    def named_steps(self) -> dict[str, Any]:
        """As a scikit-learn Pipeline names them (the fast path and the model file read them)."""
        return {"features": self.features, "clf": self.head}

    def fit(self, docs: Sequence[str], labels: Sequence[str]) -> TwinPipeline:
        x = self.features.fit_transform(docs, labels).tocsr()
        blocks = self.features.transformer_list[:PLAIN_BLOCKS]
        self.plain_columns = sum(len(vec.vocabulary_) for _, vec in blocks)
        self.head.fit(x, labels)
        self.plain.fit(x[:, : self.plain_columns], labels)
        if list(self.head.classes_) != list(self.plain.classes_):
            raise ValueError("head and plain models learnt different classes")
        self.classes_ = self.head.classes_
        return self

    def predict_twin(
        self, docs: Sequence[str]
    ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """Both models' class probabilities (columns in ``classes_`` order)."""
        x = self.features.transform(docs).tocsr()
        head = np.asarray(self.head.predict_proba(x))
        plain = np.asarray(self.plain.predict_proba(x[:, : self.plain_columns]))
        return head, plain

    def predict_proba(self, docs: Sequence[str]) -> np.ndarray[Any, Any]:
        """The head model's probabilities (the label's distribution)."""
        return self.predict_twin(docs)[0]


def predict_twin(
    pipeline: Any, docs: Sequence[str]
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any] | None]:
    """Any model's probabilities, and the plain model's where it has one."""
    if isinstance(pipeline, TwinPipeline):
        return pipeline.predict_twin(docs)
    return np.asarray(pipeline.predict_proba(list(docs))), None
