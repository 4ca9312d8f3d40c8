"""Rule: passwords are hashed with argon2; the API logs in with a token and the pages with a
session cookie; no default secret or password is accepted outside demo mode."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from jiesu.core.errors import InvalidInput
from jiesu.core.security import hash_password, issue_token
from jiesu.core.settings import (
    DEFAULT_SECRET_KEY,
    DEMO_PASSWORD,
    InsecureConfiguration,
    Mode,
    Settings,
    get_settings,
)
from jiesu.units.auth import SESSION_COOKIE
from jiesu.units.models import User
from jiesu.units.schemas import UserCreate
from jiesu.units.service import create_user
from tests.conftest import FROZEN_AT, auth_headers

STRONG_SECRET = "a-private-secret-of-more-than-thirty-two-characters"
REAL_PASSWORD = "correct horse battery staple"


@pytest.fixture
def switch_mode(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """Run the rest of a test in another mode; settings are read again, and restored after."""

    def switch(mode: str, secret: str | None = None) -> None:
        monkeypatch.setenv("JIESU_MODE", mode)
        if secret is None:
            monkeypatch.delenv("JIESU_SECRET_KEY", raising=False)
        else:
            monkeypatch.setenv("JIESU_SECRET_KEY", secret)
        get_settings.cache_clear()

    yield switch
    monkeypatch.undo()
    get_settings.cache_clear()


def test_production_refuses_the_default_or_a_short_secret() -> None:
    with pytest.raises(InsecureConfiguration):
        Settings(mode=Mode.production, secret_key=DEFAULT_SECRET_KEY).check_secure()
    with pytest.raises(InsecureConfiguration):
        Settings(mode=Mode.development, secret_key=DEFAULT_SECRET_KEY).check_secure()
    with pytest.raises(InsecureConfiguration):
        Settings(mode=Mode.production, secret_key="short").check_secure()
    Settings(mode=Mode.production, secret_key=STRONG_SECRET).check_secure()
    Settings(mode=Mode.demo, secret_key=DEFAULT_SECRET_KEY).check_secure()


def test_the_app_and_the_server_refuse_to_start_in_production_with_the_default_secret(
    switch_mode: Callable[..., None],
) -> None:
    from jiesu.app import create_app
    from jiesu.cli import app as cli

    switch_mode("production")
    with pytest.raises(InsecureConfiguration):
        create_app()
    result = CliRunner().invoke(cli, ["serve", "--port", "8199"])
    assert isinstance(result.exception, InsecureConfiguration)
    switch_mode("production", STRONG_SECRET)
    assert create_app() is not None


def _login(client: TestClient, username: str, password: str) -> tuple[int, str]:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    body = response.json()
    return response.status_code, body.get("error", {}).get("code", "ok")


def test_demo_accounts_and_the_demo_password_are_refused_at_login_outside_demo_mode(
    client: TestClient, session: Session, switch_mode: Callable[..., None]
) -> None:
    real = create_user(session, UserCreate(username="real.agent", display_name="真坐席",
                                           password=REAL_PASSWORD, role="agent"))
    # A row carrying the demo password that did not come from the demo loader.
    legacy = User(username="legacy", display_name="旧账号", role="agent",
                  password_hash=hash_password(DEMO_PASSWORD), created_at=real.created_at)
    session.add(legacy)
    session.flush()
    assert _login(client, "agent", DEMO_PASSWORD) == (200, "ok")  # demo mode: fine

    switch_mode("production", STRONG_SECRET)
    assert _login(client, "agent", DEMO_PASSWORD) == (401, "demo_account_disabled")
    assert _login(client, "legacy", DEMO_PASSWORD) == (401, "demo_account_disabled")
    assert _login(client, "real.agent", REAL_PASSWORD) == (200, "ok")
    with pytest.raises(InvalidInput) as weak:
        create_user(session, UserCreate(username="another", display_name="新坐席",
                                        password=DEMO_PASSWORD, role="agent"))
    assert weak.value.code == "weak_password"


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(
    client: TestClient, session: Session
) -> None:
    assert _login(client, "agent", "not-the-password") == (401, "bad_credentials")
    assert _login(client, "nobody-like-this", "not-the-password") == (401, "bad_credentials")


def test_stored_password_hashes_are_argon2(client: TestClient, session: Session) -> None:
    created = client.post(
        "/api/v1/users", headers=auth_headers(session, "admin"),
        json={"username": "new.visitor", "display_name": "回访员", "password": REAL_PASSWORD,
              "role": "visitor"},
    )
    assert created.status_code == 201, created.text
    assert "password" not in created.text
    users = list(session.scalars(select(User)))
    assert len(users) > 10
    for user in users:
        assert user.password_hash.startswith("$argon2"), user.username
        assert REAL_PASSWORD not in user.password_hash and DEMO_PASSWORD not in user.password_hash


def test_a_token_from_an_older_token_version_is_refused(
    client: TestClient, session: Session
) -> None:
    old = auth_headers(session, "street")
    assert client.get("/api/v1/auth/me", headers=old).status_code == 200
    user = session.scalars(select(User).where(User.username == "street")).one()
    user.token_version += 1  # a password change or "log out everywhere"
    session.flush()
    refused = client.get("/api/v1/auth/me", headers=old)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "invalid_token"
    assert client.get("/api/v1/auth/me", headers=auth_headers(session, "street")).status_code == 200


def test_a_tampered_or_expired_token_is_refused(
    client: TestClient, session: Session, frozen: time_machine.Coordinates
) -> None:
    headers = auth_headers(session, "agent")
    tampered = {"Authorization": headers["Authorization"][:-2] + "xx"}
    assert client.get("/api/v1/auth/me", headers=tampered).status_code == 401
    frozen.move_to(FROZEN_AT + timedelta(seconds=get_settings().token_ttl_seconds + 60))
    expired = client.get("/api/v1/auth/me", headers=headers)
    assert expired.status_code == 401 and expired.json()["error"]["code"] == "invalid_token"


def test_pages_log_in_with_a_session_cookie_that_is_not_an_api_token(
    client: TestClient, session: Session
) -> None:
    user = session.scalars(select(User).where(User.username == "visitor")).one()
    cookie = issue_token(user.id, user.token_version, purpose="session")
    api_token = issue_token(user.id, user.token_version, purpose="api")
    client.cookies.set(SESSION_COOKIE, cookie)
    me = client.get("/api/v1/auth/me")
    assert me.status_code == 200 and me.json()["username"] == "visitor"
    client.cookies.set(SESSION_COOKIE, api_token)  # a token signed for another purpose
    assert client.get("/api/v1/auth/me").status_code == 401
    client.cookies.clear()
    as_bearer = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {cookie}"})
    assert as_bearer.status_code == 401
    assert client.get("/api/v1/auth/me").status_code == 401


def test_a_deactivated_user_is_refused_at_once_and_can_be_brought_back(
    client: TestClient, session: Session
) -> None:
    headers = auth_headers(session, "street2")
    user = session.scalars(select(User).where(User.username == "street2")).one()
    admin = auth_headers(session, "admin")
    off = client.post(f"/api/v1/users/{user.id}/deactivate", headers=admin)
    assert off.status_code == 200 and off.json()["active"] is False
    refused = client.get("/api/v1/auth/me", headers=headers)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "invalid_token"
    login = client.post("/api/v1/auth/token",
                        json={"username": "street2", "password": DEMO_PASSWORD})
    assert login.status_code == 401
    on = client.post(f"/api/v1/users/{user.id}/activate", headers=admin)
    assert on.status_code == 200 and on.json()["active"] is True
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401  # log in again
    assert client.post("/api/v1/auth/token", json={"username": "street2",
                                                   "password": DEMO_PASSWORD}).status_code == 200


def test_an_admin_cannot_deactivate_their_own_account(client: TestClient, session: Session) -> None:
    admin = session.scalars(select(User).where(User.username == "admin")).one()
    response = client.post(f"/api/v1/users/{admin.id}/deactivate",
                           headers=auth_headers(session, "admin"))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "cannot_deactivate_self"
    session.refresh(admin)
    assert admin.active


def test_a_password_reset_ends_the_old_password_and_tokens(
    client: TestClient, session: Session
) -> None:
    headers = auth_headers(session, "visitor")
    user = session.scalars(select(User).where(User.username == "visitor")).one()
    admin = auth_headers(session, "admin")
    demo = client.post(f"/api/v1/users/{user.id}/password", headers=admin,
                       json={"password": DEMO_PASSWORD})
    assert demo.status_code == 422  # the demo password is never a real one
    reset = client.post(f"/api/v1/users/{user.id}/password", headers=admin,
                        json={"password": "a-new-long-password"})
    assert reset.status_code == 200
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    assert client.post("/api/v1/auth/token", json={"username": "visitor",
                                                   "password": DEMO_PASSWORD}).status_code == 401
    assert client.post("/api/v1/auth/token", json={"username": "visitor",
                                                   "password": "a-new-long-password"}
                       ).status_code == 200
