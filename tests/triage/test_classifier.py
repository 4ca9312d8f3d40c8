"""Classifier: versioned model files, raw text, evaluation, retraining."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from jiesu.triage.classifier import CategoryModel, ModelNotFound, load_current
from jiesu.triage.evaluation import evaluate, retrain
from jiesu.triage.text import MAX_CHARS, Head, segment_raw
from jiesu.triage.training import (
    CURRENT_POINTER,
    HEAD_WEIGHT,
    ModelInfo,
    build_pipeline,
    data_sha256,
    to_examples,
)

Rows = list[dict[str, str]]


def test_model_file_is_versioned_with_hash(model_dir: Path, small_split: tuple[Rows, Rows]) -> None:
    models = model_dir / "models"
    pointer = json.loads((models / CURRENT_POINTER).read_text(encoding="utf-8"))
    assert pointer["version"] == "20260102030405"
    assert (models / "category-20260102030405.pkl").exists()
    info = json.loads((models / "category-20260102030405.json").read_text(encoding="utf-8"))
    assert info["data_sha256"] == data_sha256(to_examples(small_split[0]))
    assert len(info["model_sha256"]) == 64
    assert info["n"] == len(small_split[0]) and len(info["labels"]) == 7
    assert info["cross_validation"]["folds"] == 2
    assert info["cross_validation"]["coverage"][0]["threshold"] == 0.0


def test_missing_model_raises_model_not_found(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFound):
        load_current(tmp_path)


def test_raw_text_is_classified(model: CategoryModel) -> None:
    p = model.predict(
        "我家孩子今年上小学，学区划片不合理，学校离家太远，请教育局解决入学问题", title="入学问题"
    )
    assert p.label == "教育文体"
    assert 0.0 < p.confidence <= 1.0 and len(p.alternatives) == 3


def test_low_confidence_needs_a_person(model: CategoryModel) -> None:
    strict = CategoryModel(model.pipeline, model.info, min_confidence=1.01)
    assert strict.predict("小区门口垃圾没人清理").needs_person


def test_empty_text_needs_a_person(model: CategoryModel) -> None:
    p = model.predict("，。！")
    assert p.needs_person and p.label == ""


def test_accuracy_on_a_held_out_slice_above_floor(
    model: CategoryModel, small_split: tuple[Rows, Rows]
) -> None:
    report = evaluate(model, small_split[1])
    assert report.n == len(small_split[1])
    assert report.accuracy > 0.80 and report.macro_f1 > 0.80
    assert set(report.per_class) == set(model.labels)
    assert 0 < report.ms_per_message < 1000  # the bench measures speed; this catches a hang


def test_unknown_label_and_empty_text_rows_are_skipped(model: CategoryModel) -> None:
    rows = [
        {"id": "1", "text": "公司拖欠工资三个月了", "label": "劳动和社会保障"},
        {"id": "2", "text": "什么都有", "label": "不存在的类别"},
        {"id": "3", "text": "", "label": "城乡建设"},
        {"id": "4", "text": "   ", "label": ""},
    ]
    report = evaluate(model, rows)
    assert report.n == 1
    assert [s["id"] for s in report.skipped] == ["2", "3", "4"]


class _Oracle:
    """A pipeline stand-in that knows every answer: no retrained model can beat it."""

    def __init__(self, truth: dict[str, str], labels: list[str]) -> None:
        self.truth, self.classes_ = truth, np.array(labels)

    def predict_proba(self, texts: list[str]) -> Any:
        out = np.zeros((len(texts), len(self.classes_)))
        for i, t in enumerate(texts):
            out[i, list(self.classes_).index(self.truth.get(t, self.classes_[0]))] = 1.0
        return out


def test_retrain_keeps_old_model_if_new_is_worse(
    tmp_path: Path, small_split: tuple[Rows, Rows]
) -> None:
    base = small_split[0][::4]
    # orders the old model never trained on: enough that the challenger (trained on a few
    # hundred rows) makes mistakes on its held-out slice, where the oracle makes none
    confirmed = small_split[1][:200]
    examples = to_examples([*base, *confirmed])
    labels = sorted({e.label for e in examples})
    oracle = CategoryModel(
        _Oracle({e.segmented: e.label for e in examples}, labels),
        ModelInfo("oracle", "", "", "", len(examples), labels, {}),
    )
    report = retrain(base, confirmed, 0.3, tmp_path, current=oracle)
    assert not report.kept_new and report.old is not None and report.n_holdout > 0
    assert report.old["macro_f1"] >= report.new["macro_f1"]
    assert not (tmp_path / "models" / CURRENT_POINTER).exists()
    assert list((tmp_path / "models").glob("*.pkl")) == []


def test_retrain_learns_a_centres_own_category(
    tmp_path: Path, small_split: tuple[Rows, Rows]
) -> None:
    base = small_split[0][::4]
    extra = [
        {"text": f"{place}小区的共享单车停放点太少，单车乱停乱放堵塞人行道", "label": "共享单车"}
        for place in (
            "望京",
            "回龙观",
            "天通苑",
            "方庄",
            "双井",
            "劲松",
            "清河",
            "上地",
            "亦庄",
            "黄村",
        )
    ]
    report = retrain(base, extra, 0.2, tmp_path)
    assert report.kept_new and report.new_labels == ["共享单车"]
    again = retrain(base, extra, 0.2, tmp_path)  # nothing new to judge the kept model on
    assert not again.kept_new and again.n_holdout == 0
    model = load_current(tmp_path, warm=False)
    assert "共享单车" in model.labels
    assert model.predict("小区门口共享单车乱停乱放，堵塞人行道").label == "共享单车"


def test_calibration_floor_meets_its_target_on_the_development_half() -> None:
    from jiesu.triage.training import TARGET_PRECISION, calibrate, precision_at

    rng = np.random.default_rng(1)
    top = rng.uniform(0.3, 1.0, 4000)
    chance = np.clip((top - 0.3) / 0.6, 0.0, 1.0)  # raw probabilities that mean otherwise
    correct = rng.uniform(0.0, 1.0, 4000) < chance
    cal = calibrate(top, correct, seed=0)
    assert cal["n_fit"] + cal["n_dev"] == 4000
    assert all(a <= b for a, b in zip(cal["y"], cal["y"][1:], strict=False))  # monotone
    covs = [r["coverage"] for r in cal["curve"]]
    assert covs == sorted(covs, reverse=True)
    # the floor is read off the development half, which the map never saw
    dev = np.random.default_rng(0).permutation(4000)[2000:]
    conf = np.interp(top[dev], cal["x"], cal["y"])
    keep = conf >= cal["floor"]
    assert keep.any() and correct[dev][keep].mean() >= TARGET_PRECISION
    assert cal["points"]["0.98"]["coverage"] >= cal["points"]["0.99"]["coverage"]
    assert precision_at(correct[dev], conf, 0.99)["threshold"] == cal["floor"]
    # calibrated confidence reads as a chance: raw 0.6 is right about half of the time
    assert abs(float(np.interp(0.6, cal["x"], cal["y"])) - 0.5) < 0.1


def test_calibration_needs_enough_rows_and_both_outcomes() -> None:
    from jiesu.triage.training import calibrate

    assert calibrate(np.full(50, 0.9), np.ones(50, dtype=bool)) == {}
    assert calibrate(np.full(500, 0.9), np.ones(500, dtype=bool)) == {}


def test_confidence_is_the_calibrated_probability(model: CategoryModel) -> None:
    cal = model.info.calibration
    assert cal and cal["floor"] == model.min_confidence
    p = model.predict("小区门口垃圾堆放多日无人清理，臭气熏天")
    assert p.probability is not None
    assert abs(p.confidence - float(np.interp(p.probability, cal["x"], cal["y"]))) < 1e-3
    assert p.needs_person == (p.confidence < model.min_confidence)


def test_the_head_block_reads_the_first_tokens(model: CategoryModel) -> None:
    """The shipped pipeline has a head block (the title's tokens) weighted apart from the body;
    the baseline (head_weight=0) is the plain word + character union."""
    head = Head(3)
    assert head.tokens("投诉 小区 物业 乱 收费") == ["投诉", "小区", "物业"]
    assert head.joined("投诉 小区 物业 乱 收费") == "投诉小区物业"
    union = model.pipeline.named_steps["features"]
    names = [name for name, _ in union.transformer_list]
    assert names == ["words", "chars", "head_words", "head_chars"]
    assert union.transformer_weights["head_words"] == HEAD_WEIGHT
    head_vocab = dict(union.transformer_list)["head_words"].vocabulary_
    assert "投诉" in head_vocab  # a word that opens many titles
    baseline = build_pipeline(head_weight=0).named_steps["features"]
    assert [name for name, _ in baseline.transformer_list] == ["words", "chars"]


def test_the_same_words_weigh_more_in_the_title(model: CategoryModel) -> None:
    """Moving a message's topic words from the end to the head raises their class: the head
    block is used at prediction time (through the fast path)."""
    body = (  # more than the head's 12 tokens of words that name no class
        "我是附近的居民，这段时间一直有人向有关方面反映这个情况，大家每天都很着急，"
        "很多人都说等了很久也没有结果，希望有关部门尽快派人来现场查看处理，谢谢"
    )
    topic = "学校乱收费补课费"
    assert model.fast is not None
    edu = model.labels.index("教育文体")
    first = model.fast.proba(segment_raw(body, title=topic))
    last = model.fast.proba(segment_raw(body + topic))
    assert model.labels[int(first.argmax())] == "教育文体"
    assert first[edu] > last[edu] + 0.05


def test_only_the_first_characters_are_segmented(train_rows: Rows) -> None:
    text = "".join(r["text_segmented"].replace(" ", "") for r in train_rows[:40])
    assert len(text) > MAX_CHARS + 500
    assert segment_raw(text) == segment_raw(text[:MAX_CHARS])
    assert segment_raw(text[:200]) != segment_raw(text[:MAX_CHARS])


def test_a_label_is_only_as_sure_as_the_reading_without_the_head(
    model: CategoryModel, small_split: tuple[Rows, Rows]
) -> None:
    """The head model names the label; the score calibrated into the confidence is the lower
    of its probability and the plain model's (words + chars, no head block) for that label,
    so first words that the rest of the text does not bear out cannot make a sure label."""
    assert model.fast is not None and model.fast.plain is not None
    lower = {"head": 0, "plain": 0}
    for row in small_split[1][:80]:
        seg = row["text_segmented"]
        head, plain = model.fast.twin(seg)
        assert plain is not None
        p = model.predict_segmented(seg)
        best = model.labels.index(p.label)
        assert int(head.argmax()) == best
        assert p.probability == round(min(head[best], plain[best]), 4)
        lower["plain" if plain[best] < head[best] else "head"] += 1
    assert lower["plain"] and lower["head"]  # each reading is the less sure one somewhere


def test_a_model_file_with_one_svm_scores_its_top_probability(
    small_split: tuple[Rows, Rows],
) -> None:
    """Model files from before the two readings (a scikit-learn Pipeline, one SVM) still load
    and keep their meaning: the score is the top class's probability."""
    examples = to_examples(small_split[0][::2])
    one = build_pipeline(head_weight=0)
    one.fit([e.segmented for e in examples], [e.label for e in examples])
    labels = sorted({e.label for e in examples})
    model = CategoryModel(one, ModelInfo("one", "", "", "", len(examples), labels, {}))
    assert model.fast is not None and model.fast.plain is None
    for row in small_split[1][:20]:
        p = model.predict_segmented(row["text_segmented"])
        proba = np.asarray(one.predict_proba([row["text_segmented"]]))[0]
        assert p.label == model.labels[int(proba.argmax())]
        assert p.probability == round(float(proba.max()), 4)
