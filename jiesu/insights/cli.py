"""`jiesu report rates`: the three rates for a period, as a table, CSV, Excel or JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from jiesu.core.db import session_scope
from jiesu.core.errors import DomainError
from jiesu.insights.export import COLUMNS, EXCLUDED_LABELS, to_csv, to_xlsx
from jiesu.insights.periods import parse_period
from jiesu.insights.rates import RatesReport, compute_rates
from jiesu.units.cli_support import fail
from jiesu.units.service import unit_by_code

report_app = typer.Typer(help="考核报表：三率与排名", no_args_is_help=True)
console = Console()
# The terminal table keeps the rates with their counts; CSV/xlsx/json carry every column.
TERMINAL = ("排名", "单位/类别", "受理量", "响应率", "回访量", "解决率", "满意率", "综合得分",
            "改派次数", "退单", "超期", "平均办理时长(小时)")


def render_table(report: RatesReport) -> Table:
    title = (f"三率报表 {report.period}（{report.start:%Y-%m-%d} 起，分组 {report.group}；"
             f"排名需回访量 ≥ {report.rules['min_visited']}）")
    columns = [c for c in COLUMNS if c[0] in TERMINAL]
    table = Table(*(header for header, _, _ in columns), title=title)
    for row in report.rows:
        table.add_row(*(text(row) for _, _, text in columns))
    return table


def excluded_table(report: RatesReport) -> Table:
    table = Table("排除/另计", "件数", title="口径说明：以下工单不计入或单独统计")
    for key, count in report.excluded.items():
        table.add_row(EXCLUDED_LABELS.get(key, key), str(count))
    return table


@report_app.command("rates")
def rates(
    period: Annotated[str, typer.Option(help="2026-10（月）、2026-W44（周）、2026-10-05（日）、"
                                             "2026-10-01..2026-10-15（自定义）")],
    unit: Annotated[str | None, typer.Option(help="单位编码；区的编码含其街道")] = None,
    group: Annotated[str | None, typer.Option(
        help="三率：unit / district / category；一次办结率：line / category / agent / day")
    ] = None,
    format: Annotated[str, typer.Option(help="table / csv / xlsx / json")] = "table",
    output: Annotated[Path | None, typer.Option(help="写入文件（xlsx 必须指定）")] = None,
    kind: Annotated[str, typer.Option(help="three（三率）/ first-call（一次办结率）")] = "three",
    line: Annotated[str | None, typer.Option(help="一次办结率：专线编码")] = None,
) -> None:
    """按单位、区（含街道）或类别统计响应率、解决率、满意率与综合得分；
    --kind first-call 按专线、类别、坐席或日期统计一次办结率。"""
    if format not in ("table", "csv", "xlsx", "json"):
        console.print(f"[red]未知格式：{format}[/red]")
        raise typer.Exit(code=2)
    if format == "xlsx" and output is None:
        console.print("[red]xlsx 格式须用 --output 指定文件[/red]")
        raise typer.Exit(code=2)
    if kind in ("first-call", "first_call"):
        _first_call(period, group or "line", line, format, output)
        return
    if kind != "three":
        console.print(f"[red]未知报表：{kind}（three / first-call）[/red]")
        raise typer.Exit(code=2)
    group = group or "unit"
    try:
        with session_scope() as session:
            unit_id = None
            if unit:
                found = unit_by_code(session, unit)
                if found is None:
                    console.print(f"[red]单位不存在：{unit}[/red]")
                    raise typer.Exit(code=2)
                unit_id = found.id
            report = compute_rates(session, parse_period(period), group=group, unit_id=unit_id)
    except DomainError as exc:
        fail(exc)
    if format == "xlsx":
        assert output is not None
        output.write_bytes(to_xlsx(report))
        console.print(f"已写入 {output}（{len(report.rows)} 行）")
        return
    if format == "table":
        wide = output is not None or not console.is_terminal
        out = Console(record=True, width=200) if wide else console
        out.print(render_table(report))
        out.print(excluded_table(report))
        if output:
            output.write_text(out.export_text(), encoding="utf-8")
        return
    text = to_csv(report) if format == "csv" else json.dumps(report.as_dict(), ensure_ascii=False,
                                                            indent=2)
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)


@report_app.command("rollup")
def rollup_days(
    rebuild: Annotated[bool, typer.Option(
        "--rebuild", help="清空并重算全部日期（迁移后、恢复备份后执行一次）")] = False,
) -> None:
    """三率日汇总：重算有变动或已过时的日期；--rebuild 重算全部。报表对其余日期实时统计。"""
    from jiesu.insights import rollup

    with session_scope() as session:
        done = rollup.rebuild(session) if rebuild else rollup.refresh(session)
    console.print(f"三率日汇总：重算 {done.days} 天（{done.rows} 行）")


def _first_call(period: str, group: str, line: str | None, format: str,
                output: Path | None) -> None:
    from jiesu.insights import first_call
    from jiesu.lines.models import Line

    try:
        with session_scope() as session:
            line_id = None
            if line:
                found = session.scalars(select(Line).where(Line.code == line)).first()
                if found is None:
                    console.print(f"[red]专线不存在：{line}[/red]")
                    raise typer.Exit(code=2)
                line_id = found.id
            report = first_call.compute_fcr(session, parse_period(period), group=group,
                                            line_id=line_id)
    except DomainError as exc:
        fail(exc)
    if format == "xlsx":
        assert output is not None
        output.write_bytes(first_call.to_xlsx(report))
        console.print(f"已写入 {output}（{len(report.rows)} 行）")
        return
    if format == "table":
        wide = output is not None or not console.is_terminal
        out = Console(record=True, width=200) if wide else console
        out.print(first_call.render_table(report))
        if output:
            output.write_text(out.export_text(), encoding="utf-8")
        return
    text = (first_call.to_csv(report) if format == "csv"
            else json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)
