"""Special lines: opening, hours, agents, calls carrying their line, closing keeps figures,
and bad input that changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jiesu.core.errors import Conflict, InvalidInput, NotAllowed
from jiesu.lines import schemas as ls
from jiesu.lines import service as lines
from jiesu.lines.models import Line, LineAgent
from jiesu.orders.models import Order, OrderEvent
from tests.conftest import FROZEN_AT, auth_headers
from tests.factories import new_order, who
from tests.rules_support import table_counts


def _line(session: Session, **fields: Any) -> Line:
    data = {"code": f"line-{fields.pop('n', 1)}", "name": "疫情防控专线", "number": "12345-6",
            "agent_ids": [who(session, "agent").user_id], **fields}
    return lines.create_line(session, who(session, "supervisor"),
                             ls.LineCreate.model_validate(data))


def test_a_supervisor_opens_a_line_with_its_agents_and_categories(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    line = _line(session, categories=["疾病预防控制"])
    public = lines.to_public(session, line)
    assert public.state == "open" and public.open_now
    assert [a.username for a in public.agents] == ["agent"]
    assert public.categories == ["疾病预防控制"]
    assert public.around_the_clock and public.timetable == []


def test_only_supervisors_and_admins_open_lines(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    for username in ("agent", "dispatcher", "visitor", "street"):
        with pytest.raises(NotAllowed):
            lines.create_line(session, who(session, username), ls.LineCreate.model_validate(
                {"code": f"x-{username}", "name": "专线", "number": "1"}))


def test_a_call_on_the_line_carries_it(session: Session, frozen: time_machine.Coordinates) -> None:
    line = _line(session)
    order = new_order(session, line_id=line.id)
    assert order.line_id == line.id
    intake = session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id)).one()
    assert intake.payload["line_id"] == line.id


def test_an_agent_not_on_the_line_cannot_take_its_calls(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    line = _line(session, agent_ids=[who(session, "agent2").user_id])
    with pytest.raises(NotAllowed) as refused:
        new_order(session, line_id=line.id)
    assert refused.value.code == "not_line_agent"


def test_an_unknown_line_is_refused_at_intake(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    before = table_counts(session)
    with pytest.raises(InvalidInput) as refused:
        new_order(session, line_id=999_999)
    assert refused.value.code == "unknown_line"
    assert table_counts(session) == before


def test_a_timetabled_line_takes_calls_only_in_its_hours(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    # FROZEN_AT is a Monday 10:00 in Beijing.
    line = _line(session, around_the_clock=False,
                 timetable=[{"weekdays": [1, 2, 3, 4, 5], "start": "08:00", "end": "09:30"},
                            {"weekdays": [6, 7], "start": "09:00", "end": "17:00"}])
    assert not lines.is_open_at(line, FROZEN_AT)
    assert lines.is_open_at(line, (FROZEN_AT + timedelta(days=1)).replace(hour=8))  # Tuesday
    assert lines.is_open_at(line, FROZEN_AT + timedelta(days=5))  # Saturday 10:00
    with pytest.raises(InvalidInput) as refused:
        new_order(session, line_id=line.id)
    assert refused.value.code == "line_outside_hours"


def test_a_line_takes_no_calls_before_its_start_or_after_its_end(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    line = _line(session, starts_at=(FROZEN_AT + timedelta(days=1)).isoformat(),
                 ends_at=(FROZEN_AT + timedelta(days=31)).isoformat())
    assert not lines.is_open_at(line, FROZEN_AT)
    assert lines.is_open_at(line, FROZEN_AT + timedelta(days=2))
    assert not lines.is_open_at(line, FROZEN_AT + timedelta(days=31))


def test_closing_a_line_keeps_its_orders_and_members(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    line = _line(session)
    orders = [new_order(session, line_id=line.id, text=f"专线来电{n}") for n in range(3)]
    closed = lines.close_line(session, who(session, "supervisor"), line.id, "疫情结束")
    assert closed.state == "closed" and closed.close_note == "疫情结束"
    carried = session.scalar(select(func.count()).select_from(Order)
                             .where(Order.line_id == line.id))
    assert carried == len(orders)
    assert session.scalar(select(func.count()).select_from(LineAgent)
                          .where(LineAgent.line_id == line.id)) == 1
    with pytest.raises(InvalidInput) as refused:
        new_order(session, line_id=line.id)
    assert refused.value.code == "line_closed"
    with pytest.raises(Conflict):
        lines.add_agents(session, who(session, "supervisor"), line.id,
                         [who(session, "agent2").user_id])


def test_removing_an_agent_ends_the_row_and_their_calls_on_the_line(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    line = _line(session)
    lines.remove_agent(session, who(session, "supervisor"), line.id, who(session, "agent").user_id)
    row = session.scalars(select(LineAgent).where(LineAgent.line_id == line.id)).one()
    assert row.removed_at is not None
    with pytest.raises(NotAllowed):
        new_order(session, line_id=line.id)


@pytest.mark.parametrize(("fields", "code"), [
    ({"categories": ["不存在的类别"]}, "unknown_category"),
    ({"agent_ids": [999_999]}, "unknown_user"),
    ({"agent_ids": ["dispatcher"]}, "not_an_agent"),
])
def test_bad_members_store_nothing(session: Session, frozen: time_machine.Coordinates,
                                   fields: dict[str, Any], code: str) -> None:
    if fields.get("agent_ids") == ["dispatcher"]:
        fields = {"agent_ids": [who(session, "dispatcher").user_id]}
    before = table_counts(session)
    with pytest.raises(InvalidInput) as refused:
        _line(session, **fields)
    assert refused.value.code == code
    assert table_counts(session) == before


def test_a_second_line_with_the_same_code_is_a_conflict(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    _line(session)
    with pytest.raises(Conflict) as refused:
        _line(session)
    assert refused.value.code == "line_code_exists"


@pytest.mark.parametrize("body", [
    {"code": "a1", "name": "无号码"},  # neither number nor channel tag
    {"code": "a2", "name": "x", "number": "1", "around_the_clock": False},  # no timetable
    {"code": "a3", "name": "x", "number": "1", "around_the_clock": False,
     "timetable": [{"weekdays": [8], "start": "08:00", "end": "09:00"}]},
    {"code": "a4", "name": "x", "number": "1", "around_the_clock": False,
     "timetable": [{"weekdays": [1], "start": "10:00", "end": "09:00"}]},
    {"code": "a5", "name": "x", "number": "1", "starts_at": "2026-11-03T00:00:00+08:00",
     "ends_at": "2026-11-02T00:00:00+08:00"},
    {"code": "A 6", "name": "x", "number": "1"},
    {"code": "a7", "name": "", "number": "1"},
    {"code": "a8", "name": "x", "number": "1", "starts_at": "2026-11-03T00:00:00"},
])
def test_bad_line_input_is_422_and_stores_nothing(
    client: TestClient, session: Session, body: dict[str, Any]
) -> None:
    before = table_counts(session)
    response = client.post("/api/v1/lines", json=body,
                           headers=auth_headers(session, "supervisor"))
    assert response.status_code == 422, response.text
    assert "error" in response.json()
    assert table_counts(session) == before


def test_the_api_opens_edits_staffs_and_closes_a_line(
    client: TestClient, session: Session
) -> None:
    headers = auth_headers(session, "supervisor")
    created = client.post("/api/v1/lines", headers=headers, json={
        "code": "epidemic", "name": "疫情防控专线", "number": "12345-6",
        "agent_ids": [who(session, "agent").user_id], "categories": ["疾病预防控制"]})
    assert created.status_code == 201, created.text
    line_id = created.json()["id"]
    edited = client.put(f"/api/v1/lines/{line_id}", headers=headers, json={
        "around_the_clock": False,
        "timetable": [{"weekdays": [1, 2, 3, 4, 5, 6, 7], "start": "08:00", "end": "22:00"}]})
    assert edited.status_code == 200 and edited.json()["around_the_clock"] is False
    added = client.post(f"/api/v1/lines/{line_id}/agents", headers=headers,
                        json={"user_ids": [who(session, "agent2").user_id]})
    assert {a["username"] for a in added.json()["agents"]} == {"agent", "agent2"}
    mine = client.get("/api/v1/lines", params={"mine": True},
                      headers=auth_headers(session, "agent2"))
    assert [row["id"] for row in mine.json()["data"]] == [line_id]
    closed = client.post(f"/api/v1/lines/{line_id}/close", headers=headers, json={"note": "结束"})
    assert closed.json()["state"] == "closed" and closed.json()["open_now"] is False
    # An order on the closed line is still there to be counted.
    assert client.get(f"/api/v1/lines/{line_id}", headers=headers).status_code == 200


def test_the_intake_api_takes_the_line(client: TestClient, session: Session) -> None:
    line = _line(session)
    response = client.post("/api/v1/orders", headers=auth_headers(session, "agent"), json={
        "type": "consultation", "text": "核酸检测点在哪里", "line_id": line.id})
    assert response.status_code == 201, response.text
    assert response.json()["line_id"] == line.id
    assert session.get(Order, response.json()["id"]).line_id == line.id  # type: ignore[union-attr]
