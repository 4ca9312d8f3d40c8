"""`jiesu kb`: search, evaluate, import and export, review, the centre's lists."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from jiesu.core.clock import local
from jiesu.core.db import session_scope
from jiesu.core.errors import DomainError
from jiesu.knowledge import evaluation, seed, service, transfer
from jiesu.knowledge import search as kb_search
from jiesu.knowledge.models import Article
from jiesu.units.cli_support import fail, principal_named
from jiesu.units.models import User

kb_app = typer.Typer(help="知识库：检索、评测、导入导出、审核、待补充答复", no_args_is_help=True)
console = Console()
AsUser = Annotated[str, typer.Option("--as", help="以哪个用户的身份操作")]
_TAG = re.compile(r"</?mark>")






def _plain(html_text: str) -> str:
    """<mark>…</mark> as rich's bold yellow, the rest unescaped."""
    import html

    out = _TAG.sub(lambda m: "[/]" if m.group(0) == "</mark>" else "[bold yellow]", html_text)
    return html.unescape(out)


@kb_app.command("search")
def search_cmd(
    question: str, as_user: AsUser = "agent",
    category: Annotated[str | None, typer.Option(help="工单的建议分类")] = None,
    line: Annotated[int | None, typer.Option(help="专线 id")] = None, limit: int = 5,
) -> None:
    """像坐席一样检索答复口径（只含已发布、在有效期内的）。"""
    try:
        with session_scope() as session:
            ranked = service.search(session, principal_named(session, as_user), question,
                                    category=category, line_id=line, limit=limit)
            table = Table("编号", "主题", "匹配问法", "分类", "得分",
                          title=f"{len(ranked.hits)} 条，{ranked.took_ms:.1f} ms")
            for h in ranked.hits:
                table.add_row(h.doc.code, _plain(h.highlight.topic), _plain(h.highlight.question),
                              h.doc.category, f"{h.score:.2f}")
            console.print(table)
            if ranked.hits:
                console.print(_plain(ranked.hits[0].highlight.answer))
    except DomainError as exc:
        fail(exc)


@kb_app.command("evaluate")
def evaluate_cmd(
    data: Annotated[Path, typer.Option("--data", exists=True, dir_okay=False,
                                       help="CSV：question,article_id[,kind]")] = seed.EVAL,
    kb: Annotated[Path | None, typer.Option("--kb", exists=True, dir_okay=False,
                                            help="用该条目 CSV 建索引（默认用数据库中的知识库）")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """评测检索：recall@1、recall@5、MRR、每次检索毫秒数。"""
    questions = evaluation.load_questions(data)
    if kb is not None:
        index = kb_search.build_index(evaluation.docs_from_csv(kb), _synonym_file())
    else:
        with session_scope() as session:
            index = kb_search.index_for(session)
    report = evaluation.evaluate(index, questions)
    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return
    table = Table("问题", "条目", "recall@1", "recall@5", "MRR", "ms/次", "p99 ms",
                  title=f"{data.name}")
    rows = [("全部", report), *report.by_kind.items()]
    for name, s in rows:
        table.add_row(str(name), str(report.articles), f"{s.recall_at_1:.3f}",
                      f"{s.recall_at_5:.3f}", f"{s.mrr:.3f}", f"{s.ms_per_query:.2f}",
                      f"{s.p99_ms:.2f}")
    console.print(table)


def _synonym_file() -> dict[str, str]:
    import csv

    with seed.SEED_SYNONYMS.open(encoding="utf-8") as fh:
        return {r["word"]: r["canonical"] for r in csv.DictReader(fh)}


@kb_app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)], as_user: AsUser = "admin",
    publish: Annotated[bool, typer.Option(help="导入后直接发布")] = False,
) -> None:
    """批量导入 CSV/XLSX：全部无误才写入；逐行报告错误；重复导入不产生新版本。"""
    body = file.read_bytes()
    kind = "xlsx" if file.suffix.lower() == ".xlsx" else transfer.sniff(body)
    try:
        with session_scope() as session:
            who = principal_named(session, as_user)
            report = transfer.import_articles(session, who, body, kind, publish=publish)
    except DomainError as exc:
        fail(exc)
        return
    console.print(f"新增 {report.created} 条，更新 {report.updated} 条，未变 {report.unchanged} 条")


@kb_app.command("export")
def export_cmd(file: Annotated[Path, typer.Argument(dir_okay=False)]) -> None:
    """导出全部条目的最新版本（按扩展名 .csv / .xlsx）。"""
    fmt = "xlsx" if file.suffix.lower() == ".xlsx" else "csv"
    with session_scope() as session:
        data, _ = transfer.export_articles(session, fmt)
    file.write_bytes(data)
    console.print(f"已导出到 {file}")


@kb_app.command("seed")
def seed_cmd(as_user: AsUser = "admin") -> None:
    """载入种子知识库（据附件4官方答复整理的条目与同义词，已发布；幂等）。"""
    try:
        with session_scope() as session:
            report = seed.load_seed(session, principal_named(session, as_user))
    except DomainError as exc:
        fail(exc)
        return
    console.print(f"种子知识库：新增 {report.created} 条，未变 {report.unchanged} 条")


@kb_app.command("list")
def list_cmd(as_user: AsUser = "admin", status: str | None = None, limit: int = 30) -> None:
    """知识条目（最新版本的状态）。"""
    try:
        with session_scope() as session:
            rows, count = service.list_articles(session, principal_named(session, as_user),
                                                status=status, limit=limit)
            table = Table("ID", "编号", "主题", "状态", "版本", title=f"共 {count} 条")
            for a in rows:
                latest = service.versions_of(session, a.id)[0]
                table.add_row(str(a.id), a.code, latest.topic, service.standing(session, a.id),
                              str(latest.number))
            console.print(table)
    except DomainError as exc:
        fail(exc)


@kb_app.command("history")
def history_cmd(code: str) -> None:
    """一个条目的全部版本与审核记录。"""
    with session_scope() as session:
        article = session.scalars(select(Article).where(Article.code == code)).first()
        if article is None:
            console.print(f"[red]条目不存在：{code}[/red]")
            raise typer.Exit(code=2)
        table = Table("时间", "版本", "动作", "操作人", "说明", title=f"{code} 的历史")
        numbers = {v.id: v.number for v in service.versions_of(session, article.id)}
        for e in service.events_of(session, article.id):
            actor = session.get(User, e.actor_id) if e.actor_id else None
            table.add_row(f"{local(e.at):%Y-%m-%d %H:%M}", str(numbers.get(e.version_id, "")),
                          e.action, actor.display_name if actor else "系统", e.note)
        console.print(table)


@kb_app.command("review")
def review_cmd(
    version_id: Annotated[int | None, typer.Argument(help="版本 id；不给则列出待审核")] = None,
    as_user: AsUser = "supervisor",
    reject: Annotated[str | None, typer.Option(help="退回并写明理由")] = None,
) -> None:
    """待审核清单；给出版本 id 则发布（或 --reject 理由 退回）。"""
    try:
        with session_scope() as session:
            principal = principal_named(session, as_user)
            if version_id is None:
                table = Table("版本 id", "条目", "第几版", "主题", "提交时间", title="待审核")
                for v in service.review_queue(session):
                    table.add_row(str(v.id), str(v.article_id), str(v.number), v.topic,
                                  f"{local(v.created_at):%m-%d %H:%M}")
                console.print(table)
                return
            if reject:
                service.reject(session, principal, version_id, reject)
                console.print(f"已退回版本 {version_id}")
            else:
                service.publish(session, principal, version_id)
                console.print(f"已发布版本 {version_id}")
    except DomainError as exc:
        fail(exc)


@kb_app.command("zero")
def zero_cmd(limit: int = 30) -> None:
    """坐席检索无结果的问题：下一步要编写的答复。"""
    with session_scope() as session:
        table = Table("问题", "次数", "最近", title="检索无结果")
        for z in service.zero_result_queries(session, limit=limit):
            table.add_row(z.query, str(z.searches), f"{local(z.last_at):%m-%d %H:%M}")
        console.print(table)


@kb_app.command("top")
def top_cmd(limit: int = 20) -> None:
    """按使用次数排序的答复口径。"""
    with session_scope() as session:
        table = Table("编号", "主题", "使用次数", title="常用答复")
        for r in service.top_articles(session, limit=limit):
            table.add_row(r.code, r.topic, str(r.uses))
        console.print(table)
