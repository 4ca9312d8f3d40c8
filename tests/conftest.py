"""Test fixtures: a real database (SQLite, or PostgreSQL when JIESU_TEST_POSTGRES_URL is set),
migrated with Alembic once per run, each test inside a rolled-back transaction, a frozen clock.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

os.environ.setdefault("JIESU_MODE", "demo")
# The demo's epidemic special line is 8,300 calls (make run); a test that loads the demo
# gets a small one unless it asks for more (jiesu/lines/demo.py, tests/test_lines_cli.py).
os.environ.setdefault("JIESU_DEMO_LINE_CALLS", "200")

from jiesu.core import db as core_db
from jiesu.core.api import get_session
from jiesu.core.clock import CHINA_TZ
from jiesu.core.migrate import upgrade
from jiesu.core.security import issue_token
from tests.scratch_settings import own_database

# A Monday in an ordinary working week.
FROZEN_AT = datetime(2026, 11, 2, 10, 0, tzinfo=CHINA_TZ)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with own_database(tmp_path_factory.mktemp("db"), "jiesu_test") as url:
        try:
            yield url
        finally:
            core_db.get_engine.cache_clear()


@pytest.fixture(scope="session")
def engine(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    os.environ["JIESU_DATABASE_URL"] = database_url
    # Uploaded attachments go to a scratch directory, never into the repository's var/.
    os.environ["JIESU_ATTACHMENT_DIR"] = str(tmp_path_factory.mktemp("attachments"))
    from jiesu.core.settings import get_settings

    get_settings.cache_clear()
    core_db.get_engine.cache_clear()
    core_db.get_sessionmaker.cache_clear()
    upgrade(database_url)
    eng = core_db.get_engine()
    from jiesu.core.db import session_scope
    from jiesu.demo import create_demo_users
    from jiesu.units.seed import load_units

    with session_scope() as session:
        load_units(session)
        create_demo_users(session)
    yield eng
    eng.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    conn = engine.connect()
    outer = conn.begin()
    try:
        yield conn
    finally:
        outer.rollback()
        conn.close()


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    sess = Session(bind=connection, join_transaction_mode="create_savepoint",
                   expire_on_commit=False)
    try:
        yield sess
    finally:
        sess.close()


@pytest.fixture
def frozen() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(FROZEN_AT, tick=False) as traveller:
        yield traveller


@pytest.fixture
def client(session: Session, frozen: time_machine.Coordinates) -> Iterator[TestClient]:
    from jiesu.app import create_app

    app = create_app()

    def _session() -> Iterator[Session]:
        yield session

    app.dependency_overrides[get_session] = _session
    with TestClient(app, raise_server_exceptions=True) as test_client:
        yield test_client


@pytest.fixture
def shared_dir() -> Path:
    root = Path(__file__).resolve().parents[1]
    return Path(os.environ.get("JIESU_SHARED_DATA_DIR", root.parent / "shared" / "data"))


def auth_headers(session: Session, username: str) -> dict[str, str]:
    from sqlalchemy import select

    from jiesu.units.models import User

    user = session.scalars(select(User).where(User.username == username)).one()
    return {"Authorization": f"Bearer {issue_token(user.id, user.token_version)}"}
