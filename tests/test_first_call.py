"""First-call resolution: a call settled on the spot with one answer version, counted as
first-call resolved and against no unit; the line's answers first; the line's dashboard."""

from __future__ import annotations

import io
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.core.errors import Conflict, NotAllowed, NotFound
from jiesu.insights.first_call import compute_fcr
from jiesu.insights.periods import parse_period
from jiesu.insights.rates import compute_rates
from jiesu.knowledge import service as kb
from jiesu.knowledge.models import ArticleUse, ArticleVersion
from jiesu.lines import dashboard, first_call
from jiesu.lines import schemas as ls
from jiesu.lines import service as lines
from jiesu.lines.models import Line
from jiesu.orders import schemas as os_
from jiesu.orders.models import Order, OrderEvent
from tests.conftest import auth_headers
from tests.factories import WANGJING, new_order, step, unit, who
from tests.kb_support import published, revise
from tests.rules_support import table_counts

NOVEMBER = parse_period("2026-11")


def _line(session: Session, code: str = "epidemic", **fields: Any) -> Line:
    return lines.create_line(session, who(session, "supervisor"), ls.LineCreate.model_validate({
        "code": code, "name": "疫情防控专线", "number": "12345-6",
        "agent_ids": [who(session, "agent").user_id], **fields}))


def _answer(session: Session, topic: str = "核酸检测点查询", **fields: Any) -> ArticleVersion:
    return published(session, topic=topic, questions=["附近哪里能做核酸", "核酸检测点在哪里"],
                     answer="便民核酸采样点名单每日在区政府网站公布。", category="疾病预防控制",
                     **fields)


def _call(text: str = "请问附近哪里能做核酸？", **fields: Any) -> os_.OrderCreate:
    return os_.OrderCreate.model_validate({"type": "consultation", "text": text,
                                           "citizen_phone": "13912345678", **fields})


def _settle(session: Session, version: ArticleVersion, **fields: Any) -> Order:
    order, created = first_call.settle_on_call(session, who(session, "agent"), _call(**fields),
                                               version.id)
    assert created
    return order


def test_a_call_settled_on_the_spot_is_a_closed_consultation_with_the_version_used(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    line = _line(session)
    version = _answer(session)
    order = _settle(session, version, line_id=line.id, type="help")
    assert (order.state, order.close_reason, order.type) == (
        "closed", "answered_on_call", "consultation")
    assert order.answer == version.answer
    assert order.dispatched_at is None and order.lead_unit_id is None
    events = session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id)
                             .order_by(OrderEvent.seq)).all()
    assert [e.action for e in events] == ["intake", "answer_on_call"]
    assert events[1].payload["knowledge_version_id"] == version.id
    assert events[1].payload["knowledge_id"] == version.article_id
    use = session.scalars(select(ArticleUse).where(ArticleUse.order_id == order.id)).one()
    assert (use.version_id, use.line_id) == (version.id, line.id)


def test_a_settled_call_counts_as_first_call_and_against_no_unit(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    version = _answer(session)
    _settle(session, version)
    lead = unit(session, WANGJING).id
    dispatched = new_order(session)
    step(session, "dispatcher", dispatched, "dispatch", lead_unit_id=lead)
    report = compute_fcr(session, NOVEMBER, group="line")
    assert (report.total.first_call, report.total.dispatched, report.total.counted) == (1, 1, 2)
    assert report.total.fcr_rate == 0.5
    rates = compute_rates(session, NOVEMBER, group="unit")
    assert sum(r.received for r in rates.rows) == 1  # only the dispatched one, at its unit
    assert rates.excluded["answered_on_call"] == 1


def test_first_call_rate_per_line_category_agent_and_day(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    line = _line(session, agent_ids=[who(session, "agent").user_id,
                                     who(session, "agent2").user_id])
    version = _answer(session)
    for _ in range(3):
        _settle(session, version, line_id=line.id, category="疾病预防控制")
    first_call.settle_on_call(session, who(session, "agent2"),
                              _call(line_id=line.id, category="疾病预防控制"), version.id)
    sent = new_order(session, line_id=line.id, category="疾病预防控制")
    step(session, "dispatcher", sent, "dispatch", lead_unit_id=unit(session, WANGJING).id)
    refused = new_order(session, line_id=line.id)
    step(session, "agent", refused, "not_accept", reason="emergency_120")  # not counted
    new_order(session)  # the main hotline, waiting for its dispatcher
    by_line = {r.name: r for r in compute_fcr(session, NOVEMBER, group="line").rows}
    assert (by_line["疫情防控专线"].first_call, by_line["疫情防控专线"].counted) == (4, 5)
    assert by_line["疫情防控专线"].not_accepted == 1
    assert by_line["疫情防控专线"].fcr_rate == pytest.approx(0.8)
    assert by_line["主热线"].waiting == 1 and by_line["主热线"].fcr_rate == 0.0
    by_agent = {r.name: r for r in compute_fcr(session, NOVEMBER, group="agent",
                                               line_id=line.id).rows}
    assert by_agent["坐席·李静"].first_call == 1 and by_agent["坐席·王芳"].first_call == 3
    by_category = {r.key: r for r in compute_fcr(session, NOVEMBER, group="category",
                                                 line_id=line.id).rows}
    assert by_category["疾病预防控制"].first_call == 4
    assert by_category["疾病预防控制"].with_article == 4
    days = compute_fcr(session, NOVEMBER, group="day").rows
    assert [r.key for r in days] == ["2026-11-02"]


def test_an_answer_no_longer_in_force_cannot_settle_a_call(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    old = _answer(session)
    new = revise(session, old.article_id, username="supervisor", topic="核酸检测点查询",
                 questions=["附近哪里能做核酸"], answer="新口径：请查看健康宝。",
                 category="疾病预防控制", submit=True)
    kb.publish(session, who(session, "supervisor"), new.id)
    before = table_counts(session)
    with pytest.raises(Conflict) as refused:
        _settle(session, old)
    assert refused.value.code == "kb_version_not_in_force"
    assert table_counts(session) == before
    with pytest.raises(NotFound):
        first_call.settle_on_call(session, who(session, "agent"), _call(), 999_999)
    assert table_counts(session) == before


def test_only_an_agent_settles_a_call(session: Session, frozen: time_machine.Coordinates) -> None:
    version = _answer(session)
    with pytest.raises(NotAllowed):
        first_call.settle_on_call(session, who(session, "dispatcher"), _call(), version.id)


def test_the_lines_own_answers_come_first_for_its_agents(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    general = _answer(session, topic="核酸检测点（全市）")
    own = _answer(session, topic="核酸检测点（本区专线）")
    line = _line(session, article_ids=[own.article_id])
    agent = who(session, "agent")
    plain = kb.search(session, agent, "附近哪里能做核酸")
    boosted = kb.search(session, agent, "附近哪里能做核酸", line_id=line.id)
    assert plain.hits[0].doc.article_id == general.article_id
    assert boosted.hits[0].doc.article_id == own.article_id


def test_the_dashboard_is_computed_from_the_orders_and_closing_keeps_it(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    line = _line(session)
    version = _answer(session)
    for _ in range(3):
        _settle(session, version, line_id=line.id)
    sent = new_order(session, line_id=line.id, category="疾病预防控制")
    step(session, "dispatcher", sent, "dispatch", lead_unit_id=unit(session, WANGJING).id)
    board = dashboard.line_dashboard(session, line)
    assert (board.total, board.first_call, board.dispatched) == (4, 3, 1)
    assert board.first_call_rate == 0.75 and board.dispatched_rate == 0.25
    assert (board.peak_day, board.peak_calls) == ("2026-11-02", 4)
    assert board.calls_per_hour[10] == 4  # 10:00 Beijing time
    assert board.top_questions[0]["calls"] == 3
    assert board.open_by_unit == [{"unit_id": unit(session, WANGJING).id,
                                   "name": "望京街道", "open": 1}]
    lines.close_line(session, who(session, "supervisor"), line.id)
    after = dashboard.line_dashboard(session, session.get(Line, line.id))  # type: ignore[arg-type]
    assert (after.total, after.first_call, after.first_call_rate) == (4, 3, 0.75)
    assert after.state == "closed"


def test_the_settle_api_and_the_first_call_report(client: TestClient, session: Session) -> None:
    line = _line(session)
    version = _answer(session)
    body = {"call": {"type": "consultation", "text": "核酸检测点在哪里", "line_id": line.id},
            "version_id": version.id}
    refused = client.post("/api/v1/first-call", json=body,
                          headers=auth_headers(session, "dispatcher"))
    assert refused.status_code == 403
    settled = client.post("/api/v1/first-call", json=body, headers=auth_headers(session, "agent"))
    assert settled.status_code == 201, settled.text
    assert settled.json()["state"] == "closed" and settled.json()["line_id"] == line.id
    headers = auth_headers(session, "supervisor")
    params = {"period": "2026-11", "kind": "first_call", "group": "line"}
    report = client.get("/api/v1/reports/rates", params=params, headers=headers)
    assert report.status_code == 200, report.text
    assert report.json()["total"]["first_call"] == 1
    csv = client.get("/api/v1/reports/rates", params={**params, "format": "csv"}, headers=headers)
    assert "一次办结率" in csv.content.decode("utf-8-sig")
    xlsx = client.get("/api/v1/reports/rates", params={**params, "format": "xlsx"},
                      headers=headers)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and sheet.cell(2, 8).value == "一次办结率"
    handler = client.get("/api/v1/reports/rates", params=params,
                         headers=auth_headers(session, "street"))
    assert handler.status_code == 403
    bad = client.get("/api/v1/reports/rates", params={**params, "group": "unit"},
                     headers=headers)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_group"
    dash = client.get(f"/api/v1/lines/{line.id}/dashboard", headers=headers)
    assert dash.status_code == 200 and dash.json()["first_call"] == 1
