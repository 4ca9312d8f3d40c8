"""Rule: the driver parses each statement of an intake once, the wide order INSERT included."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from jiesu.core.settings import get_settings
from tests.factories import new_order


def test_the_wide_order_insert_is_parsed_once_by_the_driver(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("psycopg's placeholder cache: PostgreSQL only")
    from psycopg import _queries

    # psycopg sends a statement with too many parameters down its uncached path.
    uncached: list[bytes] = []
    parse = _queries._query2pg_nocache

    def counting(query: bytes, encoding: str) -> Any:
        uncached.append(query)
        return parse(query, encoding)

    monkeypatch.setattr(_queries, "_query2pg_nocache", counting)
    monkeypatch.setattr(get_settings(), "triage_at_intake", False)
    new_order(session)
    new_order(session)
    assert not uncached, uncached[0][:80]
