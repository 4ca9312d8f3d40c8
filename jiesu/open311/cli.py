"""`jiesu open311`: issue an api key to a client app, list the apps, revoke one."""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from jiesu.core.clock import local
from jiesu.core.db import session_scope
from jiesu.core.errors import DomainError
from jiesu.open311 import service
from jiesu.open311.schemas import ApiClientCreate
from jiesu.units.cli_support import fail

open311_app = typer.Typer(help="Open311 GeoReport v2：客户端应用与 api_key", no_args_is_help=True)
console = Console()




@open311_app.command("issue")
def issue(
    name: Annotated[str, typer.Argument(help="客户端应用名称")],
    contact: Annotated[str, typer.Option(help="联系人或邮箱")] = "",
) -> None:
    """签发 api_key（只显示这一次；系统只保存其摘要）。最后一行是 api_key 本身。"""
    try:
        data = ApiClientCreate.model_validate({"name": name, "contact": contact})
        with session_scope() as session:
            client, api_key = service.issue_client(session, data, None)
            console.print(f"已为 {client.name} 签发 api_key（客户端 {client.id}），请妥善保存：")
        typer.echo(api_key)
    except (DomainError, ValidationError) as exc:
        fail(exc)


@open311_app.command("list")
def list_clients() -> None:
    """列出客户端应用。"""
    with session_scope() as session:
        rows = service.list_clients(session)
        table = Table("编号", "名称", "联系人", "api_key 前缀", "签发时间", "最近使用", "状态",
                      title=f"Open311 客户端：{len(rows)} 个")
        for row in rows:
            table.add_row(
                str(row.id), row.name, row.contact, row.key_prefix + "…",
                f"{local(row.created_at):%Y-%m-%d %H:%M}",
                f"{local(row.last_used_at):%Y-%m-%d %H:%M}" if row.last_used_at else "—",
                "已停用" if row.revoked_at else "有效",
            )
        console.print(table)


@open311_app.command("revoke")
def revoke(client_id: int) -> None:
    """停用客户端：其 api_key 立即失效，已提交的诉求不受影响。"""
    try:
        with session_scope() as session:
            client = service.revoke_client(session, client_id)
            console.print(f"已停用 {client.name}（客户端 {client.id}）")
    except DomainError as exc:
        fail(exc)
