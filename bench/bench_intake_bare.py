"""Intake per second beside its floor, in one run, on one PostgreSQL.

jiesu's `POST /api/v1/orders` (token check, triage at intake inline and off, the ORM order
INSERT, its number, its event, commit) against a bare FastAPI + psycopg endpoint
(bench/bare_intake_app.py) that inserts the same order row into the same database and does
nothing else. Same load generator (bench/load.py), clients, seconds and uvicorn workers; the
ratio says what the hotline's intake costs over the floor of the stack it is built on. Beside
orders/s, the server processes' CPU per order inserted (from /proc, warm-up included), which a
busy shared machine disturbs far less than the rate.

Knobs (environment): JIESU_BENCH_SECONDS (10), JIESU_BENCH_CLIENTS (8),
JIESU_BENCH_PG_WORKERS (2).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from bench.bench_api import _intake_body
from bench.common import (
    SERVER_PIDS,
    configure,
    figure,
    header,
    percentile,
    postgres_available,
    prepare,
    process_tree_cpu,
    scratch_database,
    server,
    tokens,
)
from bench.load import Connection, LoadResult, run_load

BARE = "bare FastAPI + psycopg insert"
SECONDS = float(os.environ.get("JIESU_BENCH_SECONDS", "10"))
CLIENTS = int(os.environ.get("JIESU_BENCH_CLIENTS", "8"))
WORKERS = int(os.environ.get("JIESU_BENCH_PG_WORKERS", "2"))


@dataclass
class Measured:
    load: LoadResult
    cpu_ms_per_order: float  # the server's processes' CPU over every order it inserted


def _measure(base: str, path: str, headers: dict[str, str],
             factory: sessionmaker[Session]) -> Measured:
    from jiesu.orders.models import Order

    async def intake(http: Connection, n: int, latencies: list[float]) -> None:
        await http.timed(latencies, "POST", path, headers, _intake_body(n))

    def rows() -> int:
        with factory() as session:
            return int(session.scalar(select(func.count(Order.id))) or 0)

    pid = SERVER_PIDS[base]
    before, cpu = rows(), process_tree_cpu(pid)
    load = run_load(base, CLIENTS, SECONDS, intake)
    spent, inserted = process_tree_cpu(pid) - cpu, rows() - before
    return Measured(load, spent / inserted * 1000 if inserted else float("nan"))


def _report(label: str, measured: Measured) -> None:
    result = measured.load
    figure(f"{label}: orders/s ({CLIENTS} clients)", result.per_second, "/s")
    figure(f"{label}: p50", percentile(result.latencies, 50) * 1000, "ms")
    figure(f"{label}: p99", percentile(result.latencies, 99) * 1000, "ms")
    figure(f"{label}: server CPU per order", measured.cpu_ms_per_order, "ms")
    if result.errors:
        print(f"  errors: {sum(result.errors.values())} {list(result.errors)[:2]}")


def main() -> None:
    configure()
    if not postgres_available():
        print("(PostgreSQL not reachable on 127.0.0.1:5432: skipped)")
        return
    header(f"intake beside a bare FastAPI + psycopg insert (PostgreSQL, {WORKERS} workers)")
    with scratch_database("postgresql", "jiesu_bench_bare") as url:
        factory = prepare(url)
        agent = tokens(factory, "agent")["agent"]
        results: dict[str, Measured] = {}
        libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        with server(url, workers=WORKERS, app="bench.bare_intake_app:app",
                    env={"BARE_DATABASE_URL": libpq}) as base:
            results[BARE] = _measure(base, "/orders", {}, factory)
        with server(url, workers=WORKERS, env={"JIESU_TRIAGE_AT_INTAKE": "false"}) as base:
            results["jiesu intake (triage off)"] = _measure(base, "/api/v1/orders", agent,
                                                            factory)
        with server(url, workers=WORKERS) as base:
            results["jiesu intake (triage inline)"] = _measure(base, "/api/v1/orders", agent,
                                                               factory)
        for label, measured in results.items():
            _report(label, measured)
        bare = results[BARE]
        for label in ("jiesu intake (triage off)", "jiesu intake (triage inline)"):
            rate = results[label].load.per_second / bare.load.per_second \
                if bare.load.per_second else float("nan")
            figure(f"ratio {label} / bare: orders/s", rate, "×")
            figure(f"ratio {label} / bare: CPU per order",
                   results[label].cpu_ms_per_order / bare.cpu_ms_per_order, "×")
        factory.kw["bind"].dispose()


if __name__ == "__main__":
    main()
