"""Rule: citizens' phone numbers are masked (138****5678) in every response except for the roles
that must call the citizen, and every unmasked read is itself logged."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jiesu.core.privacy import PhoneReadLog
from tests.conftest import auth_headers
from tests.factories import HUAJIADI_COMMUNITY, WANGJING, dispatched, unit, who
from tests.rules_support import CAST, MASKED, PHONE


class Recorder:
    """Sends requests as the cast and keeps every response for the scan."""

    def __init__(self, client: TestClient, session: Session) -> None:
        self.client = client
        self.headers = {u: auth_headers(session, u) for u in CAST.values()}
        self.responses: list[httpx.Response] = []

    def send(self, method: str, user: str, path: str, body: dict[str, Any] | None = None,
             ok: bool = True) -> Any:
        response = self.client.request(method, path, json=body, headers=self.headers[user])
        self.responses.append(response)
        if ok:
            assert response.status_code in (200, 201), (path, response.text)
        return response.json()

    def read_everything(self, oid: int) -> None:
        for user in CAST.values():
            self.send("GET", user, f"/api/v1/orders/{oid}", ok=False)
            self.send("GET", user, "/api/v1/orders?limit=200", ok=False)
            self.send("GET", user, f"/api/v1/orders?phone={PHONE}", ok=False)
            self.send("GET", user, "/api/v1/orders/overdue", ok=False)


def test_the_raw_phone_number_is_in_no_json_response_of_a_full_lifecycle(
    client: TestClient, session: Session
) -> None:
    rec = Recorder(client, session)
    street = unit(session, WANGJING)
    body = {"type": "complaint", "text": "花家地西里噪音扰民", "citizen_phone": PHONE,
            "citizen_name": "张先生", "street_code": WANGJING}
    order = rec.send("POST", "agent", "/api/v1/orders", body)
    assert order["citizen_phone"] == MASKED
    oid = order["id"]
    rec.read_everything(oid)
    path = f"/api/v1/orders/{oid}"
    rec.send("POST", "dispatcher", f"{path}/dispatch", {"lead_unit_id": street.id})
    rec.send("POST", "street", f"{path}/sign", {})
    rec.send("POST", "street", f"{path}/pass_on",
             {"unit_id": unit(session, HUAJIADI_COMMUNITY).id})
    rec.read_everything(oid)
    rec.send("POST", "community", f"{path}/contact", {"method": "phone"})
    rec.send("POST", "community", f"{path}/reply", {"outcome": "solved", "reply": "已协调"})
    rec.read_everything(oid)
    case = rec.send("POST", "supervisor", "/api/v1/cases", {"title": "噪音", "order_ids": [oid]})
    rec.send("GET", "supervisor", f"/api/v1/cases/{case['id']}")
    rec.send("POST", "visitor", f"{path}/close_visited",
             {"solved": True, "satisfaction": "satisfied"})
    rec.send("POST", "agent", f"{path}/praise", {"kind": "call"})
    rec.read_everything(oid)

    seen_masked = 0
    for response in rec.responses:
        assert PHONE not in response.text, (response.request.url, response.text[:300])
        seen_masked += response.text.count(MASKED)
    assert seen_masked > 10  # the number was there, masked, many times


def _reads(session: Session, order_id: int) -> list[PhoneReadLog]:
    stmt = select(PhoneReadLog).where(PhoneReadLog.order_id == order_id)
    return list(session.scalars(stmt.order_by(PhoneReadLog.id)))


def test_the_lead_handler_and_the_visitor_read_the_number_and_each_read_is_logged(
    client: TestClient, session: Session
) -> None:
    order = dispatched(session)
    for user in ("street", "visitor", "street"):
        response = client.get(f"/api/v1/orders/{order.id}/citizen",
                              headers=auth_headers(session, user))
        assert response.status_code == 200, response.text
        assert response.json()["citizen_phone"] == PHONE
    reads = _reads(session, order.id)
    readers = [who(session, u).user_id for u in ("street", "visitor", "street")]
    assert [r.user_id for r in reads] == readers
    assert all(r.purpose and r.read_at for r in reads)


def test_everyone_else_is_refused_the_number_and_nothing_is_logged(
    client: TestClient, session: Session
) -> None:
    order = dispatched(session)
    before = session.scalar(select(func.count()).select_from(PhoneReadLog))
    refused = ["agent", "dispatcher", "supervisor", "admin", "district", "haidian", "community",
               "dept"]
    for user in refused:
        response = client.get(f"/api/v1/orders/{order.id}/citizen",
                              headers=auth_headers(session, user))
        assert response.status_code in (403, 404), (user, response.text)
        assert PHONE not in response.text and MASKED not in response.text
    anonymous = client.get(f"/api/v1/orders/{order.id}/citizen")
    assert anonymous.status_code == 401 and PHONE not in anonymous.text
    assert session.scalar(select(func.count()).select_from(PhoneReadLog)) == before


def test_a_community_the_order_was_passed_on_to_may_read_the_number(
    client: TestClient, session: Session
) -> None:
    order = dispatched(session)
    community = unit(session, HUAJIADI_COMMUNITY)
    headers = auth_headers(session, "community")
    assert client.get(f"/api/v1/orders/{order.id}/citizen", headers=headers).status_code == 404
    client.post(f"/api/v1/orders/{order.id}/sign", json={}, headers=auth_headers(session, "street"))
    passed = client.post(f"/api/v1/orders/{order.id}/pass_on", json={"unit_id": community.id},
                         headers=auth_headers(session, "street"))
    assert passed.status_code == 200, passed.text
    response = client.get(f"/api/v1/orders/{order.id}/citizen", headers=headers)
    assert response.status_code == 200 and response.json()["citizen_phone"] == PHONE
    assert [r.user_id for r in _reads(session, order.id)] == [who(session, "community").user_id]
