"""`jiesu hotspots ...`: the detector over a message file; hot spots of the live orders."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from jiesu.core.errors import DomainError
from jiesu.units.cli_support import fail, principal_named

hotspots_app = typer.Typer(help="热点：聚类、预警、联办、每月一题", no_args_is_help=True)
console = Console()


@hotspots_app.command("detect")
def detect(
    data: Annotated[Path, typer.Option("--data", help="留言文件（hot_issues.csv 的列）")],
    top: Annotated[int | None, typer.Option("--top", min=1, help="只列前 N 个")] = None,
    min_callers: Annotated[
        int, typer.Option("--min-callers", min=1, help="至少几位不同来电人")
    ] = 3,
    window_days: Annotated[
        float | None, typer.Option("--window-days", min=1, help="两件相隔最多几天仍算一事")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """在留言文件中找出热点问题：同一地点同一件事，按热度排序。"""
    from jiesu.hotspots.detector import Params, cluster_messages
    from jiesu.hotspots.messages_file import read_messages
    from jiesu.hotspots.scoring import rank

    try:
        messages = read_messages(data)
    except DomainError as exc:
        fail(exc)
    params = Params() if window_days is None else replace(Params(), window_days=window_days)
    index = cluster_messages(messages, params)
    issues = rank(index.clusters.values(), top=top, min_callers=min_callers)
    if as_json:
        typer.echo(json.dumps({"issues": [i.as_json() for i in issues]}, ensure_ascii=False,
                              indent=2))
        return
    table = Table("排名", "热度", "地点", "问题", "来电人", "件数", "时间", "说明",
                  title=f"热点问题（{len(messages)} 条留言）")
    for i in issues:
        table.add_row(str(i.rank), f"{i.score:.1f}", i.place or "—", i.title, str(i.callers),
                      str(i.messages), i.time_span, i.explanation)
    console.print(table)


@hotspots_app.command("assign")
def assign() -> None:
    """把新受理的工单归入热点（即 worker 的 hotspots 任务），达到阈值时预警。"""
    from jiesu.core.db import get_sessionmaker
    from jiesu.hotspots import jobs

    typer.echo(f"归入 {jobs.run(get_sessionmaker())} 件工单")


@hotspots_app.command("list")
def list_live(
    alerted: Annotated[bool, typer.Option("--alerted", help="只看已预警的")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500)] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """在办工单中的热点，按热度排序。"""
    from jiesu.core.db import session_scope
    from jiesu.hotspots import schemas as s
    from jiesu.hotspots import service

    with session_scope() as session:
        rows = [s.HotspotPublic.model_validate(r) for r in service.list_clusters(
            session, alerted=True if alerted else None, limit=limit)]
    if as_json:
        typer.echo(s.HotspotList(data=rows, count=len(rows)).model_dump_json(indent=2))
        return
    table = Table("编号", "热度", "地点", "诉求", "来电人", "工单", "状态", title="热点")
    for r in rows:
        state = f"联办 {r.case_id}" if r.case_id else ("已预警" if r.alerted_at else "观察中")
        table.add_row(str(r.id), f"{r.score:.1f}", r.place or "—", r.title, str(r.callers),
                      str(r.orders), state)
    console.print(table)


@hotspots_app.command("show")
def show(cluster_id: int) -> None:
    """一个热点：工单、地点分布、每日趋势（JSON）。"""
    from jiesu.core.db import session_scope
    from jiesu.hotspots import views

    with session_scope() as session:
        try:
            detail = views.detail(session, cluster_id)
        except DomainError as exc:
            fail(exc)
    typer.echo(detail.model_dump_json(indent=2))


@hotspots_app.command("rule")
def rule(
    min_callers: Annotated[int | None, typer.Option("--min-callers", min=2)] = None,
    within_hours: Annotated[int | None, typer.Option("--within-hours", min=1)] = None,
    window_days: Annotated[int | None, typer.Option("--window-days", min=1, max=365)] = None,
    as_user: Annotated[str, typer.Option("--as", help="督办或管理员用户名")] = "supervisor",
) -> None:
    """查看或设定预警阈值（如 --min-callers 5 --within-hours 24）。"""
    from sqlalchemy import select

    from jiesu.core.db import session_scope
    from jiesu.hotspots import schemas as s
    from jiesu.hotspots import service
    from jiesu.units.models import User
    from jiesu.units.service import principal_for

    with session_scope() as session:
        current = service.current_rule(session)
        if min_callers is None and within_hours is None and window_days is None:
            typer.echo(s.RulePublic.model_validate(current).model_dump_json(indent=2))
            return
        user = session.scalars(select(User).where(User.username == as_user)).first()
        if user is None:
            console.print_json(data={"error": {"code": "user_not_found",
                                               "message": "用户不存在", "details": {}}})
            raise typer.Exit(code=2)
        try:
            row = service.set_rule(
                session, principal_for(session, user),
                min_callers=min_callers or current.min_callers,
                within_hours=within_hours or current.within_hours,
                window_days=window_days or current.window_days,
            )
        except DomainError as exc:
            fail(exc)
        typer.echo(s.RulePublic.model_validate(row).model_dump_json(indent=2))




@hotspots_app.command("case")
def open_case(
    cluster_id: int,
    lead: Annotated[str, typer.Option("--lead", help="主办单位编码")],
    assist: Annotated[list[str] | None, typer.Option("--assist", help="协办单位编码")] = None,
    as_user: Annotated[str, typer.Option("--as", help="派单员或督办用户名")] = "dispatcher",
) -> None:
    """把热点成立为联办案件（主办 + 协办单位），在办工单关联并派单。"""
    from jiesu.core.db import session_scope
    from jiesu.hotspots import cases
    from jiesu.units.service import unit_by_code

    with session_scope() as session:
        principal = principal_named(session, as_user)
        units = [unit_by_code(session, c) for c in [lead, *(assist or [])]]
        if any(u is None for u in units):
            console.print_json(data={"error": {"code": "unknown_unit", "message": "单位不存在",
                                               "details": {}}})
            raise typer.Exit(code=2)
        try:
            row = cases.open_case(session, principal, cluster_id,
                                  lead_unit_id=units[0].id,  # type: ignore[union-attr]
                                  assisting_unit_ids=[u.id for u in units[1:] if u])
        except DomainError as exc:
            fail(exc)
        ids = [o.id for o in cases.case_orders(session, row.case_id)]
        typer.echo(json.dumps({"case_id": row.case_id, "order_ids": ids}))


@hotspots_app.command("reply")
def reply_case(
    case_id: int,
    reply: Annotated[str, typer.Option("--reply", help="统一答复内容")],
    outcome: Annotated[str, typer.Option("--outcome")] = "solved",
    as_user: Annotated[str, typer.Option("--as", help="主办单位经办人用户名")] = "street",
) -> None:
    """主办单位统一答复联办案件中的工单（每张工单仍各自回访）。"""
    from jiesu.core.db import session_scope
    from jiesu.hotspots import cases

    with session_scope() as session:
        principal = principal_named(session, as_user)
        try:
            done = cases.reply_case(session, principal, case_id, outcome=outcome, reply=reply)
        except DomainError as exc:
            fail(exc)
        typer.echo(json.dumps({"replied": done.replied, "skipped": done.skipped}))


@hotspots_app.command("dispatch")
def dispatch_case(
    case_id: int,
    note: Annotated[str, typer.Option("--note", help="派单说明")] = "",
    as_user: Annotated[str, typer.Option("--as")] = "dispatcher",
) -> None:
    """把联办案件中待派的工单派给主办单位（抄协办单位）。"""
    from jiesu.core.db import session_scope
    from jiesu.hotspots import cases

    with session_scope() as session:
        principal = principal_named(session, as_user)
        try:
            done = cases.dispatch_case(session, principal, case_id, note)
        except DomainError as exc:
            fail(exc)
        typer.echo(json.dumps({"case_id": case_id, "dispatched": done}))


@hotspots_app.command("split")
def split_out(
    case_id: int,
    order_id: int,
    reason: Annotated[str, typer.Option("--reason", help="移出理由")],
    as_user: Annotated[str, typer.Option("--as")] = "dispatcher",
) -> None:
    """把误并的工单移出联办案件和热点。"""
    from jiesu.core.db import session_scope
    from jiesu.hotspots import cases

    with session_scope() as session:
        principal = principal_named(session, as_user)
        try:
            cases.split_out(session, principal, case_id, order_id, reason)
        except DomainError as exc:
            fail(exc)
        typer.echo(json.dumps({"case_id": case_id, "split": order_id}))


@hotspots_app.command("report")
def monthly(
    month: Annotated[str, typer.Option("--month", help="月份，如 2026-11")],
    district: Annotated[str | None, typer.Option("--district", help="区编码，默认全市")] = None,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="导出 Excel 到文件")] = None,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="导出 PDF 到文件")] = None,
) -> None:
    """每月一题：本月热点问题、上月问题办理结果；可导出 Excel / PDF。"""
    from dataclasses import asdict

    from jiesu.core.db import session_scope
    from jiesu.hotspots import report, report_export

    with session_scope() as session:
        try:
            data = report.monthly_report(session, month, district)
        except DomainError as exc:
            fail(exc)
    if xlsx:
        xlsx.write_bytes(report_export.to_xlsx(data))
    if pdf:
        pdf.write_bytes(report_export.to_pdf(data))
    if not xlsx and not pdf:
        typer.echo(json.dumps(asdict(data), ensure_ascii=False, indent=2, default=str))


@hotspots_app.command("proactive")
def proactive(
    month: Annotated[str | None, typer.Option("--month", help="默认下个月")] = None,
    district: Annotated[str | None, typer.Option("--district")] = None,
) -> None:
    """未诉先办：去年同月高发的问题，提前一个月列出。"""
    from dataclasses import asdict

    from jiesu.core import clock
    from jiesu.core.db import session_scope
    from jiesu.hotspots import report

    target = month or report.next_month(clock.local(clock.now()).date())
    with session_scope() as session:
        last_year, rows = report.proactive_list(session, target, district)
    typer.echo(json.dumps({"month": target, "last_year": last_year,
                           "data": [asdict(r) for r in rows]}, ensure_ascii=False, indent=2))


@hotspots_app.command("match")
def match(
    text: Annotated[str, typer.Argument(help="诉求内容")],
    street: Annotated[
        str | None, typer.Option("--street", help="街道编码；不填则从文本识别")
    ] = None,
    place_text: Annotated[str | None, typer.Option("--place", help="地点（可选）")] = None,
) -> None:
    """受理时的联办提示：这段诉求是否可能属于某个在办的联办案件（不写入数据）。"""
    from dataclasses import asdict

    from jiesu.core import clock
    from jiesu.core.db import session_scope
    from jiesu.hotspots import cases
    from jiesu.orders import suggest

    with session_scope() as session:
        if not street:
            found = suggest.suggest(session, text, None, place_text, clock.now(),
                                    with_duplicates=False)
            street = found.place.street_code
        got = cases.case_at_intake(session, text=text, title=None, street_code=street,
                                   now=clock.now())
        out = {"street_code": street, "case": None if got is None else
               {**asdict(got), "message": cases.intake_message(got)}}
    typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
