"""`jiesu visits`: the call list, one call's answers, closing the orders that get no call."""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from jiesu.core.clock import local
from jiesu.core.db import session_scope
from jiesu.core.errors import DomainError
from jiesu.core.privacy import mask_phone
from jiesu.units.cli_support import fail, principal_named
from jiesu.visits import service
from jiesu.visits.schemas import VisitCreate

visits_app = typer.Typer(help="回访：待回访清单、记录回访、免回访办结", no_args_is_help=True)
console = Console()
AsUser = Annotated[str, typer.Option("--as", help="以哪个用户的身份操作")]






@visits_app.command("queue")
def queue(as_user: AsUser, limit: int = 30) -> None:
    """到期待回访的工单（答复最早的在前）。"""
    try:
        with session_scope() as session:
            page = service.queue(session, principal_named(session, as_user), limit=limit)
            table = Table("ID", "编号", "承办单位", "答复", "答复时间", "已拨", "诉求人",
                          title=f"待回访 {page.count} 件")
            for due in page.calls:
                o = due.order
                assert o.replied_at is not None
                table.add_row(str(o.id), o.number or "", due.unit_name or "",
                              o.reply_outcome or "", f"{local(o.replied_at):%m-%d %H:%M}",
                              str(o.visit_attempts),
                              f"{o.citizen_name} {mask_phone(o.citizen_phone)}")
            console.print(table)
            skipped = "，".join(f"{k} {v}" for k, v in page.skippable.items())
            console.print(f"免回访（到期）：{skipped}")
    except DomainError as exc:
        fail(exc)


@visits_app.command("record")
def record(
    order_id: int,
    as_user: AsUser,
    reached: Annotated[bool, typer.Option("--reached/--unreachable")] = True,
    solved: Annotated[bool | None, typer.Option("--solved/--not-solved")] = None,
    satisfaction: Annotated[str | None, typer.Option(help="satisfied / basically / dissatisfied")]
    = None,
    comment: str = "",
    note: str = "",
) -> None:
    """记录一次回访：未接通计次；接通后按答复办结或退回重办。"""
    try:
        answers = VisitCreate.model_validate({"reached": reached, "solved": solved,
                                              "satisfaction": satisfaction, "comment": comment,
                                              "note": note})
        with session_scope() as session:
            order, outcome = service.record_visit(session, principal_named(session, as_user),
                                                  order_id, answers)
            console.print(f"工单 {order.id}：{outcome}（状态 {order.state}，"
                          f"承办单位 {order.lead_unit_id}，已拨 {order.visit_attempts} 次）")
    except (DomainError, ValidationError) as exc:
        fail(exc)


@visits_app.command("skip-due")
def skip_due(as_user: AsUser) -> None:
    """免回访办结：到期的匿名、要求不回访、未抽中的工单。"""
    try:
        with session_scope() as session:
            closed = service.close_skipped(session, principal_named(session, as_user))
            console.print(f"免回访办结 {len(closed)} 件")
    except DomainError as exc:
        fail(exc)
