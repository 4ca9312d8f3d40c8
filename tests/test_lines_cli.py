"""Rule: `jiesu demo special-line` builds the epidemic line through the services and its
dashboard and the first-call report give the figures the orders give; `jiesu lines` opens and
closes a line. Runs the real commands against a SQLite database of its own."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from jiesu.cli import app
from jiesu.core import clock
from jiesu.core import db as core_db
from jiesu.lines.models import Line
from jiesu.orders.models import Order, OrderEvent
from tests.scratch_settings import scratch_sqlite


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = Path(__file__).resolve().parents[1]
    shared = os.environ.get("JIESU_SHARED_DATA_DIR", str(root.parent / "shared" / "data"))
    with scratch_sqlite(tmp_path_factory.mktemp("lines_cli"), "lines.db", {
        "JIESU_SHARED_DATA_DIR": shared, "JIESU_TRIAGE_AT_INTAKE": "false",
        "JIESU_DEMO_LINE_CALLS": "0",
    }) as url:
        result = run("init", "--demo")
        assert result.exit_code == 0, result.output
        yield url


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def test_the_demo_line_is_built_from_orders_and_its_figures_come_from_them(demo_db: str) -> None:
    built = run("demo", "special-line", "--days", "10", "--calls", "400", "--peak", "60")
    assert built.exit_code == 0, built.output
    with core_db.session_scope() as session:
        line = session.scalars(select(Line).where(Line.code == "epidemic")).one()
        on_line = select(func.count()).select_from(Order).where(Order.line_id == line.id)
        assert session.scalar(on_line) == 400
        settled = session.scalar(on_line.where(Order.close_reason == "answered_on_call")) or 0
        refused = session.scalar(on_line.where(Order.close_reason == "not_accepted")) or 0
        # Every call has its intake event: built through the services, not inserted.
        events = session.scalar(select(func.count(func.distinct(OrderEvent.order_id)))
                                .join(Order, Order.id == OrderEvent.order_id)
                                .where(Order.line_id == line.id, OrderEvent.action == "intake"))
        assert events == 400
        line_id = line.id
    assert settled / (400 - refused) > 0.9
    dash = run("lines", "show", str(line_id))
    assert dash.exit_code == 0 and "疫情防控专线" in dash.output
    today = clock.local(clock.now()).date()
    period = f"{today - timedelta(days=9)}..{today}"
    report = run("report", "rates", "--kind", "first-call", "--period", period, "--line",
                 "epidemic", "--format", "json")
    assert report.exit_code == 0, report.output
    total = json.loads(report.stdout)["total"]
    assert (total["received"], total["first_call"], total["not_accepted"]) == (
        400, settled, refused)
    again = run("demo", "special-line")
    assert again.exit_code == 0 and "已存在" in again.output


def test_a_line_is_opened_and_closed_on_the_command_line(demo_db: str) -> None:
    opened = run("lines", "create", "--as", "supervisor", "--code", "flood", "--name",
                 "防汛专线", "--number", "12345-7", "--agents", "agent,agent2",
                 "--categories", "突发公共卫生事件处理")
    assert opened.exit_code == 0, opened.output
    line_id = json.loads(opened.stdout)["id"]
    refused = run("lines", "create", "--as", "agent", "--code", "xx", "--name", "x",
                  "--number", "1")
    assert refused.exit_code == 2 and "role_not_allowed" in refused.output
    bad = run("lines", "create", "--as", "supervisor", "--code", "bad", "--name", "x",
              "--number", "1", "--categories", "不存在的类别")
    assert bad.exit_code == 2 and "unknown_category" in bad.output
    closed = run("lines", "close", str(line_id), "--as", "supervisor", "--note", "汛期结束")
    assert closed.exit_code == 0 and json.loads(closed.stdout)["state"] == "closed"
    listed = run("lines", "list")
    assert "防汛专线" in listed.output and "已关闭" in listed.output


def test_a_lines_deadline_rules_are_set_on_the_command_line(demo_db: str) -> None:
    opened = run("lines", "create", "--as", "supervisor", "--code", "heat", "--name",
                 "防暑专线", "--number", "12345-8")
    assert opened.exit_code == 0, opened.output
    line_id = str(json.loads(opened.stdout)["id"])
    added = run("lines", "add-deadline", line_id, "--as", "supervisor", "--sign", "2h",
                "--contact", "2h", "--reply", "24h", "--note", "2小时响应、24小时办结")
    assert added.exit_code == 0, added.output
    (rule,) = json.loads(added.stdout)
    assert (rule["urgency"], rule["labels"]["reply"]) == ("any", "24小时")
    replaced = run("lines", "replace-deadline", line_id, str(rule["id"]), "--as", "supervisor",
                   "--sign", "1h", "--contact", "2h", "--reply", "1wd")
    assert replaced.exit_code == 0, replaced.output
    new_id = json.loads(replaced.stdout)[0]["id"]
    for args, code in ((("--sign", "2 hours", "--contact", "2h", "--reply", "1d"),
                        "invalid_limit"),
                       (("--sign", "0h", "--contact", "2h", "--reply", "1d"), "invalid_input"),
                       (("--sign", "1h", "--contact", "2h", "--reply", "1d", "--urgency",
                         "soon"), "invalid_input"),
                       (("--sign", "1h", "--contact", "2h", "--reply", "1d", "--category",
                         "不存在的类别"), "unknown_category")):
        bad = run("lines", "add-deadline", line_id, "--as", "supervisor", *args)
        assert bad.exit_code == 2 and code in bad.output, bad.output
    refused = run("lines", "add-deadline", line_id, "--as", "agent", "--sign", "1h",
                  "--contact", "1h", "--reply", "2h", "--urgency", "emergency")
    assert refused.exit_code == 2 and "role_not_allowed" in refused.output
    listed = run("lines", "deadlines", line_id)
    assert [r["id"] for r in json.loads(listed.stdout)] == [new_id]
    retired = run("lines", "retire-deadline", line_id, str(new_id), "--as", "supervisor")
    assert retired.exit_code == 0, retired.output
    assert json.loads(run("lines", "deadlines", line_id).stdout) == []
