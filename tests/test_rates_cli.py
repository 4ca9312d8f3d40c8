"""Rule: on the demo data, `jiesu report rates` prints the rates a hand count of the raw
`order_events` gives. Runs the real command against a SQLite database of its own, with the
clock frozen so the demo's orders and the report see the same "now"."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from jiesu.cli import app
from jiesu.core.clock import CHINA_TZ
from jiesu.insights.periods import parse_period
from jiesu.insights.rules import get_rate_rules
from jiesu.orders.models import Order
from tests.scratch_settings import scratch_sqlite
from tests.test_rates import FIGURES, hand_count

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=CHINA_TZ)
PERIOD = f"{(NOW - timedelta(days=40)).date()}..{NOW.date()}"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import os

    root = Path(__file__).resolve().parents[1]
    shared = os.environ.get("JIESU_SHARED_DATA_DIR", str(root.parent / "shared" / "data"))
    env = {"JIESU_SHARED_DATA_DIR": shared, "JIESU_TRIAGE_AT_INTAKE": "false",
           "JIESU_RATES_MIN_VISITED": "3", "JIESU_DEMO_LINE_CALLS": "200"}
    with scratch_sqlite(tmp_path_factory.mktemp("rates_cli"), "demo.db", env,
                        also_clear=get_rate_rules.cache_clear) as url, \
            time_machine.travel(NOW, tick=False):
        result = CliRunner().invoke(app, ["init", "--demo"])
        assert result.exit_code == 0, result.output
        yield url


def test_report_rates_prints_what_the_events_give(demo_db: str) -> None:
    result = CliRunner().invoke(app, ["report", "rates", "--period", PERIOD, "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    engine = create_engine(demo_db)
    with Session(engine) as session:
        ids = list(session.scalars(select(Order.id)))
        expected = hand_count(session, ids, NOW, parse_period(PERIOD))
    engine.dispose()
    rows = {row["unit_id"]: row for row in report["rows"]}
    assert set(rows) == set(expected)
    assert sum(row["visited"] for row in rows.values()) > 0
    for unit_id, counted in expected.items():
        for name in FIGURES:
            assert rows[unit_id][name] == counted.get(name, 0), (rows[unit_id]["name"], name)
        if counted["visited"]:
            weighted = counted["satisfied"] + 0.9 * counted["basically"]
            assert rows[unit_id]["satisfaction_rate"] == pytest.approx(
                weighted / counted["visited"])
    ranked = [r for r in report["ranking"]]
    assert all(r["visited"] >= 3 for r in ranked)


def test_report_rates_table_and_files(demo_db: str, tmp_path: Path) -> None:
    table = CliRunner().invoke(app, ["report", "rates", "--period", PERIOD])
    assert table.exit_code == 0, table.output
    assert "响应率" in table.stdout and "不予受理" in table.stdout
    xlsx = tmp_path / "rates.xlsx"
    saved = CliRunner().invoke(app, ["report", "rates", "--period", PERIOD, "--group",
                                     "district", "--format", "xlsx", "--output", str(xlsx)])
    assert saved.exit_code == 0 and xlsx.read_bytes()[:2] == b"PK"
    bad = CliRunner().invoke(app, ["report", "rates", "--period", "October"])
    assert bad.exit_code == 2 and "invalid_period" in bad.stdout


def test_report_rollup_rebuild_leaves_the_report_unchanged(demo_db: str) -> None:
    """After `jiesu report rollup --rebuild` the report sums the daily rollup: the same JSON."""
    def report(group: str) -> dict[str, object]:
        result = CliRunner().invoke(app, ["report", "rates", "--period", PERIOD, "--group",
                                          group, "--format", "json"])
        assert result.exit_code == 0, result.output
        body: dict[str, object] = json.loads(result.stdout)
        body.pop("generated_at")
        return body

    with time_machine.travel(NOW, tick=False):
        before = {g: report(g) for g in ("unit", "district", "category")}
        built = CliRunner().invoke(app, ["report", "rollup", "--rebuild"])
        assert built.exit_code == 0, built.output
        assert "三率日汇总：重算" in built.stdout
        engine = create_engine(demo_db)
        with Session(engine) as session:
            from jiesu.insights import rollup

            exact = rollup.exact_days(session, parse_period(PERIOD), get_rate_rules(), NOW)
        engine.dispose()
        assert len(exact) > 30
        assert {g: report(g) for g in ("unit", "district", "category")} == before
