"""How well the search finds the right answer: recall@1, recall@5, MRR, ms per query.

The data is a CSV of (question, article_id[, kind]): the article id may be the database id
or the article's code. The index is either the database's (what agents search now) or one
built from an articles CSV (the seed file), so the figures can be had without a database.
"""

from __future__ import annotations

import csv
import statistics
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from jiesu.core import clock
from jiesu.knowledge import search as kb_search
from jiesu.knowledge.transfer import read_rows

DEPTH = 10  # MRR is counted over the first ten answers


@dataclass(frozen=True)
class Question:
    question: str
    target: str
    kind: str = ""


@dataclass
class Scores:
    questions: int = 0
    recall_at_1: float = 0.0
    recall_at_5: float = 0.0
    mrr: float = 0.0
    ms_per_query: float = 0.0
    p99_ms: float = 0.0


@dataclass
class Report(Scores):
    articles: int = 0
    by_kind: dict[str, Scores] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def load_questions(path: Path) -> list[Question]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [Question(r["question"].strip(), r["article_id"].strip(), r.get("kind") or "")
                for r in csv.DictReader(fh) if r.get("question", "").strip()]


def docs_from_csv(path: Path, now: datetime | None = None) -> list[kb_search.Doc]:
    """An articles CSV (the import format) as published documents, ids counted from 1."""
    moment = now or clock.now()
    docs = []
    for n, (_, row) in enumerate(read_rows(path.read_bytes(), "csv"), start=1):
        questions = tuple(q.strip() for q in row.get("questions", "").replace("|", "\n")
                          .splitlines() if q.strip())
        docs.append(kb_search.Doc(
            version_id=n, article_id=n, code=row["code"], topic=row["topic"],
            questions=questions, answer=row["answer"], category=row["category"],
            tags=tuple(t for t in row.get("tags", "").split(",") if t), owner_unit_id=0,
            internal_note="", valid_from=moment, valid_to=None))
    return docs


def _score(ranks: list[int | None], times: list[float]) -> Scores:
    n = len(ranks)
    if n == 0:
        return Scores()
    ordered = sorted(times)
    return Scores(
        questions=n,
        recall_at_1=round(sum(1 for r in ranks if r == 1) / n, 4),
        recall_at_5=round(sum(1 for r in ranks if r is not None and r <= 5) / n, 4),
        mrr=round(sum(1 / r for r in ranks if r is not None) / n, 4),
        ms_per_query=round(statistics.fmean(times), 3),
        p99_ms=round(ordered[min(n - 1, int(n * 0.99))], 3),
    )


def evaluate(index: kb_search.Index, questions: list[Question]) -> Report:
    ranks: list[int | None] = []
    times: list[float] = []
    kinds: dict[str, list[tuple[int | None, float]]] = defaultdict(list)
    for q in questions:
        started = time.perf_counter()
        ranked = kb_search.rank(index, q.question, limit=DEPTH, highlight=False)
        took = (time.perf_counter() - started) * 1000
        rank = next((i for i, h in enumerate(ranked.hits, start=1)
                     if q.target in (h.doc.code, str(h.doc.article_id))), None)
        ranks.append(rank)
        times.append(took)
        kinds[q.kind or "all"].append((rank, took))
    overall = _score(ranks, times)
    report = Report(**asdict(overall), articles=len(index))
    if len(kinds) > 1:
        report.by_kind = {k: _score([r for r, _ in v], [t for _, t in v])
                          for k, v in sorted(kinds.items())}
    return report
