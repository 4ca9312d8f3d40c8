"""Rules of Open311 GeoReport v2 at /open311/v2 (JSON): services from the taxonomy, requests
as ordinary orders, status mapping, filters, and Open311's own errors."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jiesu.core import clock
from jiesu.open311 import catalog
from jiesu.open311.models import ApiClient, Open311Request
from jiesu.orders.models import Order, OrderEvent
from jiesu.triage.taxonomy import load_taxonomy
from tests.conftest import auth_headers
from tests.factories import WANGJING, new_order, step, unit
from tests.open311.conftest import MASKED, PHONE, post, street_lights

V2 = "/open311/v2"


def _error(response: object, status: int) -> str:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert isinstance(body, list) and len(body) == 1, body
    assert set(body[0]) == {"code", "description"} and body[0]["code"] == status, body
    return str(body[0]["description"])


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_services_are_the_taxonomy_level2_categories_grouped_by_level1(
    client: TestClient,
) -> None:
    listed = client.get(f"{V2}/services.json")
    assert listed.status_code == 200
    rows = listed.json()
    taxonomy = load_taxonomy()
    assert len(rows) == len(catalog.services()) > 100
    assert {r["group"] for r in rows} == set(taxonomy.level1)
    assert len({r["service_code"] for r in rows}) == len(rows)
    row = next(r for r in rows if r["service_code"] == street_lights().code)
    assert row == {"service_code": street_lights().code, "service_name": "城市建设和市政管理",
                   "description": "城乡建设 › 城市建设和市政管理", "metadata": True,
                   "type": "realtime", "keywords": ",".join(street_lights().subcategories),
                   "group": "城乡建设"}
    assert client.get(f"{V2}/services").json() == rows


def test_a_service_code_is_stable_whatever_the_order_of_the_taxonomy() -> None:
    assert street_lights().code == catalog.service_code("城乡建设/城市建设和市政管理")
    assert len(street_lights().code) == 8


def test_service_definition_offers_the_subcategories_and_the_request_types(
    client: TestClient,
) -> None:
    code = street_lights().code
    body = client.get(f"{V2}/services/{code}.json").json()
    assert body["service_code"] == code
    sub, kind = body["attributes"]
    assert sub["code"] == "subcategory" and sub["datatype"] == "singlevaluelist"
    assert sub["required"] is False and sub["variable"] is True
    assert {v["key"] for v in sub["values"]} == set(street_lights().subcategories)
    assert "城市公共设施" in {v["key"] for v in sub["values"]}
    assert kind["code"] == "request_type"
    assert {v["key"] for v in kind["values"]} == {
        "consultation", "help", "complaint", "report", "suggestion", "praise"}


def test_an_unknown_service_code_is_an_open311_404(client: TestClient) -> None:
    assert "ffffffff" in _error(client.get(f"{V2}/services/ffffffff.json"), 404)


def test_a_posted_request_is_an_ordinary_order_on_channel_open311(
    client: TestClient, session: Session, api_key: str
) -> None:
    response = post(client, api_key, **{"attribute[subcategory]": "城市公共设施",
                                        "attribute[request_type]": "complaint"})
    assert response.status_code == 201, response.text
    (answer,) = response.json()
    assert set(answer) == {"service_request_id", "token", "service_notice", "account_id"}
    order = session.scalars(select(Order).where(Order.number == answer["service_request_id"])).one()
    assert order.channel == "open311" and order.state == "received" and order.is_open
    assert order.type == "complaint" and order.category == "城市公共设施"
    assert order.citizen_name == "张先生" and order.citizen_phone == PHONE
    assert order.place_text == "朝阳区望京街道花家地西里三区"
    # Triaged like any order: the proposal is kept beside what the app chose.
    assert order.suggestion is not None and order.street_code == WANGJING
    (event,) = session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id))
    client_row = session.scalars(select(ApiClient)).one()
    assert event.action == "intake" and event.actor_id == client_row.user_id
    assert event.payload["channel"] == "open311"
    extra = session.get(Open311Request, order.id)
    assert extra is not None and extra.token == answer["token"]
    assert extra.service_code == street_lights().code
    assert client_row.last_used_at is not None


def test_a_request_with_coordinates_only_keeps_them(
    client: TestClient, session: Session, api_key: str
) -> None:
    response = post(client, api_key, address_string="", lat="39.99", long="116.47")
    assert response.status_code == 201, response.text
    number = response.json()[0]["service_request_id"]
    (row,) = client.get(f"{V2}/requests/{number}.json").json()
    assert (row["lat"], row["long"]) == (39.99, 116.47)


def test_a_request_without_a_description_is_named_by_its_service_and_place(
    client: TestClient, session: Session, api_key: str
) -> None:
    response = post(client, api_key, description="")
    order = session.scalars(
        select(Order).where(Order.number == response.json()[0]["service_request_id"])).one()
    assert order.text == "城市建设和市政管理：朝阳区望京街道花家地西里三区"


def test_posting_needs_a_valid_api_key(client: TestClient, session: Session,
                                       api_key: str) -> None:
    before = _count(session, Order)
    assert "api_key" in _error(post(client, "not-a-key"), 403)
    assert "api_key" in _error(post(client, ""), 400)
    assert _count(session, Order) == before


def test_a_revoked_key_posts_nothing(client: TestClient, session: Session, api_key: str) -> None:
    from jiesu.open311 import service

    client_row = session.scalars(select(ApiClient)).one()
    service.revoke_client(session, client_row.id)
    before = _count(session, Order)
    _error(post(client, api_key), 403)
    assert _count(session, Order) == before


def test_bad_input_is_an_open311_400_and_stores_nothing(
    client: TestClient, session: Session, api_key: str
) -> None:
    before = (_count(session, Order), _count(session, Open311Request))
    cases = [
        {"service_code": ""},
        {"service_code": "ffffffff"},
        {"address_string": ""},  # no location at all
        {"address_string": "", "lat": "39.9"},  # lat without long
        {"lat": "91", "long": "116"},
        {"lat": "north", "long": "116"},
        {"phone": "12"},
        {"attribute[subcategory]": "不存在的类别"},
        {"attribute[request_type]": "gossip"},
        {"attribute[colour]": "red"},
        {"description": "很" * 4001},
    ]
    for fields in cases:
        _error(post(client, api_key, **fields), 400)
    assert (_count(session, Order), _count(session, Open311Request)) == before
    # The query parameters of GET are checked the same way.
    assert "start_date" in _error(client.get(f"{V2}/requests.json",
                                             params={"start_date": "yesterday"}), 400)


def test_the_phone_is_masked_in_every_response(
    client: TestClient, session: Session, api_key: str
) -> None:
    description = f"路灯不亮，请回电 {PHONE}，或者打我家人的 13900001111。"
    posted = post(client, api_key, description=description)
    number, token = posted.json()[0]["service_request_id"], posted.json()[0]["token"]
    bodies = [posted.text]
    for path in (f"/requests/{number}.json", "/requests.json", f"/tokens/{token}.json",
                 f"/requests/{number}.xml", "/requests.xml"):
        response = client.get(V2 + path)
        assert response.status_code == 200, (path, response.text)
        bodies.append(response.text)
    for body in bodies:
        assert PHONE not in body and "13900001111" not in body
    (row,) = client.get(f"{V2}/requests/{number}.json").json()
    assert MASKED in row["description"] and "139****1111" in row["description"]


def test_status_is_open_until_closed_and_the_notes_are_the_units_reply(
    client: TestClient, session: Session, api_key: str
) -> None:
    number = post(client, api_key).json()[0]["service_request_id"]
    order = session.scalars(select(Order).where(Order.number == number)).one()

    def status() -> dict[str, object]:
        return dict(client.get(f"{V2}/requests/{number}.json").json()[0])

    first = status()
    assert (first["status"], first["status_notes"], first["agency_responsible"]) == (
        "open", "待派单", "")
    step(session, "dispatcher", order, "dispatch", lead_unit_id=unit(session, WANGJING).id)
    dispatched = status()
    assert dispatched["status"] == "open" and dispatched["status_notes"] == "待签收"
    assert dispatched["agency_responsible"] == unit(session, WANGJING).name
    assert dispatched["expected_datetime"] is not None
    step(session, "street", order, "sign")
    step(session, "street", order, "contact", method="phone")
    step(session, "street", order, "reply", outcome="solved", reply="路灯已于今日修复。")
    replied = status()
    assert (replied["status"], replied["status_notes"]) == ("open", "路灯已于今日修复。")
    step(session, "visitor", order, "close_visited", solved=True, satisfaction="satisfied")
    closed = status()
    assert (closed["status"], closed["status_notes"]) == ("closed", "路灯已于今日修复。")


def test_a_request_not_accepted_is_closed_with_the_reason(
    client: TestClient, session: Session, api_key: str
) -> None:
    number = post(client, api_key).json()[0]["service_request_id"]
    order = session.scalars(select(Order).where(Order.number == number)).one()
    step(session, "agent", order, "not_accept", reason="emergency_110")
    (row,) = client.get(f"{V2}/requests/{number}.json").json()
    assert row["status"] == "closed" and row["status_notes"] == "紧急警情，已转110"


def test_get_requests_lists_the_last_90_days_and_filters(
    client: TestClient, session: Session, api_key: str, frozen: object
) -> None:
    first = post(client, api_key).json()[0]["service_request_id"]
    other = next(s for s in catalog.services() if s.name != street_lights().name)
    second = post(client, api_key, service_code=other.code).json()[0]["service_request_id"]
    order = session.scalars(select(Order).where(Order.number == second)).one()
    step(session, "agent", order, "not_accept", reason="repeat")

    def ids(**params: str) -> list[str]:
        response = client.get(f"{V2}/requests.json", params=params)
        assert response.status_code == 200, response.text
        return [r["service_request_id"] for r in response.json()]

    assert ids() == [second, first]  # newest first
    assert ids(status="open") == [first]
    assert ids(status="closed") == [second]
    assert ids(status="open,closed") == [second, first]
    assert ids(service_code=other.code) == [second]
    now = clock.now()
    assert ids(start_date=(now + timedelta(hours=1)).isoformat()) == []
    assert ids(end_date=(now - timedelta(hours=1)).isoformat()) == []
    # The ids override every other filter.
    assert ids(service_request_id=f"{first},{second}", status="closed") == [second, first]
    assert "90" in _error(client.get(f"{V2}/requests.json", params={
        "start_date": (now - timedelta(days=91)).isoformat(), "end_date": now.isoformat()}), 400)
    assert "open" in _error(client.get(f"{V2}/requests.json", params={"status": "lost"}), 400)


def test_only_orders_that_came_through_open311_are_listed(
    client: TestClient, session: Session, api_key: str
) -> None:
    phoned = new_order(session, text="电话受理：望京街道路灯不亮")
    posted = post(client, api_key).json()[0]["service_request_id"]
    listed = client.get(f"{V2}/requests.json").json()
    assert [r["service_request_id"] for r in listed] == [posted]
    _error(client.get(f"{V2}/requests/{phoned.number}.json"), 404)


def test_a_confidential_order_is_never_listed(
    client: TestClient, session: Session, api_key: str
) -> None:
    number = post(client, api_key).json()[0]["service_request_id"]
    order = session.scalars(select(Order).where(Order.number == number)).one()
    order.confidential = True
    session.flush()
    assert client.get(f"{V2}/requests.json").json() == []
    _error(client.get(f"{V2}/requests/{number}.json"), 404)


def test_a_token_gives_the_service_request_id(client: TestClient, api_key: str) -> None:
    (answer,) = post(client, api_key).json()
    found = client.get(f"{V2}/tokens/{answer['token']}.json")
    assert found.json() == [{"service_request_id": answer["service_request_id"],
                             "token": answer["token"]}]
    _error(client.get(f"{V2}/tokens/0000.json"), 404)


def test_an_unknown_path_or_format_is_an_open311_404(client: TestClient) -> None:
    _error(client.get(f"{V2}/nothing-here.json"), 404)
    _error(client.get(f"{V2}/services.txt"), 404)
    body = client.get(f"{V2}/nothing-here.xml")
    assert body.status_code == 404 and body.text.startswith("<?xml")


def test_admins_issue_and_revoke_api_keys(client: TestClient, session: Session) -> None:
    admin = auth_headers(session, "admin")
    issued = client.post("/api/v1/open311/clients", json={"name": "随手拍", "contact": "ops@x"},
                         headers=admin)
    assert issued.status_code == 201, issued.text
    key = issued.json()["api_key"]
    assert issued.json()["key_prefix"] == key[:8]
    listed = client.get("/api/v1/open311/clients", headers=admin).json()
    assert listed["count"] == 1 and "api_key" not in listed["data"][0]
    assert key not in client.get("/api/v1/open311/clients", headers=admin).text
    assert post(client, key).status_code == 201
    client_id = issued.json()["id"]
    revoked = client.post(f"/api/v1/open311/clients/{client_id}/revoke", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    _error(post(client, key), 403)
    refused = client.post("/api/v1/open311/clients", json={"name": "x"},
                          headers=auth_headers(session, "agent"))
    assert refused.status_code == 403


def test_the_client_apps_service_user_cannot_sign_in(client: TestClient, session: Session,
                                                      api_key: str) -> None:
    from jiesu.units.models import User

    client_row = session.scalars(select(ApiClient)).one()
    user = session.get(User, client_row.user_id)
    assert user is not None
    for password in ("", "!open311-client", api_key):
        response = client.post("/api/v1/auth/token",
                               json={"username": user.username, "password": password})
        assert response.status_code in (401, 422), response.text


def test_the_openapi_document_declares_open311_errors_not_fastapis_422(
    client: TestClient, api_key: str
) -> None:
    from pydantic import TypeAdapter

    from jiesu.open311.schemas import Open311Error

    spec = client.get("/openapi.json").json()
    operations = [(path, op) for path, item in spec["paths"].items()
                  if path.startswith("/open311/v2/") for op in item.values()]
    assert len(operations) == 6
    for path, op in operations:
        responses = op["responses"]
        assert "422" not in responses, path
        for status in ("400", "403", "404"):
            content = responses[status]["content"]
            assert content["application/json"]["schema"]["items"] == {
                "$ref": "#/components/schemas/Open311Error"}, path
            assert "text/xml" in content, path
    # What the routes really answer matches what the document says.
    assert set(spec["components"]["schemas"]["Open311Error"]["required"]) == {
        "code", "description"}
    error_list = TypeAdapter(list[Open311Error])
    answers = [client.get("/open311/v2/requests/999999.json"),
               post(client, "not-a-key"),
               post(client, api_key, service_code="")]
    assert [a.status_code for a in answers] == [404, 403, 400]
    for answer in answers:
        errors = error_list.validate_python(answer.json(), strict=True)
        assert [set(e) for e in answer.json()] == [{"code", "description"}]
        assert errors[0].code == answer.status_code
