"""Rule: an admin enters the State Council's notice from the command line (`jiesu calendar add
/ list / import / complete / check`), all or nothing, with the stable error codes. Runs
Typer's CliRunner against a temporary SQLite database of its own; the dates are the test's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from jiesu.calendar.models import CalendarDay
from jiesu.cli import app
from jiesu.core import db as core_db
from jiesu.core.migrate import upgrade
from jiesu.demo import create_demo_users
from jiesu.units.models import User
from jiesu.units.seed import load_units
from tests.conftest import FROZEN_AT
from tests.scratch_settings import scratch_sqlite


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Point settings at a fresh, migrated SQLite file; the suite's database is restored
    after."""
    with scratch_sqlite(tmp_path_factory.mktemp("calendar_cli"), "cli.db") as url:
        upgrade(url)
        with core_db.session_scope() as session:
            load_units(session)
            create_demo_users(session)
        yield url


@pytest.fixture
def cli(cli_db: str) -> Iterator[None]:
    with time_machine.travel(FROZEN_AT, tick=False):  # 2026: 2025–2027 may be entered
        yield


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["calendar", *args])


def rows() -> int:
    with core_db.session_scope() as session:
        return session.scalar(select(func.count(CalendarDay.id))) or 0


def test_admin_enters_a_year_and_marks_it_entered(cli: None) -> None:
    assert run("check").exit_code == 1  # 60 days from 2 November 2026 reach 2027
    added = run("add", "2027-01-01", "--holiday", "--name", "元旦")
    assert added.exit_code == 0, added.output
    worked = run("add", "2027-01-09", "--workday", "--name", "调休上班", "--note", "测试")
    assert worked.exit_code == 0, worked.output
    listed = run("list", "2027")
    assert listed.exit_code == 0, listed.output
    assert "2027-01-01" in listed.output and "元旦" in listed.output and "调休上班" in listed.output
    assert "尚未录入完毕" in listed.output
    done = run("complete", "2027", "--source", "国办发明电〔2026〕测试号")
    assert done.exit_code == 0, done.output
    assert "已录入完毕" in run("list", "2027").output
    check = run("check")
    assert check.exit_code == 0 and "均已覆盖" in check.output


def test_import_is_all_or_nothing_and_can_be_run_again(cli: None, tmp_path: Path) -> None:
    before = rows()
    good = tmp_path / "notice.csv"
    good.write_text("date,is_workday,name\n2027-02-10,0,春节\n2027-02-11,false,春节\n"
                    "2027-02-20,1,调休上班\n", encoding="utf-8")
    first = run("import", str(good))
    assert first.exit_code == 0, first.output
    assert "新增 3 条" in first.output and rows() == before + 3
    again = run("import", str(good))
    assert "新增 0 条" in again.output and "未变 3 条" in again.output and rows() == before + 3
    changed = tmp_path / "changed.csv"
    changed.write_text("2027-02-10,0,春节\n2027-02-20,0,春节\n", encoding="utf-8")
    refused = run("import", str(changed))
    assert refused.exit_code == 2 and '"code": "calendar_day_exists"' in refused.output
    assert rows() == before + 3
    replaced = run("import", str(changed), "--replace")
    assert replaced.exit_code == 0 and "替换 1 条" in replaced.output
    assert rows() == before + 4  # the old version is kept, retired


@pytest.mark.parametrize(("args", "code"), [
    (("add", "2027-1-5", "--holiday", "--name", "元旦"), "calendar_bad_date"),
    (("add", "2029-01-01", "--holiday", "--name", "元旦"), "calendar_year_out_of_range"),
    (("complete", "2031", "--source", "某通知"), "calendar_year_out_of_range"),
    (("add", "2027-03-01", "--holiday", "--name", "元旦", "--as", "supervisor"),
     "role_not_allowed"),
])
def test_bad_input_is_refused_with_its_code(
    cli: None, args: tuple[str, ...], code: str
) -> None:
    before = rows()
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert f'"code": "{code}"' in result.output
    assert rows() == before


def test_the_entry_records_the_admin_who_made_it(cli: None) -> None:
    result = run("add", "2027-10-08", "--holiday", "--name", "国庆节", "--as", "admin")
    assert result.exit_code == 0, result.output
    with core_db.session_scope() as session:
        row = session.scalars(select(CalendarDay).where(
            CalendarDay.day == date(2027, 10, 8))).one()
        admin = session.scalars(select(User).where(User.username == "admin")).one()
        assert row.created_by_id == admin.id and row.is_workday is False


def test_second_entry_for_a_date_is_refused(cli: None) -> None:
    assert run("add", "2027-04-05", "--holiday", "--name", "清明节").exit_code == 0
    again = run("add", "2027-04-05", "--workday", "--name", "调休上班")
    assert again.exit_code == 2 and '"code": "calendar_day_exists"' in again.output


def test_a_bad_line_writes_nothing_and_names_the_line(cli: None, tmp_path: Path) -> None:
    before = rows()
    bad = tmp_path / "bad.csv"
    bad.write_text("2027-05-01,0,劳动节\n2027-05-02,maybe,劳动节\n", encoding="utf-8")
    result = run("import", str(bad))
    assert result.exit_code == 2 and '"code": "calendar_bad_file"' in result.output
    assert "第 2 行" in result.output and rows() == before


def test_holiday_or_workday_must_be_said(cli: None) -> None:
    # A make-up working day entered as a holiday by omission would be wrong: no default.
    before = rows()
    result = run("add", "2027-06-01", "--name", "调休上班")
    assert result.exit_code == 2, result.output
    assert rows() == before
