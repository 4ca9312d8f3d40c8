"""`jiesu worker` and `jiesu jobs list|run NAME`: the background jobs from the command line."""

from __future__ import annotations

import logging
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

jobs_app = typer.Typer(help="后台任务：时限提醒、超期催办督办、消息投递", no_args_is_help=True)
console = Console()


@jobs_app.command("list")
def jobs_list() -> None:
    """列出可手动执行的后台任务。"""
    from jiesu.worker import JOBS

    table = Table("名称", "说明")
    for job in JOBS.values():
        table.add_row(job.name, job.label)
    console.print(table)


@jobs_app.command("run")
def jobs_run(name: str) -> None:
    """手动执行一次某个后台任务（幂等：再执行一次不会重复提醒或催办）。"""
    from jiesu.worker import JOBS, run_job

    if name not in JOBS:
        console.print(f"[red]未知任务：{name}[/red]；可用：{', '.join(JOBS)}")
        raise typer.Exit(code=2)
    done = run_job(name)
    console.print(f"{name}：处理 {done} 项")


def worker(
    once: Annotated[bool, typer.Option("--once", help="只执行一轮后退出")] = False,
    interval: Annotated[float | None, typer.Option(help="轮询间隔（秒）")] = None,
    engine: Annotated[
        str, typer.Option(help="embedded（进程内循环）或 procrastinate（PostgreSQL）")
    ] = "embedded",
) -> None:
    """运行后台任务：时限提醒、超期、催办、督办、通报区、消息投递。"""
    from jiesu.core.settings import get_settings
    from jiesu.worker import run_forever

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = get_settings()
    if engine == "procrastinate":
        from jiesu.queue import run_procrastinate_worker

        run_procrastinate_worker()
        return
    if engine != "embedded":
        console.print(f"[red]未知引擎：{engine}[/red]")
        raise typer.Exit(code=2)
    run_forever(interval or settings.worker_interval_seconds, once=once)
