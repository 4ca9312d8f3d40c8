"""Return visits: the queue, the answers' decision table, attempts, skips, sampling, review."""

from __future__ import annotations

from datetime import datetime

import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.core.clock import CHINA_TZ
from jiesu.orders.models import Order, OrderEvent
from jiesu.visits import service
from jiesu.visits.rules import VisitRules, due_cutoff, is_sampled
from jiesu.visits.schemas import VisitCreate
from tests.conftest import auth_headers
from tests.factories import WANGJING, in_progress, step, unit, who

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=CHINA_TZ)  # the client fixture's Monday
SAME_DAY = VisitRules(delay_working_days=0)


def replied_order(session: Session, outcome: str = "solved", **flags: bool) -> Order:
    order = in_progress(session)
    if flags:
        for name, value in flags.items():
            setattr(order, name, value)
        session.flush()
    return step(session, "street", order, "reply", outcome=outcome, reply="已处理完毕。")


def visit(session: Session, order: Order, **answers: object) -> tuple[Order, str]:
    return service.record_visit(session, who(session, "visitor"), order.id,
                                VisitCreate.model_validate(answers), rules=SAME_DAY)


def test_replied_order_is_due_from_the_next_working_day(session: Session) -> None:
    # Replied on Friday 2026-10-30: due on Monday 2026-11-02, not over the weekend.
    with time_machine.travel(datetime(2026, 10, 30, 15, 0, tzinfo=CHINA_TZ), tick=False):
        order = replied_order(session)
    rules = VisitRules(delay_working_days=1)
    saturday = datetime(2026, 10, 31, 12, 0, tzinfo=CHINA_TZ)
    monday = datetime(2026, 11, 2, 8, 0, tzinfo=CHINA_TZ)
    due_saturday = [d.order.id for d in service.due_orders(session, now=saturday, rules=rules)]
    due_monday = [d.order.id for d in service.due_orders(session, now=monday, rules=rules)]
    assert order.id not in due_saturday
    assert order.id in due_monday
    assert due_cutoff(monday, 1) == datetime(2026, 11, 2, 0, 0, tzinfo=CHINA_TZ)


def test_queue_lists_the_oldest_reply_first(session: Session) -> None:
    with time_machine.travel(datetime(2026, 10, 29, 9, 0, tzinfo=CHINA_TZ), tick=False):
        older = replied_order(session)
    with time_machine.travel(datetime(2026, 10, 30, 9, 0, tzinfo=CHINA_TZ), tick=False):
        newer = replied_order(session)
    page = service.queue(session, who(session, "visitor"), now=NOW, rules=SAME_DAY)
    ids = [d.order.id for d in page.calls]
    assert ids.index(older.id) < ids.index(newer.id)
    first = service.queue(session, who(session, "visitor"), now=NOW, rules=SAME_DAY, limit=1)
    assert [d.order.id for d in first.calls] == ids[:1] and first.count == page.count >= 2


def test_solved_and_satisfied_visit_closes_the_order(session: Session, frozen: object) -> None:
    order, outcome = visit(session, replied_order(session), solved=True, satisfaction="basically")
    assert outcome == "closed"
    assert order.state == "closed" and order.close_reason == "visited"
    assert order.visit_satisfaction == "basically"


def test_not_solved_reopens_to_the_same_unit(session: Session, frozen: object) -> None:
    order = replied_order(session)
    lead = order.lead_unit_id
    order, outcome = visit(session, order, solved=False, satisfaction="satisfied",
                           comment="垃圾又堆起来了")
    assert outcome == "reopened"
    assert order.state == "reopened" and order.lead_unit_id == lead == unit(session, WANGJING).id
    # The unit must sign again: the order is back in its hands with new deadlines.
    step(session, "street", order, "sign")
    event = session.scalars(select(OrderEvent).where(
        OrderEvent.order_id == order.id, OrderEvent.action == "reopen")).one()
    assert event.payload["comment"] == "垃圾又堆起来了" and event.payload["solved"] is False


def test_dissatisfied_reopens_even_when_solved(session: Session, frozen: object) -> None:
    order, outcome = visit(session, replied_order(session), solved=True,
                           satisfaction="dissatisfied")
    assert outcome == "reopened" and order.reopen_count == 1


def test_unreachable_after_max_attempts_closes(session: Session, frozen: object) -> None:
    order = replied_order(session)
    outcomes = [visit(session, order, reached=False, note="无人接听")[1] for _ in range(3)]
    assert outcomes == ["attempt", "attempt", "unreachable"]
    assert order.state == "closed" and order.close_reason == "unreachable"
    attempts = session.scalars(select(OrderEvent.action).where(
        OrderEvent.order_id == order.id, OrderEvent.action == "visit_attempt")).all()
    assert len(attempts) == 3


def test_anonymous_citizen_is_skipped_and_counted_apart(session: Session, frozen: object) -> None:
    order = replied_order(session, anonymous=True)
    page = service.queue(session, who(session, "visitor"), rules=SAME_DAY)
    assert order.id not in [d.order.id for d in page.calls]
    assert page.skippable["anonymous"] >= 1
    closed = service.close_skipped(session, who(session, "visitor"), rules=SAME_DAY)
    assert closed[order.id] == "anonymous"
    assert order.state == "closed" and order.close_reason == "visit_skipped"


def test_no_callback_citizen_is_never_called(session: Session, frozen: object) -> None:
    order = replied_order(session, no_callback=True)
    try:
        visit(session, order, solved=True, satisfaction="satisfied")
    except service.Conflict as exc:
        assert exc.code == "visit_skipped" and exc.details["reason"] == "no_callback"
    else:
        raise AssertionError("a no-callback citizen was called")


def test_sample_mode_is_reproducible(session: Session, frozen: object) -> None:
    orders = [replied_order(session) for _ in range(12)]
    rules = VisitRules(delay_working_days=0, sample_shares={WANGJING: 0.5}, sample_seed="s1")
    first = {d.order.id: d.skip_reason for d in service.due_orders(session, rules=rules)}
    again = {d.order.id: d.skip_reason for d in service.due_orders(session, rules=rules)}
    assert first == again
    picked = [o.id for o in orders if first[o.id] is None]
    assert picked == [o.id for o in orders if is_sampled(o.id, 0.5, "s1")]
    assert 0 < len(picked) < len(orders)  # a half-share sample of 12 is neither all nor none
    other_seed = VisitRules(delay_working_days=0, sample_shares={WANGJING: 0.5}, sample_seed="s2")
    second = {d.order.id: d.skip_reason for d in service.due_orders(session, rules=other_seed)}
    assert {o.id: first[o.id] for o in orders} != {o.id: second[o.id] for o in orders}


def test_reopened_order_is_always_visited_in_sample_mode(session: Session, frozen: object) -> None:
    order = replied_order(session)
    order.reopen_count = 1  # as after an earlier reopen
    rules = VisitRules(delay_working_days=0, sample_shares={"*": 0.0})
    reasons = {d.order.id: d.skip_reason for d in service.due_orders(session, rules=rules)}
    assert reasons[order.id] is None


def test_not_solvable_reply_waits_for_supervisor(session: Session, frozen: object) -> None:
    order = replied_order(session, outcome="not_solvable")
    order, outcome = visit(session, order, solved=False, satisfaction="dissatisfied")
    assert outcome == "explain_pending" and order.state == "replied"
    page = service.queue(session, who(session, "visitor"), rules=SAME_DAY)
    assert order.id not in [d.order.id for d in page.calls]
    order, review = service.decide_review(session, who(session, "supervisor"), order.id, True,
                                          "诉求超出政策范围，已向诉求人解释")
    assert order.state == "closed" and order.close_reason == "explained"
    assert review.decision == "explained"


def test_supervisor_may_send_not_solvable_back(session: Session, frozen: object) -> None:
    order = replied_order(session, outcome="not_solvable")
    visit(session, order, solved=False, satisfaction="basically")
    order, review = service.decide_review(session, who(session, "supervisor"), order.id, False,
                                          "仍可协调解决，退回重办")
    assert order.state == "reopened" and order.visit_solved is False
    assert review.decision == "reopened"


def test_visit_api_records_and_reopens(client: TestClient, session: Session) -> None:
    with time_machine.travel(datetime(2026, 10, 30, 15, 0, tzinfo=CHINA_TZ), tick=False):
        order = replied_order(session)
    headers = auth_headers(session, "visitor")
    queue = client.get("/api/v1/visits/queue", headers=headers)
    assert queue.status_code == 200
    item = next(i for i in queue.json()["data"] if i["order_id"] == order.id)
    assert item["citizen_phone"] == "138****5678"
    answer = client.post(f"/api/v1/visits/{order.id}", headers=headers,
                         json={"solved": False, "satisfaction": "dissatisfied"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["outcome"] == "reopened" and answer.json()["state"] == "reopened"


def test_visit_api_refuses_bad_input(client: TestClient, session: Session) -> None:
    order = replied_order(session)
    headers = auth_headers(session, "visitor")
    missing = client.post(f"/api/v1/visits/{order.id}", headers=headers, json={"solved": True})
    assert missing.status_code == 422 and missing.json()["error"]["code"] == "invalid_input"
    wrong = client.post(f"/api/v1/visits/{order.id}", headers=headers,
                        json={"solved": True, "satisfaction": "great"})
    assert wrong.status_code == 422
    handler = client.post(f"/api/v1/visits/{order.id}", headers=auth_headers(session, "street"),
                          json={"solved": True, "satisfaction": "satisfied"})
    assert handler.status_code == 403
    assert session.get(Order, order.id).state == "replied"  # type: ignore[union-attr]


def test_visit_of_order_not_awaiting_visit_is_a_conflict(client: TestClient,
                                                         session: Session) -> None:
    order = in_progress(session)
    response = client.post(f"/api/v1/visits/{order.id}", headers=auth_headers(session, "visitor"),
                           json={"solved": True, "satisfaction": "satisfied"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_awaiting_visit"


def test_job_closes_skipped_orders_once(session: Session, frozen: object) -> None:
    from jiesu.visits.jobs import close_skipped_visits

    order = replied_order(session, no_callback=True)
    with time_machine.travel(datetime(2026, 11, 3, 10, 0, tzinfo=CHINA_TZ), tick=False):
        assert close_skipped_visits(session) >= 1
        assert order.state == "closed" and order.close_reason == "visit_skipped"
        assert close_skipped_visits(session) == 0  # idempotent: nothing due any more


def test_no_person_may_declare_an_order_not_sampled(client: TestClient,
                                                    session: Session) -> None:
    order = replied_order(session)
    for role in ("visitor", "supervisor"):
        response = client.post(f"/api/v1/orders/{order.id}/skip_visit",
                               headers=auth_headers(session, role),
                               json={"reason": "not_sampled"})
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "skip_reason_not_allowed"
    session.refresh(order)
    assert order.state == "replied" and order.close_reason is None


def test_a_reopened_order_is_never_skipped_as_not_sampled(session: Session,
                                                          frozen: object) -> None:
    from jiesu.core.errors import InvalidInput
    from jiesu.orders import service as orders
    from jiesu.orders.schemas import SkipVisit
    from jiesu.orders.statemachine import Action

    order, _ = visit(session, replied_order(session), solved=False, satisfaction="dissatisfied")
    order = step(session, "street", order, "sign")
    order = step(session, "street", order, "contact", method="phone")
    order = step(session, "street", order, "reply", outcome="solved", reply="已重新处理。")
    try:
        orders.act(session, who(session, "visitor"), order.id, Action.skip_visit,
                   SkipVisit(reason="not_sampled"))
        raise AssertionError("a reopened order was skipped as not sampled")
    except InvalidInput as refused:
        assert refused.code == "skip_reason_mismatch"
    assert order.state == "replied"
