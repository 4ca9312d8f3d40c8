"""Rule: every change appends one event (who, when, from, to, payload); events are never
updated or deleted — the database refuses it (migration 0002), via the ORM and via raw SQL."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from jiesu.core.clock import as_aware
from jiesu.core.privacy import PhoneReadLog, log_unmasked_read
from jiesu.orders.models import OrderEvent
from tests.conftest import FROZEN_AT, auth_headers
from tests.factories import WANGJING, new_order, unit, who


def _refused(session: Session, work: Any) -> str:
    """Run `work` in a savepoint; the database must refuse it. Returns the error text."""
    with pytest.raises(DBAPIError) as refused, session.begin_nested():
        work()
        session.flush()
    session.expire_all()
    return str(refused.value)


def _first_event(session: Session) -> OrderEvent:
    order = new_order(session)
    event = session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id)).one()
    return event


def test_an_event_cannot_be_updated_through_the_orm(session: Session) -> None:
    event = _first_event(session)

    def rewrite() -> None:
        event.action = "rewritten"

    assert "append-only" in _refused(session, rewrite)
    assert session.get(OrderEvent, event.id).action == "intake"  # type: ignore[union-attr]


def test_an_event_cannot_be_deleted_through_the_orm(session: Session) -> None:
    event = _first_event(session)
    assert "append-only" in _refused(session, lambda: session.delete(event))
    assert session.get(OrderEvent, event.id) is not None


def test_an_event_cannot_be_updated_with_raw_sql(session: Session) -> None:
    event = _first_event(session)
    sql = text("UPDATE order_events SET to_state = 'closed' WHERE id = :id")
    assert "append-only" in _refused(session, lambda: session.execute(sql, {"id": event.id}))
    assert session.get(OrderEvent, event.id).to_state == "received"  # type: ignore[union-attr]


def test_an_event_cannot_be_deleted_with_raw_sql(session: Session) -> None:
    event = _first_event(session)
    sql = text("DELETE FROM order_events WHERE id = :id")
    assert "append-only" in _refused(session, lambda: session.execute(sql, {"id": event.id}))
    every = text("DELETE FROM order_events")
    assert "append-only" in _refused(session, lambda: session.execute(every))
    assert session.get(OrderEvent, event.id) is not None


def test_history_tables_cannot_be_truncated_on_postgresql(session: Session) -> None:
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    _first_event(session)
    for table in ("order_events", "phone_read_log"):
        sql = text(f"TRUNCATE {table} CASCADE")
        assert "append-only" in _refused(session, lambda sql=sql: session.execute(sql))


def test_a_phone_read_log_row_cannot_be_updated_or_deleted(session: Session) -> None:
    order = new_order(session)
    reader = who(session, "street")
    log_unmasked_read(session, user_id=reader.user_id, order_id=order.id, purpose="call_back")
    session.flush()
    row = session.scalars(select(PhoneReadLog).where(PhoneReadLog.order_id == order.id)).one()

    def rewrite() -> None:
        row.purpose = "nothing"

    assert "append-only" in _refused(session, rewrite)
    assert "append-only" in _refused(session, lambda: session.delete(row))
    raw = text("UPDATE phone_read_log SET user_id = NULL WHERE id = :id")
    assert "append-only" in _refused(session, lambda: session.execute(raw, {"id": row.id}))
    raw = text("DELETE FROM phone_read_log WHERE id = :id")
    assert "append-only" in _refused(session, lambda: session.execute(raw, {"id": row.id}))


def test_every_action_of_a_full_lifecycle_left_exactly_one_event(
    client: TestClient, session: Session
) -> None:
    street = unit(session, WANGJING)
    body = {"type": "complaint", "text": "望京街道花家地西里路灯不亮",
            "citizen_phone": "13812345678", "street_code": WANGJING}
    created = client.post("/api/v1/orders", json=body, headers=auth_headers(session, "agent"))
    assert created.status_code == 201
    oid = created.json()["id"]
    steps: list[tuple[str, str, dict[str, Any]]] = [
        ("dispatcher", "dispatch", {"lead_unit_id": street.id}),
        ("street", "sign", {}),
        ("street", "contact", {"method": "phone"}),
        ("street", "note", {"note": "已报修"}),
        ("street", "request_extension", {"reason": "等待电力公司配合", "days": 2}),
        ("supervisor", "approve_extension", {}),
        ("supervisor", "urge", {"note": "请加快"}),
        ("street", "reply", {"outcome": "solved", "reply": "路灯已修复"}),
        ("visitor", "reopen", {"reason": "仍有一盏不亮"}),
        ("street", "sign", {}),
        ("street", "contact", {"method": "visit"}),
        ("street", "reply", {"outcome": "solved", "reply": "全部修复"}),
        ("visitor", "visit_attempt", {"note": "无人接听"}),
        ("visitor", "close_visited", {"solved": True, "satisfaction": "satisfied"}),
    ]
    expected = [("agent", "intake", None, "received", {})]
    state = "received"
    for user, action, payload in steps:
        response = client.post(f"/api/v1/orders/{oid}/{action}", json=payload,
                               headers=auth_headers(session, user))
        assert response.status_code == 200, (action, response.text)
        new_state = response.json()["state"]
        expected.append((user, action, state, new_state, payload))
        state = new_state
    assert state == "closed"

    events = list(session.scalars(
        select(OrderEvent).where(OrderEvent.order_id == oid).order_by(OrderEvent.seq)
    ))
    assert [e.seq for e in events] == list(range(1, len(expected) + 1))
    for event, (user, action, from_state, to_state, payload) in zip(events, expected, strict=True):
        actor = who(session, user)
        assert (event.action, event.from_state, event.to_state) == (action, from_state, to_state)
        assert (event.actor_id, event.actor_role) == (actor.user_id, actor.role.value)
        assert event.unit_id == actor.unit_id
        assert as_aware(event.at) == FROZEN_AT
        for name, value in payload.items():
            assert event.payload[name] == value, (action, name)
