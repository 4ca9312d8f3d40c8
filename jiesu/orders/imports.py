"""Bulk import of historical orders from CSV or XLSX (`jiesu orders import FILE`).

The file is read as a stream, row by row. Each row is checked on its own (import_rows.py):
a bad row is reported with its line, column and reason and never stored. Good rows are
written a batch at a time (bulk.py; COPY on PostgreSQL), each batch in one transaction: a
batch is stored whole or not at all. Every order keeps an import key (its `client_key`):
after an interruption the same command again skips what was stored and goes on, so no order
is ever imported twice. With `strict`, the whole file is checked first and nothing is stored
when any row is bad.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.core import clock
from jiesu.core.errors import InvalidInput
from jiesu.orders import bulk
from jiesu.orders.import_rows import (
    CellError,
    Layout,
    Places,
    RowError,
    build,
    cell_text,
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


def count_rows(path: Path) -> int | None:
    """Data rows, for the progress bar (a cheap first pass over a CSV; XLSX says it itself)."""
    if path.suffix.lower() == ".csv":
        return max(0, sum(1 for _ in _csv_rows(path)) - 1)
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


@dataclass
class Checker:
    """Turns rows into orders, remembering the import keys seen in this file."""

    layout: Layout
    places: Places
    created_by_id: int
    source: str
    now: Any = field(default_factory=clock.now)
    seen: dict[str, int] = field(default_factory=dict)

    def check(self, line: int, values: list[Any]) -> tuple[bulk.BulkOrder | None, list[RowError]]:
        fields: dict[str, Any] = {}
        errors: list[RowError] = []
        for index, column, header in self.layout.positions:
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
        if errors:
            return None, errors
        order, problems = build(fields, self.places, self.layout, created_by_id=self.created_by_id,
                                now=self.now, source=self.source, line=line)
        if order is None:
            return None, [RowError(line, column, reason) for column, reason in problems]
        key = str(order.columns["client_key"])
        first = self.seen.get(key)
        if first is not None:
            header = self.layout.header_of("import_key")
            return None, [RowError(line, header, f"与第 {first} 行是同一工单（导入键重复）")]
        self.seen[key] = line
        return order, []


# --- importing -----------------------------------------------------------------------------


def _store(session_factory: Callable[[], Session], batch: list[bulk.BulkOrder],
           report: ImportReport) -> None:
    with session_factory() as session:
        keys = [str(o.columns["client_key"]) for o in batch]
        stored = bulk.existing_keys(session, keys)
        fresh = [o for o in batch if o.columns["client_key"] not in stored]
        bulk.write(session, fresh)
        session.commit()
    report.imported += len(fresh)
    report.skipped += len(batch) - len(fresh)
    report.batches += 1


def import_file(
    session_factory: Callable[[], Session],
    path: Path,
    *,
    created_by_id: int,
    batch_size: int = BATCH,
    strict: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import `path`; `progress(n)` is told each time n more rows have been read."""
    started = time.perf_counter()
    report = ImportReport()
    rows = read_rows(path)
    header = next(rows, None)
    if header is None:
        report.errors.append(RowError(1, "", "文件为空"))
        return report
    layout, errors = layout_for([str(v or "") for v in header[1]])
    if layout is None:
        report.errors.extend(errors)
        return report
    with session_factory() as session:
        places = load_places(session)
    if strict:
        checker = Checker(layout, places, created_by_id, path.name)
        for line, values in read_rows(path):
            if line > 1 and any(v not in (None, "") for v in values):
                report.errors.extend(checker.check(line, values)[1])
        if report.errors:
            report.rows = len(checker.seen) + len({e.line for e in report.errors})
            report.strict_refused = True
            report.seconds = time.perf_counter() - started
            return report
    checker = Checker(layout, places, created_by_id, path.name)
    batch: list[bulk.BulkOrder] = []
    pending = 0
    for line, values in rows:
        if not any(v not in (None, "") for v in values):
            continue  # blank rows at the end of a sheet
        report.rows += 1
        pending += 1
        order, problems = checker.check(line, values)
        if order is None:
            report.errors.extend(problems)
        else:
            batch.append(order)
        if len(batch) >= batch_size:
            _store(session_factory, batch, report)
            batch = []
        if progress and pending >= 500:
            progress(pending)
            pending = 0
    if batch:
        _store(session_factory, batch, report)
    if progress and pending:
        progress(pending)
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
