"""Command-line tests run the real commands against a SQLite file of their own: point the
settings at it for a module, and put the suite's database back after. Tests whose processes
must see committed rows get a whole database of their own (`own_database`)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from jiesu.core import db as core_db
from jiesu.core.settings import get_settings


def clear_caches() -> None:
    get_settings.cache_clear()
    core_db.get_engine.cache_clear()
    core_db.get_sessionmaker.cache_clear()


@contextmanager
def scratch_sqlite(
    folder: Path, filename: str, env: dict[str, str] | None = None,
    also_clear: Callable[[], None] | None = None,
) -> Iterator[str]:
    """`JIESU_DATABASE_URL` and `JIESU_DATA_DIR` at a new SQLite file in `folder` (plus `env`),
    with the cached settings and engine dropped on the way in and out; yields the URL."""
    url = f"sqlite:///{folder / filename}"
    patch = pytest.MonkeyPatch()

    def clear() -> None:
        clear_caches()
        if also_clear:
            also_clear()

    for name, value in {"JIESU_DATABASE_URL": url, "JIESU_DATA_DIR": str(folder),
                        "COLUMNS": "200", **(env or {})}.items():
        patch.setenv(name, value)
    clear()
    try:
        yield url
    finally:
        if core_db.get_engine.cache_info().currsize:
            core_db.get_engine().dispose()
        patch.undo()
        clear()


@contextmanager
def own_database(folder: Path, prefix: str) -> Iterator[str]:
    """A new, empty database of the kind the suite runs on: a SQLite file in `folder`, or a
    PostgreSQL database `<prefix>_<random>` beside the suite's (JIESU_TEST_POSTGRES_URL),
    dropped after even if a process still holds it. Yields its URL."""
    base = os.environ.get("JIESU_TEST_POSTGRES_URL")
    if not base:
        yield f"sqlite:///{folder / f'{prefix}.db'}"
        return
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
