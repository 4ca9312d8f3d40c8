"""Engine, sessions and the declarative base shared by every package."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, ClassVar

from sqlalchemy import DateTime, MetaData, TypeDecorator, create_engine, event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from jiesu.core.settings import get_settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always returns them aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={int(get_settings().sqlite_busy_timeout_ms)}")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # IMMEDIATE takes the write lock up front: two writers queue on busy_timeout instead of
    # failing with "database is locked" when a read transaction upgrades to a write.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


# SQLite's busy handler wakes a waiting writer at most every 100 ms. A job that commits batch
# after batch back to back (the first run after `init --demo` places 8,300 orders into hot
# spots for over a minute) never leaves a gap that long, so another process's write (a CLI
# command, a second server process) starves until its busy_timeout fails with "database is
# locked". A pause that long before the next batch lets the writers waiting meanwhile in.
SQLITE_WRITER_GAP_S = 0.12


def let_other_writers_in(session: Session) -> None:
    """Called between two committed batches of a long job: on SQLite, pause so that writers
    waiting on the lock get it; nothing on PostgreSQL (row locks, no single writer)."""
    if session.get_bind().dialect.name == "sqlite":
        time.sleep(SQLITE_WRITER_GAP_S)


def committed_batches(session_factory: Callable[[], Session],
                      one_batch: Callable[[Session], tuple[int, bool]]) -> int:
    """Run `one_batch` (returning how many it did and whether more is left), each in its own
    committed transaction so locks are held briefly, until nothing is left; between two
    batches other writers get their turn. Returns the total done."""
    total = 0
    while True:
        with session_factory() as session:
            done, more = one_batch(session)
            session.commit()
            if more:
                let_other_writers_in(session)
        total += done
        if not more:
            return total


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        # Let SQLAlchemy, not the driver, emit BEGIN, so SAVEPOINTs behave (SQLAlchemy docs).
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    _cache_wide_statements()
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


# psycopg 3 parses a query's %(name)s placeholders once and caches the result, but only for
# queries with at most 50 parameters (psycopg/_queries.py). The ORM's INSERT into `orders`
# has 56 and would be parsed again on every intake. The bound is a module constant read on
# each call; raising it keeps psycopg's own LRU in charge (a test checks the cache is hit).
WIDE_STATEMENT_PARAMS = 128


def _cache_wide_statements() -> None:
    from psycopg import _queries

    bound = getattr(_queries, "MAX_CACHED_STATEMENT_PARAMS", WIDE_STATEMENT_PARAMS)
    if bound < WIDE_STATEMENT_PARAMS:
        _queries.MAX_CACHED_STATEMENT_PARAMS = WIDE_STATEMENT_PARAMS


@lru_cache
def get_engine() -> Engine:
    settings = get_settings()
    if settings.effective_database_url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return make_engine(settings.effective_database_url)


@lru_cache
def get_sessionmaker() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


@contextmanager
def session_scope() -> Iterator[Session]:
    """A unit of work for the CLI and jobs: commit on success, roll back on error."""
    session = get_sessionmaker()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
