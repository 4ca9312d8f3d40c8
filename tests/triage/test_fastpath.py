"""The fast scorer must give exactly the pipeline's probabilities, for both models."""

from __future__ import annotations

import numpy as np

from jiesu.triage.classifier import CategoryModel
from jiesu.triage.training import to_examples
from jiesu.triage.twin import predict_twin

Rows = list[dict[str, str]]


def test_fast_scorer_matches_the_pipeline(
    model: CategoryModel, small_split: tuple[Rows, Rows]
) -> None:
    assert model.fast is not None and model.fast.plain is not None
    docs = [e.segmented for e in to_examples(small_split[1][:60])]
    docs += ["", "未登录词", "a  b\t\tc 垃圾", "😀表情 符号", "\x00垃圾"]
    slow_head, slow_plain = predict_twin(model.pipeline, docs)
    fast = [model.fast.twin(d) for d in docs]
    assert np.allclose(slow_head, np.vstack([h for h, _ in fast]), atol=1e-9)
    assert slow_plain is not None
    assert np.allclose(slow_plain, np.vstack([p for _, p in fast if p is not None]), atol=1e-9)
