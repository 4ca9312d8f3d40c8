"""Monthly rates for all units over 1,000,000 orders on PostgreSQL (target: under 1 s).

Builds a scratch database `jiesu_bench_rates` with the real schema (Alembic) and Beijing's
units, fills it in SQL with generate_series (1,000,000 orders over 2026, plus intake,
dispatch and return events: 2M+ event rows; a chunk of the year per million orders, the
secondary indexes and foreign keys made after the fill), rebuilds the daily rates rollup
(as the worker keeps it), then times `compute_rates` for one month, grouped by unit, by
district and by category: counted from orders only, from the rollup, and from the rollup
with 1, 7 or 31 of the month's days changed since the job ran (counted from orders), with
the buffers and rows each path's main statement touches; and the overdue lists (the centre's
and the busiest unit's first 100). The database is dropped afterwards. `--orders 10000000`
is the issue's size (about 11 GB).

    .venv/bin/python -m bench.bench_rates [--orders N] [--keep] [--reuse]

Needs PostgreSQL on 127.0.0.1:5432 (JIESU_BENCH_POSTGRES_URL overrides); prints figures only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.orm import Session

from bench.common import kept_postgres_bench

T = TypeVar("T")
DB = "jiesu_bench_rates"

# One order a row: the lead unit is drawn with a skew (a few busy units, a long tail), the
# received time spread over 2026, the outcome in proportions close to Beijing's practice.
# Rows go in in time order, as a live centre writes them, so a month is one stretch of the
# table (random order would make every month touch every page).
FILL_ORDERS = """
INSERT INTO orders (
    channel, type, title, text, place_text, category, urgency, citizen_name, anonymous,
    confidential, no_callback, state, is_open, lead_unit_id, created_by_id, received_at,
    dispatched_at, signed_at, contacted_at, replied_at, closed_at, sign_due_at, contact_due_at,
    reply_due_at, overall_due_at, close_reason, reply_outcome, visit_solved, visit_satisfaction,
    visit_attempts, dispatch_count, return_count, reopen_count, urge_count, supervise_count,
    extension_count, version, updated_at)
SELECT 'phone', 'complaint', 'bench', 'bench', '', c.name, 'ordinary', '', false, false, false,
    CASE WHEN r.o < 0.80 THEN 'closed' WHEN r.o < 0.88 THEN 'replied'
         WHEN r.o < 0.97 THEN 'in_progress' ELSE 'returned' END,
    r.o >= 0.80, u.id, :user_id, r.t, r.t + interval '20 minutes',
    r.t + interval '20 minutes' + r.sign_lag, r.t + interval '2 hours' + r.sign_lag,
    CASE WHEN r.o < 0.88 THEN r.t + r.handle END,
    CASE WHEN r.o < 0.80 THEN r.t + r.handle + interval '1 day' END,
    r.t + interval '4 hours 20 minutes', r.t + interval '24 hours 20 minutes',
    r.t + interval '7 days', r.t + interval '7 days',
    CASE WHEN r.o < 0.74 THEN 'visited' WHEN r.o < 0.77 THEN 'unreachable'
         WHEN r.o < 0.79 THEN 'visit_skipped' WHEN r.o < 0.80 THEN 'explained' END,
    CASE WHEN r.o < 0.79 THEN 'solved' WHEN r.o < 0.80 THEN 'not_solvable' END,
    CASE WHEN r.o < 0.74 THEN r.s >= 0.05 END,
    CASE WHEN r.o < 0.74 THEN CASE WHEN r.s < 0.08 THEN 'dissatisfied'
         WHEN r.s < 0.25 THEN 'basically' ELSE 'satisfied' END END,
    0, CASE WHEN r.s2 < 0.04 THEN 2 ELSE 1 END, 0, 0, 0, 0, 0, 1, r.t
FROM (
    SELECT g, random() AS o, random() AS s, random() AS s2,
           timestamptz '2026-01-01 00:00+08'
               + (:chunk + random()) * (interval '365 days' / :chunks) AS t,
           random() * interval '6 hours' AS sign_lag,
           interval '1 hour' + random() * interval '9 days' AS handle,
           1 + floor(random() * random() * :units)::int AS unit_rn,
           1 + floor(random() * :categories)::int AS cat_rn
    FROM generate_series(1, :n) AS g
) AS r
JOIN bench_units u ON u.rn = r.unit_rn
JOIN bench_categories c ON c.rn = r.cat_rn
ORDER BY r.t
"""

# The build drops these before the fill and makes them again after it, as a restore does:
# one sort per index and one join per foreign key instead of upkeep row by row (at 10M orders
# hours become minutes). The measured database has exactly the schema's indexes and keys.
SECONDARY = """
SELECT format('DROP INDEX %I', indexname), indexdef FROM pg_indexes
WHERE tablename IN ('orders', 'order_events') AND indexname NOT IN (
    SELECT conname FROM pg_constraint WHERE conrelid IN ('orders'::regclass,
                                                          'order_events'::regclass))
UNION ALL
SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname),
       format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass, conname,
              pg_get_constraintdef(oid))
FROM pg_constraint WHERE contype = 'f' AND conrelid IN ('orders'::regclass,
                                                         'order_events'::regclass)
"""

FILL_EVENTS = """
INSERT INTO order_events (order_id, seq, action, from_state, to_state, actor_id, actor_role,
                          unit_id, at, payload)
SELECT id, 1, 'intake', NULL::varchar, 'received', :user_id, 'agent', NULL::int, received_at,
       '{}'::json
FROM orders
UNION ALL
SELECT id, 2, 'dispatch', 'received', 'dispatched', :user_id, 'dispatcher', NULL,
       dispatched_at, json_build_object('lead_unit_id', lead_unit_id)
FROM orders
UNION ALL
SELECT id, 3, 'return_order', 'dispatched', 'returned', :user_id, 'handler', lead_unit_id,
       dispatched_at + interval '1 hour', '{}'::json
FROM orders WHERE state = 'returned' OR dispatch_count > 1
"""


def timed(label: str, fn: Callable[[], T]) -> T:
    started = time.perf_counter()
    result = fn()
    print(f"  {label}: {time.perf_counter() - started:.1f} s", flush=True)
    return result


def build(url: str, n: int) -> None:
    from jiesu.core.db import make_engine
    from jiesu.core.migrate import upgrade
    from jiesu.units.seed import load_units

    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        load_units(session)
        session.commit()
        user_id = session.execute(text(
            "INSERT INTO users (username, display_name, password_hash, role, active, "
            "token_version, is_demo, created_at) VALUES ('bench', 'bench', '-', 'agent', true, "
            "0, false, now()) RETURNING id")).scalar_one()
        session.execute(text(
            "CREATE TEMP TABLE bench_units AS SELECT row_number() OVER (ORDER BY id) AS rn, id "
            "FROM units WHERE kind IN ('department', 'utility', 'district', 'street')"))
        units = session.execute(text("SELECT count(*) FROM bench_units")).scalar_one()
        session.execute(text(
            "CREATE TEMP TABLE bench_categories AS SELECT row_number() OVER () AS rn, name "
            "FROM (VALUES ('城乡建设'), ('环境保护'), ('交通运输'), ('劳动和社会保障'), "
            "('卫生健康'), ('教育'), ('商贸旅游'), ('市场监管'), ('公共安全'), ('其他'))"
            " AS c(name)"))
        chunks = max(1, n // 1_000_000)
        recreate = []
        for drop, create in session.execute(text(SECONDARY)).all():
            session.execute(text(drop))
            recreate.append(create)
        started = time.perf_counter()
        for chunk in range(chunks):
            size = n // chunks + (1 if chunk < n % chunks else 0)
            params = {"user_id": user_id, "n": size, "units": units, "categories": 10,
                      "chunk": chunk, "chunks": chunks}
            session.execute(text(FILL_ORDERS), params)
        print(f"  {n:,} orders over {units} units (generate_series, {chunks} chunk(s)): "
              f"{time.perf_counter() - started:.1f} s", flush=True)
        timed("intake, dispatch and return events",
              lambda: session.execute(text(FILL_EVENTS), {"user_id": user_id}))
        session.execute(text("SET maintenance_work_mem = '512MB'"))
        timed(f"{len(recreate)} indexes and foreign keys made again",
              lambda: [session.execute(text(c)) for c in recreate])
        session.commit()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        timed("VACUUM ANALYZE", lambda: conn.execute(text("VACUUM ANALYZE")))
        events = conn.execute(text("SELECT count(*) FROM order_events")).scalar_one()
        print(f"  order_events rows: {events:,}")
    # The daily rollup as the worker keeps it (jiesu report rollup --rebuild).
    from jiesu.insights import rollup

    with Session(engine) as session:
        done = timed("rates rollup rebuilt", lambda: rollup.rebuild(session))
        session.commit()
        print(f"  rollup: {done.days} days, {done.rows:,} rows")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE rates_daily, rates_returns, rates_days"))
    engine.dispose()


def measure(url: str, runs: int) -> None:
    from jiesu.core.db import make_engine
    from jiesu.insights.periods import parse_period
    from jiesu.insights.rates import compute_rates

    engine = make_engine(url)
    period = parse_period("2026-10")
    with Session(engine) as session:
        print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        plan_buffers(session, period)
        for group in ("unit", "district", "category"):
            for label, use, marked in (("orders only", False, 0), ("rollup", True, 0),
                                       ("rollup, 1 day changed", True, 1),
                                       ("rollup, 7 days changed", True, 7),
                                       ("rollup, all 31 changed", True, 31)):
                times = []
                for _ in range(runs):
                    # Markers as the triggers write them for orders changed since the job ran.
                    session.execute(text(
                        "INSERT INTO rates_dirty (day) SELECT d::date FROM generate_series("
                        "date '2026-10-31' - (:n - 1), date '2026-10-31', interval '1 day') d"
                        " WHERE :n > 0"), {"n": marked})
                    started = time.perf_counter()
                    report = compute_rates(session, period, group=group, use_rollup=use)
                    times.append(time.perf_counter() - started)
                    session.rollback()
                received = sum(r.received for r in report.rows)
                print(f"rates 2026-10 by {group:<8} {label:<23}: median "
                      f"{statistics.median(times) * 1000:7.1f} ms  best {min(times) * 1000:7.1f}"
                      f" ms  ({len(report.rows)} rows, {received:,} received; target < 1000 ms;"
                      f" load {os.getloadavg()[0]:.1f})", flush=True)
        # The overdue lists (the supervisor's, a unit's): one index range scan each.
        from jiesu.orders import queries

        busiest = session.execute(text(
            "SELECT lead_unit_id FROM orders WHERE is_open GROUP BY 1 ORDER BY count(*) DESC "
            "LIMIT 1")).scalar_one()
        for label, fetch in (
                ("centre", lambda: queries.overdue_for_centre(session, limit=100)),
                ("busiest unit", lambda: queries.overdue_for_unit(session, busiest, limit=100))):
            times = []
            for _ in range(max(runs, 20)):
                started = time.perf_counter()
                rows = fetch()
                times.append(time.perf_counter() - started)
                session.rollback()
            print(f"overdue list, {label:<12} (first {len(rows)}): median "
                  f"{statistics.median(times) * 1000:6.1f} ms  best {min(times) * 1000:6.1f} ms"
                  f"  (target < 50 ms)")
        # The return-visit queue over the same data (~8% of the orders wait in `replied`).
        from jiesu.core.roles import Principal, Role
        from jiesu.visits import service as visits

        visitor = Principal(user_id=0, username="bench", display_name="bench", role=Role.visitor)
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            page = visits.queue(session, visitor, limit=50)
            times.append(time.perf_counter() - started)
            session.rollback()
        print(f"visit queue (first 50 of {page.count:,} due calls): median "
              f"{statistics.median(times) * 1000:7.1f} ms  best {min(times) * 1000:7.1f} ms")
    engine.dispose()


def plan_buffers(session: Session, period: Any) -> None:
    """Buffers and rows each path's main statement touches: CPU-independent evidence."""
    from datetime import datetime

    from jiesu.core.clock import CHINA_TZ
    from jiesu.insights import rollup
    from jiesu.insights.rates import _order_query
    from jiesu.insights.rules import get_rate_rules

    rules, now = get_rate_rules(), datetime(2026, 12, 4, 18, 0, tzinfo=CHINA_TZ)
    days = rollup.exact_days(session, period, rules, now)
    print(f"  {len(days)} of October's 31 days exact in the rollup")
    from sqlalchemy import func, select

    from jiesu.insights.counts import FIGURES
    from jiesu.insights.models import RatesDaily

    summed = (select(RatesDaily.lead_unit_id, *(func.sum(getattr(RatesDaily, f))
                                                  for f in FIGURES))
              .where(RatesDaily.day.in_(sorted(days))).group_by(RatesDaily.lead_unit_id))
    session.execute(text("SET LOCAL jit = off"))  # as compute_rates runs
    for label, stmt in (("orders, by unit", _order_query("unit", period, rules, now,
                                                          "postgresql", None)),
                        ("rollup, by unit", summed)):
        sql = str(stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
        plan = session.execute(text("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
                               ).scalar_one()[0]
        top = plan["Plan"]
        touched = top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0)
        print(f"  {label}: {touched:,} buffers ({touched * 8 / 1024:.0f} MB), "
              f"{_rows_read(top):,} rows read, {plan['Execution Time']:.0f} ms")
        session.rollback()
        session.execute(text("SET LOCAL jit = off"))


def _rows_read(node: dict[str, Any]) -> int:
    """Rows the plan's scans produced (times their loops), summed over its leaves."""
    children = node.get("Plans", [])
    if not children:
        return int(node.get("Actual Rows", 0) * node.get("Actual Loops", 1))
    return sum(_rows_read(child) for child in children)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--reuse", action="store_true",
                        help="time a database kept by an earlier --keep run, without rebuilding")
    # `python -m bench` calls main() with no arguments: the defaults, not the runner's argv.
    args = parser.parse_args(argv if argv is not None else [])
    title = f"== bench_rates: monthly rates over {args.orders:,} orders (PostgreSQL) =="
    return kept_postgres_bench(
        "bench_rates", DB, title, build, measure,
        orders=args.orders, runs=args.runs, keep=args.keep, reuse=args.reuse,
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
