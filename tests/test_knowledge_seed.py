"""The seed knowledge base loads through the import (published, idempotent), and
`jiesu kb evaluate` prints its figures as JSON."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from sqlalchemy.orm import Session
from typer.testing import CliRunner

from jiesu.cli import app
from jiesu.knowledge import seed, service
from tests.factories import who


def test_the_seed_loads_published_and_a_second_load_changes_nothing(session: Session) -> None:
    with seed.SEED_ARTICLES.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 150
    first = seed.load_seed(session, who(session, "admin"))
    assert first.created == len(rows)
    again = seed.load_seed(session, who(session, "admin"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(rows))
    topic = rows[0]["topic"]
    hits = service.search(session, who(session, "agent"), topic).hits
    assert hits[0].doc.code == rows[0]["code"]


def test_the_evaluation_sets_are_big_enough_and_apart(session: Session) -> None:
    tuned = seed.EVAL.read_text(encoding="utf-8").splitlines()[1:]
    blind = seed.EVAL_BLIND.read_text(encoding="utf-8").splitlines()[1:]
    assert len(tuned) + len(blind) >= 300 and len(blind) >= 100
    assert not set(tuned) & set(blind)


def test_evaluate_prints_recall_mrr_and_time_as_json(tmp_path: Path) -> None:
    data = tmp_path / "eval.csv"
    with seed.SEED_ARTICLES.open(encoding="utf-8") as fh:
        first = next(csv.DictReader(fh))
    data.write_text(f"question,article_id\n{first['topic']},{first['code']}\n"
                    f"完全无关的火星问题,{first['code']}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["kb", "evaluate", "--data", str(data), "--kb",
                                      str(seed.SEED_ARTICLES), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["questions"] == 2 and report["articles"] >= 150
    assert report["recall_at_1"] == 0.5 and report["recall_at_5"] == 0.5
    assert report["mrr"] == 0.5 and report["ms_per_query"] > 0
