"""Rule: bad input — missing fields, wrong types, oversized text, unknown units, invalid
transitions — gets one JSON error shape with a stable code and a 4xx; never a 500, never a
partial write. A table of bad requests against every POST route, then a bounded fuzz pass."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import routing
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from jiesu.orders.statemachine import TABLE, Action, State
from tests.conftest import auth_headers
from tests.rules_support import (
    action_payload,
    assert_error_shape,
    order_in,
    snapshot,
    table_counts,
)

HUGE = 2**63  # past every integer column and SQLite's 64-bit integers
ROLE_USER = {"agent": "agent", "dispatcher": "dispatcher", "handler": "street",
             "visitor": "visitor", "supervisor": "supervisor", "admin": "admin"}
# Who may call a route that is not an order action; bad input must be refused for them too.
ROUTE_USER = {"/api/v1/orders": "agent", "/api/v1/cases": "supervisor",
              "/api/v1/triage": "dispatcher", "/api/v1/auth/token": None,
              "/api/v1/kb/uses": "agent",
              "/api/v1/hotspots/cases/{case_id}/reply": "street",
              "/api/v1/hotspots/cases/{case_id}/dispatch": "dispatcher"}
# Hot spots are watched (cases opened, split, proposals accepted) by the centre's supervisors.
PREFIX_USER = {"/api/v1/hotspots/": "supervisor"}


def _user_for(path: str) -> str | None:
    if path in ROUTE_USER:
        return ROUTE_USER[path]
    for prefix, user in PREFIX_USER.items():
        if path.startswith(prefix):
            return user
    action = path.rsplit("/", 1)[-1]
    if path.startswith("/api/v1/orders/{order_id}/") and action in Action.__members__:
        roles = sorted(r for (_, a), rule in TABLE.items() if a.value == action for r in rule.roles)
        return ROLE_USER[roles[0]]
    if path.startswith("/api/v1/inbox"):
        return "street"
    return "admin"


def _state_for(action: str) -> str:
    if action not in Action.__members__:  # another package's route on an order (visits, ...)
        return "replied"
    states = ["received", "dispatched", "signed", "in_progress", "returned", "replied", "merged"]
    return next(s for s in states if (State(s), Action(action)) in TABLE)


class Target:
    """One POST route made concrete: a real order in the right state, the right user."""

    def __init__(self, client: TestClient, session: Session, path: str) -> None:
        self.client, self.session, self.template = client, session, path
        user = _user_for(path)
        self.headers = auth_headers(session, user) if user else {}
        self.order_id: int | None = None
        self.path = (path.replace("{rule_id}", "1").replace("{notification_id}", "1")
                     .replace("{case_id}", "1").replace("{cluster_id}", "1"))
        if "{order_id}" in path:
            action = path.rsplit("/", 1)[-1]
            self.order_id = order_in(session, _state_for(action)).id
            self.path = self.path.replace("{order_id}", str(self.order_id))

    def post(self, body: Any = None, *, raw: str | None = None) -> Any:
        before = self._state()
        if raw is not None:
            response = self.client.post(self.path, content=raw, headers={
                **self.headers, "Content-Type": "application/json"})
        else:
            response = self.client.post(self.path, json=body, headers=self.headers)
        assert response.status_code < 500, (self.path, body, response.text)
        if response.status_code >= 400:
            assert_error_shape(response.json())
            assert self._state() == before, (self.path, body, "a refused request wrote")
        return response

    def refused(self, body: Any = None, *, raw: str | None = None, code: str | None = None,
                status: int | None = None) -> None:
        response = self.post(body, raw=raw)
        assert 400 <= response.status_code < 500, (self.path, body, response.text)
        got = response.json()["error"]["code"]
        if code:
            assert got == code, (self.path, body, response.text)
        if status:
            assert response.status_code == status, (self.path, body, response.text)

    def _state(self) -> dict[str, Any]:
        if self.order_id is not None:
            return snapshot(self.session, self.order_id)
        return table_counts(self.session)


def _post_routes(client: TestClient) -> list[str]:
    # The JSON API; the HTML pages answer forms with pages (and CSRF checks) of their own.
    # Routes that read no body (mark-as-read) have no body to get wrong.
    found = set()
    for context in routing.iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        route = context.original_route
        if (isinstance(route, routing.APIRoute) and "POST" in route.methods
                and context.path.startswith("/api/") and route.body_field is not None):
            found.add(context.path)
    return sorted(found)


def test_every_post_route_refuses_malformed_bodies_with_the_error_shape(
    client: TestClient, session: Session
) -> None:
    for path in _post_routes(client):
        target = Target(client, session, path)
        target.refused(raw="{not json", code="invalid_input", status=422)
        target.refused(raw="[1, 2, 3]", status=422)
        target.refused(raw='"just a string"', status=422)
        target.refused({"no_such_field_anywhere": 1}, status=422)


def test_every_post_route_refuses_wrong_types_in_each_field(
    client: TestClient, session: Session
) -> None:
    for path in _post_routes(client):
        target = Target(client, session, path)
        body = _valid_body(session, path)
        for name in body:
            for wrong in ({"nested": [1]}, [1, 2], "x" * 30_000):
                if type(body[name]) is type(wrong):
                    continue  # right type; the oversized and unknown cases are below
                target.refused({**body, name: wrong}, status=422)


def test_every_post_route_refuses_missing_required_fields(
    client: TestClient, session: Session
) -> None:
    for path in _post_routes(client):
        body = _valid_body(session, path)
        if not body:
            continue
        target = Target(client, session, path)
        for name in body:
            partial = {k: v for k, v in body.items() if k != name}
            response = target.post(partial)
            # Fields with a default may be left out; required ones give 422 with the field.
            if response.status_code >= 400:
                assert response.status_code == 422, (path, name, response.text)
            else:
                target = Target(client, session, path)  # the accepted call moved the order


def _valid_body(session: Session, path: str) -> dict[str, Any]:
    action = path.rsplit("/", 1)[-1]
    if path.startswith("/api/v1/orders/{order_id}/") and action in Action.__members__:
        return action_payload(session, action)
    bodies: dict[str, dict[str, Any]] = {
        "/api/v1/orders": {"type": "complaint", "text": "路灯不亮", "citizen_phone": "13812345678"},
        "/api/v1/cases": {"title": "联办", "order_ids": []},
        "/api/v1/units": {"code": "dept.bench", "name": "测试局", "kind": "department"},
        "/api/v1/users": {"username": "new.user", "display_name": "新人",
                          "password": "a-long-enough-password", "role": "agent"},
        "/api/v1/catalogue": {"position": 1, "name": "规则", "lead_unit_code": "dept.chengguan"},
        "/api/v1/auth/token": {"username": "agent", "password": "wrong-password"},
        "/api/v1/triage": {"text": "路灯不亮"},
        "/api/v1/open311/clients": {"name": "随手拍"},
    }
    return dict(bodies.get(path, {}))


def test_oversized_text_is_refused(client: TestClient, session: Session) -> None:
    target = Target(client, session, "/api/v1/orders")
    target.refused({"type": "complaint", "text": "长" * 20_001}, status=422)
    target.refused({"type": "complaint", "text": "x", "title": "长" * 201}, status=422)
    target.refused({"type": "complaint", "text": "x", "citizen_phone": "1" * 21}, status=422)
    note = Target(client, session, "/api/v1/orders/{order_id}/note")
    note.refused({"note": "长" * 5_001}, status=422)
    reply = Target(client, session, "/api/v1/orders/{order_id}/reply")
    reply.refused({"outcome": "solved", "reply": "长" * 10_001}, status=422)


def test_unknown_units_and_references_are_refused(client: TestClient, session: Session) -> None:
    dispatch = Target(client, session, "/api/v1/orders/{order_id}/dispatch")
    for unit_id in (999_999_999, 0, -1, HUGE):
        dispatch.refused({"lead_unit_id": unit_id}, status=422)
    dispatch.refused({"lead_unit_id": 999_999_999}, code="unknown_unit")
    street = action_payload(session, "dispatch")["lead_unit_id"]
    dispatch.refused({"lead_unit_id": street, "assisting_unit_ids": [999_999_999]},
                     code="unknown_unit")
    merge = Target(client, session, "/api/v1/orders/{order_id}/merge")
    merge.refused({"master_order_id": 999_999_999}, code="unknown_master_order")
    link = Target(client, session, "/api/v1/orders/{order_id}/link_case")
    link.refused({"case_id": 999_999_999}, code="unknown_case")
    Target(client, session, "/api/v1/cases").refused(
        {"title": "联办", "order_ids": [999_999_999]}, code="order_not_found")
    Target(client, session, "/api/v1/users").refused(
        {"username": "x.y", "display_name": "x", "password": "a-long-enough-password",
         "role": "handler", "unit_id": 999_999_999}, code="unknown_unit")


def test_unknown_or_huge_order_ids_in_the_path_are_refused(
    client: TestClient, session: Session
) -> None:
    headers = auth_headers(session, "supervisor")
    for oid in ("999999999", str(HUGE), "0", "-5", "abc", "1.5"):
        for path in (f"/api/v1/orders/{oid}", f"/api/v1/orders/{oid}/citizen"):
            response = client.get(path, headers=headers)
            assert 400 <= response.status_code < 500, (path, response.text)
            assert_error_shape(response.json())
        before = table_counts(session)
        response = client.post(f"/api/v1/orders/{oid}/urge", json={"note": "x"}, headers=headers)
        assert 400 <= response.status_code < 500, (oid, response.text)
        assert_error_shape(response.json())
        assert table_counts(session) == before


def test_an_invalid_transition_is_refused_and_writes_nothing(
    client: TestClient, session: Session
) -> None:
    reply = Target(client, session, "/api/v1/orders/{order_id}/reply")
    closed = order_in(session, "closed")
    reply.path = f"/api/v1/orders/{closed.id}/reply"
    reply.order_id = closed.id
    reply.refused({"outcome": "solved", "reply": "再答复"}, code="transition_not_allowed",
                  status=409)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([HUGE, -HUGE, 2**31, 0, -1, "", " ", "\x00", "长" * 300]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=8,
)


@settings(max_examples=80, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_fuzzed_bodies_never_get_a_5xx_and_refusals_write_nothing(
    client: TestClient, session: Session, data: st.DataObject
) -> None:
    path = data.draw(st.sampled_from(_post_routes(client)), label="route")
    valid = _valid_body(session, path)
    names = [*sorted(valid), "version", "note", "reason", "unit_id", "extra"]
    body = data.draw(st.one_of(
        JSON,
        st.fixed_dictionaries({}, optional={n: JSON for n in names}),
        st.builds(lambda over: {**valid, **over},
                  st.fixed_dictionaries({}, optional={n: JSON for n in names})),
    ), label="body")
    key = (id(session), path)  # one order per route for the whole run, not one per example
    if key not in _TARGETS:
        _TARGETS[key] = Target(client, session, path)
    _TARGETS[key].post(body)


_TARGETS: dict[tuple[int, str], Target] = {}


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_a_wrong_method_gets_the_error_shape(
    client: TestClient, session: Session, method: str
) -> None:
    response = client.request(method, "/api/v1/orders", headers=auth_headers(session, "agent"))
    assert response.status_code == 405
    assert assert_error_shape(response.json()) == "method_not_allowed"
