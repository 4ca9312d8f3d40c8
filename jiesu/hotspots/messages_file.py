"""Message files in the columns of hot_issues.csv: id,user,title,created_at,body,likes,dislikes."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from jiesu.core.errors import InvalidInput
from jiesu.hotspots.detector import Message

REQUIRED = ("id", "user", "title", "created_at", "body")


def _int(value: str | None) -> int:
    try:
        return int(float(value or 0))
    except ValueError:
        return 0


def read_messages(path: Path) -> list[Message]:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InvalidInput(f"无法读取文件：{path}", code="file_unreadable",
                           details={"path": str(path)}) from exc
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise InvalidInput("缺少列：" + "、".join(missing), code="columns_missing",
                               details={"missing": missing})
        out: list[Message] = []
        for n, row in enumerate(reader, start=2):
            try:
                at = datetime.fromisoformat((row["created_at"] or "").strip().replace("/", "-"))
            except ValueError as exc:
                raise InvalidInput(f"第 {n} 行时间无法识别", code="bad_time",
                                   details={"line": n, "value": row["created_at"]}) from exc
            out.append(Message(
                id=(row["id"] or "").strip(), title=row["title"] or "", body=row["body"] or "",
                created_at=at.replace(tzinfo=None), caller=(row["user"] or "").strip(),
                likes=_int(row.get("likes")),
            ))
        return out
