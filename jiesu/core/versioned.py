"""Versioned admin tables: a row is never edited in place, so history is kept.

An edit retires the row (`retired_at`) and adds its successor, which points back at it
(`supersedes_id`); a retire only stamps `retired_at`; the history of a row walks
`supersedes_id` back. The deadline rules, the place aliases, the responsibility catalogue and
the working-day calendar all keep history this way; their modules keep the domain checks
(one active row per key, targets that exist) and call these helpers for the versioning.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol, TypeVar

from sqlalchemy.orm import Session

from jiesu.core import clock
from jiesu.core.errors import NotFound


class Versioned(Protocol):
    """A row of a versioned table (an ORM model with these three columns)."""

    id: int
    retired_at: datetime | None
    supersedes_id: int | None


V = TypeVar("V", bound=Versioned)


def live_row(session: Session, model: type[V], row_id: int, *, message: str, code: str) -> V:
    """The row in force; a missing or retired one is NotFound(message, code)."""
    row = session.get(model, row_id)
    if row is None or row.retired_at is not None:
        raise NotFound(message, code=code)
    return row


def replace_row(session: Session, old: V, make_successor: Callable[[V], V]) -> V:
    """Retire `old` and add the row `make_successor(old)` builds as its successor.

    The old row is retired and flushed first, so that the successor's own checks ("one active
    row per key", a partial unique index) do not see it. All of it runs in a savepoint: a
    successor refused by those checks or by the database leaves the old row in force.
    """
    with session.begin_nested():
        old.retired_at = clock.now()
        session.flush()
        new = make_successor(old)
        new.supersedes_id = old.id
    return new


def retire_row(session: Session, row: V) -> V:
    """Take the row out of force; it stays in the table and in its successors' history."""
    row.retired_at = clock.now()
    session.flush()
    return row


def version_history(
    session: Session, model: type[V], row_id: int, *, message: str, code: str
) -> list[V]:
    """The row and every version before it, newest first; a missing row is NotFound.

    A retired row has a history too (the admin pages show what was in force before).
    """
    row = session.get(model, row_id)
    if row is None:
        raise NotFound(message, code=code)
    rows: list[V] = []
    while row is not None:
        rows.append(row)
        row = session.get(model, row.supersedes_id) if row.supersedes_id else None
    return rows
