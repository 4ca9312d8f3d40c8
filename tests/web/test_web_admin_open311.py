"""The admin Open311 page: issue a key (shown once, on the answer only), list the apps,
revoke one; refused input is shown next to its field and nothing is saved."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.open311 import service
from jiesu.open311.models import ApiClient
from tests.web.test_web_rules import csrf, login


def test_admin_issues_and_revokes_a_key_from_the_page(
    client: TestClient, session: Session
) -> None:
    login(client, "admin")
    token = csrf(client, "/admin/open311")
    answer = client.post("/admin/open311", data={"name": "城市随手拍", "contact": "ops@x",
                                                 "csrf_token": token})
    assert answer.status_code == 200, answer.text[:800]
    assert 'id="api-key"' in answer.text
    api_key = answer.text.split('<code id="api-key">')[1].split("</code>")[0]
    assert service.authenticate(session, api_key).name == "城市随手拍"
    page = client.get("/admin/open311").text
    assert "城市随手拍" in page and api_key not in page and "有效" in page
    row = session.scalars(select(ApiClient)).one()
    revoked = client.post(f"/admin/open311/{row.id}/revoke", data={"csrf_token": token},
                          follow_redirects=False)
    assert revoked.status_code == 303
    assert "已停用" in client.get("/admin/open311").text
    session.refresh(row)
    assert row.revoked_at is not None


def test_a_nameless_app_is_refused_next_to_the_field(
    client: TestClient, session: Session
) -> None:
    login(client, "admin")
    token = csrf(client, "/admin/open311")
    answer = client.post("/admin/open311", data={"name": "", "csrf_token": token})
    assert answer.status_code == 422 and 'id="name-err"' in answer.text
    assert session.scalars(select(ApiClient)).all() == []


def test_only_admins_see_the_page(client: TestClient) -> None:
    login(client, "dispatcher")
    assert client.get("/admin/open311").status_code == 403
