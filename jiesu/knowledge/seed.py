"""The seed knowledge base: synonyms and the articles written from the official replies,
loaded through the same import the centre uses (idempotent: a second load changes nothing)."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.core.roles import Principal
from jiesu.knowledge import service, transfer
from jiesu.knowledge.models import Synonym
from jiesu.knowledge.schemas import ImportReport

DATA = Path(__file__).with_name("data")
SEED_ARTICLES = DATA / "seed_articles.csv"
SEED_SYNONYMS = DATA / "synonyms.csv"
EVAL = DATA / "eval.csv"
EVAL_BLIND = DATA / "eval_blind.csv"


def load_synonyms(session: Session, path: Path = SEED_SYNONYMS) -> int:
    have = set(session.scalars(select(Synonym.word)))
    added = 0
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            word = row["word"].strip().lower()
            if word and word not in have:
                service.add_synonym(session, word, row["canonical"])
                have.add(word)
                added += 1
    return added


def load_seed(session: Session, principal: Principal,
              path: Path = SEED_ARTICLES) -> ImportReport:
    """Synonyms, then the seed articles, published."""
    load_synonyms(session)
    return transfer.import_articles(session, principal, path.read_bytes(), "csv", publish=True)
