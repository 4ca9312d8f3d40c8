"""Rule: `jiesu backup` and `jiesu restore` bring a database back whole — every table's row
count and every order event equal in a fresh database — and the restored database takes new
orders (its sequences came back too). pg_dump/pg_restore when the suite runs on PostgreSQL,
SQLite's online backup API otherwise; the databases are the test's own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from jiesu.cli import app
from jiesu.core import backup
from jiesu.core.migrate import upgrade
from jiesu.demo import create_demo_users
from jiesu.orders.models import Order, OrderEvent
from jiesu.units.seed import load_units
from tests.factories import WANGJING, new_order, step, unit
from tests.scratch_settings import own_database


@pytest.fixture
def databases(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(source, empty target) of the kind the suite runs on."""
    with own_database(tmp_path, "jiesu_backup") as source, \
            own_database(tmp_path, "jiesu_restored") as target:
        yield source, target


def _fill(url: str) -> None:
    """Units, users and orders along their way, committed as the server would."""
    upgrade(url)
    engine = create_engine(url)
    with Session(engine) as session:
        load_units(session)
        create_demo_users(session)
        for n in range(3):
            order = new_order(session, text=f"备份测试{n}：望京街道花家地西里路灯不亮")
            step(session, "dispatcher", order, "dispatch",
                 lead_unit_id=unit(session, WANGJING).id)
            if n:
                step(session, "street", order, "sign")
        session.commit()
    engine.dispose()


def _events(url: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(select(
            OrderEvent.id, OrderEvent.order_id, OrderEvent.seq, OrderEvent.action,
            OrderEvent.to_state, OrderEvent.at, OrderEvent.payload).order_by(OrderEvent.id))]
    engine.dispose()
    return rows


def test_a_backup_restored_into_a_fresh_database_has_every_row_and_event(
    databases: tuple[str, str], tmp_path: Path
) -> None:
    source, target = databases
    _fill(source)
    runner = CliRunner()
    path = tmp_path / "backups" / "jiesu.backup"
    made = runner.invoke(app, ["backup", str(path), "--url", source])
    assert made.exit_code == 0, made.output
    assert "已备份" in made.output and path.is_file()
    restored = runner.invoke(app, ["restore", str(path), "--url", target])
    assert restored.exit_code == 0, restored.output
    assert "与备份一致" in restored.output
    before, after = backup.summarise(source), backup.summarise(target)
    assert after == before
    assert before.counts["orders"] == 3 and before.counts["order_events"] == 8
    assert before.counts["units"] > 300 and before.counts["alembic_version"] == 1
    assert _events(target) == _events(source)
    # The restored database works on: a new order gets the next id (sequences restored).
    engine = create_engine(target)
    with Session(engine) as session:
        newest = session.scalar(select(func.max(Order.id)))
        order = new_order(session, text="恢复后受理的新工单")
        assert newest is not None and order.id > newest
        session.rollback()
    engine.dispose()


def test_a_restore_refuses_a_database_that_is_not_empty(
    databases: tuple[str, str], tmp_path: Path
) -> None:
    source, target = databases
    _fill(source)
    path = tmp_path / "jiesu.backup"
    backup.backup(source, path)
    upgrade(target)  # an empty schema is not an empty database
    runner = CliRunner()
    refused = runner.invoke(app, ["restore", str(path), "--url", target])
    assert refused.exit_code == 2 and "restore_target_not_empty" in refused.output
    assert backup.summarise(target).counts["orders"] == 0
    forced = runner.invoke(app, ["restore", str(path), "--url", target, "--force"])
    assert forced.exit_code == 0, forced.output
    assert backup.summarise(target) == backup.summarise(source)


def test_a_file_that_is_not_a_backup_is_refused(
    databases: tuple[str, str], tmp_path: Path
) -> None:
    _, target = databases
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a backup", encoding="utf-8")
    runner = CliRunner()
    refused = runner.invoke(app, ["restore", str(bogus), "--url", target])
    assert refused.exit_code == 2 and "backup_wrong_kind" in refused.output
    missing = runner.invoke(app, ["restore", str(tmp_path / "none.db"), "--url", target])
    assert missing.exit_code == 2 and "backup_not_found" in missing.output
    existing = runner.invoke(app, ["backup", str(bogus), "--url", target])
    assert existing.exit_code == 2 and "backup_exists" in existing.output
