"""The order lifecycle through the API: every transition by the role allowed to take it."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import auth_headers
from tests.factories import HUAJIADI_COMMUNITY, WANGJING, unit


def post(client: TestClient, session: Session, user: str, path: str, body: dict) -> dict:  # type: ignore[type-arg]
    response = client.post(path, json=body, headers=auth_headers(session, user))
    assert response.status_code in (200, 201), response.text
    return response.json()  # type: ignore[no-any-return]


def intake_body(**extra: object) -> dict[str, object]:
    return {
        "type": "complaint",
        "channel": "phone",
        "text": "朝阳区望京街道花家地西里三区门口垃圾堆放多日无人清理。",
        "place_text": "朝阳区望京街道花家地西里",
        "citizen_name": "张先生",
        "citizen_phone": "13812345678",
        "street_code": WANGJING,
        "district_code": "110105",
        **extra,
    }


def dispatched_to_street(client: TestClient, session: Session) -> int:
    """A new order dispatched to 望京街道: where most handling rules start."""
    oid: int = post(client, session, "agent", "/api/v1/orders", intake_body())["id"]
    street = unit(session, WANGJING)
    post(
        client, session, "dispatcher", f"/api/v1/orders/{oid}/dispatch", {"lead_unit_id": street.id}
    )
    return oid


def test_order_goes_from_intake_to_closed(client: TestClient, session: Session) -> None:
    order = post(client, session, "agent", "/api/v1/orders", intake_body())
    assert order["state"] == "received"
    assert order["citizen_phone"] == "138****5678"
    oid = order["id"]
    street = unit(session, WANGJING)
    order = post(
        client,
        session,
        "dispatcher",
        f"/api/v1/orders/{oid}/dispatch",
        {"lead_unit_id": street.id, "category": "城乡建设"},
    )
    assert order["state"] == "dispatched" and order["reply_due_at"]
    order = post(client, session, "street", f"/api/v1/orders/{oid}/sign", {})
    order = post(client, session, "street", f"/api/v1/orders/{oid}/contact", {"method": "phone"})
    assert order["state"] == "in_progress"
    post(client, session, "street", f"/api/v1/orders/{oid}/note", {"note": "已安排环卫清运"})
    order = post(
        client,
        session,
        "street",
        f"/api/v1/orders/{oid}/reply",
        {"outcome": "solved", "reply": "垃圾已清运完毕"},
    )
    assert order["state"] == "replied"
    order = post(
        client,
        session,
        "visitor",
        f"/api/v1/orders/{oid}/close_visited",
        {"solved": True, "satisfaction": "satisfied"},
    )
    assert order["state"] == "closed"
    detail = client.get(f"/api/v1/orders/{oid}", headers=auth_headers(session, "supervisor"))
    actions = [e["action"] for e in detail.json()["events"]]
    assert actions == ["intake", "dispatch", "sign", "contact", "note", "reply", "close_visited"]


def test_intake_is_idempotent_by_client_key(client: TestClient, session: Session) -> None:
    first = client.post(
        "/api/v1/orders",
        json=intake_body(client_key="call-1"),
        headers=auth_headers(session, "agent"),
    )
    again = client.post(
        "/api/v1/orders",
        json=intake_body(client_key="call-1"),
        headers=auth_headers(session, "agent"),
    )
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]


def test_intake_is_idempotent_by_the_idempotency_key_header(
    client: TestClient, session: Session
) -> None:
    headers = {**auth_headers(session, "agent"), "Idempotency-Key": "app-7f3a"}
    first = client.post("/api/v1/orders", json=intake_body(), headers=headers)
    again = client.post("/api/v1/orders", json=intake_body(), headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]


def test_an_idempotency_key_that_contradicts_the_client_key_is_refused(
    client: TestClient, session: Session
) -> None:
    headers = {**auth_headers(session, "agent"), "Idempotency-Key": "app-1"}
    response = client.post("/api/v1/orders", json=intake_body(client_key="app-2"),
                           headers=headers)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_mismatch"


def test_consultation_answered_on_the_call_is_closed(client: TestClient, session: Session) -> None:
    order = post(client, session, "agent", "/api/v1/orders", intake_body(type="consultation"))
    order = post(
        client,
        session,
        "agent",
        f"/api/v1/orders/{order['id']}/answer_on_call",
        {"answer": "按统一答复口径告知办理渠道"},
    )
    assert order["state"] == "closed" and order["close_reason"] == "answered_on_call"


def test_not_accepted_order_closes_with_its_reason(client: TestClient, session: Session) -> None:
    order = post(client, session, "agent", "/api/v1/orders", intake_body())
    order = post(
        client,
        session,
        "agent",
        f"/api/v1/orders/{order['id']}/not_accept",
        {"reason": "emergency_119"},
    )
    assert order["state"] == "closed" and order["not_accepted_reason"] == "emergency_119"


def test_unknown_not_accepted_reason_is_refused(client: TestClient, session: Session) -> None:
    order = post(client, session, "agent", "/api/v1/orders", intake_body())
    response = client.post(
        f"/api/v1/orders/{order['id']}/not_accept",
        json={"reason": "bored"},
        headers=auth_headers(session, "agent"),
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"


def test_returned_order_goes_back_to_dispatcher_and_hops_are_counted(
    client: TestClient, session: Session
) -> None:
    order = post(client, session, "agent", "/api/v1/orders", intake_body())
    oid = order["id"]
    dept = unit(session, "dept.chengguan")
    street = unit(session, WANGJING)
    post(client, session, "dispatcher", f"/api/v1/orders/{oid}/dispatch", {"lead_unit_id": dept.id})
    order = post(
        client,
        session,
        "dept",
        f"/api/v1/orders/{oid}/return_order",
        {"reason": "属地问题，应由街道办理"},
    )
    assert order["state"] == "returned" and order["return_count"] == 1
    order = post(
        client,
        session,
        "dispatcher",
        f"/api/v1/orders/{oid}/redispatch",
        {"lead_unit_id": street.id},
    )
    assert order["state"] == "dispatched" and order["dispatch_count"] == 2
    order = post(
        client, session, "street", f"/api/v1/orders/{oid}/return_order", {"reason": "不属于本街道"}
    )
    order = post(
        client,
        session,
        "dispatcher",
        f"/api/v1/orders/{oid}/reject_return",
        {"reason": "属地管理，街道须办理"},
    )
    assert order["state"] == "dispatched" and order["lead_unit_id"] == street.id
    again = client.post(
        f"/api/v1/orders/{oid}/return_order",
        json={"reason": "再退"},
        headers=auth_headers(session, "street"),
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "return_already_rejected"


def test_street_order_is_copied_to_district(client: TestClient, session: Session) -> None:
    order = post(client, session, "agent", "/api/v1/orders", intake_body())
    post(
        client,
        session,
        "dispatcher",
        f"/api/v1/orders/{order['id']}/dispatch",
        {"lead_unit_id": unit(session, WANGJING).id},
    )
    seen = client.get(f"/api/v1/orders/{order['id']}", headers=auth_headers(session, "district"))
    assert seen.status_code == 200
    acting = client.post(
        f"/api/v1/orders/{order['id']}/sign", json={}, headers=auth_headers(session, "district")
    )
    assert acting.status_code == 403


def test_street_passes_order_to_its_community_and_stays_responsible(
    client: TestClient, session: Session
) -> None:
    oid = dispatched_to_street(client, session)
    post(client, session, "street", f"/api/v1/orders/{oid}/sign", {})
    community = unit(session, HUAJIADI_COMMUNITY)
    order = post(
        client, session, "street", f"/api/v1/orders/{oid}/pass_on", {"unit_id": community.id}
    )
    assert order["delegate_unit_id"] == community.id
    assert order["lead_unit_id"] == unit(session, WANGJING).id
    post(client, session, "community", f"/api/v1/orders/{oid}/contact", {"method": "visit"})
    order = post(
        client,
        session,
        "community",
        f"/api/v1/orders/{oid}/reply",
        {"outcome": "solved", "reply": "社区已协调物业清理"},
    )
    assert order["state"] == "replied"


def test_extension_approved_moves_reply_deadline_and_is_kept(
    client: TestClient, session: Session
) -> None:
    order = post(client, session, "agent", "/api/v1/orders", intake_body())
    oid = order["id"]
    order = post(
        client,
        session,
        "dispatcher",
        f"/api/v1/orders/{oid}/dispatch",
        {"lead_unit_id": unit(session, WANGJING).id},
    )
    before = order["reply_due_at"]
    post(client, session, "street", f"/api/v1/orders/{oid}/sign", {})
    post(
        client,
        session,
        "street",
        f"/api/v1/orders/{oid}/request_extension",
        {"reason": "需协调多个部门", "days": 5},
    )
    order = post(client, session, "supervisor", f"/api/v1/orders/{oid}/approve_extension", {})
    assert order["reply_due_at"] > before and order["extension_pending_days"] is None
    events = client.get(f"/api/v1/orders/{oid}", headers=auth_headers(session, "supervisor"))
    approve = next(e for e in events.json()["events"] if e["action"] == "approve_extension")
    assert approve["payload"]["old_reply_due_at"] and approve["payload"]["days"] == 5


def test_refusing_without_pending_extension_is_refused(
    client: TestClient, session: Session
) -> None:
    oid = dispatched_to_street(client, session)
    post(client, session, "street", f"/api/v1/orders/{oid}/sign", {})
    response = client.post(
        f"/api/v1/orders/{oid}/refuse_extension",
        json={"reason": "x"},
        headers=auth_headers(session, "supervisor"),
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "no_extension_pending"


def test_not_solved_visit_reopens_to_the_same_unit(client: TestClient, session: Session) -> None:
    order = post(client, session, "agent", "/api/v1/orders", intake_body())
    oid = order["id"]
    street = unit(session, WANGJING)
    post(
        client, session, "dispatcher", f"/api/v1/orders/{oid}/dispatch", {"lead_unit_id": street.id}
    )
    post(client, session, "street", f"/api/v1/orders/{oid}/sign", {})
    post(client, session, "street", f"/api/v1/orders/{oid}/contact", {"method": "phone"})
    post(
        client,
        session,
        "street",
        f"/api/v1/orders/{oid}/reply",
        {"outcome": "solved", "reply": "已处理"},
    )
    refused = client.post(
        f"/api/v1/orders/{oid}/close_visited",
        json={"solved": False, "satisfaction": "dissatisfied"},
        headers=auth_headers(session, "visitor"),
    )
    assert refused.status_code == 422
    order = post(
        client,
        session,
        "visitor",
        f"/api/v1/orders/{oid}/reopen",
        {"reason": "垃圾仍未清理", "solved": False, "satisfaction": "dissatisfied"},
    )
    assert order["state"] == "reopened" and order["lead_unit_id"] == street.id
    assert order["reopen_count"] == 1
    order = post(client, session, "street", f"/api/v1/orders/{oid}/sign", {})
    assert order["state"] == "signed"


def test_unreachable_needs_the_configured_attempts(client: TestClient, session: Session) -> None:
    oid = dispatched_to_street(client, session)
    for action, body in [
        ("sign", {}),
        ("contact", {"method": "phone"}),
        ("reply", {"outcome": "solved", "reply": "ok"}),
    ]:
        post(client, session, "street", f"/api/v1/orders/{oid}/{action}", body)
    early = client.post(
        f"/api/v1/orders/{oid}/close_unreachable", json={}, headers=auth_headers(session, "visitor")
    )
    assert early.status_code == 422
    for _ in range(3):
        post(
            client, session, "visitor", f"/api/v1/orders/{oid}/visit_attempt", {"note": "无人接听"}
        )
    order = post(client, session, "visitor", f"/api/v1/orders/{oid}/close_unreachable", {})
    assert order["close_reason"] == "unreachable"


def test_supervisor_urges_supervises_merges_and_splits(
    client: TestClient, session: Session
) -> None:
    master = post(client, session, "agent", "/api/v1/orders", intake_body())
    dup = post(client, session, "agent", "/api/v1/orders", intake_body(citizen_phone="13900001111"))
    street = unit(session, WANGJING)
    post(
        client,
        session,
        "dispatcher",
        f"/api/v1/orders/{master['id']}/dispatch",
        {"lead_unit_id": street.id},
    )
    order = post(
        client, session, "supervisor", f"/api/v1/orders/{master['id']}/urge", {"note": "请尽快签收"}
    )
    order = post(
        client,
        session,
        "supervisor",
        f"/api/v1/orders/{master['id']}/supervise",
        {"note": "列入督办"},
    )
    assert order["urge_count"] == 1 and order["supervise_count"] == 1
    merged = post(
        client,
        session,
        "dispatcher",
        f"/api/v1/orders/{dup['id']}/merge",
        {"master_order_id": master["id"]},
    )
    assert merged["state"] == "merged" and merged["master_order_id"] == master["id"]
    split = post(client, session, "supervisor", f"/api/v1/orders/{dup['id']}/split", {})
    assert split["state"] == "received" and split["master_order_id"] is None


def test_many_orders_link_into_one_joint_case(client: TestClient, session: Session) -> None:
    ids = [post(client, session, "agent", "/api/v1/orders", intake_body())["id"] for _ in range(3)]
    case = post(
        client,
        session,
        "supervisor",
        "/api/v1/cases",
        {"title": "花家地西里窗户问题联办", "order_ids": ids},
    )
    assert sorted(case["order_ids"]) == sorted(ids)
    listed = client.get(
        f"/api/v1/orders?case_id={case['id']}", headers=auth_headers(session, "dispatcher")
    )
    assert listed.json()["count"] == 3


def test_praise_is_counted_per_unit_and_handler(client: TestClient, session: Session) -> None:
    order = post(client, session, "agent", "/api/v1/orders", intake_body())
    oid = order["id"]
    street = unit(session, WANGJING)
    post(
        client, session, "dispatcher", f"/api/v1/orders/{oid}/dispatch", {"lead_unit_id": street.id}
    )
    for action, body in [
        ("sign", {}),
        ("contact", {"method": "phone"}),
        ("reply", {"outcome": "solved", "reply": "ok"}),
    ]:
        post(client, session, "street", f"/api/v1/orders/{oid}/{action}", body)
    post(
        client,
        session,
        "agent",
        f"/api/v1/orders/{oid}/praise",
        {"kind": "banner", "note": "送锦旗"},
    )
    stats = client.get("/api/v1/praises/stats?by=unit", headers=auth_headers(session, "supervisor"))
    assert {"unit_id": street.id, "handler_id": None, "count": 1} in stats.json()
    by_handler = client.get(
        "/api/v1/praises/stats?by=handler", headers=auth_headers(session, "supervisor")
    ).json()
    assert by_handler[0]["count"] == 1 and by_handler[0]["handler_id"] is not None


def test_search_filters_and_pages(client: TestClient, session: Session) -> None:
    for i in range(5):
        post(client, session, "agent", "/api/v1/orders", intake_body(text=f"噪音扰民第{i}次反映"))
    headers = auth_headers(session, "dispatcher")
    page = client.get("/api/v1/orders?text=噪音扰民&limit=2&offset=0", headers=headers).json()
    assert page["count"] == 5 and len(page["data"]) == 2
    page2 = client.get("/api/v1/orders?text=噪音扰民&limit=2&offset=4", headers=headers).json()
    assert len(page2["data"]) == 1
    by_state = client.get("/api/v1/orders?state=received&street_code=110105026", headers=headers)
    assert by_state.json()["count"] >= 5
