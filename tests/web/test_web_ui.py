"""Page rules of issue 14 through the real app (no browser): what the pages say and refuse."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import WANGJING, dispatched, new_order
from tests.web.test_web_rules import csrf, login


def test_bulk_dispatch_says_how_many_to_which_unit_and_which_were_refused(
    client: TestClient, session: Session
) -> None:
    first, second = new_order(session, title="批量一"), new_order(session, title="批量二")
    already = dispatched(session, WANGJING, title="已派出")
    session.flush()
    login(client, "dispatcher")
    token = csrf(client, "/dispatch")
    page = client.post("/dispatch-bulk", data={
        "csrf_token": token, "op": "dispatch", "bulk_lead": f"望京街道（{WANGJING}）",
        "ids": [str(first.id), str(second.id), str(already.id)]})
    assert page.status_code == 200
    assert "已批量派单 2 件至 望京街道" in page.text
    assert f"{already.number}：" in page.text and "1 件未派出" in page.text
    session.refresh(first)
    assert first.state == "dispatched"


def test_order_page_names_the_place(client: TestClient, session: Session) -> None:
    order = new_order(session, community_code="110105026034")
    session.flush()
    login(client, "supervisor")
    page = client.get(f"/orders/{order.id}")
    assert "朝阳区 望京街道 花家地西里社区" in page.text


def test_search_page_refuses_an_unknown_unit(client: TestClient, session: Session) -> None:
    login(client, "supervisor")
    page = client.get("/orders", params={"unit": "没有这个单位"})
    assert page.status_code == 200
    assert "找不到该单位" in page.text and "共 0 件" in page.text
