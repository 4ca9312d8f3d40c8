"""Admin forms for units, users and catalogue rules: a valid form is saved, a refused one is
shown again with the error next to its field and nothing saved."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.units.models import CatalogueRule, Unit, User
from tests.web.test_web_rules import csrf, login


def test_admin_creates_a_unit_and_a_taken_code_is_shown_by_the_field(
    client: TestClient, session: Session
) -> None:
    login(client, "admin")
    token = csrf(client, "/admin")
    form = {"code": "dept.test", "name": "测试委办局", "kind": "department", "csrf_token": token}
    saved = client.post("/admin/units", data=form, follow_redirects=False)
    assert saved.status_code == 303
    assert session.scalars(select(Unit).where(Unit.code == "dept.test")).one().name == "测试委办局"
    again = client.post("/admin/units", data=form)
    assert again.status_code == 409 and 'id="code-err"' in again.text


def test_admin_user_form_shows_field_errors_and_saves_nothing(
    client: TestClient, session: Session
) -> None:
    login(client, "admin")
    token = csrf(client, "/admin/users")
    short = client.post("/admin/users", data={
        "username": "clerk", "display_name": "新坐席", "password": "short", "role": "agent",
        "csrf_token": token})
    assert short.status_code == 422 and 'id="password-err"' in short.text
    taken = client.post("/admin/users", data={
        "username": "agent", "display_name": "重名", "password": "a-long-password-1",
        "role": "agent", "csrf_token": token})
    assert taken.status_code == 409 and 'id="username-err"' in taken.text
    assert session.scalars(select(User).where(User.username == "clerk")).first() is None
    saved = client.post("/admin/users", data={
        "username": "clerk", "display_name": "新坐席", "password": "a-long-password-1",
        "role": "agent", "csrf_token": token}, follow_redirects=False)
    assert saved.status_code == 303
    assert session.scalars(select(User).where(User.username == "clerk")).one().role == "agent"


def test_catalogue_rule_with_unknown_unit_is_refused_by_its_field(
    client: TestClient, session: Session
) -> None:
    login(client, "admin")
    token = csrf(client, "/admin/catalogue")
    form = {"position": "5", "name": "测试规则", "keywords": "井盖", "csrf_token": token}
    refused = client.post("/admin/catalogue", data={**form, "lead_unit_code": "dept.nowhere"})
    assert refused.status_code == 422 and 'id="lead_unit_code-err"' in refused.text
    named = select(CatalogueRule).where(CatalogueRule.name == "测试规则")
    assert session.scalars(named).all() == []
    saved = client.post("/admin/catalogue", data={**form, "lead_unit_code": "dept.chengguan"},
                        follow_redirects=False)
    assert saved.status_code == 303
    rule = session.scalars(named).one()
    assert rule.lead_unit_code == "dept.chengguan"


def test_admin_deactivates_and_restores_a_user_from_the_users_page(
    client: TestClient, session: Session
) -> None:
    login(client, "admin")
    page = client.get("/admin/users")
    user = session.scalars(select(User).where(User.username == "street2")).one()
    assert f'action="/admin/users/{user.id}/deactivate"' in page.text
    admin = session.scalars(select(User).where(User.username == "admin")).one()
    assert f'action="/admin/users/{admin.id}/deactivate"' not in page.text  # never oneself
    token = csrf(client, "/admin/users")
    off = client.post(f"/admin/users/{user.id}/deactivate", data={"csrf_token": token},
                      follow_redirects=False)
    assert off.status_code == 303
    session.refresh(user)
    assert not user.active
    assert client.post(f"/admin/users/{user.id}/deactivate",
                       data={"csrf_token": "forged"}).status_code == 403
    on = client.post(f"/admin/users/{user.id}/activate", data={"csrf_token": token},
                     follow_redirects=False)
    assert on.status_code == 303
    session.refresh(user)
    assert user.active
