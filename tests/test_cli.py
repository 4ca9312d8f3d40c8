"""Rule: the command line drives an order from intake to closed, and `jiesu init --demo` is
idempotent. Runs Typer's CliRunner against a temporary SQLite database of its own."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from jiesu.cli import app
from jiesu.core import db as core_db
from jiesu.orders.models import Order, OrderEvent
from jiesu.units.models import Unit, User
from tests.scratch_settings import scratch_sqlite

PHONE = "13812345678"


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory: pytest.TempPathFactory, shared_dir_path: Path) -> Iterator[str]:
    """Point settings at a fresh SQLite file; the suite's database is restored after."""
    with scratch_sqlite(tmp_path_factory.mktemp("cli"), "cli.db", {
        "JIESU_SHARED_DATA_DIR": str(shared_dir_path),
        "JIESU_TRIAGE_AT_INTAKE": "false",  # triage has its own tests
        "JIESU_DEMO_LINE_CALLS": "100",  # the special line has its own (tests/test_lines_cli.py)
    }) as url:
        yield url


@pytest.fixture(scope="module")
def shared_dir_path() -> Path:
    import os

    root = Path(__file__).resolve().parents[1]
    return Path(os.environ.get("JIESU_SHARED_DATA_DIR", root.parent / "shared" / "data"))


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def counts() -> dict[str, int]:
    with core_db.session_scope() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Unit, User, Order, OrderEvent)
        }


def order_id_of(result: Result) -> int:
    found = re.search(r'"id":\s*(\d+)', result.output)
    assert found, result.output
    return int(found.group(1))


def test_init_demo_run_twice_gives_the_same_counts(cli_db: str) -> None:
    first = run("init", "--demo")
    assert first.exit_code == 0, first.output
    after_first = counts()
    assert after_first["units"] > 1000 and after_first["users"] >= 13
    assert after_first["orders"] > 300 and after_first["order_events"] > after_first["orders"]
    second = run("init", "--demo")
    assert second.exit_code == 0, second.output
    assert counts() == after_first


def test_an_order_goes_from_intake_to_closed_on_the_command_line(cli_db: str) -> None:
    run("init")
    with core_db.session_scope() as session:
        street = session.scalars(select(Unit.id).where(Unit.code == "110105026")).one()
    intake = run("orders", "intake", "--as", "agent", "--type", "complaint", "--phone", PHONE,
                 "--text", "朝阳区望京街道花家地西里三区门口垃圾堆放多日无人清理")
    assert intake.exit_code == 0, intake.output
    assert PHONE not in intake.output and "138****5678" in intake.output
    oid = str(order_id_of(intake))
    steps = [
        ("dispatch", "dispatcher", {"lead_unit_id": street}),
        ("sign", "street", {}),
        ("contact", "street", {"method": "phone"}),
        ("reply", "street", {"outcome": "solved", "reply": "已清运"}),
        ("close_visited", "visitor", {"solved": True, "satisfaction": "satisfied"}),
    ]
    for action, user, body in steps:
        result = run("orders", "act", oid, action, "--as", user, "--data", json.dumps(body))
        assert result.exit_code == 0, (action, result.output)
        assert PHONE not in result.output
    show = run("orders", "show", oid, "--as", "supervisor")
    assert show.exit_code == 0, show.output
    assert '"state": "closed"' in show.output and PHONE not in show.output
    for label in ("受理", "派单", "签收", "联系诉求人", "答复", "回访办结"):
        assert label in show.output
    listed = run("orders", "list", "--as", "supervisor", "--state", "closed")
    assert listed.exit_code == 0 and oid in listed.output
    with core_db.session_scope() as session:
        order = session.get(Order, int(oid))
        assert order is not None and order.state == "closed"


def test_orders_export_writes_the_filtered_list_with_masked_phones(
    cli_db: str, tmp_path: Path
) -> None:
    run("init", "--demo")  # the demo users (already there when the module runs in order)
    intake = run("orders", "intake", "--as", "agent", "--type", "complaint", "--phone", PHONE,
                 "--text", "导出测试：望京街道花家地西里路灯不亮")
    assert intake.exit_code == 0, intake.output
    out = tmp_path / "orders.csv"
    result = run("orders", "export", "--as", "supervisor", "--out", str(out), "--text", "导出测试")
    assert result.exit_code == 0, result.output
    content = out.read_text(encoding="utf-8-sig")
    assert "导出测试" in content and "138****5678" in content and PHONE not in content


def test_the_command_line_refuses_bad_input_with_the_error_shape(cli_db: str) -> None:
    run("init", "--demo")  # the demo users act below (idempotent when an earlier test ran it)
    intake = run("orders", "intake", "--as", "agent", "--text", "路灯不亮")
    oid = str(order_id_of(intake))
    before = counts()
    cases = [
        (("orders", "act", oid, "fly_away", "--as", "agent"), None),
        (("orders", "act", oid, "sign", "--as", "street"), "order_not_found"),
        (("orders", "act", oid, "dispatch", "--as", "agent", "--data", '{"lead_unit_id": 1}'),
         "role_not_allowed"),
        (("orders", "act", oid, "dispatch", "--as", "dispatcher", "--data", "{}"),
         "invalid_input"),
        # Who may act before when: a role that never replies is told so, not "not now".
        (("orders", "act", oid, "reply", "--as", "dispatcher", "--data",
          '{"outcome": "solved", "reply": "x"}'), "role_not_allowed"),
        (("orders", "act", oid, "urge", "--as", "supervisor", "--data", '{"note": "x"}'),
         "transition_not_allowed"),
        (("orders", "act", oid, "dispatch", "--as", "dispatcher", "--data",
          '{"lead_unit_id": 99999999}'), "unknown_unit"),
        (("orders", "intake", "--as", "agent", "--type", "gossip", "--text", "x"),
         "invalid_input"),
        (("orders", "show", "999999", "--as", "supervisor"), "order_not_found"),
        (("orders", "list", "--as", "nobody"), None),
    ]
    for args, code in cases:
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        if code:
            assert f'"code": "{code}"' in result.output, (args, result.output)
    assert counts() == before


def test_users_are_deactivated_restored_and_reset_on_the_command_line(cli_db: str) -> None:
    assert run("init", "--demo").exit_code == 0

    def street2() -> User:
        with core_db.session_scope() as session:
            user = session.scalars(select(User).where(User.username == "street2")).one()
            session.expunge(user)
            return user

    before = street2()
    off = run("users", "deactivate", "street2")
    assert off.exit_code == 0, off.output
    assert not street2().active and street2().token_version == before.token_version + 1
    assert run("users", "activate", "street2").exit_code == 0 and street2().active
    reset = run("users", "password", "street2", "--password", "a-new-long-password")
    assert reset.exit_code == 0, reset.output
    assert street2().password_hash != before.password_hash
    missing = run("users", "deactivate", "nobody")
    assert missing.exit_code != 0 and "user_not_found" in missing.output
