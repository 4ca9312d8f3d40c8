"""One command line for the centre: init, serve, orders, users, calendar, triage, places,
reports."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from jiesu.calendar.cli import calendar_app
from jiesu.core.clock import local
from jiesu.core.db import get_engine, session_scope
from jiesu.core.errors import DomainError
from jiesu.core.settings import get_settings
from jiesu.hotspots.cli import hotspots_app
from jiesu.insights.cli import report_app
from jiesu.knowledge.cli import kb_app
from jiesu.lines.cli import demo_special_line, lines_app
from jiesu.open311.cli import open311_app
from jiesu.units.cli_support import fail, principal_named
from jiesu.visits.cli import visits_app

app = typer.Typer(help="jiesu 接诉即办 — 市民服务热线工单系统", no_args_is_help=True)
orders_app = typer.Typer(help="工单：受理、办理、查询", no_args_is_help=True)
users_app = typer.Typer(help="用户管理", no_args_is_help=True)
demo_app = typer.Typer(help="演示与压测数据", no_args_is_help=True)
app.add_typer(orders_app, name="orders")
app.add_typer(users_app, name="users")
app.add_typer(demo_app, name="demo")
app.add_typer(report_app, name="report")
app.add_typer(visits_app, name="visits")
app.add_typer(calendar_app, name="calendar")
app.add_typer(lines_app, name="lines")
demo_app.command("special-line")(demo_special_line)
app.add_typer(open311_app, name="open311")
app.add_typer(kb_app, name="kb")
app.add_typer(hotspots_app, name="hotspots")
console = Console()


def _mount_optional() -> None:
    """Packages that add their own sub-commands."""
    from jiesu.worker_cli import jobs_app, worker

    app.add_typer(jobs_app, name="jobs")
    app.command("worker")(worker)
    try:
        from jiesu.triage import cli as triage_cli
        from jiesu.triage.cli import places_app, triage_app
    except ImportError:
        return
    triage_cli.confirmed_rows_source = _confirmed_rows
    app.add_typer(triage_app, name="triage")
    app.add_typer(places_app, name="places")


def _confirmed_rows() -> list[dict[str, str]]:
    """Closed orders whose category a dispatcher confirmed: training data for `retrain`."""
    from jiesu.orders.suggest import confirmed_category_rows

    with session_scope() as session:
        return confirmed_category_rows(session)




@app.command()
def init(
    demo: Annotated[bool, typer.Option("--demo", help="载入演示数据（幂等）")] = False,
) -> None:
    """建库（Alembic 迁移）并载入北京行政区划与委办局；--demo 载入演示用户与工单。"""
    from jiesu.core.migrate import upgrade
    from jiesu.units.seed import load_catalogue, load_units

    settings = get_settings()
    get_engine()  # creates the data directory for SQLite
    upgrade(settings.effective_database_url)
    with session_scope() as session:
        added = load_units(session)
        from jiesu.orders.deadline_rules import seed_defaults

        console.print(f"时限规则：新增 {seed_defaults(session)} 条")
        console.print(f"单位：新增 {added} 个")
        console.print(f"派单目录：新增 {load_catalogue(session)} 条规则")
        if demo:
            from jiesu.demo import load_demo

            for line in load_demo(session, settings.shared_data_dir):
                console.print(line)
    console.print("[green]数据库已就绪[/green]", settings.effective_database_url)


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    reload: bool = False,
    with_worker: Annotated[
        bool | None,
        typer.Option(
            "--with-worker/--no-worker", help="在本进程内运行后台任务（默认：嵌入式 SQLite 时运行）"
        ),
    ] = None,
) -> None:
    """启动 Web 与 API 服务（OpenAPI 文档在 /docs）。"""
    import threading

    import uvicorn

    settings = get_settings()
    settings.check_secure()
    if with_worker is None:
        # The embedded mode runs reminders, escalation and delivery in-process (issue 5);
        # on PostgreSQL they belong to `jiesu worker` processes.
        with_worker = settings.effective_database_url.startswith("sqlite")
    if with_worker:
        from jiesu.worker import run_forever

        interval = settings.worker_interval_seconds
        threading.Thread(
            target=run_forever, args=(interval,), daemon=True, name="jiesu-worker"
        ).start()
        console.print(f"后台任务：本进程内每 {interval:g} 秒运行一次")
    uvicorn.run(
        "jiesu.main:app", host=host, port=port, workers=workers, reload=reload, log_level="info"
    )




def _print_order(order: Any) -> None:
    from jiesu.orders.api import to_public

    console.print_json(to_public(order).model_dump_json())


AsUser = Annotated[str, typer.Option("--as", help="以哪个用户的身份操作")]


@orders_app.command("intake")
def orders_intake(
    as_user: AsUser,
    text: Annotated[str, typer.Option(help="诉求全文")],
    type: Annotated[
        str, typer.Option(help="consultation/help/complaint/report/suggestion/praise")
    ] = "complaint",
    title: str = "",
    place: str = "",
    phone: Annotated[str | None, typer.Option(help="来电号码")] = None,
    name: str = "",
    channel: str = "phone",
    client_key: str | None = None,
) -> None:
    """受理一件诉求（坐席）。"""
    from jiesu.orders import schemas, service

    try:
        data = schemas.OrderCreate.model_validate(
            {
                "type": type,
                "text": text,
                "title": title,
                "place_text": place,
                "citizen_phone": phone,
                "citizen_name": name,
                "channel": channel,
                "client_key": client_key,
            }
        )
        with session_scope() as session:
            order, _created = service.intake(session, principal_named(session, as_user), data)
            _print_order(order)
    except (DomainError, ValidationError) as exc:
        fail(exc)


@orders_app.command("import")
def orders_import(
    file: Annotated[Path, typer.Argument(help="CSV 或 XLSX 文件，首行为列名")],
    as_user: Annotated[str, typer.Option("--as", help="以哪个管理员的身份导入")] = "admin",
    batch_size: Annotated[int, typer.Option(help="每批写入条数（每批一个事务）")] = 2_000,
    strict: Annotated[bool, typer.Option(help="先检查全部行，有任何错误则一条也不导入")] = False,
    errors: Annotated[Path | None, typer.Option(help="把错误清单写入此 CSV 文件")] = None,
    show: Annotated[int, typer.Option(help="屏幕上最多列出多少条错误")] = 50,
    workers: Annotated[int, typer.Option(
        help="并行写入的进程数（仅 PostgreSQL；每批仍为一个事务；0 = 按行数和 CPU 自动选择）")] = 0,
) -> None:
    """导入历史工单（中断后再次执行同一命令可续导，不会重复）。"""
    from rich.progress import MofNCompleteColumn, Progress, TimeRemainingColumn

    from jiesu.core.db import get_sessionmaker
    from jiesu.core.roles import Role
    from jiesu.orders.imports import auto_workers, count_rows, errors_csv, import_file

    if not file.exists():
        console.print(f"[red]文件不存在：{file}[/red]")
        raise typer.Exit(code=2)
    try:
        with session_scope() as session:
            principal = principal_named(session, as_user)
        if principal.role is not Role.admin:
            console.print("[red]只有管理员可以批量导入工单[/red]")
            raise typer.Exit(code=2)
        total = count_rows(file)
        if workers <= 0:
            workers = auto_workers(total, os.cpu_count())
        columns = [*Progress.get_default_columns()[:-1], MofNCompleteColumn(),
                   TimeRemainingColumn()]
        with Progress(*columns, console=console, transient=False) as bar:
            task = bar.add_task(f"导入 {file.name}", total=total)
            report = import_file(
                get_sessionmaker(), file, created_by_id=principal.user_id,
                batch_size=batch_size, strict=strict, workers=max(1, workers),
                progress=lambda n: bar.advance(task, n),
            )
    except DomainError as exc:
        fail(exc)
        return
    if report.errors:
        bad = len({e.line for e in report.errors})
        table = Table("行号", "列", "原因", title=f"有误的行：{bad}")
        for e in report.errors[:show]:
            table.add_row(str(e.line), e.column, e.reason)
        console.print(table)
        if len(report.errors) > show:
            console.print(f"……另有 {len(report.errors) - show} 条错误未列出（--errors 写入文件）")
        if errors:
            errors.write_text(errors_csv(report.errors), encoding="utf-8-sig")
            console.print(f"错误清单已写入 {errors}")
    if report.strict_refused:
        console.print("[red]--strict：文件中有错误，未导入任何工单[/red]")
    console.print(
        f"读取 {report.rows} 行：导入 {report.imported} 件，此前已导入而跳过 {report.skipped} 件，"
        f"有误 {len({e.line for e in report.errors})} 行；{report.seconds:.1f} 秒"
        f"（{report.rate:,.0f} 件/秒）"
    )
    if report.errors:
        raise typer.Exit(code=1)


@orders_app.command("act")
def orders_act(
    order_id: int,
    action: str,
    as_user: AsUser,
    data: Annotated[
        str, typer.Option("--data", help="JSON 参数，如 '{\"lead_unit_id\": 3}'")
    ] = "{}",
) -> None:
    """对工单执行一个动作：dispatch、sign、contact、reply、close_visited ……"""
    from jiesu.orders import schemas, service
    from jiesu.orders.statemachine import Action

    if action not in schemas.ACTION_PAYLOADS:  # system steps and attach are not typed here
        console.print(f"[red]未知动作：{action}[/red]；可用：{', '.join(schemas.ACTION_PAYLOADS)}")
        raise typer.Exit(code=2)
    try:
        payload = schemas.ACTION_PAYLOADS[action].model_validate_json(data)
        with session_scope() as session:
            order = service.act(
                session, principal_named(session, as_user), order_id, Action(action), payload
            )
            _print_order(order)
    except (DomainError, ValidationError) as exc:
        fail(exc)


@orders_app.command("show")
def orders_show(order_id: int, as_user: AsUser) -> None:
    """查看工单及其全部历史。"""
    from jiesu.orders import service
    from jiesu.orders.statemachine import ACTION_LABELS, STATE_LABELS, Action, State

    try:
        with session_scope() as session:
            principal = principal_named(session, as_user)
            order = service.get_order(session, principal, order_id)
            _print_order(order)
            table = Table("#", "时间", "动作", "状态", "角色")
            for event in service.timeline_of(session, order.id):
                label = (
                    ACTION_LABELS.get(Action(event.action))
                    if event.action in Action.__members__
                    else "受理"
                )
                table.add_row(
                    str(event.seq),
                    f"{local(event.at):%Y-%m-%d %H:%M}",
                    label or event.action,
                    STATE_LABELS[State(event.to_state)],
                    event.actor_role,
                )
            console.print(table)
            console.print("可执行：", ", ".join(service.actions_for(session, principal, order)))
    except DomainError as exc:
        fail(exc)


@orders_app.command("export")
def orders_export(
    as_user: AsUser,
    out: Annotated[Path, typer.Option("--out", help="输出文件（.csv 或 .xlsx）")],
    state: str | None = None,
    overdue: bool | None = None,
    text: str | None = None,
    street_code: str | None = None,
    district_code: str | None = None,
    limit: int | None = None,
) -> None:
    """导出工单列表（CSV / XLSX，按文件扩展名），筛选条件同检索；来电号码按角色脱敏。"""
    from jiesu.orders import export, queries

    fmt = "xlsx" if out.suffix.lower() == ".xlsx" else "csv"
    f = queries.OrderFilter(state=state, overdue=overdue, text=text, street_code=street_code,
                            district_code=district_code)
    with session_scope() as session:
        principal = principal_named(session, as_user)
        export.log_unmasked_export(session, principal, f, limit=limit)
        session.commit()
        size = 0
        with out.open("wb") as handle:
            for chunk in export.stream(session, principal, f, fmt=fmt, limit=limit):
                handle.write(chunk)
                size += len(chunk)
    console.print(f"已导出到 {out}（{size:,} 字节）")


@orders_app.command("list")
def orders_list(
    as_user: AsUser,
    state: str | None = None,
    overdue: bool | None = None,
    text: str | None = None,
    limit: int = 20,
) -> None:
    """检索工单。"""
    from jiesu.orders import queries
    from jiesu.orders.statemachine import STATE_LABELS, State

    with session_scope() as session:
        principal = principal_named(session, as_user)
        rows, count = queries.search(
            session,
            principal,
            queries.OrderFilter(state=state, overdue=overdue, text=text),
            limit=limit,
        )
        table = Table("ID", "编号", "状态", "标题", "受理时间", "答复期限", title=f"共 {count} 件")
        for order in rows:
            due = f"{local(order.reply_due_at):%m-%d %H:%M}" if order.reply_due_at else ""
            table.add_row(
                str(order.id),
                order.number or "",
                STATE_LABELS[State(order.state)],
                order.title[:30],
                f"{local(order.received_at):%m-%d %H:%M}",
                due,
            )
        console.print(table)


@demo_app.command("generate")
def demo_generate(
    orders: Annotated[int, typer.Option(help="生成多少件工单")],
    seed: Annotated[int, typer.Option(help="随机种子：同一种子生成同样的工单")] = 12345,
    days: Annotated[int, typer.Option(help="受理时间分布在最近多少天")] = 365,
    csv: Annotated[Path | None, typer.Option(help="不写入数据库，写成可导入的 CSV 文件")] = None,
    as_user: Annotated[str, typer.Option("--as", help="记为哪个用户受理")] = "admin",
    batch_size: Annotated[int, typer.Option(help="每批写入条数")] = 10_000,
) -> None:
    """生成逼真的模拟工单（类别、地点、季节、办理过程），用于压测与演示。"""
    from rich.progress import MofNCompleteColumn, Progress, TimeRemainingColumn

    from jiesu.core import clock
    from jiesu.core.db import get_sessionmaker
    from jiesu.generator import Generator, generate, load_corpus, load_places, write_csv
    from jiesu.units.models import Unit

    settings = get_settings()
    with session_scope() as session:
        principal = principal_named(session, as_user)
        unit_codes = dict(session.execute(select(Unit.id, Unit.code)).tuples().all())
        places = load_places(session)
    columns = [*Progress.get_default_columns()[:-1], MofNCompleteColumn(), TimeRemainingColumn()]
    began = clock.now()
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("生成工单", total=orders)
        advance = lambda n: bar.advance(task, n)  # noqa: E731
        if csv is not None:
            gen = Generator(load_corpus(settings.shared_data_dir), places,
                            created_by_id=principal.user_id, now=began, days=days, seed=seed)
            done = write_csv(csv, gen, orders, unit_codes, batch=batch_size, progress=advance)
        else:
            done = generate(get_sessionmaker(), settings.shared_data_dir, orders,
                            created_by_id=principal.user_id, now=began, seed=seed, days=days,
                            batch=batch_size, progress=advance)
    seconds = (clock.now() - began).total_seconds()
    where = str(csv) if csv else "数据库"
    rate = done / seconds if seconds else 0.0
    console.print(f"已生成 {done} 件工单到 {where}；{seconds:.1f} 秒（{rate:,.0f} 件/秒）")


@users_app.command("create")
def users_create(
    username: str,
    role: str,
    display_name: Annotated[str, typer.Option(prompt="姓名")],
    password: Annotated[
        str, typer.Option(prompt="密码", hide_input=True, confirmation_prompt=True)
    ],
    unit_code: str | None = None,
) -> None:
    """创建用户（管理员在命令行操作）。"""
    from jiesu.units import service
    from jiesu.units.schemas import UserCreate

    try:
        with session_scope() as session:
            unit_id = None
            if unit_code:
                unit = service.unit_by_code(session, unit_code)
                if unit is None:
                    console.print(f"[red]单位不存在：{unit_code}[/red]")
                    raise typer.Exit(code=2)
                unit_id = unit.id
            user = service.create_user(
                session,
                UserCreate.model_validate(
                    {
                        "username": username,
                        "display_name": display_name,
                        "password": password,
                        "role": role,
                        "unit_id": unit_id,
                    }
                ),
            )
            console.print(f"已创建用户 {user.username}（{user.role}）")
    except (DomainError, ValidationError) as exc:
        fail(exc)


def _user_id(session: Any, username: str) -> int:
    from jiesu.units.models import User

    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        from jiesu.core.errors import NotFound

        raise NotFound(f"用户不存在：{username}", code="user_not_found")
    return int(user.id)


def _set_active(username: str, active: bool) -> None:
    from jiesu.units import service

    try:
        with session_scope() as session:
            service.set_active(session, _user_id(session, username), active)
        console.print(f"已{'恢复' if active else '停用'} {username}")
    except DomainError as exc:
        fail(exc)


@users_app.command("deactivate")
def users_deactivate(username: str) -> None:
    """停用账号（离职、调岗）：其所有登录与令牌立即失效。"""
    _set_active(username, False)


@users_app.command("activate")
def users_activate(username: str) -> None:
    """恢复账号（需重新登录）。"""
    _set_active(username, True)


@users_app.command("password")
def users_password(
    username: str,
    password: Annotated[
        str, typer.Option(prompt="新密码", hide_input=True, confirmation_prompt=True)
    ],
) -> None:
    """重置密码：旧密码与其所有令牌立即失效。"""
    from jiesu.units import service
    from jiesu.units.schemas import PasswordReset

    try:
        checked = PasswordReset.model_validate({"password": password})
        with session_scope() as session:
            service.reset_password(session, _user_id(session, username), checked.password)
        console.print(f"已重置 {username} 的密码")
    except (DomainError, ValidationError) as exc:
        fail(exc)



@app.command("backup")
def backup_command(
    path: Annotated[
        Path | None, typer.Argument(help="备份文件；默认 数据目录/backups/时间戳")
    ] = None,
    url: Annotated[str | None, typer.Option(help="数据库 URL；默认当前配置")] = None,
) -> None:
    """备份整个数据库（PostgreSQL：pg_dump；SQLite：在线备份，服务可继续运行）。"""
    from jiesu.core import backup
    from jiesu.core.clock import now

    settings = get_settings()
    source = url or settings.effective_database_url
    if path is None:
        ext = "db" if source.startswith("sqlite") else "dump"
        path = settings.data_dir / "backups" / f"jiesu-{local(now()):%Y%m%d-%H%M%S}.{ext}"
    try:
        summary = backup.backup(source, path)
    except DomainError as exc:
        fail(exc)
        return
    events = summary.counts.get("order_events", 0)
    console.print(f"已备份到 {path}：{len(summary.counts)} 张表，{summary.total} 行"
                  f"（工单 {summary.counts.get('orders', 0)}，事件 {events}）")


@app.command("restore")
def restore_command(
    path: Annotated[Path, typer.Argument(help="jiesu backup 生成的备份文件")],
    url: Annotated[str | None, typer.Option(help="恢复到的数据库 URL；默认当前配置")] = None,
    force: Annotated[bool, typer.Option("--force", help="目标库非空时覆盖")] = False,
) -> None:
    """恢复备份到空库（或 --force 覆盖），并逐表核对行数与工单事件。"""
    from jiesu.core import backup

    target = url or get_settings().effective_database_url
    try:
        summary = backup.restore(target, path, force=force)
    except DomainError as exc:
        fail(exc)
        return
    console.print(f"已恢复 {path}：{len(summary.counts)} 张表，{summary.total} 行，"
                  f"与备份一致（工单 {summary.counts.get('orders', 0)}，"
                  f"事件 {summary.counts.get('order_events', 0)}）")

_mount_optional()


def main() -> None:
    """The `jiesu` command. A write that waited out SQLite's busy timeout (another process
    holding the single writer's lock) ends as the API's `database_busy` error, not a
    traceback: its transaction was rolled back, nothing was written, running it again is safe."""
    from sqlalchemy.exc import OperationalError

    try:
        app()
    except OperationalError as exc:
        if "database is locked" not in str(exc.orig):
            raise
        console.print_json(data={"error": {
            "code": "database_busy",
            "message": "数据库正忙（另一个进程正在写入），本次未写入任何数据，请稍后重试"}})
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
