"""Rules of SQLite's single writer: a long job leaves the others a gap between its batches, and
a command that waited out the lock ends with `database_busy` and writes nothing."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jiesu.core import db as core_db
from jiesu.core.migrate import upgrade
from jiesu.core.outbox import enqueue
from jiesu.notify.jobs import deliver_outbox
from tests.scratch_settings import scratch_sqlite


def test_a_job_pauses_between_batches_on_sqlite_only_so_waiting_writers_get_the_lock(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pauses: list[float] = []
    monkeypatch.setattr(core_db.time, "sleep", pauses.append)
    with scratch_sqlite(tmp_path, "gap.db") as url:
        upgrade(url)
        factory = core_db.get_sessionmaker()
        with factory.begin() as session:
            for n in range(250):
                enqueue(session, "notify", {"to": f"u{n}", "text": "测试"})
        assert deliver_outbox(factory, batch=100) == 250
    # batches of 100, 100 and 50: a pause before the second and the third, none at the end
    assert pauses == [core_db.SQLITE_WRITER_GAP_S] * 2


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file locks")
def test_a_command_that_waits_out_the_lock_ends_with_database_busy_and_writes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from jiesu import cli
    from jiesu.open311.models import ApiClient

    with scratch_sqlite(tmp_path, "busy.db", env={"JIESU_SQLITE_BUSY_TIMEOUT_MS": "200"}) as url:
        upgrade(url)
        holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process's long write
        monkeypatch.setattr(sys, "argv", ["jiesu", "open311", "issue", "示例应用"])
        try:
            with pytest.raises(SystemExit) as ended:
                cli.main()
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert ended.value.code == 2
        assert '"database_busy"' in capsys.readouterr().out
        with core_db.get_sessionmaker()() as session:
            assert session.scalar(select(func.count()).select_from(ApiClient)) == 0


def test_committed_batches_commits_each_batch_and_pauses_only_between_them_on_sqlite(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jiesu.core.outbox import OutboxMessage

    pauses: list[float] = []
    monkeypatch.setattr(core_db.time, "sleep", pauses.append)
    sizes = iter([(2, True), (2, True), (1, False)])
    seen: list[int] = []

    def one_batch(session: Session) -> tuple[int, bool]:
        # what the earlier batches wrote is committed: this batch's session sees it
        seen.append(session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)
        done, more = next(sizes)
        for n in range(done):
            enqueue(session, "notify", {"to": f"u{n}", "text": "测试"})
        return done, more

    with scratch_sqlite(tmp_path, "batches.db") as url:
        upgrade(url)
        assert core_db.committed_batches(core_db.get_sessionmaker(), one_batch) == 5
    assert seen == [0, 2, 4]
    assert pauses == [core_db.SQLITE_WRITER_GAP_S] * 2
