"""Special-line pages through the real app (no browser): a supervisor opens a line, writes an
answer for it and adds an agent; the agent sees the answer while typing and settles the call
in one click; the line's dashboard counts it. Other roles are refused."""

from __future__ import annotations

import re

import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.lines.models import Line
from jiesu.orders.models import Order
from tests.factories import unit, who
from tests.rules_support import table_counts
from tests.web.test_web_rules import csrf, login


def test_the_settle_on_the_call_flow_through_the_pages(
    client: TestClient, session: Session, frozen: time_machine.Coordinates
) -> None:
    login(client, "supervisor")
    token = csrf(client, "/lines")
    opened = client.post("/lines", data={
        "csrf_token": token, "name": "疫情防控专线", "code": "epidemic", "number": "12345-6",
        "hours": "24x7", "categories": "疾病预防控制"}, follow_redirects=False)
    assert opened.status_code == 303, opened.text[:800]
    line = session.scalars(select(Line).where(Line.code == "epidemic")).one()
    page = f"/lines/{line.id}"
    written = client.post(f"{page}/answers", data={
        "csrf_token": csrf(client, page), "topic": "核酸检测点查询",
        "questions": "附近哪里能做核酸\n核酸检测点在哪里",
        "answer": "便民核酸采样点名单每日在区政府网站公布。",
        "category": "疾病预防控制", "owner_unit_id": str(unit(session, "dept.weijian").id)},
        follow_redirects=False)
    assert written.status_code == 303, written.text[:800]
    added = client.post(f"{page}/agents", data={
        "csrf_token": csrf(client, page), "user_ids": str(who(session, "agent").user_id)},
        follow_redirects=False)
    assert added.status_code == 303
    client.post("/logout", data={"csrf_token": csrf(client, "/supervisor")})

    login(client, "agent")
    intake = client.get("/agent")
    assert f'<option value="{line.id}" selected>疫情防控专线' in intake.text
    token = csrf(client, "/agent")
    answers = client.post("/agent/answers", data={
        "csrf_token": token, "text": "请问附近哪里能做核酸", "line_id": str(line.id)})
    found = re.search(r'name="settle_version" value="(\d+)"', answers.text)
    assert found and "<mark>" in answers.text, answers.text[:800]
    settled = client.post("/agent/settle", data={
        "csrf_token": token, "type": "consultation", "text": "请问附近哪里能做核酸",
        "line_id": str(line.id), "settle_version": found.group(1)}, follow_redirects=False)
    assert settled.status_code == 303, re.findall(r"(?:flash err|ferr)[^<]*<?[^<]*", settled.text)
    order = session.scalars(select(Order).where(Order.line_id == line.id)).one()
    assert (order.state, order.close_reason) == ("closed", "answered_on_call")
    client.post("/logout", data={"csrf_token": csrf(client, "/agent")})

    login(client, "supervisor")
    board = client.get(f"{page}/panel")
    assert 'id="fig-total">1<' in board.text and "100.0%" in board.text


def test_settling_without_an_answer_or_with_bad_input_stores_nothing(
    client: TestClient, session: Session, frozen: time_machine.Coordinates
) -> None:
    login(client, "agent")
    token = csrf(client, "/agent")
    before = table_counts(session)
    missing = client.post("/agent/settle", data={"csrf_token": token, "text": "核酸"})
    assert missing.status_code == 422
    unknown = client.post("/agent/settle", data={"csrf_token": token, "text": "核酸",
                                                 "settle_version": "999999"})
    assert unknown.status_code == 404
    empty = client.post("/agent/settle", data={"csrf_token": token, "text": "",
                                               "settle_version": "1"})
    assert empty.status_code == 422
    assert table_counts(session) == before


def test_line_pages_are_refused_to_agents_visitors_and_handlers(client: TestClient) -> None:
    for username in ("agent", "visitor", "street"):
        login(client, username)
        assert client.get("/lines").status_code == 403, username
        client.cookies.clear()


def test_the_line_page_sets_and_retires_the_lines_deadline_rules(
    client: TestClient, session: Session, frozen: time_machine.Coordinates
) -> None:
    from jiesu.lines import schemas as ls
    from jiesu.lines import service as lines
    from jiesu.orders.deadline_rules import DeadlineRuleRow, active_rules

    line = lines.create_line(session, who(session, "supervisor"), ls.LineCreate(
        code="epidemic", name="疫情防控专线", number="12345-6"))
    session.commit()
    login(client, "supervisor")
    page = f"/lines/{line.id}"
    assert "尚无本线时限" in client.get(page).text
    form = {"urgency": "any", "sign_amount": "2", "sign_span": "hours", "contact_amount": "2",
            "contact_span": "hours", "reply_amount": "24", "reply_span": "hours",
            "rule_note": "2小时响应、24小时办结"}
    saved = client.post(f"{page}/deadline-rules", data={"csrf_token": csrf(client, page),
                                                        **form}, follow_redirects=False)
    assert saved.status_code == 303, saved.text[:800]
    shown = client.get(page).text
    assert "所有紧急程度" in shown and "24小时" in shown and "2小时响应、24小时办结" in shown
    # The same urgency and category again: a new version of the rule in force.
    again = client.post(f"{page}/deadline-rules", data={
        "csrf_token": csrf(client, page), **form, "reply_amount": "12"}, follow_redirects=False)
    assert again.status_code == 303
    session.expire_all()
    (rule,) = active_rules(session, line.id)
    assert rule.reply_amount == 12 and rule.supersedes_id is not None
    rows = session.scalars(select(DeadlineRuleRow)).all()
    for bad, status in (({"reply_amount": "0"}, 422), ({"sign_span": "weeks"}, 422),
                        ({"category": "不存在的类别"}, 422), ({"urgency": "soon"}, 422)):
        answer = client.post(f"{page}/deadline-rules", data={
            "csrf_token": csrf(client, page), **form, **bad})
        assert answer.status_code == status, (bad, answer.status_code)
        assert 'class="flash err"' in answer.text
    session.expire_all()
    assert session.scalars(select(DeadlineRuleRow)).all() == rows
    retired = client.post(f"{page}/deadline-rules/{rule.id}/retire",
                          data={"csrf_token": csrf(client, page)}, follow_redirects=False)
    assert retired.status_code == 303
    session.expire_all()
    assert active_rules(session, line.id) == []
    client.post("/logout", data={"csrf_token": csrf(client, "/supervisor")})
    login(client, "dispatcher")
    refused = client.post(f"{page}/deadline-rules", data={"csrf_token": csrf(client, page),
                                                          **form})
    assert refused.status_code == 403
