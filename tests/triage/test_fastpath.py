"""The fast scorer must give exactly the pipeline's probabilities."""

from __future__ import annotations

import numpy as np

from jiesu.triage.classifier import CategoryModel
from jiesu.triage.training import to_examples

Rows = list[dict[str, str]]


def test_fast_scorer_matches_the_pipeline(
    model: CategoryModel, small_split: tuple[Rows, Rows]
) -> None:
    assert model.fast is not None
    docs = [e.segmented for e in to_examples(small_split[1][:60])]
    docs += ["", "未登录词", "a  b\t\tc 垃圾", "😀表情 符号", "\x00垃圾"]
    slow = np.asarray(model.pipeline.predict_proba(docs))
    fast = np.vstack([model.fast.proba(d) for d in docs])
    assert np.allclose(slow, fast, atol=1e-9)
