"""The rates from the daily rollup equal the rates counted from orders: for every group,
scope and kind of period, after orders change, after a deadline passes, under other rules.
The month of tests/test_rates.py, built through the real services under a frozen clock."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import asdict
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql import visitors

from jiesu.core.clock import CHINA_TZ
from jiesu.core.db import make_engine
from jiesu.core.migrate import upgrade
from jiesu.demo import create_demo_users
from jiesu.insights import rollup
from jiesu.insights.counts import figures, received_in
from jiesu.insights.models import RatesDaily, RatesDay, RatesDirty
from jiesu.insights.periods import Period, parse_period
from jiesu.insights.rates import compute_rates
from jiesu.insights.rules import RateRules
from jiesu.orders.models import Order
from jiesu.units.seed import load_units
from tests.factories import CHAOYANG, HAIDIAN_BALIZHUANG, WANGJING, new_order, step, unit
from tests.scratch_settings import own_database
from tests.test_rates import Month, build_month, oct_

RULES = RateRules(min_visited=1)
NOVEMBER_2 = datetime(2026, 11, 2, 10, 0, tzinfo=CHINA_TZ)
PERIODS = ["2026-10", "2026-W42", "2026-W43", "2026-10-12", "2026-10-21",
           "2026-10-10..2026-10-25", "2026-09-15..2026-11-05"]


@pytest.fixture
def month(session: Session) -> Iterator[Month]:
    with time_machine.travel(oct_(8), tick=False) as traveller:
        yield Month(session, traveller)


def as_figures(session: Session, period: Period, use_rollup: bool, **kw: Any) -> dict[str, Any]:
    got = compute_rates(session, period, rules=kw.pop("rules", RULES), use_rollup=use_rollup, **kw)
    body = got.as_dict()
    body.pop("generated_at")
    body["rows"] = [asdict(r) for r in got.rows]
    return body


def assert_same(session: Session, now: datetime, rules: RateRules = RULES) -> int:
    """Every group × scope × period equal on both paths; returns how many days came from
    the rollup (so that a test can show the fast path was taken)."""
    scopes = [None, unit(session, WANGJING).id, unit(session, CHAOYANG).id,
              unit(session, HAIDIAN_BALIZHUANG).id, unit(session, "dept.chengguan").id]
    taken = 0
    for text_ in PERIODS:
        period = parse_period(text_)
        taken += len(rollup.exact_days(session, period, rules, now))
        for group in ("unit", "district", "category"):
            for scope in scopes:
                kw = {"group": group, "unit_id": scope, "now": now, "rules": rules}
                fast = as_figures(session, period, True, **dict(kw))
                plain = as_figures(session, period, False, **dict(kw))
                assert fast == plain, (text_, group, scope)
    return taken


def test_rollup_rates_equal_the_count_from_orders_for_every_group_scope_and_period(
    session: Session, month: Month
) -> None:
    build_month(month)
    built = rollup.rebuild(session, rules=RULES)
    assert built.days >= 30 and built.rows > 0
    assert not session.scalar(select(func.count()).select_from(RatesDirty))
    october = parse_period("2026-10")
    assert len(rollup.exact_days(session, october, RULES, NOVEMBER_2)) == 31
    assert assert_same(session, NOVEMBER_2) > 0
    # The figures themselves are not empty: the comparison has something to compare.
    rows = compute_rates(session, october, rules=RULES, now=NOVEMBER_2).rows
    assert sum(r.received for r in rows) == 11 and sum(r.visited for r in rows) == 6


def test_order_changed_after_the_refresh_is_counted_from_orders_until_the_next(
    session: Session, month: Month
) -> None:
    orders = build_month(month)
    rollup.rebuild(session, rules=RULES)
    before = compute_rates(session, parse_period("2026-10"), rules=RULES, now=NOVEMBER_2)
    # The order left open on 20 October is signed, contacted and replied to on 2 November.
    month.at(NOVEMBER_2)
    for action, fields in (("sign", {}), ("contact", {"method": "phone"}),
                           ("reply", {"outcome": "solved", "reply": "已办理。"})):
        step(session, "street", orders["open_overdue"], action, **fields)
    marked = set(session.scalars(select(RatesDirty.day)))
    assert marked == {date(2026, 10, 20)}
    october = parse_period("2026-10")
    assert date(2026, 10, 20) not in rollup.exact_days(session, october, RULES, NOVEMBER_2)
    after = compute_rates(session, october, rules=RULES, now=NOVEMBER_2)
    wangjing = {r.key: r for r in before.rows}[WANGJING], {r.key: r for r in after.rows}[WANGJING]
    assert wangjing[1].replied == wangjing[0].replied + 1  # the change is in the report
    assert_same(session, NOVEMBER_2)
    refreshed = rollup.refresh(session, rules=RULES, now=NOVEMBER_2, fill=0)
    assert refreshed.days == 1
    assert len(rollup.exact_days(session, october, RULES, NOVEMBER_2)) == 31
    assert assert_same(session, NOVEMBER_2) > 0


def test_redispatch_moves_an_order_out_of_its_old_day(session: Session, month: Month) -> None:
    orders = build_month(month)
    rollup.rebuild(session, rules=RULES)
    month.at(NOVEMBER_2)
    # The order returned on 22 October is sent to Balizhuang on 2 November: 22 October loses
    # nothing it counted (it was excluded), 2 November gains it.
    step(session, "dispatcher", orders["returned"], "redispatch",
         lead_unit_id=unit(session, HAIDIAN_BALIZHUANG).id)
    assert set(session.scalars(select(RatesDirty.day))) == {date(2026, 10, 22),
                                                             date(2026, 11, 2)}
    assert_same(session, NOVEMBER_2)
    rollup.refresh(session, rules=RULES, now=NOVEMBER_2, fill=0)
    november = parse_period("2026-11-02")
    assert rollup.exact_days(session, november, RULES, NOVEMBER_2) == {date(2026, 11, 2)}
    got = compute_rates(session, november, rules=RULES, now=NOVEMBER_2)
    assert [(r.key, r.received) for r in got.rows] == [(HAIDIAN_BALIZHUANG, 1)]
    assert assert_same(session, NOVEMBER_2) > 0


def test_a_reply_deadline_passing_makes_its_day_count_from_orders(
    session: Session, month: Month
) -> None:
    build_month(month)
    month.at(oct_(28, 9))
    pending = month.order(28)  # dispatched 28 October, never replied: overdue once due
    due = pending.reply_due_at
    assert due is not None
    at_refresh = oct_(28, 12)
    rollup.rebuild(session, rules=RULES, now=at_refresh)
    day = parse_period("2026-10-28")
    assert rollup.exact_days(session, day, RULES, at_refresh) == {date(2026, 10, 28)}
    later = due + timedelta(minutes=1)
    assert rollup.exact_days(session, day, RULES, later) == set()
    early, late = (compute_rates(session, day, rules=RULES, now=t) for t in (at_refresh, later))
    assert sum(r.overdue for r in early.rows) == 0 and sum(r.overdue for r in late.rows) == 1
    assert_same(session, later)
    assert_same(session, at_refresh)
    # The job recomputes a day whose deadline passed; before it, a report at an earlier time
    # than the computing one is not answered from it either.
    rollup.refresh(session, rules=RULES, now=later, fill=0)
    assert rollup.exact_days(session, day, RULES, later) == {date(2026, 10, 28)}
    assert rollup.exact_days(session, day, RULES, at_refresh) == set()
    assert assert_same(session, later) > 0


def test_days_computed_under_other_exclusions_are_not_used(session: Session,
                                                           month: Month) -> None:
    build_month(month)
    rollup.rebuild(session, rules=RULES)
    other = RateRules(min_visited=1, excluded_states=("merged",), judged_apart=())
    assert rollup.exact_days(session, parse_period("2026-10"), other, NOVEMBER_2) == set()
    assert_same(session, NOVEMBER_2, rules=other)
    refreshed = rollup.refresh(session, rules=other, now=NOVEMBER_2, fill=0)
    assert refreshed.days >= 31
    assert assert_same(session, NOVEMBER_2, rules=other) > 0


def test_refresh_fills_recent_days_never_computed(session: Session, month: Month) -> None:
    build_month(month)
    done = rollup.refresh(session, rules=RULES, now=NOVEMBER_2, fill=40)
    assert done.days >= 40
    october = parse_period("2026-10")
    assert len(rollup.exact_days(session, october, RULES, NOVEMBER_2)) == 31
    assert assert_same(session, NOVEMBER_2) > 0


def test_inserting_orders_marks_their_dispatch_days(session: Session, month: Month) -> None:
    """Any writer, not only the services: a multi-row INSERT (as the bulk import's)."""
    orders = build_month(month)
    rollup.rebuild(session, rules=RULES)
    table = Order.__table__
    copied = [c for c in table.columns if c.name not in ("id", "number", "client_key")]
    source = select(*copied).where(table.c.id.in_([orders["satisfied"].id,
                                                   orders["haidian"].id]))
    session.execute(insert(table).from_select([c.name for c in copied], source))
    assert set(session.scalars(select(RatesDirty.day))) == {date(2026, 10, 12),
                                                             date(2026, 10, 23)}
    assert_same(session, NOVEMBER_2)


def _trigger_sql(session: Session) -> str:
    if session.get_bind().dialect.name == "postgresql":
        return " ".join(session.scalars(text(
            "SELECT pg_get_triggerdef(oid) FROM pg_trigger "
            "WHERE tgrelid = 'orders'::regclass AND tgname = 'rates_dirty_update'")))
    return " ".join(session.scalars(text(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'rates_dirty_update'")))


def test_every_orders_column_the_rates_read_marks_its_day_when_changed(
    session: Session,
) -> None:
    """A column added to the rates' definitions without the trigger would make the rollup
    silently stale: the trigger must name every column the counting query reads."""
    query = select(*figures(RULES, NOVEMBER_2, session.get_bind().dialect.name)).where(
        *received_in(NOVEMBER_2, NOVEMBER_2, RULES)).group_by(Order.lead_unit_id,
                                                             Order.category)
    read = {c.name for c in visitors.iterate(query)
            if getattr(c, "table", None) is Order.__table__ and hasattr(c, "name")}
    assert {"dispatched_at", "lead_unit_id", "replied_at", "category"} <= read
    definition = _trigger_sql(session)
    missing = [c for c in sorted(read)
               if not re.search(rf"\bold\.{c}\b", definition, flags=re.IGNORECASE)]
    assert not missing


def test_refresh_consumes_the_markers_it_recomputed(session: Session, month: Month) -> None:
    orders = build_month(month)
    rollup.rebuild(session, rules=RULES)
    month.at(NOVEMBER_2)
    step(session, "street", orders["open_overdue"], "sign")
    assert session.scalar(select(func.count()).select_from(RatesDirty)) == 1
    rollup.refresh(session, rules=RULES, now=NOVEMBER_2, fill=0)
    assert session.scalar(select(func.count()).select_from(RatesDirty)) == 0
    stored = session.scalar(select(func.sum(RatesDaily.received)).where(
        RatesDaily.day >= date(2026, 10, 1), RatesDaily.day <= date(2026, 10, 31)))
    assert stored == 11
    assert session.scalar(select(func.count()).select_from(RatesDay)) >= 31


def test_worker_job_refreshes_the_marked_days_in_its_own_transaction(
    session: Session, connection: Connection, month: Month
) -> None:
    from jiesu.insights import jobs
    from jiesu.worker import JOBS

    orders = build_month(month)
    rollup.rebuild(session, rules=RULES)
    month.at(NOVEMBER_2)
    step(session, "street", orders["open_overdue"], "sign")
    session.flush()
    assert "rates_rollup" in JOBS

    def own_session() -> Session:
        return Session(bind=connection, join_transaction_mode="create_savepoint")

    assert jobs.run(own_session) >= 1  # 20 October, and recent days never computed
    assert session.scalar(select(func.count()).select_from(RatesDirty)) == 0
    assert date(2026, 10, 20) in rollup.exact_days(session, parse_period("2026-10"),
                                                   RateRules(), NOVEMBER_2)


def test_a_category_change_marks_the_days_of_the_orders_returns(session: Session,
                                                                month: Month) -> None:
    """Returns by category count under the order's category now: its return days change too."""
    build_month(month)
    moved = month.order(12, HAIDIAN_BALIZHUANG, category="城乡建设")
    month.at(oct_(12, 11))
    step(session, "haidian", moved, "return_order", reason="属望京街道辖区")
    month.at(oct_(14, 9))
    step(session, "dispatcher", moved, "redispatch", lead_unit_id=unit(session, WANGJING).id)
    rollup.rebuild(session, rules=RULES)
    month.at(NOVEMBER_2)
    moved.category = "环境保护"
    session.flush()
    assert set(session.scalars(select(RatesDirty.day))) == {date(2026, 10, 12),
                                                             date(2026, 10, 14)}
    by_category = {r.key: r for r in compute_rates(session, parse_period("2026-10-12"),
                                                   group="category", rules=RULES,
                                                   now=NOVEMBER_2).rows}
    assert by_category["环境保护"].returned == 1 and "城乡建设" not in by_category
    assert_same(session, NOVEMBER_2)
    rollup.refresh(session, rules=RULES, now=NOVEMBER_2, fill=0)
    assert assert_same(session, NOVEMBER_2) > 0


def test_a_return_after_the_refresh_marks_its_day(session: Session, month: Month) -> None:
    build_month(month)
    rollup.rebuild(session, rules=RULES)
    month.at(NOVEMBER_2)
    fresh = step(session, "dispatcher", new_order(session), "dispatch",
                 lead_unit_id=unit(session, HAIDIAN_BALIZHUANG).id)
    session.execute(delete(RatesDirty))  # the dispatch's own marker: only the return's left
    step(session, "haidian", fresh, "return_order", reason="不属本街道")
    # One from the order's row (its state), one from the return event itself.
    assert list(session.scalars(select(RatesDirty.day))) == [date(2026, 11, 2)] * 2
    day = parse_period("2026-11-02")
    got = {r.key: r for r in compute_rates(session, day, rules=RULES, now=NOVEMBER_2).rows}
    assert got[HAIDIAN_BALIZHUANG].returned == 1
    assert_same(session, NOVEMBER_2)


@pytest.fixture
def committed_db(tmp_path: Path) -> Iterator[str]:
    """A database of its own: the writer and the job need committed rows, two connections."""
    if not os.environ.get("JIESU_TEST_POSTGRES_URL"):
        pytest.skip("two concurrent writers need PostgreSQL (SQLite serialises them)")
    with own_database(tmp_path, "jiesu_rates_race") as url:
        upgrade(url)
        engine = make_engine(url)
        with Session(engine) as session:
            load_units(session)
            create_demo_users(session)
            session.commit()
        engine.dispose()
        yield url


@pytest.mark.postgres_only
def test_a_change_committing_while_the_job_runs_keeps_its_day_marked(committed_db: str) -> None:
    """The job takes only the markers its snapshot sees: a writer's marker that commits after
    the job still marks the day, so the report counts that day from orders."""
    engine = make_engine(committed_db)
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    with time_machine.travel(oct_(12, 9), tick=False) as clock:
        with sessions() as s:
            wangjing = unit(s, WANGJING).id
            first, second = (step(s, "dispatcher", new_order(s), "dispatch",
                                  lead_unit_id=wangjing) for _ in range(2))
            s.commit()
        clock.move_to(NOVEMBER_2)
        with sessions() as s:
            rollup.rebuild(s, rules=RULES)
            step(s, "street", first, "sign")  # committed: its marker is there for the job
            s.commit()
        writer = sessions()
        step(writer, "street", second, "sign")  # not committed while the job runs
        writer.flush()
        with sessions() as job:
            assert rollup.refresh(job, rules=RULES, fill=0).days == 1
            job.commit()
        writer.commit()
        writer.close()
        with sessions() as s:
            day = parse_period("2026-10-12")
            assert rollup.exact_days(s, day, RULES, NOVEMBER_2) == set()
            signed = compute_rates(s, day, rules=RULES, now=NOVEMBER_2).rows
            assert as_figures(s, day, True, now=NOVEMBER_2) == \
                as_figures(s, day, False, now=NOVEMBER_2)
            rollup.refresh(s, rules=RULES, fill=0)
            s.commit()
            assert rollup.exact_days(s, day, RULES, NOVEMBER_2) == {date(2026, 10, 12)}
            assert as_figures(s, day, True, now=NOVEMBER_2) == \
                as_figures(s, day, False, now=NOVEMBER_2)
            assert [r.received for r in signed] == [2]
    engine.dispose()
