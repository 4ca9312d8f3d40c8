"""Back up and restore the whole database: `pg_dump`/`pg_restore` (custom format) on PostgreSQL,
SQLite's online backup API on SQLite (a consistent copy while the server keeps writing).

A restore goes into an empty database unless `force` is given; afterwards the row counts of
every table and a digest of the order events are compared with what the backup holds (read
from the SQLite copy itself, or from the summary written beside a dump in the same snapshot as
pg_dump), so a restore that lost anything fails loudly (`BackupError`).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Connection, make_url

from jiesu.core.errors import Conflict, InvalidInput

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
# What is compared after a restore, besides every table's row count (alembic_version too).
EVENTS_DIGEST = "SELECT order_id, seq, action, to_state, at FROM order_events ORDER BY id"
PG_TIMEOUT_S = 3600


class BackupError(Conflict):
    code = "backup_failed"


@dataclass(frozen=True)
class Summary:
    counts: dict[str, int]
    events_digest: str

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise InvalidInput("内存数据库无法备份", code="backup_unsupported")
    return Path(database)


def _libpq(url: str) -> str:
    """The URL as pg_dump reads it: without SQLAlchemy's driver suffix."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def summarise(url: str) -> Summary:
    """Row counts of every table, and a digest of every order event (in id order)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return _summary(conn)
    finally:
        engine.dispose()


def _summary(conn: Connection) -> Summary:
    tables = sorted(inspect(conn).get_table_names())
    counts = {t: int(conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one())
              for t in tables}
    digest = hashlib.sha256()
    if "order_events" in tables:
        for row in conn.execute(text(EVENTS_DIGEST)):
            digest.update(repr(tuple(str(v) for v in row)).encode("utf-8"))
    return Summary(counts=counts, events_digest=digest.hexdigest())


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".summary.json")


def _write_sidecar(path: Path, summary: Summary) -> None:
    _sidecar(path).write_text(json.dumps(
        {"counts": summary.counts, "events_digest": summary.events_digest}, indent=1,
        ensure_ascii=False), encoding="utf-8")


def _read_sidecar(path: Path) -> Summary | None:
    side = _sidecar(path)
    if not side.is_file():
        return None
    data = json.loads(side.read_text(encoding="utf-8"))
    return Summary(counts={str(k): int(v) for k, v in data["counts"].items()},
                   events_digest=str(data["events_digest"]))


def backup(url: str, dest: Path) -> Summary:
    """Write a backup of the database at `url` to `dest`; returns what it holds."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists():
        raise Conflict(f"备份文件已存在：{dest}", code="backup_exists")
    if _is_sqlite(url):
        source = sqlite3.connect(str(_sqlite_path(url)))
        target = sqlite3.connect(str(dest))
        try:
            source.backup(target)  # page by page, consistent while others write
        finally:
            target.close()
            source.close()
        return summarise(f"sqlite:///{dest}")
    # The counts and pg_dump read one snapshot (exported from this transaction), so what the
    # summary says is exactly what the dump holds while the server keeps writing.
    engine = create_engine(url, isolation_level="REPEATABLE READ")
    try:
        with engine.connect() as conn:
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            summary = _summary(conn)
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                  f"--snapshot={snapshot}", f"--file={dest}", f"--dbname={_libpq(url)}"])
            conn.rollback()
    finally:
        engine.dispose()
    _write_sidecar(dest, summary)
    return summary


def restore(url: str, src: Path, *, force: bool = False) -> Summary:
    """Restore `src` into the database at `url` and check it against the backup."""
    if not src.is_file():
        raise InvalidInput(f"备份文件不存在：{src}", code="backup_not_found")
    magic = src.read_bytes()[:16]
    sqlite = _is_sqlite(url)
    if sqlite and not magic.startswith(SQLITE_MAGIC):
        raise InvalidInput("不是 SQLite 备份文件", code="backup_wrong_kind")
    if not sqlite and not magic.startswith(PGDUMP_MAGIC):
        raise InvalidInput("不是 PostgreSQL（pg_dump 自定义格式）备份文件",
                           code="backup_wrong_kind")
    if not force and _has_tables(url):
        raise Conflict("目标数据库不是空库；确认覆盖请加 --force", code="restore_target_not_empty")
    expected: Summary | None
    if sqlite:
        expected = summarise(f"sqlite:///{src}")
        path = _sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(str(src))
        target = sqlite3.connect(str(path))
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        args = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                "--single-transaction", f"--dbname={_libpq(url)}"]
        if force:
            args += ["--clean", "--if-exists"]
        _run([*args, str(src)])
        expected = _read_sidecar(src)
    restored = summarise(url)
    if expected is not None and restored != expected:
        raise BackupError("恢复后的数据与备份不一致", details=_difference(expected, restored))
    return restored


def _difference(expected: Summary, got: Summary) -> dict[str, object]:
    tables = sorted(set(expected.counts) | set(got.counts))
    return {"tables": {t: [expected.counts.get(t), got.counts.get(t)] for t in tables
                       if expected.counts.get(t) != got.counts.get(t)},
            "events_match": expected.events_digest == got.events_digest}


def _has_tables(url: str) -> bool:
    if _is_sqlite(url) and not _sqlite_path(url).exists():
        return False
    engine = create_engine(url)
    try:
        return bool(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _run(args: list[str]) -> None:
    tool = args[0]
    if shutil.which(tool) is None:
        raise BackupError(f"找不到 {tool}（请安装 PostgreSQL 客户端）", code="backup_tool_missing")
    done = subprocess.run(args, capture_output=True, text=True, timeout=PG_TIMEOUT_S,
                          check=False)
    if done.returncode != 0:
        # The URL (and its password) is in args: only the tool's own message is shown.
        raise BackupError(f"{tool} 失败", details={"stderr": done.stderr.strip()[-2000:]})
