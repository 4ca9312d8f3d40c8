"""Bulk import and the reports over many generated orders (PostgreSQL).

1. Import: `jiesu demo generate --csv` writes JIESU_BENCH_IMPORT_ROWS rows (default
   1,000,000, the issue's size) in the import's columns; `import_file` loads them into a
   scratch database (binary COPY, batches of 2,000 over JIESU_BENCH_IMPORT_WORKERS processes
   (2), every order with its source history as one import event (decision 0022) and, if
   still open, its deadline watches).
   Target: >= 20,000 rows/s. Besides the rate, the CPU per row of the Python processes and
   of PostgreSQL's backends (from /proc), which a busy shared machine disturbs far less.
2. Reports: the generator stores JIESU_BENCH_ORDERS orders (default 200,000) with COPY; then
   the monthly rates (by unit, by district) and the overdue lists (the centre's, the busiest
   unit's) are timed. Targets: rates < 1 s, overdue list < 50 ms (issue 13 asks both at 10M).

Sizes are environment variables (JIESU_BENCH_IMPORT_ROWS=100000 for a quicker run); the
figures in docs/bench.md say which size they were measured at, and the machine's load.

    JIESU_BENCH_IMPORT_ROWS=1000000 JIESU_BENCH_ORDERS=0 .venv/bin/python -m bench.bench_bulk
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from bench.common import (
    ROOT,
    BackendCpu,
    configure,
    figure,
    header,
    postgres_available,
    prepare,
    scratch_database,
)

T = TypeVar("T")


def _size(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _shared() -> Path:
    from jiesu.core.settings import get_settings

    return get_settings().shared_data_dir


def _machine() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{os.cpu_count()} CPUs, load average {load:.1f} when measured"


def _admin(factory: sessionmaker[Session]) -> int:
    from jiesu.units.models import User

    with factory() as session:
        return int(session.scalars(select(User.id).where(User.username == "admin")).one())


def _best(runs: int, fn: Callable[[], T]) -> tuple[float, float, T]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    assert result is not None
    return statistics.median(times), min(times), result


def bench_import(rows: int, workers: int) -> None:
    import resource

    from jiesu.core import clock
    from jiesu.generator import Generator, load_corpus, load_places, write_csv
    from jiesu.orders.imports import import_file
    from jiesu.units.models import Unit

    header(f"bulk import: {rows:,} rows from CSV into PostgreSQL, {workers} worker process(es) "
           f"({_machine()})")
    with scratch_database("postgresql", "jiesu_bench_import") as url, \
            tempfile.TemporaryDirectory(prefix="jiesu-import-") as tmp:
        factory = prepare(url)
        with factory() as session:
            places = load_places(session)
            codes = {int(i): str(c) for i, c in session.execute(select(Unit.id, Unit.code))}
        gen = Generator(load_corpus(_shared()), places, created_by_id=_admin(factory),
                        now=clock.now() - timedelta(days=1), seed=2026)
        path = Path(tmp) / "history.csv"
        started = time.perf_counter()
        write_csv(path, gen, rows, codes)
        print(f"  wrote {path.stat().st_size / 1e6:,.0f} MB of CSV in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
        admin = _admin(factory)
        own = time.process_time()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        with BackendCpu(url) as backends:
            report = import_file(factory, path, created_by_id=admin, workers=workers)
        own = time.process_time() - own
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        workers_cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
        with factory() as session:
            events, watches = session.execute(text(
                "SELECT (SELECT count(*) FROM order_events), "
                "(SELECT count(*) FROM deadline_watches)")).one()
        print(f"  imported {report.imported:,} orders with {events:,} events and {watches:,} "
              f"deadline watches, {len(report.errors)} errors, in {report.seconds:.1f} s, "
              f"load average {os.getloadavg()[0]:.1f} at the end", flush=True)
        figure("import rows/s (parse, check, COPY, commit)", report.rate, "rows/s",
               target=20_000)
        python_cpu = own + workers_cpu
        per_row = (python_cpu + backends.seconds) / max(report.imported, 1)
        print(f"  CPU per row: Python {python_cpu / max(report.imported, 1) * 1e6:.0f} µs "
              f"(reader {own:.0f} s + workers {workers_cpu:.0f} s), PostgreSQL backends "
              f"{backends.seconds / max(report.imported, 1) * 1e6:.0f} µs (a floor); "
              f"{per_row * 1e6:.0f} µs in all = {1 / per_row:,.0f} rows per CPU-second; "
              f"20,000 rows/s needs {20_000 * per_row:.1f} cores' worth of CPU at this rate",
              flush=True)


def bench_reports(orders: int, runs: int = 5) -> None:
    from jiesu.core import clock
    from jiesu.generator import generate
    from jiesu.insights.periods import parse_period
    from jiesu.insights.rates import compute_rates
    from jiesu.orders import queries
    from jiesu.orders.models import Order

    header(f"rates and overdue lists over {orders:,} generated orders ({_machine()})")
    now = clock.now()
    with scratch_database("postgresql", "jiesu_bench_reports") as url:
        factory = prepare(url)
        started = time.perf_counter()
        generate(factory, _shared(), orders, created_by_id=_admin(factory), now=now)
        seconds = time.perf_counter() - started
        figure("generate (COPY) orders/s", orders / seconds, "orders/s")
        engine = factory.kw["bind"]
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
            size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
        print(f"  database size {int(size or 0) / 1e9:.1f} GB", flush=True)
        month = clock.local(now - timedelta(days=45)).strftime("%Y-%m")
        with factory() as session:
            for group in ("unit", "district"):
                median, best, _ = _best(runs, lambda g=group: compute_rates(  # type: ignore[misc]
                    session, parse_period(month), group=g, now=now))
                figure(f"rates {month} by {group} (median; best {best * 1000:.0f} ms)",
                       median * 1000, "ms", target=1000, higher_is_better=False)
            median, best, rows = _best(runs, lambda: queries.overdue_for_centre(
                session, limit=100, now=now))
            figure(f"overdue list, centre, first {len(rows)} (best {best * 1000:.1f} ms)",
                   median * 1000, "ms", target=50, higher_is_better=False)
            busiest = session.execute(
                select(Order.lead_unit_id).where(Order.is_open.is_(True))
                .group_by(Order.lead_unit_id).order_by(func.count().desc()).limit(1)
            ).scalar()
            if busiest is not None:
                median, best, rows = _best(runs, lambda: queries.overdue_for_unit(
                    session, int(busiest), limit=100, now=now))
                figure(f"overdue list, busiest unit, first {len(rows)} "
                       f"(best {best * 1000:.1f} ms)", median * 1000, "ms", target=50,
                       higher_is_better=False)


def main() -> None:
    configure()
    if not postgres_available():
        print("bench_bulk: PostgreSQL not reachable on 127.0.0.1:5432; skipped")
        return
    rows = _size("JIESU_BENCH_IMPORT_ROWS", 1_000_000)
    workers = _size("JIESU_BENCH_IMPORT_WORKERS", 2)
    orders = _size("JIESU_BENCH_ORDERS", 200_000)
    if rows:
        bench_import(rows, workers)
    if orders:
        bench_reports(orders)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
