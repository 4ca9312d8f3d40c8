"""The rates report as CSV, Excel (xlsx) or plain rows for a table: one column list for all.

`table_csv` / `table_xlsx` write any report given its column list (the first-call report uses
them too): a header row, one row per record, empty cells for missing rates.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from openpyxl import Workbook
from openpyxl.styles import Font

from jiesu.insights.rates import RateRow, RatesReport

EXCLUDED_LABELS = {
    "not_accepted": "不予受理（不计入任何单位）",
    "answered_on_call": "直接答复办结（不派单）",
    "merged": "已合并",
    "returned_pending_redispatch": "已退单待改派",
    "not_solvable_judged_apart": "依法无法解决、督办同意解释办结（不计解决率、满意率）",
    "visit_unreachable": "回访无法联系",
    "visit_skipped": "免回访（匿名、要求不回访、未抽中）",
}


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


# (header, value for CSV/xlsx, text for the terminal): the count sits beside every rate.
Column = tuple[str, Callable[[RateRow], object], Callable[[RateRow], str]]
COLUMNS: list[Column] = [
    ("排名", lambda r: r.rank, lambda r: str(r.rank) if r.rank else "—"),
    ("编码", lambda r: r.key, lambda r: r.key),
    ("单位/类别", lambda r: r.name, lambda r: r.name),
    ("受理量", lambda r: r.received, lambda r: str(r.received)),
    ("按时响应", lambda r: r.responded, lambda r: str(r.responded)),
    ("响应率", lambda r: r.response_rate,
     lambda r: f"{pct(r.response_rate)} ({r.responded}/{r.received})"),
    ("回访量", lambda r: r.visited, lambda r: str(r.visited)),
    ("已解决", lambda r: r.solved, lambda r: str(r.solved)),
    ("解决率", lambda r: r.resolution_rate,
     lambda r: f"{pct(r.resolution_rate)} ({r.solved}/{r.visited})"),
    ("满意", lambda r: r.satisfied, lambda r: str(r.satisfied)),
    ("基本满意", lambda r: r.basically, lambda r: str(r.basically)),
    ("不满意", lambda r: r.dissatisfied, lambda r: str(r.dissatisfied)),
    ("满意率", lambda r: r.satisfaction_rate,
     lambda r: f"{pct(r.satisfaction_rate)} ({r.satisfied}+{r.basically}基本/{r.visited})"),
    ("综合得分", lambda r: None if r.composite is None else round(r.composite * 100, 2),
     lambda r: _num(None if r.composite is None else r.composite * 100, 2)),
    ("改派次数", lambda r: r.redispatched, lambda r: str(r.redispatched)),
    ("退单", lambda r: r.returned, lambda r: str(r.returned)),
    ("超期", lambda r: r.overdue, lambda r: str(r.overdue)),
    ("平均办理时长(小时)", lambda r: None if r.avg_handling_hours is None
     else round(r.avg_handling_hours, 2), lambda r: _num(r.avg_handling_hours)),
    ("依法无法解决", lambda r: r.judged_apart, lambda r: str(r.judged_apart)),
    ("无法联系", lambda r: r.unreachable, lambda r: str(r.unreachable)),
    ("免回访", lambda r: r.visit_skipped, lambda r: str(r.visit_skipped)),
]


R = TypeVar("R")
# (header, value for CSV/xlsx, text for the terminal)
AnyColumn = tuple[str, Callable[[R], object], Callable[[R], str]]


def table_csv(columns: Sequence[AnyColumn[R]], rows: Iterable[R]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([header for header, _, _ in columns])
    for row in rows:
        writer.writerow(["" if (v := value(row)) is None else v for _, value, _ in columns])
    return out.getvalue()


def table_xlsx(title: str, caption: tuple[str, str, datetime], columns: Sequence[AnyColumn[R]],
               rows: Iterable[R], sheets: dict[str, list[list[Any]]]) -> bytes:
    """One sheet `title` (a caption line: period, group, generated at; bold headers; the rows),
    then one sheet per entry of `sheets` (its rows as given)."""
    period, group, generated_at = caption
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    sheet.append([f"统计周期 {period}", f"分组 {group}",
                  f"生成于 {generated_at:%Y-%m-%d %H:%M} UTC"])
    sheet.append([header for header, _, _ in columns])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([value(row) for _, value, _ in columns])
    for name, lines in sheets.items():
        extra = book.create_sheet(name)
        for line in lines:
            extra.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_csv(report: RatesReport) -> str:
    return table_csv(COLUMNS, report.rows)


def to_xlsx(report: RatesReport) -> bytes:
    excluded: list[list[Any]] = [["项目", "件数"]]
    excluded += [[EXCLUDED_LABELS.get(k, k), n] for k, n in report.excluded.items()]
    return table_xlsx(
        "三率", (report.period, report.group, report.generated_at), COLUMNS, report.rows,
        {"排除说明": excluded, "口径": [[k, str(v)] for k, v in report.rules.items()]},
    )
