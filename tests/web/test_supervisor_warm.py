"""The served process keeps the supervisor dashboard's figures computed (issue 14: login → first
page under 300 ms even when the month's rates take longer than that)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from jiesu.web import supervisor


def test_keep_warm_leaves_figures_that_the_next_page_view_uses(engine: Engine) -> None:
    supervisor.clear_cache()
    stop = threading.Event()
    stop.set()  # one round, then return
    try:
        supervisor.keep_warm(stop)
        cached = supervisor._cache[str(engine.url)][1]
        with Session(engine) as session:
            assert supervisor._cached_context(session) is cached
        assert "rates" in cached and "chart_json" in cached
    finally:
        supervisor.clear_cache()


def test_keep_warm_survives_a_failing_recompute(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_session: Session) -> dict[str, object]:
        raise RuntimeError("database restarting")

    monkeypatch.setattr(supervisor, "_context", broken)
    supervisor.clear_cache()
    stop = threading.Event()
    stop.set()
    supervisor.keep_warm(stop)  # logs, does not raise
    assert supervisor._cache == {}
