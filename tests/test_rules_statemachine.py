"""Rule: the state machine is one table and one transition(); anything not in the table for
that state and role is refused with a clear error, and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from jiesu.core.roles import Role
from jiesu.orders.statemachine import (
    STATE_LABELS,
    TABLE,
    Action,
    State,
    TransitionRefused,
    allowed_actions,
    transition,
)
from tests.conftest import auth_headers
from tests.rules_support import action_payload, api_routes, order_in, snapshot

# Every role a person can have, and any role the table names (e.g. the deadline jobs').
ROLES = sorted({r.value for r in Role} | {role for rule in TABLE.values() for role in rule.roles})
# Reachable with the factories; the table test below covers every state without a DB.
API_STATES = ["received", "dispatched", "signed", "in_progress", "returned", "replied",
              "reopened", "merged", "closed"]
# Who we send, per role named by the table: a handler of the order's own lead unit.
USER_FOR_ROLE = {"agent": "agent", "dispatcher": "dispatcher", "handler": "street",
                 "visitor": "visitor", "supervisor": "supervisor", "admin": "admin"}


def full_payload(state: State, action: Action) -> dict[str, Any]:
    rule = TABLE.get((state, action))
    return {name: "x" for name in (rule.required if rule else ())}


def test_every_state_and_action_has_a_label() -> None:
    assert set(STATE_LABELS) == set(State)
    assert all(isinstance(a, Action) for (_, a) in TABLE)


def test_every_state_action_role_not_in_the_table_is_refused() -> None:
    checked = 0
    for state in State:
        for action in Action:
            for role in ROLES:
                rule = TABLE.get((state, action))
                if rule is not None and role in rule.roles:
                    continue
                with pytest.raises(TransitionRefused) as refused:
                    transition(state, action, role, full_payload(state, action))
                # Who may act comes first: a role no row lets take the action is told so in
                # any state; a role that may take it elsewhere learns the state refuses it.
                may_ever = any(role in r.roles for (_, a), r in TABLE.items() if a is action)
                expected = "transition_not_allowed" if may_ever and rule is None \
                    else "role_not_allowed"
                assert refused.value.code == expected, (state, action, role)
                assert refused.value.message  # a sentence a person can read
                checked += 1
    assert checked > len(State) * len(Action)  # the loop really ran over the product


def test_every_row_of_the_table_leads_where_it_says_for_its_roles() -> None:
    for (state, action), rule in TABLE.items():
        for role in rule.roles:
            step = transition(state, action, role, full_payload(state, action))
            assert step.from_state is state and step.action is action
            assert step.to_state is (rule.to_state or state)


def test_a_required_field_missing_or_blank_is_refused() -> None:
    for (state, action), rule in TABLE.items():
        for name in rule.required:
            role = sorted(rule.roles)[0]
            for empty in (None, "", "   "):
                payload = {**full_payload(state, action), name: empty}
                with pytest.raises(TransitionRefused) as refused:
                    transition(state, action, role, payload)
                assert refused.value.code == "missing_fields"
                assert name in refused.value.details["missing"]


def test_allowed_actions_are_exactly_the_table_rows() -> None:
    for state in State:
        for role in ROLES:
            expected = {a.value for (s, a), r in TABLE.items() if s is state and role in r.roles}
            assert set(allowed_actions(state, role)) == expected


def _routed_actions(client: TestClient) -> list[Action]:
    paths = {path for _, path in api_routes(client.app)}  # type: ignore[arg-type]
    return [a for a in Action if f"/api/v1/orders/{{order_id}}/{a.value}" in paths]


def _refused_unchanged(
    client: TestClient, session: Session, order_id: int, action: Action, user: str,
    body: dict[str, Any], headers: dict[str, dict[str, str]],
) -> dict[str, Any]:
    before = snapshot(session, order_id)
    response = client.post(f"/api/v1/orders/{order_id}/{action.value}", json=body,
                           headers=headers[user])
    assert response.status_code in (403, 404, 409), (action, user, response.text)
    error = response.json()["error"]
    assert snapshot(session, order_id) == before, (action, user)
    return error  # type: ignore[no-any-return]


@pytest.mark.parametrize("state", API_STATES)
def test_an_action_not_in_the_table_for_the_state_is_refused_through_the_api_and_changes_nothing(
    client: TestClient, session: Session, state: str
) -> None:
    order = order_in(session, state)
    assert order.state == state
    headers = {u: auth_headers(session, u) for u in USER_FOR_ROLE.values()}
    refused = 0
    for action in _routed_actions(client):
        if (State(state), action) in TABLE:
            continue
        roles = sorted({r for (_, a), rule in TABLE.items() if a is action for r in rule.roles})
        user = USER_FOR_ROLE[roles[0]]
        body = action_payload(session, action.value)
        error = _refused_unchanged(client, session, order.id, action, user, body, headers)
        # A handler of another state's unit may not even see it, and a unit that may not act
        # on it learns that first (who before when); everyone else learns why not now.
        if error["code"] not in ("order_not_found", "not_handling_unit"):
            assert error["code"] == "transition_not_allowed", (action, error)
            assert error["details"]["state"] == state
        refused += 1
    assert refused > 0


def test_a_role_not_in_the_table_row_is_refused_through_the_api_and_changes_nothing(
    client: TestClient, session: Session
) -> None:
    headers = {u: auth_headers(session, u) for u in USER_FOR_ROLE.values()}
    for action in _routed_actions(client):
        states = [s for s in API_STATES if (State(s), action) in TABLE]
        if not states:
            continue
        state = states[0]
        rule = TABLE[(State(state), action)]
        order = order_in(session, state)
        body = action_payload(session, action.value)
        for role, user in USER_FOR_ROLE.items():
            if role in rule.roles:
                continue
            error = _refused_unchanged(client, session, order.id, action, user, body, headers)
            assert error["code"] in {"role_not_allowed", "order_not_found"}, (action, role, error)
