"""Hot spots through the API and the pages: the list, a cluster with its orders (phones
masked), place breakdown and trend; the threshold set by a supervisor."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.hotspots import service
from tests.conftest import auth_headers
from tests.factories import WANGJING, new_order, unit
from tests.web.test_web_rules import login

TEXTS = [
    "朝阳区望京街道望京西园四区旁边的搅拌站每天夜里施工，噪音很大，粉尘飘进家里。",
    "望京西园四区附近搅拌站凌晨还在作业，噪音扰民，孩子睡不着觉。",
    "投诉望京西园四区周边混凝土搅拌站噪音和粉尘污染，晚上无法休息。",
]


def _cluster(session: Session) -> int:
    for i, t in enumerate(TEXTS):
        new_order(session, text=t, citizen_phone=f"1391000{i:04d}")
    return service.assign_pending(session)[-1].cluster_id


def test_cluster_shows_its_orders_masked_with_place_breakdown_and_trend(
    client: TestClient, session: Session, frozen: time_machine.Coordinates
) -> None:
    cid = _cluster(session)
    r = client.get(f"/api/v1/hotspots/{cid}", headers=auth_headers(session, "supervisor"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["members"]) == 3 and body["callers"] == 3
    assert all("****" in m["citizen_phone"] for m in body["members"])
    assert body["places"] == [{"district": "朝阳区", "street": "望京街道", "estate": "望京西园",
                               "orders": 3}]
    assert sum(d["orders"] for d in body["trend"]) == 3
    listed = client.get("/api/v1/hotspots", headers=auth_headers(session, "dispatcher")).json()
    assert [h["id"] for h in listed["data"]] == [cid]


def test_threshold_is_set_by_a_supervisor_and_kept_as_history(
    client: TestClient, session: Session, frozen: time_machine.Coordinates
) -> None:
    r = client.put("/api/v1/hotspots/rule", json={"min_callers": 8, "within_hours": 48},
                   headers=auth_headers(session, "supervisor"))
    assert r.status_code == 200 and r.json()["min_callers"] == 8
    bad = client.put("/api/v1/hotspots/rule", json={"min_callers": 1, "within_hours": 48},
                     headers=auth_headers(session, "supervisor"))
    assert bad.status_code == 422
    assert service.current_rule(session).min_callers == 8


def test_hotspot_pages_show_the_list_and_the_cluster(
    client: TestClient, session: Session, frozen: time_machine.Coordinates
) -> None:
    cid = _cluster(session)
    login(client, "supervisor")
    page = client.get("/hotspots")
    assert page.status_code == 200 and f'id="hotspot-{cid}"' in page.text
    one = client.get(f"/hotspots/{cid}")
    assert one.status_code == 200
    assert "望京街道" in one.text and "chart-trend" in one.text and "搅拌站" in one.text


def test_dispatcher_opens_a_joint_case_from_the_cluster_page(
    client: TestClient, session: Session, frozen: time_machine.Coordinates
) -> None:
    from tests.web.test_web_rules import csrf

    cid = _cluster(session)
    login(client, "dispatcher")
    token = csrf(client, f"/hotspots/{cid}")
    r = client.post(f"/hotspots/{cid}/case", data={"lead": "110105026", "assist": "",
                                                   "csrf_token": token},
                    follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    page = client.get(f"/hotspots/{cid}")
    assert "已成立联办案件" in page.text
    later = new_order(session, text=TEXTS[0] + "今晚又开始了", citizen_phone="13910008888")
    service.assign_pending(session)
    order_page = client.get(f"/orders/{later.id}")
    assert 'id="case-proposal"' in order_page.text and "可能属于联办案件" in order_page.text


def _case(client: TestClient, session: Session) -> int:
    cid = _cluster(session)
    r = client.post(f"/api/v1/hotspots/{cid}/case",
                    json={"lead_unit_id": unit(session, WANGJING).id},
                    headers=auth_headers(session, "dispatcher"))
    assert r.status_code == 201, r.text
    return int(r.json()["case_id"])


LATER = "望京西园四区旁搅拌站今晚又在施工，噪音太大，粉尘很重。"


def test_intake_api_says_the_text_may_belong_to_an_open_case(
    client: TestClient, session: Session, frozen: time_machine.Coordinates
) -> None:
    headers = auth_headers(session, "agent")
    before = client.post("/api/v1/hotspots/intake", json={"text": LATER}, headers=headers)
    assert before.status_code == 200 and before.json()["case"] is None  # no case yet
    case_id = _case(client, session)
    r = client.post("/api/v1/hotspots/intake", json={"text": LATER}, headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["street_code"] == WANGJING and body["case"]["case_id"] == case_id
    assert body["case"]["message"].startswith(f"可能属于联办案件 {case_id}")
    other = client.post("/api/v1/hotspots/intake",
                        json={"text": "望京西园四区暖气不热，室温只有十五度。"}, headers=headers)
    assert other.json()["case"] is None
    bad = client.post("/api/v1/hotspots/intake", json={"text": ""}, headers=headers)
    assert bad.status_code == 422


def test_intake_panel_shows_the_case_while_the_agent_types(
    client: TestClient, session: Session, frozen: time_machine.Coordinates
) -> None:
    from tests.web.test_web_rules import csrf

    case_id = _case(client, session)
    login(client, "agent")
    token = csrf(client, "/agent")
    page = client.get("/agent")
    assert 'hx-post="/agent/suggest"' in page.text  # the panel the typing refreshes
    panel = client.post("/agent/suggest", data={"text": LATER, "csrf_token": token})
    assert panel.status_code == 200, panel.text[:300]
    assert 'id="case-hint"' in panel.text and f"可能属于联办案件 {case_id}" in panel.text
    plain = client.post("/agent/suggest", data={"text": "望京街道花家地西里路灯不亮",
                                                "csrf_token": token})
    assert plain.status_code == 200 and 'id="case-hint"' not in plain.text


def _post(client: TestClient, path: str, page: str, **data: str) -> Any:
    from tests.web.test_web_rules import csrf

    r = client.post(path, data={**data, "csrf_token": csrf(client, page)},
                    follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    return r


def test_a_joint_case_is_handled_end_to_end_from_its_page(
    client: TestClient, session: Session, frozen: time_machine.Coordinates
) -> None:
    """A supervisor opens the case (orders linked, still waiting), a dispatcher sends them to
    the lead unit from the case page, the lead unit answers all of them there once, and each
    order goes to its own return visit."""
    from jiesu.hotspots.models import JointCase
    from jiesu.orders.models import Order

    cid = _cluster(session)
    login(client, "supervisor")
    r = _post(client, f"/hotspots/{cid}/case", f"/hotspots/{cid}", lead="110105026",
              assist="dept.chengguan")
    case_id = session.scalars(select(JointCase.case_id)).one()
    assert r.headers["location"] == f"/hotspots/cases/{case_id}?ok=hotspot_case_waiting"
    page = client.get(f"/hotspots/cases/{case_id}")
    assert page.status_code == 200 and 'id="case-dispatch"' not in page.text  # not hers
    members = list(session.scalars(select(Order).where(Order.case_id == case_id)))
    assert len(members) == 3 and {o.state for o in members} == {"received"}

    login(client, "dispatcher")
    page = client.get(f"/hotspots/cases/{case_id}")
    assert 'id="case-dispatch"' in page.text and "3 件待派" in page.text
    _post(client, f"/hotspots/cases/{case_id}/dispatch", f"/hotspots/cases/{case_id}")
    for o in members:
        session.refresh(o)
        assert o.state == "dispatched" and o.lead_unit_id == unit(session, WANGJING).id

    login(client, "street")  # the lead unit: sees the case from the order page
    order_page = client.get(f"/orders/{members[0].id}")
    assert f'href="/hotspots/cases/{case_id}"' in order_page.text
    page = client.get(f"/hotspots/cases/{case_id}")
    assert 'id="case-reply"' in page.text and "统一答复（3 件）" in page.text
    assert 'id="case-dispatch"' not in page.text and "移出" not in page.text
    _post(client, f"/hotspots/cases/{case_id}/reply", f"/hotspots/cases/{case_id}",
          outcome="solved", reply="搅拌站已责令夜间停工，城管将持续巡查。")
    for o in members:
        session.refresh(o)
        assert o.state == "replied" and o.is_open and o.reply_text.startswith("搅拌站")

    frozen.shift(timedelta(days=5))  # the visits fall due after the working-day delay
    login(client, "visitor")  # each member is visited back on its own
    queue = client.get("/visits")
    assert all(o.number in queue.text for o in members)
    login(client, "haidian")  # another unit's handler may not open the case
    assert client.get(f"/hotspots/cases/{case_id}").status_code == 403


def test_a_wrongly_joined_order_is_split_out_from_the_case_page(
    client: TestClient, session: Session, frozen: time_machine.Coordinates
) -> None:
    from jiesu.hotspots.models import JointCase
    from jiesu.orders.models import Order

    cid = _cluster(session)
    login(client, "dispatcher")
    _post(client, f"/hotspots/{cid}/case", f"/hotspots/{cid}", lead="110105026")
    case_id = session.scalars(select(JointCase.case_id)).one()
    wrong = session.scalars(select(Order).where(Order.case_id == case_id)
                            .order_by(Order.id.desc())).first()
    assert wrong is not None
    _post(client, f"/hotspots/cases/{case_id}/split", f"/hotspots/cases/{case_id}",
          order_id=str(wrong.id), reason="并非同一搅拌站")
    session.refresh(wrong)
    assert wrong.case_id is None
    page = client.get(f"/hotspots/cases/{case_id}")
    assert f'id="case-order-{wrong.id}"' not in page.text


def test_case_api_dispatches_the_waiting_orders_and_is_read_by_its_units(
    client: TestClient, session: Session, frozen: time_machine.Coordinates
) -> None:
    cid = _cluster(session)
    opened = client.post(f"/api/v1/hotspots/{cid}/case",
                         json={"lead_unit_id": unit(session, WANGJING).id},
                         headers=auth_headers(session, "supervisor"))
    case_id = opened.json()["case_id"]
    refused = client.post(f"/api/v1/hotspots/cases/{case_id}/dispatch", json={},
                          headers=auth_headers(session, "supervisor"))
    assert refused.status_code == 403
    done = client.post(f"/api/v1/hotspots/cases/{case_id}/dispatch", json={},
                       headers=auth_headers(session, "dispatcher"))
    assert done.status_code == 200 and len(done.json()["dispatched"]) == 3
    again = client.post(f"/api/v1/hotspots/cases/{case_id}/dispatch", json={},
                        headers=auth_headers(session, "dispatcher"))
    assert again.json()["dispatched"] == []
    read = client.get(f"/api/v1/hotspots/cases/{case_id}", headers=auth_headers(session, "street"))
    assert read.status_code == 200 and len(read.json()["order_ids"]) == 3
    other = client.get(f"/api/v1/hotspots/cases/{case_id}",
                       headers=auth_headers(session, "haidian"))
    assert other.status_code == 403
