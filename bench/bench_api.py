"""The order API under load, on SQLite and PostgreSQL.

- intake: orders created per second through HTTP by 8 concurrent clients, p50/p99 latency,
  with triage at intake inline (the default), deferred to a worker (JIESU_TRIAGE_DEFERRED;
  then also how fast one worker drains what was queued) and off;
- lifecycle: full lifecycles (intake → dispatch → sign → contact → reply → close_visited)
  per second through HTTP;
- overdue: one unit's overdue list with 1,000,000 orders in the database, in-process
  (`orders.queries.overdue_for_unit`) and through `GET /api/v1/orders/overdue`.

Knobs (environment): JIESU_BENCH_SECONDS (10), JIESU_BENCH_CLIENTS (8),
JIESU_BENCH_ORDERS (1000000), JIESU_BENCH_PG_WORKERS (2), JIESU_BENCH_SQLITE_WORKERS (1),
JIESU_BENCH_BACKENDS (sqlite,postgresql).
"""

from __future__ import annotations

import csv
import os
import time
from functools import lru_cache
from typing import Any

import httpx
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from bench.common import (
    configure,
    figure,
    header,
    percentile,
    postgres_available,
    prepare,
    scratch_database,
    server,
    tokens,
)
from bench.load import Connection, LoadResult, run_load

SECONDS = float(os.environ.get("JIESU_BENCH_SECONDS", "10"))
CLIENTS = int(os.environ.get("JIESU_BENCH_CLIENTS", "8"))
ORDERS = int(os.environ.get("JIESU_BENCH_ORDERS", "1000000"))
WORKERS = {
    "sqlite": int(os.environ.get("JIESU_BENCH_SQLITE_WORKERS", "1")),
    "postgresql": int(os.environ.get("JIESU_BENCH_PG_WORKERS", "2")),  # one per core
}
WANGJING = "110105026"
USERS = ("agent", "dispatcher", "street", "visitor")


@lru_cache(maxsize=1)
def _messages() -> list[tuple[str, str]]:
    """Real citizens' messages (title, body) from ../shared/data/messages/hot_issues.csv:
    triage and the duplicate search cost what they cost on real text (median ~220
    characters), not on one short sentence repeated."""
    from jiesu.core.settings import get_settings

    path = get_settings().shared_data_dir / "messages" / "hot_issues.csv"
    with path.open(encoding="utf-8") as handle:
        return [(row["title"], row["body"]) for row in csv.DictReader(handle) if row["body"]]


def _intake_body(n: int) -> dict[str, Any]:
    messages = _messages()
    title, body = messages[n % len(messages)]
    return {"type": "complaint", "title": title[:200], "text": body,
            "citizen_phone": "13812345678", "citizen_name": "张先生",
            "street_code": WANGJING, "district_code": "110105"}


def bench_http(kind: str, url: str, factory: sessionmaker[Session], label: str,
               env: dict[str, str] | None = None) -> None:
    from jiesu.units.service import unit_by_code

    headers = tokens(factory, *USERS)
    with factory() as session:
        street = unit_by_code(session, WANGJING)
        assert street is not None
        street_id = street.id

    async def intake(http: Connection, n: int, latencies: list[float]) -> None:
        await http.timed(latencies, "POST", "/api/v1/orders", headers["agent"], _intake_body(n))

    async def lifecycle(http: Connection, n: int, latencies: list[float]) -> None:
        order = await http.timed(latencies, "POST", "/api/v1/orders", headers["agent"],
                                 _intake_body(n))
        path = f"/api/v1/orders/{order['id']}"
        steps = [
            ("dispatcher", "dispatch", {"lead_unit_id": street_id}),
            ("street", "sign", {}),
            ("street", "contact", {"method": "phone"}),
            ("street", "reply", {"outcome": "solved", "reply": "已清运完毕"}),
            ("visitor", "close_visited", {"solved": True, "satisfaction": "satisfied"}),
        ]
        for user, action, body in steps:
            await http.timed(latencies, "POST", f"{path}/{action}", headers[user], body)

    with server(url, workers=WORKERS[kind], env=env) as base:
        result = run_load(base, CLIENTS, SECONDS, intake)
        figure(f"intake{label}: orders/s ({CLIENTS} clients)", result.per_second, "/s",
               target=300 if kind == "postgresql" else None)
        figure(f"intake{label}: p50", percentile(result.latencies, 50) * 1000, "ms")
        figure(f"intake{label}: p99", percentile(result.latencies, 99) * 1000, "ms",
               target=100 if kind == "postgresql" else None, higher_is_better=False)
        _client_cpu(result)
        _errors(result.errors)
        result = run_load(base, CLIENTS, SECONDS, lifecycle)
        figure(f"lifecycle{label}: intake→closed per second", result.per_second, "/s")
        figure(f"lifecycle{label}: request p50", percentile(result.latencies, 50) * 1000, "ms")
        figure(f"lifecycle{label}: request p99", percentile(result.latencies, 99) * 1000, "ms")
        _errors(result.errors)


def bench_deferred_drain(factory: sessionmaker[Session]) -> None:
    """What deferred triage moved out of the intake request: one worker triaging the orders
    the deferred run queued (the cost moved to the worker; it did not disappear)."""
    from jiesu.core.outbox import OutboxMessage
    from jiesu.notify.jobs import deliver_outbox
    from jiesu.orders import jobs  # noqa: F401  (registers the "triage" handler)

    with factory() as session:
        queued = session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.topic == "triage", OutboxMessage.status == "pending")) or 0
    began = time.perf_counter()
    deliver_outbox(factory)
    seconds = time.perf_counter() - began
    figure(f"deferred triage: one worker drains ({queued:,} queued)",
           queued / seconds if seconds else 0.0, "/s")


def _client_cpu(result: LoadResult) -> None:
    requests = len(result.latencies)
    if requests:
        figure("  load generator CPU per request (not the server's)",
               result.client_cpu_seconds / requests * 1000, "ms")


def _errors(errors: dict[str, int]) -> None:
    for error, count in sorted(errors.items(), key=lambda item: -item[1])[:5]:
        print(f"    ! {count} × {error}", flush=True)


def bulk_load(factory: sessionmaker[Session], total: int) -> float:
    """`total` orders spread over every dispatchable unit, in SQL (no Python row loop):
    generate_series on PostgreSQL, a recursive CTE on SQLite. 30% are open, and an open order
    received over 7 days ago is overdue. Returns seconds taken."""
    from jiesu.orders.models import Order
    from jiesu.units.models import User

    began = time.perf_counter()
    with factory() as session:
        pg = session.get_bind().dialect.name == "postgresql"
        agent = session.scalars(select(User.id).where(User.username == "agent")).one()
        session.execute(text("CREATE TEMP TABLE bench_units (rn INTEGER PRIMARY KEY, id INTEGER)"))
        session.execute(text(
            "INSERT INTO bench_units (rn, id) SELECT row_number() OVER (ORDER BY id) - 1, id "
            "FROM units WHERE kind IN ('department', 'utility', 'district', 'street')"
        ))
        units = session.scalar(text("SELECT count(*) FROM bench_units")) or 1
        if pg:
            received = "now() - (g % 365) * interval '1 day' - (g % 1440) * interval '1 minute'"
            due = f"({received}) + interval '7 days'"
            true, false = "TRUE", "FALSE"
        else:
            shift = "'-' || (g % 365) || ' days', '-' || (g % 1440) || ' minutes'"
            received = f"strftime('%Y-%m-%d %H:%M:%S', 'now', {shift}) || '.000000'"
            due = f"strftime('%Y-%m-%d %H:%M:%S', 'now', {shift}, '+7 days') || '.000000'"
            true, false = "1", "0"
        is_open = f"CASE WHEN g % 10 < 3 THEN {true} ELSE {false} END"
        exprs = {
            "channel": "'phone'", "type": "'complaint'", "title": "'批量工单'",
            "text": "'批量生成的工单，用于计时超期查询'", "place_text": "''", "citizen_name": "''",
            "urgency": "'ordinary'", "state": "CASE WHEN g % 10 < 3 THEN 'in_progress' "
            "ELSE 'closed' END", "is_open": is_open, "lead_unit_id": "u.id",
            "created_by_id": str(agent), "received_at": received, "dispatched_at": received,
            "reply_due_at": due, "updated_at": received, "anonymous": false,
            "confidential": false, "no_callback": false,
        }
        columns = [c for c in Order.__table__.columns if c.name in exprs or (
            not c.nullable and not c.primary_key and c.server_default is None)]
        select_list = []
        for column in columns:
            if column.name in exprs:
                select_list.append(exprs[column.name])
            else:  # a NOT NULL column someone added later: its Python-side default
                default = column.default.arg if column.default is not None else None
                if isinstance(default, bool):
                    select_list.append(true if default else false)
                elif isinstance(default, int | float):
                    select_list.append(str(default))
                else:
                    select_list.append(f"'{default or ''}'")
        names = ", ".join(c.name for c in columns)
        # Build the indexes once at the end, not row by row: several times faster.
        indexes = list(Order.__table__.indexes)
        for index in indexes:
            index.drop(session.connection())
        if pg:
            session.execute(text("SET synchronous_commit = off"))
        chunk = 200_000
        for first in range(1, total + 1, chunk):
            last = min(total, first + chunk - 1)
            source = (f"generate_series({first}, {last}) AS s(g)" if pg else "gen")
            cte = ("" if pg else f"WITH RECURSIVE gen(g) AS (SELECT {first} UNION ALL "
                   f"SELECT g + 1 FROM gen WHERE g < {last}) ")
            session.execute(text(
                f"INSERT INTO orders ({names}) {cte}SELECT {', '.join(select_list)} "
                f"FROM {source} JOIN bench_units u ON u.rn = g % {units}"
            ))
            session.commit()
            print(f"    loaded {last:,} orders ({time.perf_counter() - began:.0f} s)", flush=True)
        for index in indexes:
            index.create(session.connection())
        session.commit()
        print(f"    indexes rebuilt ({time.perf_counter() - began:.0f} s)", flush=True)
        session.execute(text("ANALYZE"))
        session.commit()
    return time.perf_counter() - began


def bench_overdue(kind: str, url: str, factory: sessionmaker[Session]) -> None:
    from jiesu.orders.queries import overdue_for_unit
    from jiesu.units.service import unit_by_code

    seconds = bulk_load(factory, ORDERS)
    figure(f"bulk load of {ORDERS:,} orders", seconds, "s")
    with factory() as session:
        street = unit_by_code(session, WANGJING)
        assert street is not None
        total = session.scalar(text("SELECT count(*) FROM orders"))
    print(f"    orders in the database: {total:,}", flush=True)
    runs: list[float] = []
    found = 0
    for _ in range(200):
        with factory() as session:
            began = time.perf_counter()
            found = len(overdue_for_unit(session, street.id, limit=100))
            runs.append(time.perf_counter() - began)
    figure(f"overdue_for_unit ({found} rows), p50", percentile(runs, 50) * 1000, "ms",
           target=50, higher_is_better=False)
    figure(f"overdue_for_unit ({found} rows), p99", percentile(runs, 99) * 1000, "ms",
           target=50, higher_is_better=False)
    headers = tokens(factory, "street")["street"]
    with server(url, workers=1) as base, httpx.Client(base_url=base, timeout=60) as http:
        latencies: list[float] = []
        for i in range(120):
            began = time.perf_counter()
            response = http.get("/api/v1/orders/overdue", headers=headers)
            if i >= 20:  # the first requests warm the worker
                latencies.append(time.perf_counter() - began)
            response.raise_for_status()
        count = response.json()["count"]
    figure(f"GET /orders/overdue ({count} rows), p50", percentile(latencies, 50) * 1000, "ms",
           target=50, higher_is_better=False)
    figure(f"GET /orders/overdue ({count} rows), p99", percentile(latencies, 99) * 1000, "ms",
           target=50, higher_is_better=False)


def run_backend(kind: str) -> None:
    header(f"bench_api on {kind}")
    with scratch_database(kind, "jiesu_bench_api") as url:
        factory = prepare(url)
        bench_http(kind, url, factory, "")
        bench_http(kind, url, factory, " (triage deferred)", env={"JIESU_TRIAGE_DEFERRED": "true"})
        bench_deferred_drain(factory)
        bench_http(kind, url, factory, " (triage off)", env={"JIESU_TRIAGE_AT_INTAKE": "false"})
        bench_overdue(kind, url, factory)
        factory.kw["bind"].dispose()


def main() -> None:
    configure()
    backends = os.environ.get("JIESU_BENCH_BACKENDS", "sqlite,postgresql").split(",")
    for kind in backends:
        if kind == "postgresql" and not postgres_available():
            print("\n(PostgreSQL not reachable on 127.0.0.1:5432: skipped)")
            continue
        try:
            run_backend(kind)
        except Exception as exc:  # one backend failing must not hide the other's figures
            print(f"  !! {kind} failed: {type(exc).__name__}: {exc}", flush=True)


if __name__ == "__main__":
    main()
