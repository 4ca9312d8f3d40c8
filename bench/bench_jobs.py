"""Deadline jobs and outbox delivery: how many escalation steps and messages a worker handles.

For SQLite and (when it answers) PostgreSQL: a scratch database with Beijing's units and the
demo users, N orders dispatched to Wangjing street at 10:00 on Monday 2 November 2026 through
the real service, then the clock is moved two days on and each job is timed: mark_overdue,
escalate (urge + supervise), notify_district, and delivering the outbox to the inbox. A
second run of the deadline jobs is timed too: it must find nothing (idempotent).

    .venv/bin/python -m bench.bench_jobs [--orders N]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timedelta

import time_machine

from bench.common import configure, figure, header, postgres_available, prepare, scratch_database

MONDAY = datetime.fromisoformat("2026-11-02T10:00:00+08:00")


def run(kind: str, orders: int) -> None:
    from jiesu.core.clock import CHINA_TZ
    from jiesu.orders import jobs, service
    from jiesu.orders import schemas as s
    from jiesu.orders.statemachine import Action
    from jiesu.units.models import User
    from jiesu.units.service import principal_for, unit_by_code
    from jiesu.worker import run_job

    with scratch_database(kind, "jiesu_bench_jobs") as url:
        factory = prepare(url)
        with time_machine.travel(MONDAY.astimezone(CHINA_TZ), tick=False) as clock:
            with factory.begin() as session:
                from sqlalchemy import select

                users = {u.username: u for u in session.scalars(select(User))}
                agent = principal_for(session, users["agent"])
                dispatcher = principal_for(session, users["dispatcher"])
                street = unit_by_code(session, "110105026")
                assert street is not None
                for n in range(orders):
                    order, _ = service.intake(session, agent, s.OrderCreate(
                        type="complaint", text=f"望京街道第{n}号楼门口垃圾无人清理",
                        citizen_phone="13800000000"))
                    service.act(session, dispatcher, order.id, Action.dispatch,
                                s.Dispatch(lead_unit_id=street.id))
            run_job("deliver_outbox", factory)  # the dispatch notices, not timed
            clock.shift(timedelta(days=2))
            header(f"{kind}: {orders} orders left alone for two days")
            total_steps = 0
            for name in ("mark_overdue", "escalate", "notify_district"):
                began = time.perf_counter()
                done = run_job(name, factory)
                spent = time.perf_counter() - began
                total_steps += done
                figure(f"{name}: {done} steps", done / spent if spent else 0, "steps/s")
            began = time.perf_counter()
            again = sum(run_job(n, factory) for n in jobs.STEPS)
            figure(f"second run of every deadline job: {again} steps", time.perf_counter()
                   - began, "s", higher_is_better=False)
            began = time.perf_counter()
            sent = run_job("deliver_outbox", factory)
            spent = time.perf_counter() - began
            figure(f"deliver_outbox: {sent} messages to the inbox", sent / spent if spent else 0,
                   "messages/s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=300)
    args = parser.parse_args(argv)
    configure()
    run("sqlite", args.orders)
    if postgres_available():
        run("postgresql", args.orders)
    else:
        print("PostgreSQL not reachable: skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
