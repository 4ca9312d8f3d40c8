"""Train the category classifier, cross-validate it and write a versioned model file.

Model files live in ``<data_dir>/models/``: ``category-YYYYMMDDHHMMSS.pkl`` with a
JSON sidecar of the same stem, and ``category-current.json`` pointing at the one in use.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from jiesu.triage.text import Head, segment_raw, strip_spaces, word_ngrams
from jiesu.triage.twin import TwinPipeline, predict_twin, twin_top

MODEL_PREFIX = "category"
CURRENT_POINTER = f"{MODEL_PREFIX}-current.json"
MODEL_SUFFIX = ".pkl"
THRESHOLDS = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99)
# Without a calibration (no cross-validation), the default floor is the lowest threshold
# whose cross-validated accuracy on the messages it lets through reaches this figure.
TARGET_AUTO_ACCURACY = 0.97
# With one (``calibrate``): the floor is the lowest calibrated confidence at which the
# development half of the out-of-fold predictions is right this often. 0.99 keeps the whole
# proposal's confidently-wrong share under 1 % (docs/triage.md); the curve also reports the
# 98 % point of the coverage goal.
TARGET_PRECISION = 0.99
CURVE_TARGETS = (0.98, 0.99)
# Fewer out-of-fold rows than this: no calibration (the raw probability is the confidence).
MIN_CALIBRATION_ROWS = 200
_TILT = 0.001


def data_dir_default() -> Path:
    return Path(os.environ.get("JIESU_DATA_DIR", "var"))


def models_dir(data_dir: Path | None) -> Path:
    return (data_dir or data_dir_default()) / "models"


@dataclass(frozen=True)
class Example:
    """One labelled message in the model's token space."""

    segmented: str
    label: str


def to_examples(rows: Iterable[Mapping[str, Any]]) -> list[Example]:
    """Rows in train.csv form (``text_segmented``) or raw form (``text`` [+ ``title``]).

    Rows without a label or without text are dropped.
    """
    out: list[Example] = []
    for row in rows:
        label = str(row.get("label") or "").strip()
        seg = str(row.get("text_segmented") or "").strip()
        if not seg:
            text = str(row.get("text") or "").strip()
            title = str(row.get("title") or "").strip() or None
            seg = segment_raw(text, title) if (text or title) else ""
        if label and seg:
            out.append(Example(seg, label))
    return out


def data_sha256(examples: Sequence[Example]) -> str:
    h = hashlib.sha256()
    for ex in examples:
        h.update(f"{ex.label}\t{ex.segmented}\n".encode())
    return h.hexdigest()


# The head block: the first HEAD_TOKENS tokens (mostly the title) as words and character
# 1-2-grams, each L2-normalised and weighted HEAD_WEIGHT against the whole-text blocks.
# Chosen by 5-fold CV on the development four fifths of train.csv (docs/triage.md).
HEAD_TOKENS = 12
HEAD_WEIGHT = 0.5


def build_pipeline(
    c: float = 1.0,
    calibration_folds: int = 3,
    *,
    head_tokens: int = HEAD_TOKENS,
    head_weight: float = HEAD_WEIGHT,
) -> Pipeline | TwinPipeline:
    """Word uni+bigram TF-IDF ∪ character 1-3-gram TF-IDF ∪ the head block → two calibrated
    linear SVMs, with and without the head block (``twin.TwinPipeline``).

    Class weights are balanced (macro-F1 is the target). Calibration (Platt, 3-fold) is
    fitted on out-of-fold scores; ``ensemble=False`` keeps one SVM trained on all rows.
    ``head_weight=0`` gives the plain word+char baseline (no head block, one SVM).
    """
    blocks: list[tuple[str, TfidfVectorizer]] = [
        ("words", TfidfVectorizer(analyzer=word_ngrams, sublinear_tf=True, min_df=2)),
        (
            "chars",
            TfidfVectorizer(
                analyzer="char",
                ngram_range=(1, 3),
                preprocessor=strip_spaces,
                sublinear_tf=True,
                min_df=2,
            ),
        ),
    ]
    weights = {"words": 1.0, "chars": 1.0}
    if head_weight > 0:
        head = Head(head_tokens)
        blocks += [
            ("head_words", TfidfVectorizer(analyzer=head.tokens, sublinear_tf=True, min_df=2)),
            (
                "head_chars",
                TfidfVectorizer(
                    analyzer="char",
                    ngram_range=(1, 2),
                    preprocessor=head.joined,
                    sublinear_tf=True,
                    min_df=2,
                ),
            ),
        ]
        weights |= {"head_words": head_weight, "head_chars": head_weight}
    features = FeatureUnion(blocks, transformer_weights=weights)

    def calibrated_svm() -> CalibratedClassifierCV:
        # a fixed seed: liblinear's coordinate descent shuffles, and the same data must give
        # the same model (and the same confidence floor) in a fresh clone, in CI and in tests
        svm = LinearSVC(C=c, class_weight="balanced", random_state=0)
        return CalibratedClassifierCV(svm, cv=calibration_folds, method="sigmoid", ensemble=False)

    if head_weight > 0:
        return TwinPipeline(features, calibrated_svm(), calibrated_svm())
    return Pipeline([("features", features), ("clf", calibrated_svm())])


def coverage_table(
    y_true: Sequence[str] | np.ndarray[Any, Any],
    labels: Sequence[str],
    proba: np.ndarray[Any, Any],
    score: np.ndarray[Any, Any] | None = None,
) -> list[dict[str, float]]:
    """For each threshold: share of messages the model decides alone, and its accuracy there.

    ``score``: what is compared with the threshold (default: the top probability)."""
    pred = np.asarray(labels)[proba.argmax(axis=1)]
    conf = proba.max(axis=1) if score is None else score
    truth = np.asarray(y_true)
    rows = []
    for t in THRESHOLDS:
        keep = conf >= t
        n = int(keep.sum())
        acc = float((pred[keep] == truth[keep]).mean()) if n else 0.0
        rows.append(
            {"threshold": t, "coverage": round(n / len(truth), 4), "accuracy": round(acc, 4)}
        )
    return rows


def choose_threshold(table: Sequence[Mapping[str, float]]) -> float:
    for row in table:
        if row["accuracy"] >= TARGET_AUTO_ACCURACY and row["coverage"] > 0:
            return float(row["threshold"])
    return float(table[-1]["threshold"]) if table else 0.5


def precision_at(
    correct: np.ndarray[Any, Any], conf: np.ndarray[Any, Any], target: float
) -> dict[str, float]:
    """The lowest confidence value whose messages (conf ≥ it) are right ``target`` of the time."""
    best: dict[str, float] = {}
    order = np.argsort(-conf, kind="stable")
    c_sorted, ok_sorted = conf[order], correct[order].astype(float)
    cum = np.cumsum(ok_sorted)
    n = len(conf)
    # candidate cut points: the last row of each run of equal confidence
    last = np.flatnonzero(np.r_[c_sorted[1:] != c_sorted[:-1], True])
    for i in last:
        prec = cum[i] / (i + 1)
        if prec >= target:
            best = {
                "target": target,
                "threshold": float(c_sorted[i]),
                "coverage": round(float(i + 1) / n, 4),
                "accuracy": round(float(prec), 4),
            }
    return best


def calibrate(
    top: np.ndarray[Any, Any], correct: np.ndarray[Any, Any], seed: int = 0
) -> dict[str, Any]:
    """Isotonic map from the model's score (``twin.twin_top``) to the chance of being right.

    ``top``/``correct``: out-of-fold predictions of the training data. One half (seeded
    shuffle) fits the map; the other half, the development split, gives the coverage/
    precision curve of the calibrated confidence and the floor (``TARGET_PRECISION``). An
    empty dict when there are too few rows or no errors (or nothing right) to learn from.
    """
    from sklearn.isotonic import IsotonicRegression

    n = len(top)
    if n < MIN_CALIBRATION_ROWS or correct.all() or not correct.any():
        return {}
    idx = np.random.default_rng(seed).permutation(n)
    fit_idx, dev_idx = idx[: n // 2], idx[n // 2 :]
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, increasing=True, out_of_bounds="clip")
    iso.fit(top[fit_idx], correct[fit_idx].astype(float))
    xs = np.asarray(iso.X_thresholds_, dtype=float)
    # A slight tilt (at most 0.001) keeps the raw probability's order inside the isotonic
    # steps, so the floor can be cut between any two messages, not only at a step's edge.
    ys = np.clip(np.asarray(iso.y_thresholds_, dtype=float) - _TILT * (1.0 - xs), 0.0, 1.0)
    # rounded as stored in the sidecar, so the floor is read off what prediction will use
    xs, ys = np.round(xs, 6), np.round(ys, 6)
    dev_conf = np.interp(top[dev_idx], xs, ys)
    dev_ok = correct[dev_idx]
    curve = []
    for t in THRESHOLDS:
        keep = dev_conf >= t
        k = int(keep.sum())
        curve.append({
            "threshold": t,
            "coverage": round(k / len(dev_idx), 4),
            "accuracy": round(float(dev_ok[keep].mean()), 4) if k else 0.0,
        })
    points = {f"{t:.2f}": precision_at(dev_ok, dev_conf, t) for t in CURVE_TARGETS}
    floor_point = precision_at(dev_ok, dev_conf, TARGET_PRECISION)
    floor = floor_point["threshold"] if floor_point else 1.0
    return {
        "method": "isotonic on the score (twin_top: the label's lower probability of the two "
        "models, or the top probability of one), out-of-fold, half A",
        "n_fit": len(fit_idx),
        "n_dev": len(dev_idx),
        "x": [float(v) for v in xs],
        "y": [float(v) for v in ys],
        "curve": curve,
        "points": points,
        "target": TARGET_PRECISION,
        "floor": floor,
    }


def cross_validate(
    examples: Sequence[Example],
    folds: int = 5,
    seed: int = 0,
    c: float = 1.0,
    **pipeline_options: Any,
) -> dict[str, Any]:
    """Stratified k-fold: macro-F1 and accuracy per fold, the coverage table, and the
    calibration of the confidence fitted and checked on the out-of-fold predictions.

    ``pipeline_options`` go to :func:`build_pipeline` (``head_weight=0``: the plain baseline).
    """
    x = np.array([e.segmented for e in examples], dtype=object)
    y = np.array([e.label for e in examples])
    labels = sorted(set(y))
    proba = np.zeros((len(y), len(labels)))
    score = np.zeros(len(y))
    f1s, accs = [], []
    min_class = min(Counter(y).values())
    k = max(2, min(folds, min_class))
    for train_idx, test_idx in StratifiedKFold(k, shuffle=True, random_state=seed).split(x, y):
        model = build_pipeline(c=c, **pipeline_options)
        model.fit(x[train_idx], y[train_idx])
        p, plain = predict_twin(model, x[test_idx])
        score[test_idx] = twin_top(p, plain)[1]
        fold_labels = list(model.classes_)
        full = np.zeros((len(test_idx), len(labels)))
        for j, lab in enumerate(fold_labels):
            full[:, labels.index(lab)] = p[:, j]
        proba[test_idx] = full
        pred = np.asarray(labels)[full.argmax(axis=1)]
        f1s.append(float(f1_score(y[test_idx], pred, average="macro")))
        accs.append(float(accuracy_score(y[test_idx], pred)))
    return {
        "folds": k,
        "macro_f1": round(float(np.mean(f1s)), 4),
        "macro_f1_per_fold": [round(f, 4) for f in f1s],
        "accuracy": round(float(np.mean(accs)), 4),
        "coverage": coverage_table(y, labels, proba, score),
        "calibration": calibrate(score, np.asarray(labels)[proba.argmax(axis=1)] == y, seed),
    }


@dataclass
class ModelInfo:
    version: str
    created_at: str
    data_sha256: str
    model_sha256: str
    n: int
    labels: list[str]
    class_counts: dict[str, int]
    cross_validation: dict[str, Any] = field(default_factory=dict)
    min_confidence: float = 0.5
    model_file: str = ""
    # ``calibrate``'s result: the map raw probability → confidence, its dev-split curve.
    calibration: dict[str, Any] = field(default_factory=dict)
    sklearn_version: str = sklearn.__version__
    features: str = (
        "jieba words 1-2 + chars 1-3 TF-IDF + head (first "
        f"{HEAD_TOKENS} tokens: words, chars 1-2) x{HEAD_WEIGHT}; "
        "LinearSVC C=1 balanced, Platt-calibrated (3-fold), twice: on every block and on "
        "words + chars only; label from the first, confidence from the lower probability"
    )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


SEEN_SUFFIX = ".seen"


def text_key(segmented: str) -> str:
    """A short, stable key of a message in token space (what "seen in training" means)."""
    return hashlib.sha1(segmented.encode("utf-8")).hexdigest()[:16]


def seen_keys(model_file: Path) -> set[str] | None:
    """The keys a saved model trained on, or None for models saved before this was kept."""
    path = model_file.with_suffix(SEEN_SUFFIX)
    if not path.exists():
        return None
    return set(path.read_text(encoding="utf-8").split())


def fit(examples: Sequence[Example], c: float = 1.0) -> Pipeline | TwinPipeline:
    model = build_pipeline(c=c)
    model.fit([e.segmented for e in examples], [e.label for e in examples])
    return model


def _strip_for_disk(model: Pipeline | TwinPipeline) -> None:
    """Drop ``stop_words_`` (every term pruned by min_df): only used for introspection."""
    for _, vec in model.named_steps["features"].transformer_list:
        if hasattr(vec, "stop_words_"):
            vec.stop_words_ = None


def save_model(
    model: Pipeline | TwinPipeline,
    examples: Sequence[Example],
    data_dir: Path | None,
    *,
    cv: Mapping[str, Any] | None = None,
    min_confidence: float | None = None,
    now: datetime | None = None,
    make_current: bool = True,
) -> ModelInfo:
    """Write ``category-<version>.pkl`` + ``.json`` and (optionally) move the pointer."""
    out_dir = models_dir(data_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d%H%M%S")
    version, i = stamp, 1
    while (out_dir / f"{MODEL_PREFIX}-{version}{MODEL_SUFFIX}").exists():
        version, i = f"{stamp}-{i}", i + 1
    path = out_dir / f"{MODEL_PREFIX}-{version}{MODEL_SUFFIX}"
    _strip_for_disk(model)
    # Plain pickle, uncompressed: the C unpickler loads the ~650k-term vocabularies several
    # times faster than joblib's Python unpickler. Only files this program wrote are loaded.
    with path.open("wb") as fh:
        pickle.dump(model, fh, protocol=pickle.HIGHEST_PROTOCOL)
    cv = dict(cv or {})
    calibration = dict(cv.pop("calibration", None) or {})
    if min_confidence is None and calibration:
        min_confidence = float(calibration["floor"])
    if min_confidence is None:
        min_confidence = choose_threshold(cv.get("coverage", [])) if cv.get("coverage") else 0.5
    info = ModelInfo(
        version=version,
        created_at=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
        data_sha256=data_sha256(examples),
        model_sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        n=len(examples),
        labels=sorted({e.label for e in examples}),
        class_counts=dict(sorted(Counter(e.label for e in examples).items())),
        cross_validation=cv,
        min_confidence=min_confidence,
        model_file=path.name,
        calibration=calibration,
    )
    path.with_suffix(".json").write_text(
        json.dumps(info.as_dict(), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    # Which messages this model learnt from, so a later retrain judges it on unseen ones only.
    path.with_suffix(SEEN_SUFFIX).write_text(
        "\n".join(sorted({text_key(e.segmented) for e in examples})), encoding="utf-8"
    )
    if make_current:
        set_current(out_dir, info)
    return info


def set_current(out_dir: Path, info: ModelInfo) -> None:
    pointer = {
        "version": info.version,
        "model_file": info.model_file,
        "info_file": Path(info.model_file).with_suffix(".json").name,
    }
    tmp = out_dir / (CURRENT_POINTER + ".tmp")
    tmp.write_text(json.dumps(pointer, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(out_dir / CURRENT_POINTER)


def train(
    rows: Iterable[Mapping[str, Any]],
    data_dir: Path | None = None,
    *,
    cv_folds: int = 5,
    c: float = 1.0,
    now: datetime | None = None,
    make_current: bool = True,
) -> ModelInfo:
    """Train on labelled rows, cross-validate (``cv_folds`` ≥ 2), save and point at it."""
    examples = to_examples(rows)
    if len(examples) < 2 or len({e.label for e in examples}) < 2:
        raise ValueError("训练数据不足：至少需要两个类别的有效样本")
    cv = cross_validate(examples, folds=cv_folds, c=c) if cv_folds >= 2 else {}
    model = fit(examples, c=c)
    return save_model(model, examples, data_dir, cv=cv, now=now, make_current=make_current)
