"""Reminders and escalation: an order left alone is reminded, goes overdue, is urged, then
supervised, and its district is told — on schedule, with the clock moved by time-machine —
and every job run a second time changes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jiesu.core.clock import CHINA_TZ
from jiesu.core.outbox import OutboxMessage
from jiesu.core.settings import get_settings
from jiesu.orders import jobs
from jiesu.orders.deadline_watches import watches_of
from jiesu.orders.models import Order, OrderEvent
from jiesu.orders.statemachine import SYSTEM_ACTIONS
from tests.conftest import FROZEN_AT, auth_headers
from tests.factories import CHAOYANG, WANGJING, dispatched, step, unit, who

JOBS = (jobs.remind, jobs.mark_overdue, jobs.escalate, jobs.notify_district)


def cn(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=CHINA_TZ)  # type: ignore[misc]


def run_all(session: Session) -> int:
    return sum(job(session) for job in JOBS)


def system_steps(session: Session, order: Order) -> list[tuple[str, str]]:
    rows = session.scalars(
        select(OrderEvent).where(OrderEvent.order_id == order.id,
                                 OrderEvent.actor_role == "system").order_by(OrderEvent.seq)
    )
    return [(e.action, e.payload["deadline"]) for e in rows]


def notices(session: Session, order: Order) -> list[tuple[str, int | None, str | None]]:
    rows = session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "notify")
                           .order_by(OutboxMessage.id))
    return [(m.payload["kind"], m.payload["unit_id"], m.payload["role"]) for m in rows
            if m.payload["order_id"] == order.id]


def assert_second_run_changes_nothing(session: Session) -> None:
    events = session.scalar(select(func.count(OrderEvent.id)))
    messages = session.scalar(select(func.count(OutboxMessage.id)))
    assert [job(session) for job in JOBS] == [0, 0, 0, 0]
    assert session.scalar(select(func.count(OrderEvent.id))) == events
    assert session.scalar(select(func.count(OutboxMessage.id))) == messages


def test_order_left_alone_is_reminded_overdue_urged_supervised_and_district_told(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    street = unit(session, WANGJING)
    district = unit(session, CHAOYANG)
    order = dispatched(session)  # Monday 10:00: sign by 14:00, contact by Tue 10:00
    assert order.sign_due_at == FROZEN_AT + timedelta(hours=4)

    frozen.move_to(FROZEN_AT + timedelta(hours=2, minutes=59))
    assert run_all(session) == 0  # before 75% of the 4 hours: nothing yet

    frozen.move_to(FROZEN_AT + timedelta(hours=3))  # 75% of the signing time
    assert jobs.remind(session) == 1
    assert system_steps(session, order) == [("remind", "sign")]
    assert ("sign_due_soon", street.id, None) in notices(session, order)
    assert_second_run_changes_nothing(session)

    frozen.move_to(FROZEN_AT + timedelta(hours=4, minutes=1))  # signing deadline passed
    assert jobs.mark_overdue(session) == 1
    assert jobs.escalate(session) == 1  # urged at once (JIESU_URGE_AFTER_HOURS=0)
    assert jobs.notify_district(session) == 1
    assert system_steps(session, order)[1:] == [
        ("mark_overdue", "sign"), ("auto_urge", "sign"), ("notify_district", "sign")]
    assert order.urge_count == 1 and order.supervise_count == 0
    sent = notices(session, order)
    assert ("sign_overdue", street.id, None) in sent
    assert ("urged", street.id, None) in sent
    assert ("street_overdue", district.id, None) in sent
    assert_second_run_changes_nothing(session)

    frozen.move_to(FROZEN_AT + timedelta(hours=28, minutes=1))  # 24 hours past the deadline
    run_all(session)
    steps = system_steps(session, order)
    assert ("auto_supervise", "sign") in steps
    assert order.supervise_count >= 1
    assert ("supervised", None, "supervisor") in notices(session, order)
    assert_second_run_changes_nothing(session)

    # Late, the street signs and calls the citizen; the reply deadline (7 working days:
    # Wednesday 11 November) now runs its own course.
    frozen.move_to(cn(2026, 11, 5, 9))
    step(session, "street", order, "sign")
    step(session, "street", order, "contact", method="phone")
    frozen.move_to(cn(2026, 11, 10, 12))  # past 75% of Monday 10:00 → Wednesday 23:59:59
    run_all(session)
    frozen.move_to(cn(2026, 11, 13, 1))  # a day past the reply deadline
    run_all(session)
    reply_steps = [a for a, kind in system_steps(session, order) if kind == "reply"]
    assert reply_steps == ["remind", "mark_overdue", "auto_urge", "auto_supervise",
                           "notify_district"]
    assert_second_run_changes_nothing(session)


def test_an_order_never_signed_is_urged_once_not_once_per_deadline(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    order = dispatched(session)
    frozen.move_to(cn(2026, 11, 13, 1))  # sign, contact and reply deadlines all passed
    run_all(session)
    steps = system_steps(session, order)
    assert [kind for action, kind in steps if action == "mark_overdue"] == [
        "sign", "contact", "reply"]
    for action in ("auto_urge", "auto_supervise", "notify_district"):
        assert [kind for a, kind in steps if a == action] == ["sign"]
    assert (order.urge_count, order.supervise_count) == (1, 1)
    assert_second_run_changes_nothing(session)


def test_reminder_comes_at_the_configured_share_of_the_time(
    session: Session, frozen: time_machine.Coordinates, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "remind_at_fraction", 0.5)
    order = dispatched(session)
    frozen.move_to(FROZEN_AT + timedelta(hours=1, minutes=59))
    assert jobs.remind(session) == 0
    frozen.move_to(FROZEN_AT + timedelta(hours=2))
    assert jobs.remind(session) == 1
    assert system_steps(session, order) == [("remind", "sign")]


def test_supervision_waits_the_configured_hours_after_the_urge(
    session: Session, frozen: time_machine.Coordinates, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "supervise_after_hours", 48)
    order = dispatched(session)
    frozen.move_to(FROZEN_AT + timedelta(hours=4 + 47))
    run_all(session)
    assert ("auto_supervise", "sign") not in system_steps(session, order)
    frozen.move_to(FROZEN_AT + timedelta(hours=4 + 48))
    run_all(session)
    assert ("auto_supervise", "sign") in system_steps(session, order)


def test_a_deadline_met_in_time_is_not_escalated(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    order = dispatched(session)
    frozen.move_to(FROZEN_AT + timedelta(hours=1))
    step(session, "street", order, "sign")
    frozen.move_to(FROZEN_AT + timedelta(hours=5))
    run_all(session)
    assert all(kind != "sign" for _, kind in system_steps(session, order))
    sign = [w for w in watches_of(session, order.id) if w.kind == "sign"]
    assert sign[0].end_reason == "met"


def test_a_returned_order_stops_the_units_clock(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    order = dispatched(session)
    step(session, "street", order, "return_order", reason="不属于本单位职责")
    frozen.move_to(FROZEN_AT + timedelta(days=3))
    assert run_all(session) == 0
    assert system_steps(session, order) == []


def test_redispatch_moves_the_watch_to_the_new_unit(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    order = dispatched(session)
    step(session, "street", order, "return_order", reason="不属于本单位职责")
    haidian = unit(session, "110108005")
    step(session, "dispatcher", order, "redispatch", lead_unit_id=haidian.id)
    frozen.move_to(FROZEN_AT + timedelta(hours=4, minutes=1))
    jobs.mark_overdue(session)
    rows = session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id,
                                                    OrderEvent.action == "mark_overdue"))
    assert [e.payload["unit_id"] for e in rows] == [haidian.id]


def test_extension_gives_the_reply_deadline_a_new_reminder(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    order = dispatched(session)
    step(session, "street", order, "sign")
    step(session, "street", order, "contact", method="phone")
    step(session, "street", order, "request_extension", reason="需协调多个部门", days=5)
    step(session, "supervisor", order, "approve_extension")
    frozen.move_to(cn(2026, 11, 12, 9))  # past the first reply deadline, before the new one
    assert run_all(session) == 0
    # 75% of the whole, extended time (Mon 2 Nov 10:00 → Wed 18 Nov end of day).
    frozen.move_to(cn(2026, 11, 15, 0))
    run_all(session)
    assert system_steps(session, order) == [("remind", "reply")]


def test_department_orders_are_not_reported_to_a_district(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    order = dispatched(session, "dept.chengguan")
    frozen.move_to(FROZEN_AT + timedelta(hours=5))
    run_all(session)
    assert ("mark_overdue", "sign") in system_steps(session, order)
    assert all(action != "notify_district" for action, _ in system_steps(session, order))


def test_replied_order_is_never_escalated(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    order = dispatched(session)
    for action, payload in (("sign", {}), ("contact", {"method": "phone"}),
                            ("reply", {"outcome": "solved", "reply": "已处理"})):
        step(session, "street", order, action, **payload)
    frozen.move_to(FROZEN_AT + timedelta(days=30))
    assert run_all(session) == 0
    assert {w.end_reason for w in watches_of(session, order.id)} == {"met"}


def test_system_actions_are_offered_to_nobody(client: TestClient, session: Session) -> None:
    order = dispatched(session)
    for action in SYSTEM_ACTIONS:
        response = client.post(f"/api/v1/orders/{order.id}/{action.value}", json={},
                               headers=auth_headers(session, "supervisor"))
        assert response.status_code in (404, 405)
    detail = client.get(f"/api/v1/orders/{order.id}", headers=auth_headers(session, "supervisor"))
    assert not set(detail.json()["allowed_actions"]) & {a.value for a in SYSTEM_ACTIONS}
    assert who(session, "supervisor").role.value != "system"
