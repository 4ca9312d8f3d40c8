"""Order export (CSV and XLSX) of 1,000,000 orders on PostgreSQL: rows/s and peak memory.

Builds the same scratch database as bench_rates (real schema, Beijing's units, orders filled
with generate_series) under its own name, then streams the whole order list through
`jiesu.orders.export.stream` as a supervisor (phones masked), counting rows and bytes and
throwing the bytes away. Peak memory is the process's maximum resident set before and after
(what streaming must keep flat: the rows never all sit in memory).

    .venv/bin/python -m bench.bench_export [--orders N] [--keep] [--reuse]

Needs PostgreSQL on 127.0.0.1:5432 (JIESU_BENCH_POSTGRES_URL overrides); prints figures only.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

from sqlalchemy import text
from sqlalchemy.orm import Session

from bench.bench_rates import build
from bench.common import kept_postgres_bench

DB = "jiesu_bench_export"


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(url: str, runs: int) -> None:
    from jiesu.core.db import make_engine
    from jiesu.core.roles import Principal, Role
    from jiesu.orders import export
    from jiesu.orders.queries import OrderFilter

    engine = make_engine(url)
    supervisor = Principal(user_id=0, username="bench", display_name="bench",
                           role=Role.supervisor)
    for fmt in ("csv", "xlsx"):
        with Session(engine) as session:
            before = _rss_mib()
            started = time.perf_counter()
            size = 0
            for chunk in export.stream(session, supervisor, OrderFilter(), fmt=fmt):
                size += len(chunk)
            elapsed = time.perf_counter() - started
            rows = session.execute(text("SELECT count(*) FROM orders")).scalar_one()
            shown = min(rows, 1_048_575) if fmt == "xlsx" else rows
            print(f"export {fmt:<4}: {shown:,} rows in {elapsed:6.1f} s = "
                  f"{shown / elapsed:8,.0f} rows/s, {size / 2**20:7.1f} MiB written; "
                  f"peak RSS {before:6.1f} -> {_rss_mib():6.1f} MiB", flush=True)
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--reuse", action="store_true",
                        help="time a database kept by an earlier --keep run, without rebuilding")
    args = parser.parse_args(argv if argv is not None else [])
    title = f"== bench_export: the order list as CSV and XLSX, {args.orders:,} orders =="
    return kept_postgres_bench(
        "bench_export", DB, title, build, measure,
        orders=args.orders, runs=1, keep=args.keep, reuse=args.reuse,
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
