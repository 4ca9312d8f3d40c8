"""The jobs on procrastinate (PostgreSQL): periodic tasks shared by many workers on many machines.

`jiesu worker --engine procrastinate` applies procrastinate's schema when it is missing and
runs a procrastinate worker; each job of `jiesu.worker.JOBS` is a periodic task on the
schedule below. A queueing lock keeps at most one waiting run of each job, and the jobs
themselves are idempotent and lock row by row, so any number of workers may run them.
The embedded mode (SQLite) runs the very same job functions in-process (`jiesu worker`).
"""

from __future__ import annotations

import logging
from typing import Any

import psycopg
from procrastinate import App, PsycopgConnector
from sqlalchemy.orm import Session, sessionmaker

from jiesu.core.db import make_engine
from jiesu.core.settings import get_settings
from jiesu.worker import run_job

log = logging.getLogger("jiesu.queue")

# Cron schedule of each job (minute resolution is enough for deadlines counted in hours).
SCHEDULE: dict[str, str] = {
    "remind": "* * * * *",
    "mark_overdue": "* * * * *",
    "escalate": "*/5 * * * *",
    "notify_district": "*/5 * * * *",
    "kb_expiring": "0 * * * *",
    "rates_rollup": "* * * * *",
    "deliver_outbox": "* * * * *",
}


def libpq_url(url: str) -> str:
    """SQLAlchemy's `postgresql+psycopg://` URL as libpq wants it."""
    if not url.startswith("postgresql"):
        raise ValueError("procrastinate needs PostgreSQL: JIESU_DATABASE_URL=postgresql+psycopg://")
    _, rest = url.split("://", 1)
    return f"postgresql://{rest}"


def _task(name: str, sessions: sessionmaker[Session]) -> Any:
    def run(timestamp: int) -> int:
        done = run_job(name, sessions)
        log.info("job %s (scheduled %s): %d", name, timestamp, done)
        return done

    run.__name__ = f"jiesu_{name}"
    return run


def build_app(url: str | None = None) -> App:
    """A procrastinate app whose tasks run the jobs against the database at `url`."""
    url = url or get_settings().effective_database_url
    app = App(connector=PsycopgConnector(conninfo=libpq_url(url)))
    sessions = sessionmaker(bind=make_engine(url), expire_on_commit=False)
    for name, cron in SCHEDULE.items():
        job = _task(name, sessions)
        task = app.task(name=f"jiesu.{name}", queueing_lock=f"jiesu.{name}")(job)
        app.periodic(cron=cron)(task)
    return app


def ensure_schema(app: App, url: str | None = None) -> bool:
    """Apply procrastinate's tables once; True when they were created now."""
    conninfo = libpq_url(url or get_settings().effective_database_url)
    with psycopg.connect(conninfo) as conn:
        exists = conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
    if exists and exists[0] is not None:
        return False
    with app.open():
        app.schema_manager.apply_schema()
    return True


def run_procrastinate_worker(*, wait: bool = True) -> None:
    app = build_app()
    if ensure_schema(app):
        log.info("procrastinate schema applied")
    app.run_worker(wait=wait, name="jiesu")
