"""`jiesu calendar`: enter the State Council's holiday notice, list a year, import a file,
mark a year entered, and check that the coming weeks are covered (for cron)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.calendar import service
from jiesu.core.clock import local
from jiesu.core.db import session_scope
from jiesu.core.errors import DomainError, InvalidInput, NotAllowed
from jiesu.core.roles import Role
from jiesu.units.cli_support import fail
from jiesu.units.models import User

calendar_app = typer.Typer(help="工作日历：按国务院通知录入节假日与调休上班", no_args_is_help=True)
console = Console()
AsAdmin = Annotated[
    str | None, typer.Option("--as", help="记录为哪位管理员录入（用户名，可省略）")
]




def _actor(session: Session, username: str | None) -> int | None:
    if username is None:
        return None
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None or not user.active or user.role != Role.admin.value:
        raise NotAllowed(f"不是有效的管理员账号：{username}", code="role_not_allowed")
    return user.id


@calendar_app.command("add")
def add(
    day: Annotated[str, typer.Argument(help="日期 YYYY-MM-DD")],
    name: Annotated[str, typer.Option(help="名称：元旦、春节、调休上班 ……")],
    # No default: a make-up working day entered as a holiday by omission would be wrong.
    holiday: Annotated[
        bool, typer.Option("--holiday/--workday", help="放假，或调休上班（必选其一）")
    ],
    note: Annotated[str, typer.Option(help="来源或说明")] = "",
    as_user: AsAdmin = None,
) -> None:
    """录入一天（覆盖 chinese-calendar 库的该日）。"""
    try:
        if not 1 <= len(name.strip()) <= 20:
            raise InvalidInput("名称应为 1–20 个字", code="invalid_input",
                                       details={"field": "name"})
        with session_scope() as session:
            row = service.add_day(session, day=service.parse_day(day), is_workday=not holiday,
                                  name=name, note=note, actor_id=_actor(session, as_user))
            kind = "上班" if row.is_workday else "放假"
            console.print(f"已录入 {row.day.isoformat()} {kind}（{row.name}），记录 {row.id}")
    except DomainError as exc:
        fail(exc)


@calendar_app.command("list")
def list_year(
    year: int,
    include_retired: Annotated[bool, typer.Option("--all", help="含已停用的旧版本")] = False,
) -> None:
    """列出某年录入的日期，并说明该年是否已覆盖。"""
    with session_scope() as session:
        rows = service.days_of_year(session, year, include_retired=include_retired)
        status = service.year_status(session, year)
        table = Table("记录", "日期", "星期", "安排", "名称", "说明", "录入时间", "状态",
                      title=f"{year} 年：{len(rows)} 条")
        for row in rows:
            table.add_row(
                str(row.id), row.day.isoformat(), "一二三四五六日"[row.day.weekday()],
                "上班" if row.is_workday else "放假", row.name, row.note,
                f"{local(row.created_at):%Y-%m-%d %H:%M}",
                f"{local(row.retired_at):%Y-%m-%d} 停用" if row.retired_at else "生效",
            )
        console.print(table)
        if status.mark is not None:
            console.print(f"{year} 年已录入完毕：{status.mark.source}"
                          f"（{local(status.mark.entered_at):%Y-%m-%d %H:%M}）")
        elif status.library_covers:
            console.print(f"{year} 年由 chinese-calendar 库覆盖；以上记录为更正")
        else:
            console.print(f"[yellow]{year} 年节假日安排尚未录入完毕："
                          "截止时间按周一至周五估算[/yellow]")


@calendar_app.command("import")
def import_file(
    path: Annotated[Path, typer.Argument(help="CSV：date,is_workday,name（首行表头可有可无）")],
    replace: Annotated[
        bool, typer.Option("--replace", help="与已录入的不同时以文件为准（新版本，旧版本保留）")
    ] = False,
    note: Annotated[str, typer.Option(help="来源或说明，记在每条新记录上")] = "",
    as_user: AsAdmin = None,
) -> None:
    """从 CSV 文件导入（全部成功或全部不写）。"""
    try:
        content = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        fail(InvalidInput(f"无法读取文件：{path}", code="calendar_bad_file",
                                   details={"error": str(exc)[:200]}))
        return
    try:
        with session_scope() as session:
            result = service.import_csv(session, content, replace=replace, note=note,
                                        actor_id=_actor(session, as_user))
        console.print(f"新增 {result.added} 条，替换 {result.replaced} 条，"
                      f"未变 {result.unchanged} 条")
    except DomainError as exc:
        fail(exc)


@calendar_app.command("retire")
def retire(day_id: int) -> None:
    """停用一条记录：该日回到库的安排（库未覆盖的年份按周一至周五）。"""
    try:
        with session_scope() as session:
            row = service.retire_day(session, day_id)
            console.print(f"已停用记录 {row.id}（{row.day.isoformat()} {row.name}）")
    except DomainError as exc:
        fail(exc)


@calendar_app.command("complete")
def complete(
    year: int,
    source: Annotated[str, typer.Option(help="依据：国务院办公厅通知的文号")],
    as_user: AsAdmin = None,
) -> None:
    """标记某年节假日安排已录入完毕：该年的截止时间不再是估算。"""
    try:
        if not 1 <= len(source.strip()) <= 200:
            raise InvalidInput("请写明依据（1–200 字）", code="invalid_input",
                                       details={"field": "source"})
        with session_scope() as session:
            row = service.mark_year_entered(session, year, source=source,
                                            actor_id=_actor(session, as_user))
            console.print(f"{row.year} 年已标记为录入完毕：{row.source}")
    except DomainError as exc:
        fail(exc)


@calendar_app.command("check")
def check(
    days: Annotated[int, typer.Option(help="向后看多少天", min=1, max=400)] = (
        service.WARN_DAYS_AHEAD
    ),
) -> None:
    """检查未来若干天是否都有节假日安排；有未录入的年份时退出码为 1（供定时任务告警）。"""
    with session_scope() as session:
        years = service.uncovered_years_ahead(session, days)
    if years:
        for year in years:
            console.print(f"[yellow]{year}年节假日安排尚未录入，请管理员按国务院通知录入[/yellow]")
        raise typer.Exit(code=1)
    console.print(f"未来 {days} 天的节假日安排均已覆盖")
