"""Rule: a special line's own deadline rules (专线时限). Its supervisor sets them (service, API,
CLI, page); an order taken on the line gets them when dispatched, through the same pure
`deadline(start, rule, calendar)` as the centre's rules; the most specific row of the line
wins and what the line has no row for falls back to the centre's table; edits are versions;
bad input is refused with a stable code and nothing stored changes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.core.errors import DomainError
from jiesu.core.workdays import CHINA
from jiesu.lines import deadlines as line_deadlines
from jiesu.lines import schemas as ls
from jiesu.lines import service as lines
from jiesu.lines.models import Line
from jiesu.orders import deadline_rules
from jiesu.orders.deadline_rules import DeadlineRuleRow, pick_line_rule
from jiesu.orders.deadline_rules_api import LineDeadlineRuleCreate
from jiesu.orders.deadlines import DEFAULT_RULES, DeadlineRule, Span, deadline
from jiesu.orders.models import Order, OrderEvent
from tests.conftest import FROZEN_AT, auth_headers
from tests.factories import WANGJING, new_order, step, unit, who
from tests.rules_support import table_counts

H, WD, CD = Span.hours, Span.working_days, Span.calendar_days
EPIDEMIC = {"urgency": "any", "sign": {"amount": 2, "span": "hours"},
            "contact": {"amount": 2, "span": "hours"}, "reply": {"amount": 24, "span": "hours"}}


def _limits(sign: tuple[int, str], contact: tuple[int, str],
            reply: tuple[int, str]) -> dict[str, Any]:
    return {name: {"amount": a, "span": sp} for name, (a, sp) in
            (("sign", sign), ("contact", contact), ("reply", reply))}


def _line(session: Session, code: str = "epidemic", rules: list[dict[str, Any]] | None = None,
          **fields: Any) -> Line:
    return lines.create_line(session, who(session, "supervisor"), ls.LineCreate.model_validate({
        "code": code, "name": "疫情防控专线", "number": "12345-6",
        "agent_ids": [who(session, "agent").user_id], "deadline_rules": rules or [], **fields}))


def _rules_state(session: Session) -> list[tuple[Any, ...]]:
    """Every row of the deadline table as stored (nothing may change on refused input)."""
    return [(r.id, r.urgency, r.category, r.line_id, r.reply_amount, r.retired_at)
            for r in session.scalars(select(DeadlineRuleRow).order_by(DeadlineRuleRow.id))]


# --- which of a line's rows applies (pure) --------------------------------------------------


def _row(rule_id: int, urgency: str, category: str | None) -> DeadlineRuleRow:
    return DeadlineRuleRow(id=rule_id, urgency=urgency, category=category, line_id=1,
                           sign_amount=1, sign_span="hours", contact_amount=1,
                           contact_span="hours", reply_amount=rule_id, reply_span="hours")


ROWS = [_row(1, "any", None), _row(2, "urgent", None), _row(3, "any", "疾病预防控制"),
        _row(4, "urgent", "疾病预防控制")]

PICK = [
    # (case, rows, urgency key, category, id of the row picked or None)
    ("urgency_and_category_beat_everything", ROWS, "urgent", "疾病预防控制", 4),
    ("urgency_beats_any_urgency_of_the_category", ROWS[:3], "urgent", "疾病预防控制", 2),
    ("any_urgency_of_the_category_beats_the_catch_all", ROWS[:1] + ROWS[2:3], "ordinary",
     "疾病预防控制", 3),
    ("the_catch_all_for_another_category", ROWS, "ordinary", "社会保险", 1),
    ("the_catch_all_without_a_category", ROWS, "ordinary", None, 1),
    ("an_urgency_row_without_a_category", ROWS, "urgent", None, 2),
    ("a_category_row_never_holds_for_an_order_without_one", ROWS[2:3], "ordinary", None, None),
    ("no_rows_fall_back_to_the_centre", [], "emergency", "疾病预防控制", None),
    ("another_urgency_only_falls_back", ROWS[1:2], "ordinary", None, None),
]


@pytest.mark.parametrize(("rows", "key", "category", "picked"),
                         [case[1:] for case in PICK], ids=[case[0] for case in PICK])
def test_the_most_specific_row_of_the_line_applies(
    rows: list[DeadlineRuleRow], key: str, category: str | None, picked: int | None
) -> None:
    found = pick_line_rule(rows, key, category)
    assert (found.id if found else None) == picked


# --- what an order on the line gets ----------------------------------------------------------

DUE = [
    # (case, line rules, urgency of the order, category, expected sign/contact/reply rules)
    ("epidemic_line_2h_response_24h_handling", [EPIDEMIC], "ordinary", None,
     (DeadlineRule(2, H), DeadlineRule(2, H), DeadlineRule(24, H))),
    ("any_urgency_covers_an_urgent_order", [EPIDEMIC], "urgent", None,
     (DeadlineRule(2, H), DeadlineRule(2, H), DeadlineRule(24, H))),
    ("an_emergency_row_of_the_line_beats_its_catch_all",
     [EPIDEMIC, {"urgency": "emergency", **_limits((1, "hours"), (1, "hours"), (2, "hours"))}],
     "emergency", None, (DeadlineRule(1, H), DeadlineRule(1, H), DeadlineRule(2, H))),
    ("working_days_on_the_line_count_the_calendar",
     [{"urgency": "ordinary", **_limits((4, "hours"), (1, "working_days"),
                                        (3, "working_days"))}],
     "ordinary", None, (DeadlineRule(4, H), DeadlineRule(1, WD), DeadlineRule(3, WD))),
    ("calendar_days_on_the_line",
     [{"urgency": "any", **_limits((2, "hours"), (1, "calendar_days"), (2, "calendar_days"))}],
     "ordinary", None, (DeadlineRule(2, H), DeadlineRule(1, CD), DeadlineRule(2, CD))),
    ("a_category_row_of_the_line",
     [EPIDEMIC, {"urgency": "any", "category": "疾病预防控制",
                 **_limits((1, "hours"), (1, "hours"), (12, "hours"))}],
     "ordinary", "疾病预防控制", (DeadlineRule(1, H), DeadlineRule(1, H), DeadlineRule(12, H))),
    ("what_the_line_has_no_row_for_gets_the_centres_rules",
     [{"urgency": "urgent", **_limits((1, "hours"), (1, "hours"), (6, "hours"))}],
     "ordinary", None, (DEFAULT_RULES["ordinary"].sign, DEFAULT_RULES["ordinary"].contact,
                        DEFAULT_RULES["ordinary"].reply)),
]


@pytest.mark.parametrize(("rules", "urgency", "category", "expected"),
                         [case[1:] for case in DUE], ids=[case[0] for case in DUE])
def test_an_order_taken_on_the_line_gets_the_lines_deadlines(
    session: Session, frozen: time_machine.Coordinates, rules: list[dict[str, Any]],
    urgency: str, category: str | None, expected: tuple[DeadlineRule, ...],
) -> None:
    line = _line(session, rules=rules)
    order = new_order(session, line_id=line.id, urgency=urgency,
                      **({"category": category} if category else {}))
    frozen.shift(timedelta(minutes=20))
    dispatched_at = FROZEN_AT + timedelta(minutes=20)
    step(session, "dispatcher", order, "dispatch", lead_unit_id=unit(session, WANGJING).id)
    sign, contact, reply = expected
    # The same pure function as the centre's rules: (start, rule, calendar).
    assert order.sign_due_at == deadline(dispatched_at, sign, CHINA)
    assert order.contact_due_at == deadline(dispatched_at, contact, CHINA)
    assert order.reply_due_at == deadline(dispatched_at, reply, CHINA)
    assert order.overall_due_at == deadline(FROZEN_AT, reply, CHINA)
    event = session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id,
                                                     OrderEvent.action == "dispatch")).one()
    line_rows = deadline_rules.active_rules(session, line.id)
    picked = event.payload["deadlines"]["rule_id"]
    assert (picked in {r.id for r in line_rows}) == (reply != DEFAULT_RULES["ordinary"].reply)


def test_an_order_not_on_the_line_keeps_the_centres_rules(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    _line(session, rules=[EPIDEMIC])
    order = new_order(session)
    step(session, "dispatcher", order, "dispatch", lead_unit_id=unit(session, WANGJING).id)
    assert order.reply_due_at == deadline(FROZEN_AT, DEFAULT_RULES["ordinary"].reply, CHINA)


def test_a_new_version_applies_to_later_orders_only(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    line = _line(session, rules=[EPIDEMIC])
    first = new_order(session, line_id=line.id)
    step(session, "dispatcher", first, "dispatch", lead_unit_id=unit(session, WANGJING).id)
    old = deadline_rules.active_rules(session, line.id)[0]
    body = LineDeadlineRuleCreate.model_validate(
        {"urgency": "any", **_limits((1, "hours"), (1, "hours"), (12, "hours"))})
    new = line_deadlines.replace_rule(session, who(session, "supervisor"), line.id, old.id, body)
    assert old.retired_at is not None and new.supersedes_id == old.id and new.line_id == line.id
    assert [r.id for r in line_deadlines.history(session, line.id, new.id)] == [new.id, old.id]
    second = new_order(session, line_id=line.id)
    step(session, "dispatcher", second, "dispatch", lead_unit_id=unit(session, WANGJING).id)
    assert first.reply_due_at == FROZEN_AT + timedelta(hours=24)
    assert second.reply_due_at == FROZEN_AT + timedelta(hours=12)
    line_deadlines.retire_rule(session, who(session, "supervisor"), line.id, new.id)
    third = new_order(session, line_id=line.id)
    step(session, "dispatcher", third, "dispatch", lead_unit_id=unit(session, WANGJING).id)
    assert third.reply_due_at == deadline(FROZEN_AT, DEFAULT_RULES["ordinary"].reply, CHINA)


def test_the_centres_table_and_a_lines_rules_stay_apart(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    line = _line(session, rules=[EPIDEMIC])
    mine = deadline_rules.active_rules(session, line.id)[0]
    assert mine.id not in {r.id for r in deadline_rules.active_rules(session)}
    # The centre's routes never edit a line's rule, nor one line's routes another's.
    other = _line(session, code="flood", rules=[EPIDEMIC])
    for act in (lambda: deadline_rules.retire_rule(session, mine.id),
                lambda: line_deadlines.retire_rule(session, who(session, "supervisor"),
                                                   other.id, mine.id),
                lambda: line_deadlines.history(session, other.id, mine.id)):
        with pytest.raises(DomainError) as refused:
            act()
        assert refused.value.code == "deadline_rule_not_found"
    assert mine.retired_at is None


# --- bad input ---------------------------------------------------------------------------------

BAD = [
    # (case, body posted to the line's rules, status, code)
    ("unknown_category", {**EPIDEMIC, "category": "不存在的类别"}, 422, "unknown_category"),
    ("zero_hours", {**EPIDEMIC, "reply": {"amount": 0, "span": "hours"}}, 422, "invalid_input"),
    ("over_a_year", {**EPIDEMIC, "reply": {"amount": 9000, "span": "hours"}}, 422,
     "invalid_input"),
    ("unknown_span", {**EPIDEMIC, "sign": {"amount": 2, "span": "weeks"}}, 422, "invalid_input"),
    ("unknown_urgency", {**EPIDEMIC, "urgency": "whenever"}, 422, "invalid_input"),
    ("missing_limit", {"urgency": "any", "sign": EPIDEMIC["sign"]}, 422, "invalid_input"),
    ("unknown_field", {**EPIDEMIC, "priority": 1}, 422, "invalid_input"),
    ("rule_already_in_force", EPIDEMIC, 409, "deadline_rule_exists"),
]


@pytest.mark.parametrize(("body", "status", "code"), [case[1:] for case in BAD],
                         ids=[case[0] for case in BAD])
def test_bad_rules_are_refused_with_a_code_and_store_nothing(
    client: TestClient, session: Session, body: dict[str, Any], status: int, code: str
) -> None:
    line = _line(session, rules=[EPIDEMIC])
    session.commit()
    before, orders = _rules_state(session), table_counts(session)
    answer = client.post(f"/api/v1/lines/{line.id}/deadline-rules", json=body,
                         headers=auth_headers(session, "supervisor"))
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["code"] == code
    session.expire_all()
    assert _rules_state(session) == before and table_counts(session) == orders


def test_opening_a_line_with_bad_rules_opens_nothing(
    client: TestClient, session: Session
) -> None:
    headers = auth_headers(session, "supervisor")
    before = _rules_state(session)
    for rules, code in (([EPIDEMIC, EPIDEMIC], "deadline_rule_duplicate"),
                        ([{**EPIDEMIC, "category": "不存在的类别"}], "unknown_category")):
        answer = client.post("/api/v1/lines", headers=headers, json={
            "code": "epidemic", "name": "疫情防控专线", "number": "12345-6",
            "deadline_rules": rules})
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"]["code"] == code
    session.expire_all()
    assert session.scalars(select(Line)).first() is None and _rules_state(session) == before


def test_a_closed_lines_rules_cannot_change_but_still_hold(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    line = _line(session, rules=[EPIDEMIC])
    order = new_order(session, line_id=line.id)
    lines.close_line(session, who(session, "supervisor"), line.id)
    before = _rules_state(session)
    with pytest.raises(DomainError) as refused:
        line_deadlines.add_rule(session, who(session, "supervisor"), line.id,
                                LineDeadlineRuleCreate.model_validate(
                                    {**EPIDEMIC, "urgency": "urgent"}))
    assert refused.value.code == "line_closed" and _rules_state(session) == before
    # A call taken while the line was open keeps getting the line's limits.
    step(session, "dispatcher", order, "dispatch", lead_unit_id=unit(session, WANGJING).id)
    assert order.reply_due_at == FROZEN_AT + timedelta(hours=24)


def test_only_supervisors_and_admins_set_a_lines_rules(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    line = _line(session)
    body = LineDeadlineRuleCreate.model_validate(EPIDEMIC)
    for username in ("agent", "dispatcher", "visitor", "street"):
        with pytest.raises(DomainError) as refused:
            line_deadlines.add_rule(session, who(session, username), line.id, body)
        assert refused.value.code == "role_not_allowed"
    assert deadline_rules.active_rules(session, line.id) == []


# --- the API --------------------------------------------------------------------------------


def test_the_api_sets_replaces_and_retires_a_lines_rules(
    client: TestClient, session: Session
) -> None:
    headers = auth_headers(session, "supervisor")
    created = client.post("/api/v1/lines", headers=headers, json={
        "code": "epidemic", "name": "疫情防控专线", "number": "12345-6",
        "deadline_rules": [{**EPIDEMIC, "note": "2小时响应、24小时办结"}]})
    assert created.status_code == 201, created.text
    line_id = created.json()["id"]
    (rule,) = created.json()["deadline_rules"]
    assert (rule["urgency"], rule["line_id"], rule["labels"]) == (
        "any", line_id, {"sign": "2小时", "contact": "2小时", "reply": "24小时"})
    added = client.post(f"/api/v1/lines/{line_id}/deadline-rules", headers=headers, json={
        "urgency": "emergency", **_limits((1, "hours"), (1, "hours"), (2, "hours"))})
    assert added.status_code == 201, added.text
    replaced = client.put(f"/api/v1/lines/{line_id}/deadline-rules/{rule['id']}",
                          headers=headers,
                          json=_limits((1, "hours"), (2, "hours"), (1, "working_days")))
    assert replaced.status_code == 200 and replaced.json()["supersedes_id"] == rule["id"]
    history = client.get(f"/api/v1/lines/{line_id}/deadline-rules/{replaced.json()['id']}"
                         "/history", headers=headers)
    assert [r["id"] for r in history.json()["data"]] == [replaced.json()["id"], rule["id"]]
    gone = client.delete(f"/api/v1/lines/{line_id}/deadline-rules/{added.json()['id']}",
                         headers=headers)
    assert gone.status_code == 204
    listed = client.get(f"/api/v1/lines/{line_id}/deadline-rules",
                        headers=auth_headers(session, "agent"))
    assert [r["labels"]["reply"] for r in listed.json()["data"]] == ["1个工作日"]
    # The centre's table does not list the line's rules.
    centre = client.get("/api/v1/deadline-rules", headers=headers).json()["data"]
    assert all(r["line_id"] is None for r in centre)


def test_the_demo_line_has_the_epidemic_limits(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    from jiesu.lines import demo

    result = demo.build(session, days=3, total=60, peak=30, now=FROZEN_AT)
    assert result is not None
    (rule,) = deadline_rules.active_rules(session, result.line_id)
    assert (rule.as_set().contact, rule.as_set().reply) == (DeadlineRule(2, H),
                                                            DeadlineRule(24, H))
    sent = session.scalars(select(Order).where(Order.line_id == result.line_id,
                                               Order.dispatched_at.is_not(None))).all()
    assert sent and all(o.reply_due_at is not None and o.dispatched_at is not None
                        and o.reply_due_at - o.dispatched_at == timedelta(hours=24)
                        for o in sent)
