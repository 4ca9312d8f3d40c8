"""Rules of the place alias table admins extend through the API: an alias is resolved by
triage (and at intake) from the next call on, a retired one no longer is, a target outside the
official divisions is refused, and every change is a new version, never an edit."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jiesu.orders.suggest import suggest
from jiesu.units import place_aliases
from jiesu.units.place_aliases import PlaceAlias
from tests.conftest import auth_headers
from tests.factories import WANGJING

TEXT = "老虎洞小区门口垃圾堆放多日无人清理"


def triage_street(client: TestClient, session: Session, text: str = TEXT) -> str | None:
    answer = client.post("/api/v1/triage", json={"text": text, "check_duplicates": False},
                         headers=auth_headers(session, "dispatcher"))
    assert answer.status_code == 200, answer.text
    return answer.json()["place"]["street_code"]  # type: ignore[no-any-return]


def add(client: TestClient, session: Session, **body: Any) -> Any:
    return client.post("/api/v1/place-aliases", json=body, headers=auth_headers(session, "admin"))


def alias_rows(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(PlaceAlias)) or 0


def test_alias_added_through_the_api_is_resolved_by_triage_straight_after(
    client: TestClient, session: Session
) -> None:
    assert triage_street(client, session) is None
    answer = add(client, session, alias="老虎洞小区", district="朝阳", street="望京",
                 kind="estate", note="居民俗称")
    assert answer.status_code == 201, answer.text
    assert triage_street(client, session) == WANGJING


def test_intake_resolves_a_newly_added_alias(client: TestClient, session: Session) -> None:
    assert add(client, session, alias="老虎洞小区", district="朝阳区",
               street="望京街道").status_code == 201
    order = client.post("/api/v1/orders", json={"type": "complaint", "text": TEXT},
                        headers=auth_headers(session, "agent"))
    assert order.status_code == 201, order.text
    assert order.json()["street_code"] == WANGJING


def test_retired_alias_is_no_longer_resolved(client: TestClient, session: Session) -> None:
    added = add(client, session, alias="老虎洞小区", district="朝阳区", street="望京街道")
    assert triage_street(client, session) == WANGJING
    retired = client.delete(f"/api/v1/place-aliases/{added.json()['id']}",
                            headers=auth_headers(session, "admin"))
    assert retired.status_code == 204
    assert triage_street(client, session) is None
    listed = client.get("/api/v1/place-aliases", params={"include_retired": True},
                        headers=auth_headers(session, "admin")).json()
    assert listed["data"][0]["retired_at"] is not None  # kept, retired, not deleted


def test_alias_to_an_unknown_district_or_street_is_refused(
    client: TestClient, session: Session
) -> None:
    before = alias_rows(session)
    for body, field in (({"district": "火星区"}, "district"),
                        ({"district": "朝阳区", "street": "不存在街道"}, "street"),
                        # A real street, but of another district.
                        ({"district": "东城区", "street": "望京街道"}, "street")):
        answer = add(client, session, alias="老虎洞小区", **body)
        assert answer.status_code == 422, answer.text
        error = answer.json()["error"]
        assert error["code"] == "unknown_place" and error["details"]["field"] == field
    assert alias_rows(session) == before


def test_alias_is_stored_under_the_official_names(client: TestClient, session: Session) -> None:
    body = add(client, session, alias="老虎洞小区", district="朝阳", street="望京").json()
    assert (body["district"], body["district_code"]) == ("朝阳区", "110105")
    assert (body["street"], body["street_code"]) == ("望京街道", WANGJING)


def test_an_active_alias_is_not_added_twice(client: TestClient, session: Session) -> None:
    assert add(client, session, alias="老虎洞小区", district="朝阳区").status_code == 201
    again = add(client, session, alias="老虎洞小区", district="海淀区")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "place_alias_exists"


def test_replacing_an_alias_retires_the_old_version(
    client: TestClient, session: Session
) -> None:
    old = add(client, session, alias="老虎洞小区", district="朝阳区", street="望京街道").json()
    new = client.put(f"/api/v1/place-aliases/{old['id']}", headers=auth_headers(session, "admin"),
                     json={"alias": "老虎洞小区", "district": "海淀区", "street": "八里庄街道"})
    assert new.status_code == 200, new.text
    assert new.json()["supersedes_id"] == old["id"]
    assert triage_street(client, session) == "110108005"
    versions = client.get("/api/v1/place-aliases", params={"include_retired": True},
                          headers=auth_headers(session, "admin")).json()["data"]
    assert {v["id"]: v["retired_at"] is None for v in versions} == {
        new.json()["id"]: True, old["id"]: False}


def test_a_refused_replacement_leaves_the_old_version_in_force(
    client: TestClient, session: Session
) -> None:
    old = add(client, session, alias="老虎洞小区", district="朝阳区", street="望京街道").json()
    answer = client.put(f"/api/v1/place-aliases/{old['id']}",
                        headers=auth_headers(session, "admin"),
                        json={"alias": "老虎洞小区", "district": "火星区"})
    assert answer.status_code == 422
    assert triage_street(client, session) == WANGJING


def test_a_one_character_alias_is_refused(client: TestClient, session: Session) -> None:
    answer = add(client, session, alias="桥", district="朝阳区")
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "invalid_input"


def test_an_alias_added_where_a_rolled_back_one_was_is_resolved(session: Session) -> None:
    with session.begin_nested() as savepoint:
        gone = place_aliases.add_alias(session, alias="老虎洞小区", district="朝阳区",
                                       street="望京街道")
        gone_id = gone.id
        assert street_of(session, TEXT) == WANGJING
        savepoint.rollback()
    kept = place_aliases.add_alias(session, alias="老虎洞小区", district="海淀区",
                                   street="八里庄街道")
    if session.get_bind().dialect.name == "sqlite":
        assert kept.id == gone_id  # same count, same newest id: only the content differs
    assert street_of(session, TEXT) == "110108005"


def street_of(session: Session, text: str) -> str | None:
    return suggest(session, text, None, None, with_duplicates=False).place.street_code
