"""Bulk import and export of articles, CSV or XLSX, one article a row.

Columns (export writes them, import reads them by header; the Chinese headers the export
writes are accepted too): code, owner_unit_code, topic, questions (one a line, or separated
by ｜ or |), answer, category, tags (comma separated), internal_note, valid_from, valid_to
(YYYY-MM-DD or ISO 8601, China time when no zone is given).

Import is all or nothing: every row is checked first (the same checks as the API, with
their codes) and the file is refused with one error per bad row — its line, its field, the
reason — before anything is written. A row whose code exists and whose content equals the
article's latest version is unchanged, so importing the same file twice adds nothing; a
different content becomes a new version (published at once with `publish`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.core import clock
from jiesu.core.errors import DomainError, InvalidInput
from jiesu.core.roles import Principal
from jiesu.knowledge import service
from jiesu.knowledge.models import PENDING, Article, ArticleVersion, VersionStatus
from jiesu.knowledge.schemas import ArticleCreate, ArticleUpdate, ImportReport, ImportRowError
from jiesu.units.models import Unit

FIELDS = ["code", "owner_unit_code", "topic", "questions", "answer", "category", "tags",
          "internal_note", "valid_from", "valid_to"]
HEADERS = {"code": "编号", "owner_unit_code": "负责单位编码", "topic": "主题",
           "questions": "常见问法", "answer": "答复口径", "category": "分类", "tags": "标签",
           "internal_note": "内部说明", "valid_from": "生效时间", "valid_to": "失效时间"}
BY_HEADER = {**{f: f for f in FIELDS}, **{h: f for f, h in HEADERS.items()}}
MAX_ROWS = 20_000
XLSX_MAGIC = b"PK\x03\x04"


def sniff(body: bytes, content_type: str = "") -> str:
    if body.startswith(XLSX_MAGIC) or "spreadsheet" in content_type:
        return "xlsx"
    return "csv"


# --- export -----------------------------------------------------------------------------------


def _when(value: datetime | None) -> str:
    return clock.local(value).isoformat(timespec="minutes") if value else ""


def export_rows(session: Session) -> list[dict[str, str]]:
    """The latest version of every article, as the import reads it."""
    rows = []
    units = dict(session.execute(select(Unit.id, Unit.code)).all())
    for article in session.scalars(select(Article).order_by(Article.id)):
        v = service.versions_of(session, article.id)[0]
        rows.append({
            "code": article.code, "owner_unit_code": units.get(article.owner_unit_id, ""),
            "topic": v.topic, "questions": v.questions, "answer": v.answer,
            "category": v.category, "tags": v.tags, "internal_note": v.internal_note,
            "valid_from": _when(v.valid_from), "valid_to": _when(v.valid_to),
        })
    return rows


def export_articles(session: Session, fmt: str) -> tuple[bytes, str]:
    rows = export_rows(session)
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = "知识库"
        ws.append(FIELDS)
        for r in rows:
            ws.append([r[f] for f in FIELDS])
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue(), ("application/vnd.openxmlformats-officedocument"
                                ".spreadsheetml.sheet")
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=FIELDS)
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" + text.getvalue()).encode("utf-8"), "text/csv; charset=utf-8"


# --- import -----------------------------------------------------------------------------------


def read_rows(body: bytes, kind: str) -> list[tuple[int, dict[str, str]]]:
    """(line number as a person counts it, the header row being line 1; the row)."""
    if kind == "xlsx":
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(body), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds on a broken file
            raise InvalidInput("无法读取 XLSX 文件", code="kb_import_unreadable") from exc
        ws = wb.worksheets[0]
        grid = [["" if c is None else _cell(c) for c in row]
                for row in ws.iter_rows(values_only=True)]
    else:
        try:
            decoded = body.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidInput("CSV 须为 UTF-8 编码", code="kb_import_unreadable") from exc
        grid = list(csv.reader(io.StringIO(decoded)))
    if not grid:
        raise InvalidInput("文件为空", code="kb_import_empty")
    header = [BY_HEADER.get(h.strip(), h.strip()) for h in grid[0]]
    missing = [f for f in ("code", "topic", "answer", "category") if f not in header]
    if missing:
        raise InvalidInput(f"缺少列：{', '.join(missing)}", code="kb_import_columns",
                           details={"missing": missing})
    if len(grid) - 1 > MAX_ROWS:
        raise InvalidInput(f"一次最多导入 {MAX_ROWS} 行", code="kb_import_too_large")
    rows = []
    for n, values in enumerate(grid[1:], start=2):
        if not any(str(v).strip() for v in values):
            continue
        rows.append((n, {h: str(values[i]).strip() if i < len(values) else ""
                         for i, h in enumerate(header) if h in FIELDS}))
    return rows


def _cell(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _parse_when(value: str, field: str, end: bool = False) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime.combine(day, time(0), tzinfo=clock.CHINA_TZ)
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(f"日期格式有误：{value}", code="kb_validity_invalid",
                           details={"field": field}) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=clock.CHINA_TZ)


def _split_questions(value: str) -> list[str]:
    for sep in ("｜", "|"):
        value = value.replace(sep, "\n")
    return [q.strip() for q in value.splitlines() if q.strip()]


@dataclass
class Planned:
    line: int
    code: str
    owner_unit_id: int | None
    data: ArticleUpdate


def _plan(session: Session, line: int, row: dict[str, str],
          units: dict[str, int]) -> Planned:
    code = row.get("code", "").strip()
    if not code:
        raise InvalidInput("编号不能为空（重复导入靠编号识别）", code="kb_code_required",
                           details={"field": "code"})
    owner_code = row.get("owner_unit_code", "").strip()
    owner = units.get(owner_code) if owner_code else None
    if owner_code and owner is None:
        raise InvalidInput(f"负责单位不存在：{owner_code}", code="kb_owner_unknown",
                           details={"field": "owner_unit_code"})
    try:
        data = ArticleUpdate(
            topic=row.get("topic", ""), questions=_split_questions(row.get("questions", "")),
            answer=row.get("answer", ""), category=row.get("category", ""),
            tags=[t.strip() for t in row.get("tags", "").replace("，", ",").split(",")
                  if t.strip()],
            internal_note=row.get("internal_note", ""),
            valid_from=_parse_when(row.get("valid_from", ""), "valid_from"),
            valid_to=_parse_when(row.get("valid_to", ""), "valid_to"),
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidInput(str(first.get("msg", "")), code="invalid_input",
                           details={"field": ".".join(str(p) for p in first["loc"])}) from exc
    service.check_content(data)
    existing = session.scalar(select(Article.owner_unit_id).where(Article.code == code))
    if existing is None and owner is None:
        raise InvalidInput("新条目须填写负责单位编码", code="kb_owner_required",
                           details={"field": "owner_unit_code"})
    return Planned(line, code, owner, data)


def _same(v: ArticleVersion, data: ArticleUpdate) -> bool:
    start = clock.as_aware(v.valid_from)
    return (v.topic == data.topic and v.answer == data.answer.strip()
            and v.questions == "\n".join(data.questions) and v.category == data.category
            and v.tags == ",".join(data.tags) and v.internal_note == data.internal_note
            and (data.valid_from is None or start == data.valid_from)
            and (clock.as_aware(v.valid_to) if v.valid_to else None) == data.valid_to)


def import_articles(session: Session, principal: Principal, body: bytes, kind: str, *,
                    publish: bool = False) -> ImportReport:
    """Check every row, then write all of them or none (kb_import_invalid lists the rows)."""
    service.centre_only(principal)
    rows = read_rows(body, kind)
    units = dict(session.execute(select(Unit.code, Unit.id)).all())
    errors: list[ImportRowError] = []
    planned: list[Planned] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        try:
            plan = _plan(session, line, row, units)
        except DomainError as exc:
            errors.append(ImportRowError(line=line, field=str(exc.details.get("field", "")),
                                         reason=f"{exc.code}: {exc.message}"))
            continue
        if plan.code in seen:
            errors.append(ImportRowError(
                line=line, field="code",
                reason=f"kb_code_repeated: 与第 {seen[plan.code]} 行编号重复"))
            continue
        seen[plan.code] = line
        planned.append(plan)
    if errors:
        raise _invalid(errors)
    created = updated = unchanged = 0
    try:
        with session.begin_nested():
            for plan in planned:
                try:
                    outcome = _apply(session, principal, plan, publish)
                except DomainError as exc:
                    errors.append(ImportRowError(
                        line=plan.line, field=str(exc.details.get("field", "")),
                        reason=f"{exc.code}: {exc.message}"))
                    raise
                created += outcome == "created"
                updated += outcome == "updated"
                unchanged += outcome == "unchanged"
    except DomainError as exc:
        raise _invalid(errors) from exc
    return ImportReport(created=created, updated=updated, unchanged=unchanged, errors=[])


def _invalid(errors: list[ImportRowError]) -> InvalidInput:
    return InvalidInput(f"导入失败：{len(errors)} 行有误，未写入任何数据", code="kb_import_invalid",
                        details={"errors": [e.model_dump() for e in errors]})


def _apply(session: Session, principal: Principal, plan: Planned, publish: bool) -> str:
    article = session.scalars(select(Article).where(Article.code == plan.code)).first()
    if article is None:
        version = service.create_article(session, principal, ArticleCreate(
            **plan.data.model_dump(), code=plan.code, owner_unit_id=plan.owner_unit_id))
        outcome = "created"
    else:
        latest = service.versions_of(session, article.id)[0]
        live = latest.status in (VersionStatus.published, *PENDING)
        if live and _same(latest, plan.data):
            return "unchanged"
        version = service.save_version(session, principal, article.id, plan.data)
        outcome = "updated"
    if publish:
        service.publish(session, principal, version.id, "批量导入")
    return outcome
