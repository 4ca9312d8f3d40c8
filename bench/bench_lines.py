"""Special lines: the intake-side answer lookup and the settle-on-the-call write, on the
seed's epidemic line built by `jiesu demo special-line` (jiesu.lines.demo).

- build     the epidemic line through the services: 30 days, ≈8,300 calls (JIESU_BENCH_LINE_
            CALLS overrides), each taken, settled / dispatched / transferred: calls per second
- lookup    what the agent's screen asks while they type (lines.knowledge_link.answers: the
            line's members read, BM25 ranking with the line boost, a zero result kept): ms per
            lookup, p50 / p99 over the callers' question forms plus partial typing; the
            knowledge base is the demo's seed (≈150 articles) plus the line's own
- settle    one click: intake + answer_on_call + the use row (lines.first_call): ms per call
- dashboard the line's figures computed from its orders: ms

    .venv/bin/python -m bench.bench_lines

SQLite scratch database (the embedded default); prints figures only, never passes or fails.
"""

from __future__ import annotations

import os
import random
import time

from bench.common import configure, figure, percentile, prepare, scratch_database

CALLS = int(os.environ.get("JIESU_BENCH_LINE_CALLS", "8300"))
LOOKUPS = int(os.environ.get("JIESU_BENCH_LINE_LOOKUPS", "400"))
SETTLES = int(os.environ.get("JIESU_BENCH_LINE_SETTLES", "200"))


def main() -> None:
    configure()
    os.environ["JIESU_TRIAGE_AT_INTAKE"] = "false"  # the lookup and the write, not triage
    from jiesu.core.settings import get_settings

    get_settings.cache_clear()
    with scratch_database("sqlite", "jiesu_bench_lines") as url:
        factory = prepare(url)
        run(factory)


def run(factory: object) -> None:
    from sqlalchemy import select

    from jiesu.demo import load_demo_knowledge
    from jiesu.lines import dashboard, first_call
    from jiesu.lines import demo as line_demo
    from jiesu.lines import knowledge_link as kb
    from jiesu.lines.models import Line
    from jiesu.orders import schemas as os_
    from jiesu.units.models import User
    from jiesu.units.service import principal_for

    session = factory()  # type: ignore[operator]
    print(load_demo_knowledge(session))
    session.commit()
    peak = max(1, round(CALLS * 743 / 8300))
    began = time.perf_counter()
    result = line_demo.build(session, total=CALLS, peak=peak)
    session.commit()
    took = time.perf_counter() - began
    assert result is not None
    print("  " + result.lines()[0])
    figure("build: calls taken and settled per second", result.calls / took, "calls/s")
    figure("build: whole line (30 days)", took, "s")

    line = session.scalars(select(Line).where(Line.code == line_demo.CODE)).one()
    agent = principal_for(session, session.scalars(
        select(User).where(User.username == "agent")).one())
    rng = random.Random(7)
    typed: list[str] = []
    for _, questions, _, _ in line_demo.ANSWERS:
        for q in questions:
            typed += [q, q[: max(2, len(q) // 2)], f"你好，请问{q}？我家在朝阳区"]
    queries = [rng.choice(typed) for _ in range(LOOKUPS)]
    kb.answers(session, agent, queries[0], category=None, line_id=line.id)  # index built
    timings: list[float] = []
    top_is_line = 0
    members = set(line_demo_member_ids(session, line.id))
    for q in queries:
        t0 = time.perf_counter()
        ranked = kb.answers(session, agent, q, category=None, line_id=line.id)
        timings.append((time.perf_counter() - t0) * 1000)
        top_is_line += bool(ranked.hits and ranked.hits[0].doc.article_id in members)
    session.rollback()
    figure("lookup while typing, p50", percentile(timings, 50), "ms")
    figure("lookup while typing, p99", percentile(timings, 99), "ms", target=50.0,
           higher_is_better=False)
    figure("lookup: the line's own answer ranked first", 100 * top_is_line / len(queries), "%")

    version_ids = [v for v in line_versions(session, line.id)]
    settle_ms: list[float] = []
    for n in range(SETTLES):
        call = os_.OrderCreate(type="consultation", text=rng.choice(typed), line_id=line.id,
                               citizen_phone="13900000000")
        t0 = time.perf_counter()
        first_call.settle_on_call(session, agent, call, version_ids[n % len(version_ids)])
        session.commit()
        settle_ms.append((time.perf_counter() - t0) * 1000)
    figure("settle on the call (one click), p50", percentile(settle_ms, 50), "ms")
    figure("settle on the call (one click), p99", percentile(settle_ms, 99), "ms")
    t0 = time.perf_counter()
    board = dashboard.line_dashboard(session, line)
    figure("dashboard figures of the line", (time.perf_counter() - t0) * 1000, "ms")
    rate = 100 * (board.first_call_rate or 0.0)
    print(f"  dashboard: {board.total} calls, peak {board.peak_day} {board.peak_calls}, "
          f"first-call {rate:.1f}%")
    session.close()


def line_demo_member_ids(session: object, line_id: int) -> list[int]:
    from jiesu.lines import service

    return service.line_article_ids(session, line_id)  # type: ignore[arg-type]


def line_versions(session: object, line_id: int) -> list[int]:
    from jiesu.lines import knowledge_link as kb

    ids = line_demo_member_ids(session, line_id)
    found = [kb.in_force(session, a) for a in ids]  # type: ignore[arg-type]
    return [v.id for v in found if v is not None]


if __name__ == "__main__":
    main()
