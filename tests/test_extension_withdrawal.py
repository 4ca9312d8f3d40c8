"""Rule: a reply or a return withdraws an extension request still undecided.

The request asked for more time to reply; once the unit replies (or sends the order back)
there is no deadline left to extend. The action first takes the system's step
`withdraw_extension` (a row of the transition table), recorded as its own event before the
action's, and tells the supervisors; nobody can approve or refuse it afterwards, and the
order never shows a pending request again (issue 15, decision 0013).
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.core.outbox import OutboxMessage
from jiesu.orders.models import OrderEvent
from jiesu.orders.statemachine import TABLE, WITHDRAWS_EXTENSION, Action, State
from tests.conftest import auth_headers
from tests.factories import dispatched, in_progress, step


def _events(session: Session, order_id: int) -> list[OrderEvent]:
    return list(session.scalars(select(OrderEvent).where(OrderEvent.order_id == order_id)
                                .order_by(OrderEvent.seq)))


def _withdrawal_notices(session: Session, order_id: int) -> list[OutboxMessage]:
    return [m for m in session.scalars(select(OutboxMessage))
            if m.payload.get("kind") == "extension_withdrawn"
            and m.payload.get("order_id") == order_id]


def test_the_withdrawal_is_a_system_row_of_the_table_where_a_request_can_wait() -> None:
    assert {Action.reply, Action.return_order} == WITHDRAWS_EXTENSION
    for state in (State.signed, State.in_progress):
        assert TABLE[(state, Action.withdraw_extension)].roles == {"system"}
        assert (state, Action.request_extension) in TABLE


def test_a_reply_withdraws_the_pending_extension_request_with_an_event(
    client: TestClient, session: Session
) -> None:
    order = in_progress(session)
    step(session, "street", order, "request_extension", reason="需协调多个部门", days=3)
    assert order.extension_pending_days == 3
    due = order.reply_due_at
    step(session, "street", order, "reply", outcome="solved", reply="已处理完毕")
    assert order.state == "replied" and order.extension_pending_days is None
    assert order.reply_due_at == due and order.extension_count == 0  # nothing was granted
    actions = [e.action for e in _events(session, order.id)]
    assert actions[-3:] == ["request_extension", "withdraw_extension", "reply"]
    withdrawal = _events(session, order.id)[-2]
    assert withdrawal.actor_role == "system" and withdrawal.from_state == "in_progress"
    assert withdrawal.payload["days"] == 3 and withdrawal.payload["by_action"] == "reply"
    assert len(_withdrawal_notices(session, order.id)) == 1
    # The supervisor can no longer decide it: the order has moved on (409), as a person sees.
    response = client.post(f"/api/v1/orders/{order.id}/approve_extension", json={},
                           headers=auth_headers(session, "supervisor"))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "transition_not_allowed"
    shown = client.get(f"/api/v1/orders/{order.id}", headers=auth_headers(session, "supervisor"))
    assert shown.json()["extension_pending_days"] is None
    assert "withdraw_extension" not in shown.json()["allowed_actions"]


def test_a_return_withdraws_the_pending_extension_request(
    client: TestClient, session: Session
) -> None:
    order = dispatched(session)
    step(session, "street", order, "sign")
    step(session, "street", order, "request_extension", reason="需协调多个部门", days=5)
    step(session, "street", order, "return_order", reason="不属于本街道")
    assert order.state == "returned" and order.extension_pending_days is None
    actions = [e.action for e in _events(session, order.id)]
    assert actions[-2:] == ["withdraw_extension", "return_order"]


def test_a_closed_order_never_shows_a_pending_extension(
    client: TestClient, session: Session
) -> None:
    order = in_progress(session)
    step(session, "street", order, "request_extension", reason="需协调多个部门", days=3)
    step(session, "street", order, "reply", outcome="solved", reply="已处理完毕")
    step(session, "visitor", order, "close_visited", solved=True, satisfaction="satisfied")
    assert order.state == "closed" and order.extension_pending_days is None


def test_a_reply_without_a_pending_request_writes_no_withdrawal(
    client: TestClient, session: Session
) -> None:
    order = in_progress(session)
    step(session, "street", order, "request_extension", reason="需协调多个部门", days=3)
    step(session, "supervisor", order, "refuse_extension", reason="理由不充分")
    step(session, "street", order, "reply", outcome="solved", reply="已处理完毕")
    assert "withdraw_extension" not in [e.action for e in _events(session, order.id)]
    assert _withdrawal_notices(session, order.id) == []


def test_nobody_can_withdraw_through_the_api(client: TestClient, session: Session) -> None:
    order = in_progress(session)
    step(session, "street", order, "request_extension", reason="需协调多个部门", days=3)
    response = client.post(f"/api/v1/orders/{order.id}/withdraw_extension", json={},
                           headers=auth_headers(session, "street"))
    assert response.status_code in (404, 405)
    assert order.extension_pending_days == 3
