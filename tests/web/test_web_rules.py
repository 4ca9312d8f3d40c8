"""Rules of the pages, through the real app and database (no browser): CSRF, sessions,
errors in Chinese and never a stack trace, field errors next to the field, roles' screens.
"""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import in_progress, who

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf(client: TestClient, path: str) -> str:
    page = client.get(path)
    found = TOKEN.search(page.text)
    assert found, page.text[:500]
    return found.group(1)


def login(client: TestClient, username: str) -> None:
    token = csrf(client, "/login")
    answer = client.post(
        "/login", data={"username": username, "password": "jiesu-demo", "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text[:500]


def test_each_role_lands_on_its_own_home(client: TestClient) -> None:
    homes = {"agent": "/agent", "dispatcher": "/dispatch", "street": "/unit",
             "visitor": "/visits", "supervisor": "/supervisor", "admin": "/admin"}
    for username, home in homes.items():
        client.cookies.clear()
        login(client, username)
        landing = client.get("/", follow_redirects=False)
        assert landing.headers["location"] == home
        assert client.get(home).status_code == 200


def test_form_post_without_csrf_token_is_refused(client: TestClient) -> None:
    login(client, "agent")
    answer = client.post("/agent/intake", data={"type": "complaint", "text": "路灯不亮"})
    assert answer.status_code == 403
    assert "安全令牌" in answer.text
    assert "<html" in answer.text


def test_csrf_token_of_another_session_is_refused(client: TestClient) -> None:
    login(client, "agent")
    theirs = csrf(client, "/agent")
    client.cookies.clear()
    login(client, "agent2")
    answer = client.post("/agent/intake", data={"type": "complaint", "text": "路灯不亮",
                                                "csrf_token": theirs})
    assert answer.status_code == 403


def test_login_form_is_protected_by_csrf_too(client: TestClient) -> None:
    client.get("/login")
    answer = client.post("/login", data={"username": "agent", "password": "jiesu-demo"},
                         follow_redirects=False)
    assert answer.status_code == 403


def test_wrong_password_shows_chinese_error_next_to_field(client: TestClient) -> None:
    token = csrf(client, "/login")
    answer = client.post("/login", data={"username": "agent", "password": "nope",
                                         "csrf_token": token})
    assert answer.status_code == 422
    assert 'id="password-err"' in answer.text
    assert "用户名或密码错误" in answer.text


def test_session_expires(client: TestClient, frozen: time_machine.Coordinates) -> None:
    login(client, "agent")
    assert client.get("/agent", follow_redirects=False).status_code == 200
    from jiesu.core.settings import get_settings

    frozen.shift(timedelta(seconds=get_settings().session_ttl_seconds + 60))
    answer = client.get("/agent", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login")


def test_intake_form_shows_field_errors_in_chinese(client: TestClient) -> None:
    login(client, "agent")
    token = csrf(client, "/agent")
    answer = client.post("/agent/intake", data={"type": "complaint", "text": "",
                                                "citizen_phone": "abc", "csrf_token": token})
    assert answer.status_code == 422
    assert 'id="text-err"' in answer.text
    assert 'id="citizen_phone-err"' in answer.text
    assert "格式不正确" in answer.text


def test_answer_on_call_needs_the_answer_and_writes_nothing_without_it(
    client: TestClient, session: Session
) -> None:
    from sqlalchemy import func, select

    from jiesu.orders.models import Order

    before = session.scalar(select(func.count()).select_from(Order))
    login(client, "agent")
    token = csrf(client, "/agent")
    answer = client.post("/agent/intake", data={
        "type": "consultation", "text": "请问居住证怎么办理", "decision": "answer",
        "csrf_token": token,
    })
    assert answer.status_code == 422
    assert 'id="answer-err"' in answer.text
    assert session.scalar(select(func.count()).select_from(Order)) == before


def test_agent_intake_sends_the_order_to_dispatch(client: TestClient, session: Session) -> None:
    from sqlalchemy import select

    from jiesu.orders.models import Order

    login(client, "agent")
    token = csrf(client, "/agent")
    answer = client.post("/agent/intake", data={
        "type": "complaint", "text": "朝阳区望京街道花家地西里垃圾无人清运",
        "citizen_phone": "13900001111", "decision": "dispatch", "csrf_token": token,
    }, follow_redirects=False)
    assert answer.status_code == 303
    order = session.scalars(select(Order).where(Order.citizen_phone == "13900001111")).one()
    assert order.state == "received"
    history = client.get("/agent/history", params={"citizen_phone": "13900001111"})
    assert order.number in history.text


def test_unknown_page_is_a_chinese_error_page_without_traceback(client: TestClient) -> None:
    login(client, "agent")
    answer = client.get("/orders/999999999")
    assert answer.status_code == 404
    assert "工单不存在或无权查看" in answer.text
    assert "Traceback" not in answer.text


def test_api_errors_keep_their_json_shape(client: TestClient) -> None:
    answer = client.get("/api/v1/orders/1")
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "not_authenticated"


def test_server_error_shows_no_stack_trace(session: Session) -> None:
    from jiesu.app import create_app

    app = create_app()

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as raw:
        page = raw.get("/boom")
    assert page.status_code == 500
    assert "系统出错了" in page.text
    assert "secret internals" not in page.text
    assert "Traceback" not in page.text


def test_other_roles_pages_are_refused(client: TestClient) -> None:
    login(client, "street")
    for path in ("/agent", "/dispatch", "/visits", "/supervisor", "/admin"):
        answer = client.get(path)
        assert answer.status_code == 403, path
        assert "当前角色无权使用此页面" in answer.text


def test_phone_is_shown_only_to_the_handler_who_must_call(
    client: TestClient, session: Session
) -> None:
    order = in_progress(session)
    session.flush()
    for username in ("supervisor", "dispatcher", "agent", "district"):
        client.cookies.clear()
        login(client, username)
        page = client.get(f"/orders/{order.id}")
        assert page.status_code == 200, username
        assert "tel:" not in page.text and "13812345678" not in page.text, username
        assert "显示号码并拨打" not in page.text, username
    client.cookies.clear()
    login(client, "street")
    page = client.get(f"/orders/{order.id}")
    assert "显示号码并拨打" in page.text
    token = TOKEN.search(page.text)
    assert token
    contact = client.post(f"/orders/{order.id}/contact",
                          headers={"X-CSRF-Token": token.group(1)})
    assert 'href="tel:13812345678"' in contact.text


def test_order_page_offers_only_the_actions_of_the_current_role(
    client: TestClient, session: Session
) -> None:
    order = in_progress(session)
    session.flush()
    login(client, "street")
    page = client.get(f"/orders/{order.id}").text
    assert f"/orders/{order.id}/act/reply" in page
    assert f"/orders/{order.id}/act/urge" not in page
    client.cookies.clear()
    login(client, "supervisor")
    page = client.get(f"/orders/{order.id}").text
    assert f"/orders/{order.id}/act/urge" in page
    assert f"/orders/{order.id}/act/reply" not in page
    assert who(session, "street").unit_id is not None
