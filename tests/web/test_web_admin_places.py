"""The admin place-alias page: add an alias (resolved by triage at once), retire it, refused
targets explained next to the field, the shipped landmark table shown read-only."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.units.place_aliases import PlaceAlias
from tests.conftest import auth_headers
from tests.factories import WANGJING
from tests.web.test_web_rules import csrf, login

TEXT = "鹿鸣园小区噪音扰民，晚上施工"


def triage_street(client: TestClient, session: Session) -> str | None:
    answer = client.post("/api/v1/triage", json={"text": TEXT, "check_duplicates": False},
                         headers=auth_headers(session, "dispatcher"))
    return answer.json()["place"]["street_code"]  # type: ignore[no-any-return]


def test_admin_adds_and_retires_an_alias_from_the_page(
    client: TestClient, session: Session
) -> None:
    assert triage_street(client, session) is None
    login(client, "admin")
    token = csrf(client, "/admin/places")
    answer = client.post("/admin/places", data={
        "alias": "鹿鸣园小区", "district": "朝阳", "street": "望京", "kind": "estate",
        "note": "新建小区", "csrf_token": token}, follow_redirects=False)
    assert answer.status_code == 303, answer.text[:800]
    page = client.get("/admin/places").text
    assert "鹿鸣园小区" in page and "望京街道" in page
    assert triage_street(client, session) == WANGJING
    row = session.scalars(select(PlaceAlias).where(PlaceAlias.alias == "鹿鸣园小区")).one()
    answer = client.post(f"/admin/places/{row.id}/retire", data={"csrf_token": token},
                         follow_redirects=False)
    assert answer.status_code == 303
    assert f'id="alias-{row.id}"' not in client.get("/admin/places").text
    assert triage_street(client, session) is None


def test_unknown_street_is_shown_next_to_the_field_and_nothing_is_saved(
    client: TestClient, session: Session
) -> None:
    login(client, "admin")
    token = csrf(client, "/admin/places")
    answer = client.post("/admin/places", data={
        "alias": "鹿鸣园小区", "district": "朝阳区", "street": "火星街道", "csrf_token": token})
    assert answer.status_code == 422
    assert 'id="street-err"' in answer.text and "没有街道" in answer.text
    assert session.scalars(select(PlaceAlias).where(PlaceAlias.alias == "鹿鸣园小区")).all() == []


def test_shipped_landmarks_are_listed_and_searchable(client: TestClient) -> None:
    login(client, "admin")
    page = client.get("/admin/places", params={"q": "国贸"}).text
    assert "国贸桥" in page and "建外街道" in page
    assert "中关村" not in page


def test_only_the_admin_may_use_the_place_page(client: TestClient) -> None:
    login(client, "dispatcher")
    assert client.get("/admin/places").status_code == 403
