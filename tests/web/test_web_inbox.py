"""The inbox in the pages: the bell with the unread count on every page, the inbox list,
marking read (one, all, or by opening the order), and nobody else's messages."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from jiesu.notify.jobs import deliver_outbox
from jiesu.notify.models import Notification
from tests.factories import dispatched, who
from tests.web.test_web_rules import csrf, login

BADGE = re.compile(r'<a class="bell"[^>]*>.*?</a>', re.S)


@pytest.fixture
def factory(connection: Connection) -> Callable[[], Session]:
    """Sessions for the delivering worker, inside the test's rolled-back transaction."""
    return lambda: Session(bind=connection, join_transaction_mode="create_savepoint",
                           expire_on_commit=False)


def bell(html: str) -> str:
    found = BADGE.search(html)
    assert found, html[:800]
    return found.group(0)


def notes_of(session: Session, username: str) -> list[Notification]:
    session.expire_all()
    user_id = who(session, username).user_id
    return list(session.scalars(select(Notification).where(Notification.user_id == user_id)
                                .order_by(Notification.id)))


def test_every_page_header_shows_the_unread_count(
    client: TestClient, session: Session, factory: Callable[[], Session]
) -> None:
    dispatched(session)
    dispatched(session)
    deliver_outbox(factory)
    login(client, "street")
    for path in ("/unit", "/orders", "/inbox"):
        badge = bell(client.get(path).text)
        assert '<span class="badge">2</span>' in badge, path
        assert "2 条未读" in badge
    client.cookies.clear()
    login(client, "admin")  # nothing for the admin: a bell without a number
    badge = bell(client.get("/admin").text)
    assert 'class="badge"' not in badge


def test_inbox_lists_my_messages_newest_first_and_nobody_elses(
    client: TestClient, session: Session, factory: Callable[[], Session]
) -> None:
    first = dispatched(session)
    second = dispatched(session)
    deliver_outbox(factory)
    login(client, "street")
    page = client.get("/inbox").text
    assert page.index(str(second.number)) < page.index(str(first.number))
    assert "新工单" in page and "2 条未读" in page
    client.cookies.clear()
    login(client, "haidian")
    page = client.get("/inbox").text
    assert str(first.number) not in page and "暂无消息" in page


def test_opening_a_message_marks_it_read_and_goes_to_the_order(
    client: TestClient, session: Session, factory: Callable[[], Session]
) -> None:
    order = dispatched(session)
    deliver_outbox(factory)
    note = notes_of(session, "street")[0]
    login(client, "street")
    token = csrf(client, "/inbox")
    answer = client.post(f"/inbox/{note.id}/open", data={"csrf_token": token},
                         follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/orders/{order.id}"
    assert notes_of(session, "street")[0].read_at is not None
    assert notes_of(session, "street2")[0].read_at is None  # a colleague's copy stays unread
    assert 'class="badge"' not in bell(client.get("/unit").text)


def test_mark_one_and_mark_all_read(
    client: TestClient, session: Session, factory: Callable[[], Session]
) -> None:
    dispatched(session)
    dispatched(session)
    dispatched(session)
    deliver_outbox(factory)
    first = notes_of(session, "street")[0]
    login(client, "street")
    token = csrf(client, "/inbox")
    answer = client.post(f"/inbox/{first.id}/read", data={"csrf_token": token})
    assert answer.status_code == 200 and "已标为已读" in answer.text
    assert '<span class="badge">2</span>' in bell(answer.text)
    only_unread = client.get("/inbox", params={"unread": "1"}).text
    assert f'id="note-{first.id}"' not in only_unread
    answer = client.post("/inbox/read-all", data={"csrf_token": token})
    assert all(n.read_at is not None for n in notes_of(session, "street"))
    assert "没有未读消息" in client.get("/inbox", params={"unread": "1"}).text


def test_another_users_message_cannot_be_marked_from_the_page(
    client: TestClient, session: Session, factory: Callable[[], Session]
) -> None:
    dispatched(session)
    deliver_outbox(factory)
    theirs = notes_of(session, "street")[0]
    login(client, "haidian")
    token = csrf(client, "/inbox")
    for path in (f"/inbox/{theirs.id}/read", f"/inbox/{theirs.id}/open"):
        answer = client.post(path, data={"csrf_token": token}, follow_redirects=False)
        assert answer.status_code == 404, path
        assert "消息不存在" in answer.text
    assert notes_of(session, "street")[0].read_at is None


def test_marking_read_needs_the_csrf_token(
    client: TestClient, session: Session, factory: Callable[[], Session]
) -> None:
    dispatched(session)
    deliver_outbox(factory)
    note = notes_of(session, "street")[0]
    login(client, "street")
    assert client.post(f"/inbox/{note.id}/read").status_code == 403
    assert notes_of(session, "street")[0].read_at is None


def test_badge_fragment_refreshes_the_count(
    client: TestClient, session: Session, factory: Callable[[], Session]
) -> None:
    login(client, "street")
    assert 'class="badge"' not in client.get("/inbox/badge").text
    dispatched(session)
    deliver_outbox(factory)
    fragment = client.get("/inbox/badge").text
    assert fragment.startswith('<a class="bell"') and '<span class="badge">1</span>' in fragment
