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
        console.print_json(data=exc.as_body())
        raise typer.Exit(code=2) from exc
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
