"""On PostgreSQL the same jobs run as procrastinate periodic tasks (skipped on SQLite)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta

import psycopg
import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from jiesu.core.db import make_engine
from jiesu.core.migrate import upgrade
from jiesu.orders import schemas as s
from jiesu.orders import service
from jiesu.orders.models import OrderEvent
from jiesu.orders.statemachine import Action
from jiesu.units import service as units
from jiesu.units.schemas import UnitCreate, UserCreate
from jiesu.units.service import principal_for
from tests.conftest import FROZEN_AT
from tests.test_outbox import fresh_database  # noqa: F401  (the fixture)

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def pg_url(fresh_database: str) -> Iterator[str]:  # noqa: F811
    if not os.environ.get("JIESU_TEST_POSTGRES_URL"):
        pytest.skip("procrastinate runs on PostgreSQL only")
    yield fresh_database


def test_procrastinate_worker_runs_the_deadline_jobs(pg_url: str) -> None:
    from jiesu.queue import SCHEDULE, build_app, ensure_schema, libpq_url

    upgrade(pg_url)
    engine = make_engine(pg_url)
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    with time_machine.travel(FROZEN_AT, tick=False) as clock:
        with sessions() as session:
            district = units.create_unit(session, UnitCreate(code="110199", name="测试区",
                                                             kind="district"))
            street = units.create_unit(session, UnitCreate(
                code="110199001", name="测试街道", kind="street", parent_id=district.id))
            people = {
                role: principal_for(session, units.create_user(session, UserCreate(
                    username=f"t-{role}", display_name=role, password="x" * 12, role=role,
                    unit_id=street.id if role == "handler" else None)))
                for role in ("agent", "dispatcher", "handler")
            }
            order, _ = service.intake(session, people["agent"], s.OrderCreate(
                type="complaint", text="测试街道路灯不亮", citizen_phone="13800000000"))
            service.act(session, people["dispatcher"], order.id, Action.dispatch,
                        s.Dispatch(lead_unit_id=street.id))
            session.commit()
        clock.shift(timedelta(hours=5))  # the 4-hour signing deadline has passed
        app = build_app(pg_url)
        assert ensure_schema(app, pg_url) is True
        assert ensure_schema(app, pg_url) is False
        with app.open():
            for name in SCHEDULE:
                app.tasks[f"jiesu.{name}"].defer(timestamp=0)
        app.run_worker(wait=False, name="test")
    with sessions() as session:
        actions = list(session.scalars(select(OrderEvent.action).where(
            OrderEvent.order_id == order.id, OrderEvent.actor_role == "system")))
    engine.dispose()
    assert sorted(actions) == ["auto_urge", "mark_overdue", "notify_district"]
    with psycopg.connect(libpq_url(pg_url)) as conn:
        statuses = conn.execute("SELECT DISTINCT status FROM procrastinate_jobs").fetchall()
    assert statuses == [("succeeded",)]
