"""The three rates: a month of orders built through the real services in October 2026, then
the report is checked against a count made by hand from the raw `order_events` rows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.core.clock import CHINA_TZ
from jiesu.insights.periods import Period, parse_period
from jiesu.insights.rates import RatesReport, compute_rates
from jiesu.insights.rules import RateRules
from jiesu.orders.models import Order, OrderEvent
from jiesu.visits import service as visits
from jiesu.visits.rules import VisitRules
from jiesu.visits.schemas import VisitCreate
from tests.conftest import auth_headers
from tests.factories import CHAOYANG, HAIDIAN_BALIZHUANG, WANGJING, new_order, step, unit, who

OCTOBER = parse_period("2026-10")
RULES = RateRules(min_visited=1)
ALL_VISITED = VisitRules(delay_working_days=0)
HANDLER = {WANGJING: "street", HAIDIAN_BALIZHUANG: "haidian", "dept.chengguan": "dept"}


def oct_(day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, minute, tzinfo=CHINA_TZ)


@dataclass
class Month:
    session: Session
    traveller: Any

    def at(self, when: datetime) -> None:
        self.traveller.move_to(when)

    def order(self, day: int, unit_code: str = WANGJING, **fields: Any) -> Order:
        self.at(oct_(day, 8, 30))
        order = new_order(self.session, **fields)
        self.at(oct_(day, 9))
        lead = unit(self.session, unit_code).id
        return step(self.session, "dispatcher", order, "dispatch", lead_unit_id=lead)

    def handle(self, order: Order, day: int, *, sign_hour: int = 10, outcome: str = "solved",
               handler: str | None = None) -> Order:
        who_ = handler or "street"
        self.at(oct_(day, sign_hour))
        step(self.session, who_, order, "sign")
        self.at(oct_(day, sign_hour, 30))
        step(self.session, who_, order, "contact", method="phone")
        self.at(oct_(day + 1, 15))
        return step(self.session, who_, order, "reply", outcome=outcome, reply="已办理。")

    def visit(self, order: Order, day: int, **answers: Any) -> str:
        self.at(oct_(day, 11))
        _, outcome = visits.record_visit(self.session, who(self.session, "visitor"), order.id,
                                         VisitCreate.model_validate(answers), rules=ALL_VISITED)
        return outcome


@pytest.fixture
def month(session: Session) -> Iterator[Month]:
    with time_machine.travel(oct_(8), tick=False) as traveller:
        yield Month(session, traveller)


def build_month(m: Month) -> dict[str, Order]:
    """Wangjing (street) gets most orders; Balizhuang (Haidian) a few; one for the commission."""
    s = m.session
    o: dict[str, Order] = {}
    o["satisfied"] = m.handle(m.order(12), 12)
    m.visit(o["satisfied"], 14, solved=True, satisfaction="satisfied")
    o["basically"] = m.handle(m.order(12), 12)
    m.visit(o["basically"], 14, solved=True, satisfaction="basically")
    o["late_sign"] = m.handle(m.order(13), 13, sign_hour=16)  # sign limit is 4 hours
    m.visit(o["late_sign"], 15, solved=True, satisfaction="satisfied")
    # Not solved → back to Wangjing, handled again, visited again.
    o["reopened"] = m.handle(m.order(14), 14)
    assert m.visit(o["reopened"], 16, solved=False, satisfaction="dissatisfied") == "reopened"
    o["reopened"] = m.handle(o["reopened"], 19)
    m.visit(o["reopened"], 21, solved=True, satisfaction="basically")
    # Not solvable under law; the citizen disagrees; the supervisor agrees with the unit.
    o["explained"] = m.handle(m.order(15), 15, outcome="not_solvable")
    assert m.visit(o["explained"], 19, solved=False, satisfaction="dissatisfied") == \
        "explain_pending"
    m.at(oct_(19, 14))
    visits.decide_review(s, who(s, "supervisor"), o["explained"].id, True, "超出政策范围")
    o["unreachable"] = m.handle(m.order(16), 16)
    for _ in range(3):
        m.visit(o["unreachable"], 19, reached=False, note="无人接听")
    o["anonymous"] = m.order(20, anonymous=True)
    m.handle(o["anonymous"], 20)
    m.at(oct_(22, 9))
    visits.close_skipped(s, who(s, "visitor"), rules=ALL_VISITED)
    o["open_overdue"] = m.order(20)  # never signed: not responded, overdue by November
    # Returned by Balizhuang, re-dispatched to Wangjing: one return for Balizhuang, one
    # re-dispatch on the order Wangjing received.
    o["redispatched"] = m.order(21, HAIDIAN_BALIZHUANG)
    m.at(oct_(21, 11))
    step(s, "haidian", o["redispatched"], "return_order", reason="属望京街道辖区")
    m.at(oct_(21, 13))
    step(s, "dispatcher", o["redispatched"], "redispatch",
         lead_unit_id=unit(s, WANGJING).id)
    m.handle(o["redispatched"], 21, sign_hour=14)
    # Returned and still with the dispatcher: no unit's order.
    o["returned"] = m.order(22)
    m.at(oct_(22, 10))
    step(s, "street", o["returned"], "return_order", reason="不属本街道")
    # Balizhuang: one visited order.
    o["haidian"] = m.handle(m.order(23, HAIDIAN_BALIZHUANG), 23, handler="haidian")
    m.visit(o["haidian"], 26, solved=True, satisfaction="satisfied")
    # The commission: one visited order, not a territorial unit.
    o["dept"] = m.handle(m.order(23, "dept.chengguan"), 23, handler="dept")
    m.visit(o["dept"], 26, solved=True, satisfaction="basically")
    # Not accepted: in no unit's figures, shown among the exclusions.
    m.at(oct_(26, 9))
    o["not_accepted"] = new_order(s)
    step(s, "agent", o["not_accepted"], "not_accept", reason="legal_channel")
    # Dispatched in September: outside the period.
    m.at(datetime(2026, 9, 29, 9, 0, tzinfo=CHINA_TZ))
    o["september"] = step(s, "dispatcher", new_order(s), "dispatch",
                          lead_unit_id=unit(s, WANGJING).id)
    m.at(datetime(2026, 11, 2, 10, 0, tzinfo=CHINA_TZ))
    return o


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


def hand_count(session: Session, order_ids: list[int], now: datetime,
               period: Period = OCTOBER) -> dict[int, Counter[str]]:
    """Every figure of every unit, from the events alone (see docs/decisions/*rates*.md)."""
    units: dict[int, Counter[str]] = {}
    start, end = period.start, period.end
    for oid in order_ids:
        events = list(session.scalars(
            select(OrderEvent).where(OrderEvent.order_id == oid).order_by(OrderEvent.seq)))
        for e in events:
            if e.action == "return_order" and start <= e.at < end and e.unit_id is not None:
                row = units.setdefault(e.unit_id, Counter())
                row["returned"] += 1
        dispatches = [e for e in events if e.action in ("dispatch", "redispatch")]
        if not dispatches or events[-1].to_state in ("returned", "merged"):
            continue
        last = dispatches[-1]
        if not start <= last.at < end:
            continue
        row = units.setdefault(last.payload["lead_unit_id"], Counter())
        row["received"] += 1
        row["redispatched"] += len(dispatches) - 1
        # The handling round: the last event that set the unit's deadlines.
        clock_event = [e for e in events if "deadlines" in e.payload][-1]
        after = [e for e in events if e.seq > clock_event.seq]
        limits = clock_event.payload["deadlines"]
        sign = next((e for e in after if e.action == "sign"), None)
        contact = next((e for e in after if e.action == "contact"), None)
        if sign and contact and sign.at <= parse(limits["sign_due_at"]) and \
                contact.at <= parse(limits["contact_due_at"]):
            row["responded"] += 1
        reply = next((e for e in after if e.action == "reply"), None)
        if reply is not None:
            row["replied"] += 1
            row["handling_seconds"] += (reply.at - last.at).total_seconds()
        if (reply is not None and reply.at > parse(limits["reply_due_at"])) or (
                reply is None and events[-1].to_state != "closed"
                and parse(limits["reply_due_at"]) < now):
            row["overdue"] += 1
        if any(e.action == "close_explained" for e in events):
            row["judged_apart"] += 1
            continue
        answers = [e for e in events if e.action in ("close_visited", "reopen")
                   and e.payload.get("satisfaction")]
        if answers:
            final = answers[-1].payload
            row["visited"] += 1
            row["solved"] += 1 if final["solved"] else 0
            row[final["satisfaction"]] += 1
        row["unreachable"] += 1 if events[-1].action == "close_unreachable" else 0
        row["visit_skipped"] += 1 if events[-1].action == "skip_visit" else 0
    return units


def report(session: Session, **kw: Any) -> RatesReport:
    return compute_rates(session, OCTOBER, rules=RULES,
                         now=datetime(2026, 11, 2, 10, 0, tzinfo=CHINA_TZ), **kw)


FIGURES = ["received", "responded", "visited", "solved", "satisfied", "basically",
           "dissatisfied", "judged_apart", "unreachable", "visit_skipped", "redispatched",
           "returned", "overdue", "replied"]


def test_rates_match_a_hand_count_from_raw_events(session: Session, month: Month) -> None:
    orders = build_month(month)
    now = datetime(2026, 11, 2, 10, 0, tzinfo=CHINA_TZ)
    expected = hand_count(session, [o.id for o in orders.values()], now)
    rows = {r.unit_id: r for r in report(session).rows}
    ours = {uid: row for uid, row in expected.items()}
    assert set(rows) >= set(ours)
    for uid, counted in ours.items():
        row = rows[uid]
        for name in FIGURES:
            assert getattr(row, name) == counted.get(name, 0), (row.name, name)
        assert row.handling_seconds == pytest.approx(counted.get("handling_seconds", 0.0))
        if counted.get("visited"):
            weighted = counted.get("satisfied", 0) + 0.9 * counted.get("basically", 0)
            assert row.satisfaction_rate == pytest.approx(weighted / counted["visited"])
            assert row.resolution_rate == pytest.approx(counted["solved"] / counted["visited"])
            composite = (0.1 * counted.get("responded", 0) / counted["received"]
                         + 0.5 * counted["solved"] / counted["visited"]
                         + 0.4 * weighted / counted["visited"])
            assert row.composite == pytest.approx(composite)
    # And the figures the month was built to produce, so the hand count itself is checked.
    wangjing = rows[unit(session, WANGJING).id]
    # late_sign, and the reopened order (re-signed days after its reopen), were not in time;
    # open_overdue was never signed.
    assert (wangjing.received, wangjing.responded, wangjing.visited) == (9, 6, 4)
    assert (wangjing.solved, wangjing.satisfied, wangjing.basically) == (4, 2, 2)
    assert (wangjing.judged_apart, wangjing.unreachable, wangjing.visit_skipped) == (1, 1, 1)
    assert wangjing.redispatched == 1 and wangjing.returned == 1
    assert rows[unit(session, HAIDIAN_BALIZHUANG).id].returned == 1


def test_basically_satisfied_weighs_point_nine(session: Session, month: Month) -> None:
    build_month(month)
    dept = next(r for r in report(session).rows if r.key == "dept.chengguan")
    assert (dept.visited, dept.basically) == (1, 1)
    assert dept.satisfaction_rate == pytest.approx(0.9)
    half = RateRules(min_visited=1, basically_weight=0.5)
    dept = next(r for r in compute_rates(session, OCTOBER, rules=half).rows
                if r.key == "dept.chengguan")
    assert dept.satisfaction_rate == pytest.approx(0.5)


def test_minimum_visited_count_hides_unit_from_ranking(session: Session, month: Month) -> None:
    build_month(month)
    strict = compute_rates(session, OCTOBER, rules=RateRules(min_visited=2))
    ranked = {r.key for r in strict.ranking}
    assert WANGJING in ranked
    assert HAIDIAN_BALIZHUANG not in ranked and "dept.chengguan" not in ranked
    listed = {r.key: r for r in strict.rows}
    assert listed[HAIDIAN_BALIZHUANG].rank is None  # still listed, with its counts, unranked
    assert listed[HAIDIAN_BALIZHUANG].visited == 1


def test_exclusions_are_reported(session: Session, month: Month) -> None:
    build_month(month)
    excluded = report(session).excluded
    assert excluded["not_accepted"] == 1
    assert excluded["returned_pending_redispatch"] == 1
    assert excluded["not_solvable_judged_apart"] == 1
    assert excluded["visit_unreachable"] == 1 and excluded["visit_skipped"] == 1


def test_judged_not_solvable_leaves_resolution_and_satisfaction(session: Session,
                                                               month: Month) -> None:
    orders = build_month(month)
    wangjing = next(r for r in report(session).rows if r.key == WANGJING)
    assert orders["explained"].visit_satisfaction is None
    assert wangjing.resolution_rate == pytest.approx(4 / 4)  # the explained order is not in it


def test_district_includes_its_streets(session: Session, month: Month) -> None:
    build_month(month)
    by_unit = {r.key: r for r in report(session).rows}
    districts = {r.key: r for r in report(session, group="district").rows}
    assert districts[CHAOYANG].received == by_unit[WANGJING].received
    assert districts[CHAOYANG].visited == by_unit[WANGJING].visited
    assert districts["110108"].received == by_unit[HAIDIAN_BALIZHUANG].received
    assert "dept.chengguan" not in districts  # departments belong to no district
    scoped = report(session, unit_id=unit(session, CHAOYANG).id)
    assert {r.key for r in scoped.rows} == {WANGJING}


def test_district_rows_folded_from_units_equal_the_database_grouping_by_district(
    session: Session, month: Month
) -> None:
    from jiesu.insights.rates import _order_query

    build_month(month)
    now = datetime(2026, 11, 2, 10, 0, tzinfo=CHINA_TZ)
    dialect = session.get_bind().dialect.name
    grouped = {r.key: r._asdict() for r in session.execute(
        _order_query("district", OCTOBER, RULES, now, dialect, None)) if r.key is not None}
    folded = {r.unit_id: r for r in report(session, group="district").rows}
    assert set(folded) == set(grouped) and grouped
    for key, expected in grouped.items():
        got = folded[key]
        assert {f: getattr(got, f) for f in FIGURES if f != "returned"} == {
            f: int(expected[f]) for f in FIGURES if f != "returned"}
        assert got.handling_seconds == pytest.approx(float(expected["handling_seconds"]))


def test_category_group_counts_every_received_order(session: Session, month: Month) -> None:
    build_month(month)
    by_unit = report(session).rows
    by_category = report(session, group="category").rows
    assert sum(r.received for r in by_category) == sum(r.received for r in by_unit)


def test_report_api_serves_json_csv_and_xlsx(client: TestClient, session: Session) -> None:
    headers = auth_headers(session, "supervisor")
    body = client.get("/api/v1/reports/rates?period=2026-10", headers=headers)
    assert body.status_code == 200 and body.json()["period"] == "2026-10"
    assert "excluded" in body.json() and "ranking" in body.json()
    csv = client.get("/api/v1/reports/rates?period=2026-W44&format=csv", headers=headers)
    assert csv.status_code == 200 and "响应率" in csv.content.decode("utf-8-sig")
    xlsx = client.get("/api/v1/reports/rates?period=2026-10&format=xlsx&group=district",
                      headers=headers)
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_report_api_refuses_bad_input(client: TestClient, session: Session) -> None:
    headers = auth_headers(session, "supervisor")
    bad = client.get("/api/v1/reports/rates?period=2026-02-30", headers=headers)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_period"
    # Outside the period's pattern (in the OpenAPI schema): refused before the report runs.
    bad = client.get("/api/v1/reports/rates?period=2026-13", headers=headers)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_input"
    group = client.get("/api/v1/reports/rates?period=2026-10&group=city", headers=headers)
    assert group.status_code == 422
    agent = client.get("/api/v1/reports/rates?period=2026-10",
                       headers=auth_headers(session, "agent"))
    assert agent.status_code == 403


def test_handler_sees_only_own_unit(client: TestClient, session: Session) -> None:
    other = unit(session, HAIDIAN_BALIZHUANG).id
    response = client.get(f"/api/v1/reports/rates?period=2026-10&unit_id={other}",
                          headers=auth_headers(session, "street"))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "report_not_own_unit"


@pytest.mark.parametrize(("text", "first", "last"), [
    ("2026-10", "2026-10-01", "2026-10-31"),
    ("2026-02", "2026-02-01", "2026-02-28"),
    ("2026-12", "2026-12-01", "2026-12-31"),
    ("2026-W44", "2026-10-26", "2026-11-01"),
    ("2026-10-05", "2026-10-05", "2026-10-05"),
    ("2026-10-01..2026-10-15", "2026-10-01", "2026-10-15"),
])
def test_periods_are_china_calendar_days(text: str, first: str, last: str) -> None:
    period = parse_period(text)
    assert (period.first_day.isoformat(), period.last_day.isoformat()) == (first, last)
    assert period.start.utcoffset() == CHINA_TZ.utcoffset(None)


def test_reopened_order_counts_as_visited_while_rehandled(session: Session,
                                                          month: Month) -> None:
    order = month.handle(month.order(12, HAIDIAN_BALIZHUANG), 12, handler="haidian")
    assert month.visit(order, 14, solved=False, satisfaction="dissatisfied") == "reopened"
    row = next(r for r in report(session).rows if r.key == HAIDIAN_BALIZHUANG)
    assert (row.visited, row.solved, row.dissatisfied) == (1, 0, 1)
    assert row.resolution_rate == 0.0
