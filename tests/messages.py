"""Real citizen messages (the shared public data: hot_issues.csv, replies.csv) for tests that
need real text, and a way to see the SQL a piece of code sends."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session


@lru_cache(maxsize=1)
def _all_messages() -> tuple[tuple[str, str], ...]:
    root = Path(os.environ.get("JIESU_SHARED_DATA_DIR",
                               Path(__file__).resolve().parents[2] / "shared" / "data"))
    rows: list[tuple[str, str]] = []
    for name in ("hot_issues.csv", "replies.csv"):
        path = root / "messages" / name
        if path.exists():
            with path.open(encoding="utf-8") as fh:
                rows += [(r["title"], r["body"]) for r in csv.DictReader(fh)]
    return tuple(rows)


def real_messages(limit: int) -> list[tuple[str, str]]:
    """(title, body) of the first `limit` messages; the test is skipped without the data."""
    rows = _all_messages()
    if len(rows) < limit:
        pytest.skip("shared messages not available")
    return list(rows[:limit])


def retellings(text: str) -> list[str]:
    """Near duplicates: a caller telling the same matter in part, or with other punctuation."""
    half = len(text) // 2
    return [text[:half], text[half // 2 :], text.replace("，", " ").replace("。", "！")]


@contextmanager
def statements(session: Session) -> Iterator[list[str]]:
    """The SQL statements sent on the session's connection inside the block."""
    sent: list[str] = []
    connection = session.connection()

    def seen(*args: Any) -> None:
        sent.append(args[2])  # (conn, cursor, statement, parameters, context, executemany)

    event.listen(connection, "before_cursor_execute", seen)
    try:
        yield sent
    finally:
        event.remove(connection, "before_cursor_execute", seen)
