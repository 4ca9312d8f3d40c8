"""Rules of the API boundary, found by probing the API from outside (issue 15):

- an integer a database cannot hold, in any query or path parameter, is 422, never a 500;
- NUL, the other C0 control characters and lone surrogates, in any text field or filter, are 422
  on SQLite and PostgreSQL alike (SQLite would store them, PostgreSQL answered 500);
- who may act is checked before which state allows it: a role or unit that may not act gets 403,
  never 409 transition_not_allowed.
"""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import routing
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from jiesu.core.ids import MAX_INT
from jiesu.orders.statemachine import TABLE, Action, State
from tests.conftest import auth_headers
from tests.factories import in_progress, replied
from tests.rules_support import action_payload, assert_error_shape, order_in, table_counts
from tests.test_bad_input import _post_routes, _valid_body

PAST_64_BITS = "10000000000000000000"  # 10**19 > 2**63 - 1


def _int_params(client: TestClient) -> list[tuple[str, str, str, str]]:
    """(method, path, where, name) of every integer parameter of every /api/ route."""
    found = []
    for context in routing.iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        route = context.original_route
        if not isinstance(route, routing.APIRoute) or not context.path.startswith("/api/"):
            continue
        for where, fields in (("query", route.dependant.query_params),
                              ("path", route.dependant.path_params)):
            for field in fields:
                if "int" in str(field.field_info.annotation):
                    for method in sorted(route.methods - {"HEAD"}):
                        found.append((method, context.path, where, field.alias))
    return found


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def _refused_422(response: Any, what: object) -> None:
    assert response.status_code == 422, (what, response.status_code, response.text)
    assert assert_error_shape(response.json()) == "invalid_input", what


def test_an_integer_past_64_bits_in_any_query_or_path_parameter_is_refused_with_422(
    client: TestClient, session: Session
) -> None:
    params = _int_params(client)
    assert {("GET", "/api/v1/orders", "query", "offset"),
            ("POST", "/api/v1/inbox/{notification_id}/read", "path", "notification_id")} <= {
        p for p in params}
    headers = auth_headers(session, "admin")
    before = table_counts(session)
    for method, path, where, name in params:
        url = _concrete(path)
        query: dict[str, str] = {}
        if where == "path":
            url = _concrete(path.replace("{" + name + "}", PAST_64_BITS))
        else:
            query[name] = PAST_64_BITS
        if path == "/api/v1/reports/rates":
            query.setdefault("period", "2026-10")
        response = client.request(method, url, params=query, headers=headers,
                                  json={} if method != "GET" else None)
        _refused_422(response, (method, path, name))
    assert table_counts(session) == before


def test_the_probes_that_were_500s_are_422(client: TestClient, session: Session) -> None:
    headers = auth_headers(session, "street")
    _refused_422(client.get(f"/api/v1/orders?offset={PAST_64_BITS}", headers=headers), "offset")
    _refused_422(client.post("/api/v1/inbox/313645616959131294547260211200/read",
                             headers=headers), "inbox id")
    _refused_422(client.get(f"/api/v1/orders?offset=-{PAST_64_BITS}", headers=headers), "neg")


def test_the_largest_offset_a_database_holds_is_an_empty_page(
    client: TestClient, session: Session
) -> None:
    headers = auth_headers(session, "supervisor")
    for path in ("/api/v1/orders", "/api/v1/inbox"):
        response = client.get(path, params={"offset": MAX_INT}, headers=headers)
        assert response.status_code == 200, (path, response.text)
        assert response.json()["data"] == []
    response = client.get("/api/v1/orders", params={"offset": MAX_INT + 1}, headers=headers)
    _refused_422(response, "MAX_INT + 1")


BAD_TEXT = ["abc\x00def", "\x00", "a\x01b", "a\x1fb", "a\x0bb", "a\ud800b"]


def test_nul_and_control_characters_in_any_body_text_field_are_refused(
    client: TestClient, session: Session
) -> None:
    from tests.test_bad_input import Target

    for path in _post_routes(client):
        body = _valid_body(session, path)
        texts = [name for name, value in body.items() if isinstance(value, str)]
        if not texts:
            continue
        target = Target(client, session, path)
        for name in texts:
            for bad in BAD_TEXT:
                # As a client sends it: JSON escapes (\u0000, \ud800), ASCII on the wire.
                target.refused(raw=json.dumps({**body, name: bad}), code="invalid_input",
                               status=422)


def test_nul_in_order_text_is_refused_with_422_and_nothing_is_written(
    client: TestClient, session: Session
) -> None:
    headers = auth_headers(session, "agent")
    before = table_counts(session)
    for raw in ('{"type": "complaint", "text": "abc\\u0000def"}',
                '{"type": "complaint", "text": "ok", "citizen_name": "a\\u0000"}',
                '{"type": "complaint", "text": "a\\ud800b"}',
                '{"type": "complaint", "text": "ok", "location_text": "\\u0007"}'):
        response = client.post("/api/v1/orders", content=raw,
                               headers={**headers, "Content-Type": "application/json"})
        _refused_422(response, raw)
    assert table_counts(session) == before


def test_tabs_newlines_and_every_printable_character_stay_allowed(
    client: TestClient, session: Session
) -> None:
    headers = auth_headers(session, "agent")
    text = "第一行\n第二行\r\n\t缩进 😀 \u00a0 ~ \x7f"
    response = client.post("/api/v1/orders", json={"type": "complaint", "text": text},
                           headers=headers)
    assert response.status_code == 201, response.text
    assert "第二行" in response.json()["text"] and "😀" in response.json()["text"]


def test_nul_and_control_characters_in_any_query_filter_are_refused(
    client: TestClient, session: Session
) -> None:
    headers = auth_headers(session, "supervisor")
    for query in ("text=a%00b", "category=%01", "state=received%00", "phone=138%00",
                  "street_code=%1f", "a%00b=1"):
        _refused_422(client.get(f"/api/v1/orders?{query}", headers=headers), query)
    _refused_422(client.get("/api/v1/units?q=%00", headers=auth_headers(session, "admin")), "q")
    _refused_422(client.get("/api/v1/orders/%00", headers=headers), "path")


# -- who may act before which state allows it ----------------------------------------------


def test_a_district_that_only_reads_gets_403_whatever_the_orders_state(
    client: TestClient, session: Session
) -> None:
    headers = auth_headers(session, "district")  # 朝阳区: a read-only copy of 望京街道's order
    for order in (in_progress(session), replied(session)):
        state = State(order.state)
        for action in (Action.sign, Action.contact, Action.return_order, Action.note,
                       Action.request_extension, Action.reply, Action.pass_on):
            response = client.post(f"/api/v1/orders/{order.id}/{action.value}",
                                   json=action_payload(session, action.value), headers=headers)
            assert response.status_code == 403, (state, action, response.text)
            assert response.json()["error"]["code"] == "not_handling_unit", (state, action)


def test_a_role_that_never_takes_an_action_gets_403_in_any_state(
    client: TestClient, session: Session
) -> None:
    order = order_in(session, "closed")
    for user, action in (("agent", Action.sign), ("visitor", Action.dispatch),
                         ("street", Action.approve_extension), ("dispatcher", Action.reply),
                         ("supervisor", Action.sign)):
        assert (State.closed, action) not in TABLE  # the state would refuse it as well
        response = client.post(f"/api/v1/orders/{order.id}/{action.value}",
                               json=action_payload(session, action.value),
                               headers=auth_headers(session, user))
        assert response.status_code == 403, (user, action, response.text)
        assert response.json()["error"]["code"] == "role_not_allowed"


def test_the_lead_unit_still_learns_that_the_moment_is_wrong(
    client: TestClient, session: Session
) -> None:
    order = replied(session)
    response = client.post(f"/api/v1/orders/{order.id}/reply",
                           json=action_payload(session, "reply"),
                           headers=auth_headers(session, "street"))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "transition_not_allowed"


# -- what the OpenAPI document says, and the Allow header ----------------------------------

ERRORS = {"400", "401", "403", "404", "409", "422", "503"}


def test_every_api_operation_declares_the_error_answers_with_the_error_shape(
    client: TestClient,
) -> None:
    schema = client.get("/openapi.json").json()
    operations = 0
    for path, item in schema["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in item.items():
            responses = operation["responses"]
            assert set(responses) >= ERRORS, (method, path, sorted(responses))
            for status in ERRORS:
                ref = responses[status]["content"]["application/json"]["schema"]["$ref"]
                assert ref == "#/components/schemas/ErrorBody", (method, path, status)
            operations += 1
    assert operations > 50
    api_paths = {p: item for p, item in schema["paths"].items() if p.startswith("/api/")}
    assert "HTTPValidationError" not in json.dumps(api_paths)  # FastAPI's shape, never sent
    error = schema["components"]["schemas"]["ErrorDetail"]
    assert set(error["required"]) == {"code", "message", "details"}


def test_a_refusal_matches_the_declared_error_shape(client: TestClient, session: Session) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    body = client.get("/api/v1/orders/999999", headers=auth_headers(session, "agent")).json()
    assert set(body) == set(schema["ErrorBody"]["required"]) == {"error"}
    assert set(body["error"]) == set(schema["ErrorDetail"]["properties"])


def test_the_rates_period_schema_has_the_pattern_the_report_reads(
    client: TestClient, session: Session
) -> None:
    from jiesu.insights.periods import parse_period

    schema = client.get("/openapi.json").json()
    params = schema["paths"]["/api/v1/reports/rates"]["get"]["parameters"]
    pattern = next(p for p in params if p["name"] == "period")["schema"]["pattern"]
    headers = auth_headers(session, "supervisor")
    for period in ("2026-10", "2026-W44", "2026-10-05", "2026-10-01..2026-10-15", "2026-W01"):
        assert re.fullmatch(pattern.strip("^$"), period), period
        parse_period(period)  # what the schema allows, the report reads
        response = client.get("/api/v1/reports/rates", params={"period": period},
                              headers=headers)
        assert response.status_code == 200, (period, response.text)
    for period in ("2026-13", "2026-W60", "2026/10", "10-2026", "2026-10-01..", " 2026-10"):
        assert not re.fullmatch(pattern.strip("^$"), period), period


def test_a_wrong_method_names_every_method_of_the_path_in_allow(client: TestClient) -> None:
    served: dict[str, set[str]] = {}
    for context in routing.iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        if isinstance(context.original_route, routing.APIRoute):
            served.setdefault(context.path, set()).update(context.methods or ())
    assert served["/api/v1/orders"] == {"GET", "POST"}
    wrong_orders = client.put("/api/v1/orders")
    assert wrong_orders.status_code == 405 and wrong_orders.headers["allow"] == "GET, POST"
    for path, methods in served.items():
        url = _concrete(path)
        for wrong in sorted({"GET", "POST", "PUT", "PATCH", "DELETE"} - methods):
            response = client.request(wrong, url)
            if response.status_code != 405:  # another route's pattern serves this URL
                continue
            allow = {m.strip() for m in response.headers["allow"].split(",")}
            # Every method of the path; more only where another route's pattern matches the
            # same URL (POST /visits/{order_id} serves /visits/queue): each one listed works.
            assert methods <= allow, (wrong, path, allow)
            for listed in allow - methods:
                assert client.request(listed, url).status_code != 405, (listed, url)
