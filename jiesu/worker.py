"""The background jobs by name, and the loop that runs them (`jiesu worker`).

Every job is idempotent and works in short transactions of one batch, so any number of
workers may run it at once and a killed worker loses nothing. On PostgreSQL the same jobs
are also procrastinate periodic tasks (`jiesu worker --engine procrastinate`, see
jiesu/queue.py); on SQLite (the embedded mode) this module's loop runs them in-process.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

import jiesu.models  # noqa: F401  (every table registered: orders.line_id must find lines)
from jiesu.core.db import committed_batches, get_sessionmaker
from jiesu.hotspots import jobs as hotspot_jobs
from jiesu.insights import jobs as rates_jobs
from jiesu.knowledge import jobs as knowledge_jobs
from jiesu.notify.jobs import deliver_outbox
from jiesu.orders import jobs as order_jobs
from jiesu.visits import jobs as visit_jobs

log = logging.getLogger("jiesu.worker")


@dataclass(frozen=True)
class Job:
    name: str
    label: str
    run: Callable[[Callable[[], Session]], int]


def _batched(name: str) -> Callable[[Callable[[], Session]], int]:
    """Run a deadline job one committed batch at a time, so locks are held briefly."""

    def run(session_factory: Callable[[], Session]) -> int:
        total = 0
        for step in order_jobs.STEPS[name]:
            def one_batch(session: Session, step: order_jobs.Step = step) -> tuple[int, bool]:
                batch = order_jobs.run_batch(session, step)
                return batch.taken, batch.more

            total += committed_batches(session_factory, one_batch)
        return total

    return run


def _deliver(session_factory: Callable[[], Session]) -> int:
    return deliver_outbox(session_factory)


def _tick(session_factory: Callable[[], Session]) -> int:
    total = 0
    for name in (
        "remind",
        "mark_overdue",
        "escalate",
        "notify_district",
        "close_skipped_visits",
        "kb_expiring",
        "hotspots",
        "rates_rollup",
        "deliver_outbox",
    ):
        total += JOBS[name].run(session_factory)
    return total


JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job("remind", "临期提醒（达到时限的 75% 时提醒承办单位）", _batched("remind")),
        Job("mark_overdue", "标记超期并通知承办单位", _batched("mark_overdue")),
        Job("escalate", "超期催办，再超期督办", _batched("escalate")),
        Job("notify_district", "街道工单超期通报所属区", _batched("notify_district")),
        Job("close_skipped_visits", "免回访工单办结（匿名、不需回访、未抽中）", visit_jobs.run),
        Job("kb_expiring", "知识库条目到期前一周通知负责单位", knowledge_jobs.run),
        Job("hotspots", "热点聚类：新工单归入热点，达到阈值时预警", hotspot_jobs.run),
        Job("rates_rollup", "三率日汇总：重算有变动的日期", rates_jobs.run),
        Job("deliver_outbox", "投递消息（站内信、短信/微信网关）", _deliver),
        Job("tick", "以上全部，按顺序执行一次", _tick),
    )
}


def run_job(name: str, session_factory: Callable[[], Session] | None = None) -> int:
    job = JOBS.get(name)
    if job is None:
        raise KeyError(name)
    return job.run(session_factory or get_sessionmaker())


def run_forever(
    interval: float, *, once: bool = False, session_factory: Callable[[], Session] | None = None
) -> None:
    """The embedded worker: every `interval` seconds, run every job once."""
    factory = session_factory or get_sessionmaker()
    while True:
        started = time.monotonic()
        try:
            done = _tick(factory)
            if done:
                log.info("worker tick: %d steps", done)
        except Exception:  # one failed tick must not stop the worker; the next one retries
            log.exception("worker tick failed")
            if once:
                raise
        if once:
            return
        time.sleep(max(0.0, interval - (time.monotonic() - started)))
