"""Rules of the bulk import of historical orders (`jiesu orders import FILE`)."""

from __future__ import annotations

import csv
import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from jiesu.core import db as core_db
from jiesu.core.migrate import upgrade
from jiesu.orders import bulk, imports
from jiesu.orders.import_rows import clean_text
from jiesu.orders.models import Order, OrderEvent
from tests.scratch_settings import clear_caches

HEADER = ["工单编号", "受理时间", "诉求内容", "来电号码", "诉求类型", "类别", "承办单位", "状态",
          "派单时间", "答复时间", "答复内容", "回访结果", "办结时间"]
TEXTS = ["望京街道花家地西里三区门口垃圾堆放多日无人清理，气味很大。",
         "朝阳区望京西园四区楼下夜间施工噪音扰民，凌晨两点还在施工。",
         "海淀区八里庄街道某小区暖气不热，室温只有十四度。"]


def row(n: int, **changes: str) -> list[str]:
    """A closed order, visited and satisfied; a few columns changed where a test needs it."""
    day = 1 + n % 28
    values = {
        "工单编号": f"HIST{n:07d}", "受理时间": f"2025-03-{day:02d} 09:{n % 60:02d}",
        "诉求内容": f"{TEXTS[n % 3]}（{n}）", "来电号码": f"138{n:08d}", "诉求类型": "投诉",
        "类别": "城乡建设", "承办单位": "110105026", "状态": "已办结",
        "派单时间": f"2025-03-{day:02d} 10:00", "答复时间": f"2025-04-{day:02d} 10:00",
        "答复内容": "已协调物业清理完毕。", "回访结果": "满意",
        "办结时间": f"2025-04-{day:02d} 16:00",
        **changes,
    }
    return [values[h] for h in HEADER]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Schema, units and demo users once per module: each test copies it (SQLite: the file;
    PostgreSQL: CREATE DATABASE ... TEMPLATE), since an import commits."""
    from jiesu.core.db import make_engine
    from jiesu.demo import create_demo_users
    from jiesu.units.seed import load_units

    base = os.environ.get("JIESU_TEST_POSTGRES_URL")
    name = f"jiesu_import_tpl_{uuid.uuid4().hex[:8]}"
    url = (base.rsplit("/", 1)[0] + f"/{name}" if base
           else f"sqlite:///{tmp_path_factory.mktemp('import') / 'template.db'}")
    if base:
        _admin(base, f'CREATE DATABASE "{name}"')
    upgrade(url)
    engine = make_engine(url)
    with sessionmaker(bind=engine).begin() as session:
        load_units(session)
        create_demo_users(session)
    engine.dispose()
    yield url
    if base:
        _admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin(base: str, statement: str) -> None:
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(statement))
    admin.dispose()


@pytest.fixture
def scratch(template: str, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """A database of the test's own, copied from the template; the command line's settings
    point at it for the test."""
    from jiesu.core.db import make_engine

    base = os.environ.get("JIESU_TEST_POSTGRES_URL")
    name = f"jiesu_import_{uuid.uuid4().hex[:10]}"
    if base:
        _admin(base, f'CREATE DATABASE "{name}" TEMPLATE "{template.rsplit("/", 1)[1]}"')
        url = base.rsplit("/", 1)[0] + f"/{name}"
    else:
        shutil.copy(template.removeprefix("sqlite:///"), tmp_path / "import.db")
        url = f"sqlite:///{tmp_path / 'import.db'}"
    patch = pytest.MonkeyPatch()
    patch.setenv("JIESU_DATABASE_URL", url)
    patch.setenv("JIESU_DATA_DIR", str(tmp_path))
    patch.setenv("COLUMNS", "200")
    clear_caches()
    engine = make_engine(url)
    try:
        yield sessionmaker(bind=engine, expire_on_commit=False)
    finally:
        engine.dispose()
        if core_db.get_engine.cache_info().currsize:
            core_db.get_engine().dispose()
        patch.undo()
        clear_caches()
        if base:
            _admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_import(*args: str) -> Any:
    from jiesu.cli import app

    return CliRunner().invoke(app, ["orders", "import", *args])


def count(factory: sessionmaker[Session], model: Any = Order) -> int:
    with factory() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def admin_id(factory: sessionmaker[Session]) -> int:
    from jiesu.units.models import User

    with factory() as session:
        return int(session.scalars(select(User.id).where(User.username == "admin")).one())


def test_a_10000_row_file_with_three_bad_rows_loads_the_others_and_reports_exactly_those(
    scratch: sessionmaker[Session], tmp_path: Path
) -> None:
    rows = [row(n) for n in range(10_000)]
    rows[1233] = row(1233, 受理时间="2025-13-45 25:00")  # file line 1235
    rows[4999] = row(4999, 承办单位="不存在的单位")  # line 5001
    rows[9997] = row(9997, 诉求内容="")  # line 9999
    path = write_csv(tmp_path / "history.csv", rows)
    errors = tmp_path / "errors.csv"
    result = run_import(str(path), "--errors", str(errors))
    print(result.output[-1500:])
    assert result.exit_code == 1, result.output
    with errors.open(encoding="utf-8-sig") as handle:
        reported = [(int(r["行号"]), r["列"]) for r in csv.DictReader(handle)]
    assert reported == [(1235, "受理时间"), (5001, "承办单位"), (9999, "诉求内容")]
    assert "导入 9997 件" in result.output and "有误 3 行" in result.output
    assert count(scratch) == 9_997


def test_the_same_file_imported_again_stores_nothing_twice(
    scratch: sessionmaker[Session], tmp_path: Path
) -> None:
    first = write_csv(tmp_path / "part.csv", [row(n) for n in range(300)])
    whole = write_csv(tmp_path / "whole.csv", [row(n) for n in range(700)])
    assert run_import(str(first)).exit_code == 0
    result = run_import(str(whole))
    assert result.exit_code == 0, result.output
    assert "导入 400 件，此前已导入而跳过 300 件" in result.output
    assert count(scratch) == 700
    with scratch() as session:
        keys = session.scalars(select(func.count(func.distinct(Order.client_key)))).one()
    assert keys == 700


def test_an_interrupted_import_keeps_whole_batches_only_and_resumes_without_duplicates(
    scratch: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_csv(tmp_path / "history.csv", [row(n) for n in range(1_000)])
    real_write = bulk.write
    calls = []

    def dies_in_the_third_batch(session: Session, orders: Any) -> list[int]:
        calls.append(len(orders))
        ids = real_write(session, orders)  # written, then the process "dies" before commit
        if len(calls) == 3:
            raise KeyboardInterrupt
        return ids

    monkeypatch.setattr(bulk, "write", dies_in_the_third_batch)
    with pytest.raises(KeyboardInterrupt):
        imports.import_file(scratch, path, created_by_id=admin_id(scratch), batch_size=200)
    assert count(scratch) == 400  # two whole batches; nothing of the third
    monkeypatch.setattr(bulk, "write", real_write)
    report = imports.import_file(scratch, path, created_by_id=admin_id(scratch), batch_size=200)
    assert (report.imported, report.skipped) == (600, 400)
    assert count(scratch) == 1_000
    with scratch() as session:
        imported = session.scalar(select(func.count()).where(OrderEvent.action == "import"))
    assert imported == 1_000


def test_imported_orders_carry_their_history_in_one_import_event_the_timeline_opens(
    scratch: sessionmaker[Session], tmp_path: Path
) -> None:
    from jiesu.orders import service

    path = write_csv(tmp_path / "one.csv", [row(7), row(8, 状态="办理中", 答复时间="",
                                                       答复内容="", 回访结果="", 办结时间="")])
    assert run_import(str(path)).exit_code == 0
    with scratch() as session:
        closed, open_ = session.scalars(select(Order).order_by(Order.id)).all()
        stored = {o.id: [(e.action, e.from_state, e.to_state, e.actor_role)
                         for e in service.events_of(session, o.id)] for o in (closed, open_)}
        history = {o.id: [(e.seq, e.action, e.to_state, e.actor_role)
                          for e in service.timeline_of(session, o.id)] for o in (closed, open_)}
        intake = service.timeline_of(session, closed.id)[0]
    assert stored == {closed.id: [("import", None, "closed", "import")],
                      open_.id: [("import", None, "in_progress", "import")]}
    assert history[closed.id] == [
        (1, "intake", "received", "import"), (2, "dispatch", "dispatched", "import"),
        (3, "reply", "replied", "import"), (4, "close_visited", "closed", "import")]
    assert history[open_.id] == [
        (1, "intake", "received", "import"), (2, "dispatch", "dispatched", "import"),
        (3, "sign", "signed", "import"), (4, "contact", "in_progress", "import")]
    assert intake.payload["import"] == {"file": "one.csv", "line": 2,
                                        "source_number": "HIST0000007"}
    assert (closed.state, closed.close_reason, closed.visit_satisfaction) == (
        "closed", "visited", "satisfied")
    assert closed.number and closed.number.startswith("20250308")
    assert (open_.state, open_.is_open, open_.replied_at) == ("in_progress", True, None)


def test_spreadsheet_artefacts_are_cleaned_from_imported_text(
    scratch: sessionmaker[Session], tmp_path: Path
) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    values = row(1, 诉求内容="楼道灯坏了_x000D_\n已经一周\u200b没人修。\u00a0",
                 答复内容="已更换灯泡_x000D_")
    sheet.append([13812345678 if h == "来电号码" else v for h, v in zip(HEADER, values,
                                                                      strict=True)])
    path = tmp_path / "history.xlsx"
    book.save(path)
    result = run_import(str(path))
    assert result.exit_code == 0, result.output
    with scratch() as session:
        order = session.scalars(select(Order)).one()
    assert order.text == "楼道灯坏了\n已经一周没人修。"
    assert order.reply_text == "已更换灯泡"
    assert order.citizen_phone == "13812345678"  # a number cell, read as the digits


def test_strict_import_stores_nothing_when_any_row_is_bad(
    scratch: sessionmaker[Session], tmp_path: Path
) -> None:
    rows = [row(n) for n in range(50)]
    rows[20] = row(20, 来电号码="not-a-phone!")
    result = run_import(str(write_csv(tmp_path / "h.csv", rows)), "--strict")
    assert result.exit_code == 1
    assert "未导入任何工单" in result.output
    assert count(scratch) == 0


def test_a_missing_required_column_is_reported_on_line_1_and_nothing_is_read(
    scratch: sessionmaker[Session], tmp_path: Path
) -> None:
    header = [h for h in HEADER if h != "受理时间"]
    rows = [[v for h, v in zip(HEADER, row(n), strict=True) if h != "受理时间"] for n in range(3)]
    report = imports.import_file(scratch, write_csv(tmp_path / "h.csv", rows, header),
                                 created_by_id=admin_id(scratch))
    assert [(e.line, e.column, e.reason) for e in report.errors] == [(1, "受理时间", "缺少必填列")]
    assert count(scratch) == 0


def test_a_row_repeated_in_the_file_is_reported_against_its_first_line(
    scratch: sessionmaker[Session], tmp_path: Path
) -> None:
    report = imports.import_file(scratch, write_csv(tmp_path / "h.csv", [row(1), row(2), row(1)]),
                                 created_by_id=admin_id(scratch))
    assert [(e.line, e.reason) for e in report.errors] == [(4, "与第 2 行是同一工单（导入键重复）")]
    assert report.imported == 2


def test_an_order_that_is_replied_needs_a_reply_text_and_times_run_forward(
    scratch: sessionmaker[Session], tmp_path: Path
) -> None:
    rows = [row(1, 状态="待回访", 答复内容="", 回访结果="", 办结时间=""),
            row(2, 派单时间="2025-03-01 08:00", 受理时间="2025-03-02 09:00")]
    report = imports.import_file(scratch, write_csv(tmp_path / "h.csv", rows),
                                 created_by_id=admin_id(scratch))
    assert [(e.line, e.column) for e in report.errors] == [(2, "答复内容"), (3, "派单时间")]


def test_clean_text_decodes_excel_escapes_and_drops_invisible_characters() -> None:
    assert clean_text("a_x000D_\nb_x0009_c\r\nd\ufeff ") == "a\nb\tc\nd"


def test_imported_open_orders_get_deadlines_and_watches_the_overdue_list_and_jobs_see(
    scratch: sessionmaker[Session], tmp_path: Path
) -> None:
    from jiesu.core import clock
    from jiesu.orders import jobs, queries
    from jiesu.orders.deadline_watches import DeadlineWatch
    from jiesu.units.models import Unit

    open_row = {"答复时间": "", "答复内容": "", "回访结果": "", "办结时间": ""}
    path = write_csv(tmp_path / "open.csv", [
        row(1), row(2, 状态="已派单", **open_row), row(3, 状态="办理中", **open_row)])
    assert run_import(str(path)).exit_code == 0
    with scratch() as session:
        closed, dispatched, working = session.scalars(select(Order).order_by(Order.id)).all()
        watches = {o.id: sorted((w.kind, w.due_at, w.started_at) for w in session.scalars(
            select(DeadlineWatch).where(DeadlineWatch.order_id == o.id)))
            for o in (closed, dispatched, working)}
        unit_id = session.scalars(select(Unit.id).where(Unit.code == "110105026")).one()
        overdue = queries.overdue_for_unit(session, unit_id, limit=10, now=clock.now())
    assert watches[closed.id] == []
    # Dispatched, not signed: all three clocks run from the dispatch, as dispatch sets them.
    assert dispatched.reply_due_at is not None and dispatched.sign_due_at is not None
    assert watches[dispatched.id] == sorted([
        ("contact", dispatched.contact_due_at, dispatched.dispatched_at),
        ("reply", dispatched.reply_due_at, dispatched.dispatched_at),
        ("sign", dispatched.sign_due_at, dispatched.dispatched_at)])
    assert dispatched.reply_due_at > dispatched.dispatched_at + timedelta(days=7)  # 7 working days
    # In progress: signed and contacted, only the reply is still owed.
    assert watches[working.id] == [("reply", working.reply_due_at, working.dispatched_at)]
    assert {o.id for o in overdue} == {dispatched.id, working.id}
    with scratch() as session:
        taken = jobs.mark_overdue(session, now=clock.now())
        session.commit()
        marked = session.scalars(select(OrderEvent.order_id).where(
            OrderEvent.action == "mark_overdue")).all()
    assert taken == 4
    assert sorted(marked) == sorted([dispatched.id] * 3 + [working.id])


def test_an_import_over_two_worker_processes_stores_each_row_once_and_reports_the_same_errors(
    scratch: sessionmaker[Session], tmp_path: Path
) -> None:
    rows = [row(n) for n in range(1_000)]
    rows[50] = row(50, 诉求类型="不知道")  # line 52
    rows[777] = row(3)  # line 779: the same order as line 5, in another batch
    path = write_csv(tmp_path / "history.csv", rows)
    result = run_import(str(path), "--workers", "2", "--batch-size", "100")
    assert result.exit_code == 1, result.output
    assert "导入 998 件" in result.output and "有误 2 行" in result.output
    report = imports.import_file(scratch, path, created_by_id=admin_id(scratch), workers=2,
                                 batch_size=100)
    assert [(e.line, e.column) for e in report.errors] == [(52, "诉求类型"), (779, "工单编号")]
    assert (report.imported, report.skipped) == (0, 998)
    assert count(scratch) == 998
    with scratch() as session:
        per_order = session.execute(text(
            "SELECT min(n), max(n) FROM (SELECT count(*) AS n FROM order_events "
            "GROUP BY order_id) AS c")).one()
        numbers = session.scalar(select(func.count(func.distinct(Order.number))))
    assert tuple(per_order) == (1, 1)  # one import event each
    assert numbers == 998


def test_a_time_without_a_zone_is_beijing_time_and_one_with_a_zone_keeps_its_instant() -> None:
    from datetime import UTC, datetime

    from jiesu.orders.import_rows import CellError, parse_time

    assert parse_time("2025-12-05 00:12:02") == datetime(2025, 12, 4, 16, 12, 2, tzinfo=UTC)
    assert parse_time("2025/12/05 08:00") == datetime(2025, 12, 5, 0, 0, tzinfo=UTC)
    assert parse_time("2026-11-02") == datetime(2026, 11, 1, 16, 0, tzinfo=UTC)
    assert parse_time("2026-11-02T10:00:00+09:00") == datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    assert parse_time("2026-11-02T10:00:00Z") == datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    assert parse_time("1988-07-01 12:00") == datetime(1988, 7, 1, 4, 0, tzinfo=UTC)  # fixed +8
    with pytest.raises(CellError):
        parse_time("2026-13-02 10:00")


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
@pytest.mark.parametrize("ending", ["\n", "\r\n", ""])
def test_the_progress_bar_counts_the_rows_a_csv_reader_reads_quoted_line_breaks_included(
    tmp_path: Path, encoding: str, ending: str
) -> None:
    rows = [row(1), row(2, 诉求内容="第一行\n第二行，“引号”与\"\"双引号\"\"\n第三行"), [],
            row(3, 答复内容="答复\r\n分两行"), row(4)]
    path = tmp_path / "rows.csv"
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, lineterminator="\r\n" if ending == "\r\n" else "\n").writerows(
            [HEADER, *rows])
    if ending == "":  # no line break after the last row
        path.write_bytes(path.read_bytes().rstrip(b"\n"))
    with path.open(encoding=encoding, newline="") as handle:
        assert sum(1 for _ in csv.reader(handle)) - 1 == len(rows)
    assert imports.count_rows(path) == len(rows)


@pytest.mark.parametrize(("rows", "cpus", "workers"), [
    (None, 8, 1),        # rows not counted (an XLSX): one process
    (10_000, 8, 1),      # a small file: spawning workers costs more than it gains
    (19_999, 2, 1),
    (20_000, 2, 2),      # from 20,000 rows: one worker per core
    (1_000_000, 1, 1),
    (1_000_000, None, 1),
    (1_000_000, 16, 4),  # at most four
])
def test_the_default_worker_count_follows_the_file_size_and_the_cores(
        rows: int | None, cpus: int | None, workers: int) -> None:
    assert imports.auto_workers(rows, cpus) == workers
