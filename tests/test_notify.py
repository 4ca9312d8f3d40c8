"""Notifications: the outbox fans out to users' inboxes; the SMS/WeChat webhook gateway is
posted with an idempotency key, retried with back-off and finally marked dead."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from jiesu.core import outbox
from jiesu.core.outbox import OutboxMessage
from jiesu.core.settings import get_settings
from jiesu.notify import service
from jiesu.notify.jobs import deliver_outbox
from jiesu.notify.models import Notification
from tests.conftest import auth_headers
from tests.factories import dispatched, step, who


class Gateway:
    """A local HTTP server standing in for the SMS/WeChat gateway.

    It records every request and accepts each Idempotency-Key once (a repeat is answered
    200 and dropped, as a real gateway does); `fail` makes it answer 500, `delay` holds the
    first answer back (the request is accepted on arrival, before the delay).
    """

    def __init__(self, *, fail: bool = False, delay: float = 0.0) -> None:
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.accepted: list[str] = []  # keys acted on (an SMS sent), each once
        self.dropped: list[str] = []  # repeats of a key already accepted
        self.fail = fail
        self.delay = delay
        self.first_arrived = threading.Event()
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                key = self.headers.get("Idempotency-Key", "")
                with gateway.lock:
                    first = not gateway.requests
                    gateway.requests.append((key, body))
                    if gateway.fail:
                        pass
                    elif key in gateway.accepted:
                        gateway.dropped.append(key)
                    else:
                        gateway.accepted.append(key)
                gateway.first_arrived.set()
                if first and gateway.delay:
                    threading.Event().wait(gateway.delay)
                try:
                    self.send_response(500 if gateway.fail else 200)
                    self.end_headers()
                except OSError:  # the worker was killed while we waited
                    pass

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/sms"

    def __enter__(self) -> Gateway:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def factory(connection: Connection) -> Callable[[], Session]:
    """Sessions for the delivering worker, inside the test's rolled-back transaction."""
    return lambda: Session(bind=connection, join_transaction_mode="create_savepoint",
                           expire_on_commit=False)


def inbox_of(session: Session, username: str) -> list[Notification]:
    session.expire_all()
    user = who(session, username)
    return list(session.scalars(select(Notification).where(Notification.user_id == user.user_id)
                                .order_by(Notification.id)))


def test_dispatch_reaches_the_inbox_of_every_user_of_the_unit(
    session: Session, factory: Callable[[], Session], frozen: time_machine.Coordinates
) -> None:
    order = dispatched(session)
    assert deliver_outbox(factory) >= 1
    for username in ("street", "street2"):
        notes = inbox_of(session, username)
        assert [(n.kind, n.order_id) for n in notes] == [("dispatched", order.id)]
        assert notes[0].text == f"新工单 {order.number} 已派至本单位，请及时签收"
    assert inbox_of(session, "haidian") == []


def test_role_notification_reaches_every_user_of_that_role(
    session: Session, factory: Callable[[], Session], frozen: time_machine.Coordinates
) -> None:
    order = dispatched(session)
    step(session, "street", order, "return_order", reason="不属于本单位职责")
    deliver_outbox(factory)
    assert [n.kind for n in inbox_of(session, "dispatcher")] == ["returned"]


def test_a_repeated_delivery_adds_nothing(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    dispatched(session)
    message = session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "notify")).one()
    service.fan_out(session, message)
    service.fan_out(session, message)
    assert len(inbox_of(session, "street")) == 1


def test_inbox_api_lists_and_marks_read(
    client: TestClient, session: Session, factory: Callable[[], Session]
) -> None:
    dispatched(session)
    dispatched(session)
    deliver_outbox(factory)
    headers = auth_headers(session, "street")
    inbox = client.get("/api/v1/inbox", headers=headers).json()
    assert inbox["count"] == 2 and inbox["unread"] == 2
    first = inbox["data"][0]["id"]
    read = client.post(f"/api/v1/inbox/{first}/read", headers=headers)
    assert read.status_code == 200 and read.json()["read_at"] is not None
    unread = client.get("/api/v1/inbox?unread=true", headers=headers).json()
    assert unread["count"] == 1 and unread["unread"] == 1
    assert first not in [n["id"] for n in unread["data"]]
    assert client.post("/api/v1/inbox/read-all", headers=headers).json() == {"marked": 1}
    assert client.get("/api/v1/inbox", headers=headers).json()["unread"] == 0


def test_another_users_notification_cannot_be_marked(
    client: TestClient, session: Session, factory: Callable[[], Session]
) -> None:
    dispatched(session)
    deliver_outbox(factory)
    note = inbox_of(session, "street")[0]
    response = client.post(f"/api/v1/inbox/{note.id}/read",
                           headers=auth_headers(session, "haidian"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "notification_not_found"
    session.refresh(note)
    assert note.read_at is None


def test_inbox_needs_a_login(client: TestClient) -> None:
    assert client.get("/api/v1/inbox").status_code == 401


def test_gateway_gets_each_notification_with_its_idempotency_key(
    session: Session, factory: Callable[[], Session], frozen: time_machine.Coordinates,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with Gateway() as gateway:
        monkeypatch.setattr(get_settings(), "webhook_url", gateway.url)
        order = dispatched(session)
        deliver_outbox(factory)
    hooks = list(session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "webhook")))
    assert len(hooks) == 2  # street and street2
    assert {m.status for m in hooks} == {"sent"}
    assert sorted(key for key, _ in gateway.requests) == sorted(str(m.id) for m in hooks)
    assert {body["username"] for _, body in gateway.requests} == {"street", "street2"}
    assert {body["number"] for _, body in gateway.requests} == {order.number}


def test_gateway_failure_is_retried_with_backoff_then_dead(
    session: Session, factory: Callable[[], Session], frozen: time_machine.Coordinates,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = get_settings()
    monkeypatch.setattr(settings, "outbox_max_attempts", 3)
    monkeypatch.setattr(settings, "outbox_backoff_seconds", 30)
    with Gateway(fail=True) as gateway:
        monkeypatch.setattr(settings, "webhook_url", gateway.url)
        outbox.enqueue(session, "webhook", {"text": "测试短信"})
        session.flush()
        message = session.scalars(select(OutboxMessage)
                                  .where(OutboxMessage.topic == "webhook")).one()
        deliver_outbox(factory)
        session.refresh(message)
        assert (message.status, message.attempts) == ("pending", 1)
        assert message.last_error and "500" in message.last_error
        deliver_outbox(factory)  # not due yet: back-off
        assert len(gateway.requests) == 1
        frozen.shift(timedelta(seconds=31))
        deliver_outbox(factory)
        frozen.shift(timedelta(seconds=61))
        deliver_outbox(factory)
        session.refresh(message)
    assert (message.status, message.attempts) == ("dead", 3)
    assert [key for key, _ in gateway.requests] == [str(message.id)] * 3
