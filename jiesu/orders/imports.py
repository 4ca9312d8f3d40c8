"""Bulk import of historical orders from CSV or XLSX (`jiesu orders import FILE`).

The file is read as a stream, row by row. Each row is checked on its own (import_rows.py):
a bad row is reported with its line, column and reason and never stored. Good rows are
written a batch at a time (bulk.py; COPY on PostgreSQL), each batch in one transaction: a
batch is stored whole or not at all. Every order keeps an import key (its `client_key`):
after an interruption the same command again skips what was stored and goes on, so no order
is ever imported twice; a key that an earlier row of the file had is reported against that
row. Orders still open with a unit get the deadlines (rules table, work calendar) and the
deadline watches a dispatch gives. With `workers` > 1 on PostgreSQL, worker processes check
and store batches side by side over their own connections (this process reads the file and
checks the keys). With `strict`, the whole file is checked first and nothing is stored when
any row is bad.
"""

from __future__ import annotations

import csv
import gc
import io
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from jiesu.core import clock
from jiesu.core.errors import InvalidInput
from jiesu.core.settings import get_settings
from jiesu.orders import bulk
from jiesu.orders.deadlines import DeadlineSet
from jiesu.orders.import_rows import (
    KEY_FIELDS,
    CellError,
    Column,
    Deadlines,
    Layout,
    Places,
    RowError,
    build,
    cell_text,
    import_key,
    layout_for,
)
from jiesu.units.models import Unit

BATCH = 2_000


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    skipped: int = 0  # stored by an earlier run of the same file
    batches: int = 0
    errors: list[RowError] = field(default_factory=list)
    seconds: float = 0.0
    strict_refused: bool = False

    @property
    def rate(self) -> float:
        return self.imported / self.seconds if self.seconds else 0.0


# --- reading -------------------------------------------------------------------------------


def _encoding(path: Path) -> str:
    """UTF-8 (with or without BOM), else GB18030: what Chinese spreadsheets save as CSV."""
    head = path.open("rb").read(1 << 16)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the sample
            return "gb18030"
    return "utf-8-sig"


def _csv_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    with path.open(encoding=_encoding(path), newline="") as handle:
        reader = csv.reader(handle)
        start = 1
        for values in reader:
            yield start, list(values)
            start = reader.line_num + 1


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(values)
    finally:
        book.close()


def read_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    """(line number in the file, cell values) for every row, the header row first."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_rows(path)
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_rows(path)
    raise InvalidInput("只支持 .csv 与 .xlsx 文件", code="import_file_type",
                       details={"file": path.name})


def _csv_records(path: Path) -> int:
    """The records of a CSV file, counted on its bytes without parsing it: a line feed ends a
    record unless an odd number of quotes since the record began puts it inside a quoted
    field. In UTF-8 and GB18030 neither byte is ever part of a longer character. (The csv
    module's pass cost ~7 us a row, seconds at 1,000,000 rows before the import starts.)"""
    records, quotes, started = 0, 0, False
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            lines = chunk.split(b"\n")
            for line in lines[:-1]:
                quotes += line.count(b'"')
                if quotes % 2 == 0:
                    records, quotes = records + 1, 0
            quotes += lines[-1].count(b'"')
            started = bool(lines[-1]) or quotes % 2 == 1
    return records + (1 if started else 0)


def count_rows(path: Path) -> int | None:
    """Data rows, for the progress bar (a cheap first pass over a CSV; XLSX says it itself)."""
    if path.suffix.lower() == ".csv":
        return max(0, _csv_records(path) - 1)
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        rows = book.worksheets[0].max_row
        return None if rows is None else max(0, rows - 1)
    finally:
        book.close()


# --- checking ------------------------------------------------------------------------------


def load_places(session: Session) -> Places:
    units = list(session.execute(select(Unit.id, Unit.code, Unit.name, Unit.kind,
                                        Unit.parent_id)))
    by_name: dict[str, list[int]] = {}
    for u in units:
        by_name.setdefault(u.name, []).append(u.id)
    unit_ids = {u.code: u.id for u in units}
    unit_ids.update({name: ids[0] for name, ids in by_name.items()
                     if len(ids) == 1 and name not in unit_ids})
    code_of = {u.id: u.code for u in units}
    districts: dict[str, str] = {}
    for u in units:
        if u.kind == "district":
            districts[u.code] = u.code
            districts[u.name] = u.code
    streets: dict[tuple[str | None, str], str] = {}
    street_district: dict[str, str] = {}
    street_names: dict[str, list[str]] = {}
    for u in units:
        if u.kind != "street":
            continue
        district = code_of.get(u.parent_id) if u.parent_id else None
        if district:
            street_district[u.code] = district
        streets[(None, u.code)] = u.code
        streets[(district, u.name)] = u.code
        street_names.setdefault(u.name, []).append(u.code)
    for name, codes in street_names.items():
        if len(codes) == 1:
            streets[(None, name)] = codes[0]
    ambiguous = frozenset(name for name, ids in by_name.items() if len(ids) > 1)
    return Places(unit_ids, ambiguous, districts, streets, street_district)


def load_deadlines(session: Session) -> Deadlines:
    """The ordinary rules by category (the newest active row of each), the working-day
    calendar and the utilities, once per import."""
    from jiesu.calendar.service import work_calendar
    from jiesu.orders.deadline_rules import active_rules

    rules: dict[str | None, DeadlineSet] = {}
    for row in sorted(active_rules(session), key=lambda r: r.id):
        if row.urgency == "ordinary":
            rules[row.category] = row.as_set()
    around = frozenset(session.scalars(select(Unit.id).where(Unit.around_the_clock.is_(True))))
    return Deadlines(rules, work_calendar(session), around, get_settings().office_close)


@dataclass
class Checker:
    """Turns rows into orders."""

    layout: Layout
    places: Places
    created_by_id: int
    source: str
    deadlines: Deadlines | None = None
    now: Any = field(default_factory=clock.now)
    _subsets: dict[frozenset[str], tuple[tuple[int, Column, str], ...]] = field(
        default_factory=dict, repr=False)

    def fields(self, line: int, values: list[Any], only: frozenset[str] | None = None,
               ) -> tuple[dict[str, Any], list[RowError]]:
        """The row's cells parsed by their columns (`only`: just these fields)."""
        fields: dict[str, Any] = {}
        errors: list[RowError] = []
        positions = self.layout.positions if only is None else self._positions(only)
        for index, column, header in positions:
            raw = values[index] if index < len(values) else None
            value = cell_text(raw)
            if not value:
                if column.required:
                    errors.append(RowError(line, header, "必填，不能为空"))
                continue
            try:
                fields[column.field] = column.parse(value)
            except CellError as exc:
                errors.append(RowError(line, header, str(exc)))
        return fields, errors

    def _positions(self, only: frozenset[str]) -> tuple[tuple[int, Column, str], ...]:
        found = self._subsets.get(only)
        if found is None:
            found = self._subsets[only] = tuple(
                p for p in self.layout.positions if p[1].field in only)
        return found

    def key(self, line: int, values: list[Any]) -> str | None:
        """The row's import key, or None when a cell it is made of is bad (the row is
        reported by `check`). Only those cells are read: the 导入键, else the source's number,
        else the row's content (every row passes here, before any worker sees it)."""
        for only in _KEY_STEPS:
            fields, errors = self.fields(line, values, only)
            if errors:
                return None
            if fields and only is not _KEY_FIELDS:
                return import_key(fields)
        if "received_at" not in fields:
            return None
        return import_key(fields)

    def check(self, line: int, values: list[Any]) -> tuple[bulk.BulkOrder | None, list[RowError]]:
        fields, errors = self.fields(line, values)
        if errors:
            return None, errors
        order, problems = build(fields, self.places, self.layout, created_by_id=self.created_by_id,
                                now=self.now, source=self.source, line=line,
                                deadlines=self.deadlines)
        if order is None:
            return None, [RowError(line, column, reason) for column, reason in problems]
        return order, []


_KEY_FIELDS = frozenset(KEY_FIELDS)
_KEY_STEPS = (frozenset({"import_key"}), frozenset({"source_number"}), _KEY_FIELDS)


@dataclass
class Keys:
    """The import keys seen so far in the file: a row whose key an earlier row had is the
    same order twice, reported against the first (whether or not that one was good)."""

    checker: Checker
    seen: dict[str, int] = field(default_factory=dict)

    def repeated(self, line: int, values: list[Any]) -> RowError | None:
        key = self.checker.key(line, values)
        if key is None:
            return None
        first = self.seen.setdefault(key, line)
        if first == line:
            return None
        layout = self.checker.layout
        named = {column.field for _, column, _ in layout.positions}
        # The column the key was read from; a key made of the row's content is the import key.
        header = layout.header_of("source_number" if "source_number" in named
                                  and "import_key" not in named else "import_key")
        return RowError(line, header, f"与第 {first} 行是同一工单（导入键重复）")


# --- importing -----------------------------------------------------------------------------


@dataclass
class BatchResult:
    imported: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while one batch is checked and written: a batch makes
    some 100,000 lists, dicts and tuples and no cycles (reference counting frees them), and
    the collector's passes over them cost a quarter of a worker's CPU (docs/bench.md). It is
    on again between batches, so anything cyclic is still collected."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _blank(values: list[Any]) -> bool:
    """A row with no cell filled (blank rows at the end of a sheet); a 0 cell is not blank.
    `any` first: it settles nearly every row at C speed."""
    return not any(values) and all(v in (None, "") for v in values)


def _checked(checker: Checker, rows: list[tuple[int, list[Any]]],
             ) -> tuple[list[bulk.BulkOrder], list[RowError]]:
    orders: list[bulk.BulkOrder] = []
    errors: list[RowError] = []
    for line, values in rows:
        order, problems = checker.check(line, values)
        if order is None:
            errors.extend(problems)
        else:
            orders.append(order)
    return orders, errors


# An import's transactions do not wait for their commit to reach the disk (~7 ms a batch on
# this machine, more under other writers' load). Safe: a batch is still stored whole or not
# at all, and a server crash can lose at most the last few committed batches, which running
# the same command again imports (resumable by import key). Only the import's own sessions.
_NO_COMMIT_WAIT = "SET synchronous_commit = off"
_NO_COMMIT_WAIT_LOCAL = "SET LOCAL synchronous_commit = off"


def _store(session_factory: Callable[[], Session], checker: Checker,
           rows: list[tuple[int, list[Any]]]) -> BatchResult:
    """Check and store one batch in this process, in one transaction."""
    with _collector_paused():
        batch, errors = _checked(checker, rows)
        with session_factory() as session:
            if session.get_bind().dialect.name == "postgresql":
                session.execute(text(_NO_COMMIT_WAIT_LOCAL))
            keys = [str(o.columns["client_key"]) for o in batch]
            stored = bulk.existing_keys(session, keys)
            fresh = [o for o in batch if o.columns["client_key"] not in stored]
            bulk.write(session, fresh)
            session.commit()
    return BatchResult(len(fresh), len(batch) - len(fresh), errors)


# A worker process of a parallel import (PostgreSQL): its own connection and checker.
_worker: dict[str, Any] = {}


def _start_worker(conninfo: str, headers: list[str], places: Places, deadlines: Deadlines,
                  created_by_id: int, source: str, now: Any) -> None:
    import psycopg

    layout, _ = layout_for(headers)
    assert layout is not None
    _worker["checker"] = Checker(layout, places, created_by_id, source, deadlines, now)
    _worker["conn"] = conn = psycopg.connect(conninfo, autocommit=True)
    conn.execute(_NO_COMMIT_WAIT)
    conn.autocommit = False
    gc.freeze()  # what the worker keeps (modules, places, calendar): never collected again


def _work(rows: list[tuple[int, list[Any]]]) -> BatchResult:
    """Check and store one batch in a worker, in one transaction of its connection."""
    conn = _worker["conn"]
    with _collector_paused():
        batch, errors = _checked(_worker["checker"], rows)
        try:
            stored = bulk.existing_keys_raw(conn, [str(o.columns["client_key"]) for o in batch])
            fresh = [o for o in batch if o.columns["client_key"] not in stored]
            if fresh:
                bulk.copy_into(conn, fresh)
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
    return BatchResult(len(fresh), len(batch) - len(fresh), errors)


def _conninfo(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _batches(rows: Iterator[tuple[int, list[Any]]], keys: Keys, report: ImportReport,
             batch_size: int, progress: Callable[[int], None] | None,
             ) -> Iterator[list[tuple[int, list[Any]]]]:
    """The file's rows in batches, blank rows and repeated keys taken out (reported)."""
    batch: list[tuple[int, list[Any]]] = []
    pending = 0
    for line, values in rows:
        if _blank(values):
            continue
        report.rows += 1
        pending += 1
        repeated = keys.repeated(line, values)
        if repeated is not None:
            report.errors.append(repeated)
        else:
            batch.append((line, values))
        if len(batch) >= batch_size:
            yield batch
            batch = []
        if progress and pending >= 500:
            progress(pending)
            pending = 0
    if batch:
        yield batch
    if progress and pending:
        progress(pending)


def _add(report: ImportReport, result: BatchResult) -> None:
    report.imported += result.imported
    report.skipped += result.skipped
    report.errors.extend(result.errors)
    report.batches += 1


def _run_parallel(url: str, batches: Iterator[list[tuple[int, list[Any]]]], report: ImportReport,
                  workers: int, init: tuple[Any, ...]) -> None:
    """Batches checked and stored by `workers` processes, each batch in its own transaction;
    at most two batches per worker wait, so memory stays flat whatever the file's size."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

    context = multiprocessing.get_context("spawn")
    pending: set[Future[BatchResult]] = set()
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                             initargs=(_conninfo(url), *init)) as pool:
        try:
            for batch in batches:
                pending.add(pool.submit(_work, batch))
                if len(pending) >= 2 * workers:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        _add(report, future.result())
            for future in pending:
                _add(report, future.result())
        except BaseException:
            for future in pending:
                future.cancel()
            raise


# Below this many rows the spawned workers' start (each imports the app, ~2 s) costs more
# than the second core gains; above it, one worker per core, at most four: at the CPU a row
# measured (188 us, docs/bench.md) four cores' worth reach 20,000 rows/s, and each worker is
# one more connection held for the whole import.
PARALLEL_FROM_ROWS = 20_000
MAX_AUTO_WORKERS = 4


def auto_workers(rows: int | None, cpus: int | None) -> int:
    """How many worker processes `--workers 0` (the default) uses for a file of `rows`."""
    if rows is None or rows < PARALLEL_FROM_ROWS:
        return 1
    return max(1, min(cpus or 1, MAX_AUTO_WORKERS))


def import_file(
    session_factory: Callable[[], Session],
    path: Path,
    *,
    created_by_id: int,
    batch_size: int = BATCH,
    strict: bool = False,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import `path`; `progress(n)` is told each time n more rows have been read.

    With `workers` > 1 on PostgreSQL, that many processes check and store batches side by
    side (each batch still one transaction); the import keys are checked here first, so a
    row repeated across batches is reported as in a one-process import."""
    started = time.perf_counter()
    report = ImportReport()
    rows = read_rows(path)
    header = next(rows, None)
    if header is None:
        report.errors.append(RowError(1, "", "文件为空"))
        return report
    headers = [str(v or "") for v in header[1]]
    layout, errors = layout_for(headers)
    if layout is None:
        report.errors.extend(errors)
        return report
    with session_factory() as session:
        places, deadlines = load_places(session), load_deadlines(session)
        bind = session.get_bind()
    checker = Checker(layout, places, created_by_id, path.name, deadlines)
    if strict:
        keys = Keys(checker)
        lines = 0
        for line, values in read_rows(path):
            if line > 1 and not _blank(values):
                lines += 1
                repeated = keys.repeated(line, values)
                report.errors.extend([repeated] if repeated else checker.check(line, values)[1])
        if report.errors:
            report.rows = lines
            report.strict_refused = True
            report.seconds = time.perf_counter() - started
            return report
    batches = _batches(rows, Keys(checker), report, batch_size, progress)
    if workers > 1 and bind.dialect.name == "postgresql":
        url = bind.engine.url.render_as_string(hide_password=False)
        _run_parallel(url, batches, report, workers,
                      (headers, places, deadlines, created_by_id, path.name, checker.now))
    else:
        for batch in batches:
            _add(report, _store(session_factory, checker, batch))
    report.errors.sort(key=lambda e: e.line)
    report.seconds = time.perf_counter() - started
    return report


def errors_csv(errors: list[RowError]) -> str:
    """The error list as CSV (行号, 列, 原因), for the centre to fix the file."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["行号", "列", "原因"])
    for e in errors:
        writer.writerow([e.line, e.column, e.reason])
    return out.getvalue()
