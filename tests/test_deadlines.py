"""Deadlines: the pure function (table tests on China's calendar), the rules table, and what
an order stores when it enters a state."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jiesu.core.clock import CHINA_TZ
from jiesu.core.errors import Conflict
from jiesu.core.workdays import CHINA, AroundTheClock
from jiesu.orders import deadline_rules
from jiesu.orders.deadline_rules import DeadlineRuleRow
from jiesu.orders.deadline_watches import watches_of
from jiesu.orders.deadlines import (
    DEFAULT_RULES,
    DeadlineRule,
    DeadlineSet,
    Span,
    deadline,
    estimated_years,
)
from jiesu.orders.models import OrderEvent
from tests.conftest import auth_headers
from tests.factories import WANGJING, dispatched, in_progress, new_order, step, unit


def cn(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=CHINA_TZ)  # type: ignore[misc]


WD, CD, H = Span.working_days, Span.calendar_days, Span.hours
END = (23, 59, 59)

# (case, start, rule, expected end) — checked by hand against the State Council notices.
TABLE = [
    ("national_day_eve_skips_the_holiday_week", cn(2026, 9, 30, 10), DeadlineRule(7, WD),
     cn(2026, 10, 15, *END)),
    ("national_day_eve_next_working_day_is_after_the_holiday", cn(2026, 9, 30, 10),
     DeadlineRule(1, WD), cn(2026, 10, 8, *END)),
    ("make_up_saturday_counts_as_a_working_day", cn(2026, 10, 9, 10), DeadlineRule(1, WD),
     cn(2026, 10, 10, *END)),
    ("make_up_sunday_before_national_day_counts", cn(2026, 9, 19, 10), DeadlineRule(1, WD),
     cn(2026, 9, 20, *END)),
    ("order_received_on_a_make_up_saturday", cn(2026, 10, 10, 9), DeadlineRule(7, WD),
     cn(2026, 10, 20, *END)),
    ("received_at_23_59_gets_the_same_day_as_09_00", cn(2026, 11, 2, 23, 59),
     DeadlineRule(7, WD), cn(2026, 11, 11, *END)),
    ("received_at_09_00", cn(2026, 11, 2, 9, 0), DeadlineRule(7, WD), cn(2026, 11, 11, *END)),
    ("hours_at_23_59_run_past_midnight", cn(2026, 11, 2, 23, 59), DeadlineRule(2, H),
     cn(2026, 11, 3, 1, 59)),
    ("across_the_year_boundary_skips_new_year", cn(2025, 12, 31, 10), DeadlineRule(3, WD),
     cn(2026, 1, 6, *END)),
    ("new_year_eve_at_23_59_lands_on_the_make_up_sunday", cn(2025, 12, 31, 23, 59),
     DeadlineRule(1, WD), cn(2026, 1, 4, *END)),
    ("calendar_days_count_holidays", cn(2026, 9, 30, 10), DeadlineRule(7, CD),
     cn(2026, 10, 7, *END)),
    ("utc_start_counts_from_the_local_date", datetime(2026, 11, 2, 16, 30, tzinfo=UTC),
     DeadlineRule(1, WD), cn(2026, 11, 4, *END)),
]


@pytest.mark.parametrize(("case", "start", "rule", "expected"), TABLE, ids=[t[0] for t in TABLE])
def test_deadline_table(case: str, start: datetime, rule: DeadlineRule, expected: datetime) -> None:
    assert deadline(start, rule, CHINA) == expected


def test_utilities_count_calendar_time() -> None:
    end = deadline(cn(2026, 9, 30, 10), DeadlineRule(7, WD), AroundTheClock())
    assert end == cn(2026, 10, 7, *END)


def test_office_close_is_the_end_of_a_day_based_deadline() -> None:
    end = deadline(cn(2026, 11, 2, 10), DeadlineRule(1, WD), CHINA, close_of_day=time(17, 30))
    assert end == cn(2026, 11, 3, 17, 30)


def test_year_nobody_covers_is_counted_monday_to_friday_and_flagged() -> None:
    # chinese-calendar 1.11.0 stops at 2026: 2027-01-01 (a Friday) counts as a working day.
    start, rule = cn(2026, 12, 28, 10), DeadlineRule(7, WD)
    end = deadline(start, rule, CHINA)
    assert end == cn(2027, 1, 6, *END)
    assert estimated_years(start, end, rule, CHINA) == (2027,)


def test_naive_start_is_refused() -> None:
    with pytest.raises(ValueError):
        deadline(datetime(2026, 11, 2, 10), DeadlineRule(1, H))


def test_dispatch_into_a_year_nobody_covers_is_accepted_and_marked_provisional(
    client: TestClient, session: Session, frozen: time_machine.Coordinates
) -> None:
    frozen.move_to(cn(2026, 12, 28, 10))
    order = new_order(session)
    response = client.post(
        f"/api/v1/orders/{order.id}/dispatch", json={"lead_unit_id": unit(session, WANGJING).id},
        headers=auth_headers(session, "dispatcher"),
    )
    assert response.status_code == 200, response.text
    session.refresh(order)
    assert order.state == "dispatched" and order.reply_due_at == cn(2027, 1, 6, *END)
    assert [w.due_at for w in watches_of(session, order.id) if w.kind == "reply"] == [
        order.reply_due_at]
    event = session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id,
                                                     OrderEvent.action == "dispatch")).one()
    assert event.payload["calendar_provisional"] is True
    assert event.payload["calendar_estimated_years"] == [2027]


def test_deadline_inside_a_covered_year_is_not_provisional(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    order = dispatched(session)
    event = session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id,
                                                     OrderEvent.action == "dispatch")).one()
    assert event.payload["calendar_provisional"] is False
    assert "calendar_estimated_years" not in event.payload


# --- the rules table ---------------------------------------------------------------------


def limits(sign: int, contact: int, reply: int, span: Span = WD) -> DeadlineSet:
    return DeadlineSet(DeadlineRule(sign, H), DeadlineRule(contact, H), DeadlineRule(reply, span))


def test_defaults_apply_when_the_table_has_no_row(session: Session) -> None:
    rules, rule_id = deadline_rules.rules_for(session, "ordinary", "城乡建设")
    assert rules == DEFAULT_RULES["ordinary"] and rule_id is None


def test_urgency_row_overrides_the_default(session: Session) -> None:
    row = deadline_rules.add_rule(session, urgency="ordinary", category=None,
                                  limits=limits(2, 12, 5))
    rules, rule_id = deadline_rules.rules_for(session, "ordinary", "城乡建设")
    assert rules.reply == DeadlineRule(5, WD) and rule_id == row.id


def test_category_row_wins_over_the_urgency_row(session: Session) -> None:
    deadline_rules.add_rule(session, urgency="ordinary", category=None, limits=limits(2, 12, 5))
    special = deadline_rules.add_rule(session, urgency="ordinary", category="供暖",
                                      limits=limits(1, 2, 3, CD))
    rules, rule_id = deadline_rules.rules_for(session, "ordinary", "供暖")
    assert rules.reply == DeadlineRule(3, CD) and rule_id == special.id
    other, _ = deadline_rules.rules_for(session, "ordinary", "城乡建设")
    assert other.reply == DeadlineRule(5, WD)


def test_complex_case_gets_the_complex_limits(session: Session) -> None:
    rules, _ = deadline_rules.rules_for(session, "ordinary", None, complex_case=True)
    assert rules.reply == DeadlineRule(15, WD)


def test_urgent_order_for_a_utility_gets_the_outage_limits(session: Session) -> None:
    rules, _ = deadline_rules.rules_for(session, "urgent", None, utility=True)
    assert rules == DEFAULT_RULES["outage"]


def test_seeding_defaults_is_idempotent(session: Session) -> None:
    first = deadline_rules.seed_defaults(session)
    assert first == len(DEFAULT_RULES)
    assert deadline_rules.seed_defaults(session) == 0


def test_seeding_does_not_bring_back_a_retired_rule(session: Session) -> None:
    deadline_rules.seed_defaults(session)
    row = next(r for r in deadline_rules.active_rules(session) if r.urgency == "urgent")
    deadline_rules.retire_rule(session, row.id)
    assert deadline_rules.seed_defaults(session) == 0


def test_editing_a_rule_retires_it_and_adds_its_successor(
    client: TestClient, session: Session
) -> None:
    admin = auth_headers(session, "admin")
    body = {"urgency": "ordinary", "category": "噪声扰民",
            "sign": {"amount": 2, "span": "hours"}, "contact": {"amount": 12, "span": "hours"},
            "reply": {"amount": 5, "span": "working_days"}}
    created = client.post("/api/v1/deadline-rules", json=body, headers=admin)
    assert created.status_code == 201, created.text
    first = created.json()
    assert first["labels"]["reply"] == "5个工作日"
    edit = {k: body[k] for k in ("sign", "contact")} | {"reply": {"amount": 3,
                                                                   "span": "working_days"}}
    replaced = client.put(f"/api/v1/deadline-rules/{first['id']}", json=edit, headers=admin)
    assert replaced.status_code == 200, replaced.text
    second = replaced.json()
    assert second["supersedes_id"] == first["id"] and second["reply"]["amount"] == 3
    old = session.get(DeadlineRuleRow, first["id"])
    assert old is not None and old.retired_at is not None and old.reply_amount == 5
    history = client.get(f"/api/v1/deadline-rules/{second['id']}/history", headers=admin).json()
    assert [r["id"] for r in history["data"]] == [second["id"], first["id"]]
    listed = client.get("/api/v1/deadline-rules", headers=auth_headers(session, "supervisor"))
    assert [r["id"] for r in listed.json()["data"] if r["category"] == "噪声扰民"] == [second["id"]]


def test_only_admins_edit_deadline_rules(client: TestClient, session: Session) -> None:
    body = {"urgency": "ordinary", "sign": {"amount": 2, "span": "hours"},
            "contact": {"amount": 12, "span": "hours"}, "reply": {"amount": 5, "span": "hours"}}
    response = client.post("/api/v1/deadline-rules", json=body,
                           headers=auth_headers(session, "supervisor"))
    assert response.status_code == 403
    assert session.scalar(select(func.count(DeadlineRuleRow.id))) == 0


@pytest.mark.parametrize("bad", [
    {"amount": 0, "span": "hours"},
    {"amount": 3, "span": "fortnights"},
    {"amount": 100000, "span": "hours"},
])
def test_bad_limits_are_refused_with_422(
    client: TestClient, session: Session, bad: dict[str, object]
) -> None:
    body = {"urgency": "ordinary", "sign": bad, "contact": {"amount": 12, "span": "hours"},
            "reply": {"amount": 5, "span": "hours"}}
    response = client.post("/api/v1/deadline-rules", json=body, headers=auth_headers(
        session, "admin"))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"


def test_second_active_rule_for_the_same_key_is_a_conflict(
    client: TestClient, session: Session
) -> None:
    body = {"urgency": "urgent", "sign": {"amount": 1, "span": "hours"},
            "contact": {"amount": 2, "span": "hours"}, "reply": {"amount": 12, "span": "hours"}}
    admin = auth_headers(session, "admin")
    assert client.post("/api/v1/deadline-rules", json=body, headers=admin).status_code == 201
    again = client.post("/api/v1/deadline-rules", json=body, headers=admin)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "deadline_rule_exists"


def test_a_refused_edit_leaves_the_old_rule_in_force(session: Session) -> None:
    older = deadline_rules.add_rule(session, urgency="urgent", category=None,
                                    limits=limits(1, 2, 12, H))
    # Two admins added the same key at once (no unique index on this table): a second row.
    session.add(DeadlineRuleRow(urgency="urgent", category=None, sign_amount=1, sign_span="hours",
                                contact_amount=2, contact_span="hours", reply_amount=8,
                                reply_span="hours", created_at=older.created_at))
    session.flush()
    with pytest.raises(Conflict):
        deadline_rules.replace_rule(session, older.id, limits=limits(1, 2, 6, H))
    assert older.retired_at is None
    assert [r.id for r in deadline_rules.history(session, older.id)] == [older.id]
    assert session.scalar(select(DeadlineRuleRow.retired_at)
                          .where(DeadlineRuleRow.id == older.id)) is None

def test_editing_a_retired_rule_is_not_found(client: TestClient, session: Session) -> None:
    row = deadline_rules.add_rule(session, urgency="urgent", category=None,
                                  limits=limits(1, 2, 12, H))
    deadline_rules.retire_rule(session, row.id)
    response = client.delete(f"/api/v1/deadline-rules/{row.id}",
                             headers=auth_headers(session, "admin"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "deadline_rule_not_found"


# --- what the order stores -----------------------------------------------------------------


def test_dispatch_stores_deadlines_from_the_table(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    deadline_rules.add_rule(session, urgency="ordinary", category="城乡建设",
                            limits=limits(2, 12, 5))
    order = new_order(session)
    step(session, "dispatcher", order, "dispatch", lead_unit_id=unit(session, WANGJING).id,
         category="城乡建设")
    assert order.sign_due_at == cn(2026, 11, 2, 12)
    assert order.contact_due_at == cn(2026, 11, 2, 22)
    assert order.reply_due_at == cn(2026, 11, 9, *END)
    event = session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id,
                                                     OrderEvent.action == "dispatch")).one()
    assert event.payload["deadlines"]["rule_id"] is not None
    assert event.payload["deadlines"]["limits"]["reply"] == "5个工作日"


def test_dispatch_to_a_utility_counts_calendar_days(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    frozen.move_to(cn(2026, 9, 30, 10))
    order = dispatched(session, "util.water")
    assert order.reply_due_at == cn(2026, 10, 7, *END)


def test_approved_extension_moves_the_reply_deadline_and_is_kept_in_history(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    order = in_progress(session)
    before = order.reply_due_at
    step(session, "street", order, "request_extension", reason="需协调多个部门", days=3)
    step(session, "supervisor", order, "approve_extension")
    assert order.reply_due_at == cn(2026, 11, 16, *END) and before == cn(2026, 11, 11, *END)
    event = session.scalars(select(OrderEvent).where(
        OrderEvent.order_id == order.id, OrderEvent.action == "approve_extension")).one()
    assert event.payload["old_reply_due_at"] == before.isoformat()
    reply = [w for w in watches_of(session, order.id) if w.kind == "reply"]
    assert [w.end_reason for w in reply] == ["replaced", None]
    assert reply[1].due_at == order.reply_due_at
    assert reply[1].started_at == reply[0].started_at  # the clock is never silently reset


def test_a_return_does_not_reset_the_centres_overall_clock(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    order = dispatched(session)
    overall = order.overall_due_at
    frozen.shift(timedelta(days=2))
    step(session, "street", order, "return_order", reason="不属于本单位职责")
    step(session, "dispatcher", order, "redispatch",
         lead_unit_id=unit(session, "110108005").id)
    assert order.overall_due_at == overall
    assert order.reply_due_at is not None and overall is not None
    assert order.reply_due_at > overall


def test_unit_overdue_list_uses_the_index(session: Session) -> None:
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("the plan text checked here is SQLite's")
    plan = session.connection().exec_driver_sql(
        "EXPLAIN QUERY PLAN SELECT id FROM orders WHERE lead_unit_id = 1 AND is_open = 1 "
        "AND reply_due_at < '2026-11-02' ORDER BY reply_due_at"
    ).fetchall()
    assert any("ix_orders_lead_overdue" in str(row) for row in plan)
