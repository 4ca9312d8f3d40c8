"""Triage fixtures: one small category model trained once per session in a temp dir."""

from __future__ import annotations

import csv
import os
import random
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import pytest

from jiesu.triage.classifier import CategoryModel, load_current
from jiesu.triage.places import Gazetteer, build_gazetteer
from jiesu.triage.training import ModelInfo, train

REPO = Path(__file__).resolve().parents[2]
PER_CLASS = 160


def shared_train_csv() -> Path | None:
    base = Path(os.environ.get("JIESU_SHARED_DATA", "../shared/data"))
    for root in [base] if base.is_absolute() else [Path.cwd() / base, REPO / base]:
        path = root / "messages" / "train.csv"
        if path.exists():
            return path
    return None


@pytest.fixture(scope="session")
def train_rows() -> list[dict[str, str]]:
    path = shared_train_csv()
    if path is None:
        pytest.skip("shared train.csv not available")
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="session")
def small_split(
    train_rows: list[dict[str, str]],
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """A stratified training slice and a disjoint test slice."""
    by_label: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in train_rows:
        by_label[r["label"]].append(r)
    rng = random.Random(0)
    train_part, test_part = [], []
    for label in sorted(by_label):
        rows = by_label[label][:]
        rng.shuffle(rows)
        train_part += rows[:PER_CLASS]
        test_part += rows[PER_CLASS : PER_CLASS + 40]
    return train_part, test_part


@pytest.fixture(scope="session")
def model_dir(
    tmp_path_factory: pytest.TempPathFactory,
    small_split: tuple[list[dict[str, str]], list[dict[str, str]]],
) -> Path:
    d = tmp_path_factory.mktemp("triage-data")
    train(small_split[0], d, cv_folds=2, now=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    return d


@pytest.fixture(scope="session")
def model_info(model_dir: Path) -> ModelInfo:
    return load_current(model_dir, warm=False).info


@pytest.fixture(scope="session")
def model(model_dir: Path) -> CategoryModel:
    return load_current(model_dir)


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return build_gazetteer()
