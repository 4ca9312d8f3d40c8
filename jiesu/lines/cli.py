"""`jiesu lines …`: open, list, show, staff and close special lines from the command line."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from jiesu.core.db import session_scope
from jiesu.core.errors import DomainError
from jiesu.lines import schemas as s
from jiesu.lines import service
from jiesu.units.cli_support import fail, principal_named

lines_app = typer.Typer(help="专线：开通、坐席、知识库、关闭、看板", no_args_is_help=True)
console = Console()
AsUser = Annotated[str, typer.Option("--as", help="以哪个用户的身份操作（督办员或管理员）")]






def _user_ids(session: Any, usernames: list[str]) -> list[int]:
    from jiesu.units.models import User

    found = {name: uid for name, uid in session.execute(
        select(User.username, User.id).where(User.username.in_(usernames)))}
    missing = [u for u in usernames if u not in found]
    if missing:
        raise DomainError("用户不存在", code="unknown_user", details={"usernames": missing})
    return [found[u] for u in usernames]


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("，", ",").split(",") if part.strip()]


@lines_app.command("create")
def create(
    as_user: AsUser,
    code: Annotated[str, typer.Option(help="专线编码，如 epidemic")],
    name: Annotated[str, typer.Option(help="专线名称")],
    number: Annotated[str, typer.Option(help="专线号码")] = "",
    channel_tag: Annotated[str, typer.Option(help="渠道标签")] = "",
    timetable: Annotated[str, typer.Option(
        help='服务时间 JSON；不填为 7×24，如 \'[{"weekdays":[1,2,3,4,5],"start":"08:00",'
             '"end":"20:00"}]\'')] = "",
    ends_at: Annotated[str, typer.Option(help="结束时间（ISO 8601，含时区）")] = "",
    agents: Annotated[str, typer.Option(help="坐席用户名，逗号分隔")] = "",
    categories: Annotated[str, typer.Option(help="类别，逗号分隔")] = "",
    articles: Annotated[str, typer.Option(help="知识库条目 id，逗号分隔")] = "",
) -> None:
    """开通一条专线（督办员）。"""
    try:
        with session_scope() as session:
            principal = principal_named(session, as_user)
            data = s.LineCreate.model_validate({
                "code": code, "name": name, "number": number, "channel_tag": channel_tag,
                "around_the_clock": not timetable,
                "timetable": json.loads(timetable) if timetable else [],
                "ends_at": ends_at or None,
                "agent_ids": _user_ids(session, _split(agents)),
                "categories": _split(categories),
                "article_ids": [int(a) for a in _split(articles)],
            })
            line = service.create_line(session, principal, data)
            console.print_json(service.to_public(session, line).model_dump_json())
    except (DomainError, ValidationError) as exc:
        fail(exc)
    except (ValueError, json.JSONDecodeError) as exc:
        fail(DomainError(f"参数格式有误：{exc}", code="invalid_input"))


@lines_app.command("list")
def list_lines(state: Annotated[str, typer.Option(help="open / closed / 不填为全部")] = "") -> None:
    """列出专线。"""
    with session_scope() as session:
        table = Table("id", "编码", "名称", "号码/标签", "状态", "服务时间", "坐席", "条目")
        for line in service.list_lines(session, state=state or None):
            pub = service.to_public(session, line)
            table.add_row(str(pub.id), pub.code, pub.name, pub.number or pub.channel_tag,
                          pub.state_label, "7×24" if pub.around_the_clock else "按时间表",
                          str(len(pub.agents)), str(len(pub.article_ids)))
    console.print(table)


@lines_app.command("show")
def show(line_id: int) -> None:
    """显示一条专线。"""
    try:
        with session_scope() as session:
            line = service.get_line(session, line_id)
            console.print_json(service.to_public(session, line).model_dump_json())
    except DomainError as exc:
        fail(exc)


@lines_app.command("add-agents")
def add_agents(line_id: int, as_user: AsUser,
               agents: Annotated[str, typer.Option(help="坐席用户名，逗号分隔")]) -> None:
    """把坐席加入专线。"""
    try:
        with session_scope() as session:
            line = service.add_agents(session, principal_named(session, as_user), line_id,
                                      _user_ids(session, _split(agents)))
            console.print_json(service.to_public(session, line).model_dump_json())
    except DomainError as exc:
        fail(exc)


@lines_app.command("add-articles")
def add_articles(line_id: int, as_user: AsUser,
                 articles: Annotated[str, typer.Option(help="条目 id，逗号分隔")]) -> None:
    """把知识库条目加入专线。"""
    try:
        with session_scope() as session:
            line = service.add_articles(session, principal_named(session, as_user), line_id,
                                        [int(a) for a in _split(articles)])
            console.print_json(service.to_public(session, line).model_dump_json())
    except DomainError as exc:
        fail(exc)
    except ValueError as exc:
        fail(DomainError(f"参数格式有误：{exc}", code="invalid_input"))


@lines_app.command("close")
def close(line_id: int, as_user: AsUser,
          note: Annotated[str, typer.Option(help="关闭说明")] = "") -> None:
    """关闭专线（工单与统计保留）。"""
    try:
        with session_scope() as session:
            line = service.close_line(session, principal_named(session, as_user), line_id, note)
            console.print_json(service.to_public(session, line).model_dump_json())
    except DomainError as exc:
        fail(exc)


# --- the line's own deadline rules ----------------------------------------------------------

_SPANS = {"h": "hours", "wd": "working_days", "d": "calendar_days"}
LimitOption = Annotated[str, typer.Option(help="时限：2h（小时）、7wd（工作日）、3d（自然日）")]


def _limit(name: str, text: str) -> dict[str, Any]:
    """'2h' → {"amount": 2, "span": "hours"}; anything else is an error with a code."""
    value = text.strip().lower()
    for suffix in sorted(_SPANS, key=len, reverse=True):
        number = value.removesuffix(suffix)
        if number != value and number.isdigit() and len(number) < 6:
            return {"amount": int(number), "span": _SPANS[suffix]}
    raise DomainError("时限格式应为 数字+单位，如 2h、7wd、3d", code="invalid_limit",
                      details={"field": name, "value": text})


def _limits(sign: str, contact: str, reply: str, note: str) -> dict[str, Any]:
    return {"sign": _limit("sign", sign), "contact": _limit("contact", contact),
            "reply": _limit("reply", reply), "note": note}


def _print_rules(rows: Any) -> None:
    from jiesu.orders.deadline_rules_api import DeadlineRulePublic

    console.print_json(data=[json.loads(DeadlineRulePublic.of(r).model_dump_json())
                             for r in rows])


@lines_app.command("deadlines")
def list_deadlines(line_id: int) -> None:
    """专线自己的办理时限（生效中）。"""
    from jiesu.lines import deadlines

    try:
        with session_scope() as session:
            _print_rules(deadlines.line_rules(session, line_id))
    except DomainError as exc:
        fail(exc)


@lines_app.command("add-deadline")
def add_deadline(
    line_id: int, as_user: AsUser, sign: LimitOption, contact: LimitOption, reply: LimitOption,
    urgency: Annotated[str, typer.Option(
        help="any（所有紧急程度）或 emergency/outage/urgent/ordinary/complex")] = "any",
    category: Annotated[str, typer.Option(help="限定类别（可不填）")] = "",
    note: Annotated[str, typer.Option(help="说明")] = "",
) -> None:
    """为专线设定时限，如疫情专线 --sign 2h --contact 2h --reply 24h。"""
    from jiesu.lines import deadlines
    from jiesu.orders.deadline_rules_api import LineDeadlineRuleCreate

    try:
        with session_scope() as session:
            data = LineDeadlineRuleCreate.model_validate({
                **_limits(sign, contact, reply, note), "urgency": urgency,
                "category": category or None})
            row = deadlines.add_rule(session, principal_named(session, as_user), line_id, data)
            _print_rules([row])
    except (DomainError, ValidationError) as exc:
        fail(exc)


@lines_app.command("replace-deadline")
def replace_deadline(
    line_id: int, rule_id: int, as_user: AsUser, sign: LimitOption, contact: LimitOption,
    reply: LimitOption, note: Annotated[str, typer.Option(help="说明")] = "",
) -> None:
    """修改专线的一条时限（旧版本停用，新版本生效）。"""
    from jiesu.lines import deadlines
    from jiesu.orders.deadline_rules_api import DeadlineRuleLimits

    try:
        with session_scope() as session:
            data = DeadlineRuleLimits.model_validate(_limits(sign, contact, reply, note))
            row = deadlines.replace_rule(session, principal_named(session, as_user), line_id,
                                         rule_id, data)
            _print_rules([row])
    except (DomainError, ValidationError) as exc:
        fail(exc)


@lines_app.command("retire-deadline")
def retire_deadline(line_id: int, rule_id: int, as_user: AsUser) -> None:
    """停用专线的一条时限（回到中心通用时限）。"""
    from jiesu.lines import deadlines

    try:
        with session_scope() as session:
            who = principal_named(session, as_user)
            row = deadlines.retire_rule(session, who, line_id, rule_id)
            _print_rules([row])
    except DomainError as exc:
        fail(exc)


# `jiesu demo special-line`: registered on the demo group in jiesu/cli.py.
def demo_special_line(
    days: Annotated[int, typer.Option(help="天数", min=1, max=400)] = 30,
    calls: Annotated[int, typer.Option(help="来电总量", min=1, max=200_000)] = 8_300,
    peak: Annotated[int, typer.Option(help="峰值日来电量", min=1)] = 743,
) -> None:
    """重现种子案例的疫情防控专线：30 天、约 8300 件来电、峰值日 743 件、九成以上一次办结。
    经由与 API 相同的服务函数受理、答复、派单；看板数据由工单实时计算。幂等。"""
    import time

    from jiesu.lines import dashboard
    from jiesu.lines import demo as line_demo

    started = time.perf_counter()
    with session_scope() as session:
        result = line_demo.build(session, days=days, total=calls, peak=max(1, min(peak, calls)))
        if result is None:
            console.print("疫情防控专线已存在（或缺少演示用户，请先 jiesu init --demo），未改动")
            return
        board = dashboard.line_dashboard(session, service.get_line(session, result.line_id))
    for text in result.lines():
        console.print(text)
    rate = board.first_call_rate or 0.0
    console.print(f"看板（由工单计算）：来电 {board.total} 件，峰值日 {board.peak_day} "
                  f"{board.peak_calls} 件，一次办结率 {rate * 100:.1f}%，"
                  f"用时 {time.perf_counter() - started:.1f} 秒")
