"""Joint cases from hot spots: open one from a cluster, answer its members together, each
still visited back, later orders proposed, a wrongly joined order split out; every step an
event on the order."""

from __future__ import annotations

import time_machine
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from jiesu.core import clock
from jiesu.hotspots import cases, service
from jiesu.hotspots.models import HotspotCluster
from jiesu.orders.models import Order, OrderAssignment, OrderEvent
from tests.factories import WANGJING, new_order, unit, who

TEXTS = [
    "朝阳区望京街道望京西园四区旁边的搅拌站每天夜里施工，噪音很大，粉尘飘进家里。",
    "望京西园四区附近搅拌站凌晨还在作业，噪音扰民，孩子睡不着觉。",
    "投诉望京西园四区周边混凝土搅拌站噪音和粉尘污染，晚上无法休息。",
]
LATER = "望京西园四区旁搅拌站今晚又在施工，噪音太大，粉尘很重。"


def _events(session: Session, order_id: int) -> list[str]:
    return list(session.scalars(select(OrderEvent.action).where(OrderEvent.order_id == order_id)
                                .order_by(OrderEvent.seq)))


def _cluster(session: Session) -> tuple[int, list[Order]]:
    orders = [new_order(session, text=t, citizen_phone=f"1391000{i:04d}")
              for i, t in enumerate(TEXTS)]
    return service.assign_pending(session)[-1].cluster_id, orders


def _open(session: Session, cluster_id: int) -> int:
    lead = unit(session, WANGJING)
    assist = unit(session, "dept.chengguan")
    row = cases.open_case(session, who(session, "dispatcher"), cluster_id,
                          lead_unit_id=lead.id, assisting_unit_ids=[assist.id])
    return row.case_id


def test_a_cluster_becomes_a_joint_case_with_lead_and_assisting_units(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    cid, orders = _cluster(session)
    case_id = _open(session, cid)
    for o in orders:
        session.refresh(o)
        assert o.case_id == case_id and o.state == "dispatched"
        assert o.lead_unit_id == unit(session, WANGJING).id
        assert _events(session, o.id)[-2:] == ["link_case", "dispatch"]
        roles = set(session.scalars(select(OrderAssignment.role)
                                    .where(OrderAssignment.order_id == o.id)))
        assert {"lead", "assist"} <= roles  # (and the copy to the district)
    cluster = session.get(HotspotCluster, cid)
    assert cluster is not None and cluster.case_id == case_id and cluster.status == "case"


def test_the_lead_unit_answers_every_member_once_and_each_is_visited(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    cid, orders = _cluster(session)
    case_id = _open(session, cid)
    done = cases.reply_case(session, who(session, "street"), case_id, outcome="solved",
                            reply="搅拌站已责令夜间停工，城管将持续巡查。")
    assert sorted(done.replied) == sorted(o.id for o in orders) and done.skipped == {}
    for o in orders:
        session.refresh(o)
        assert o.state == "replied" and o.reply_text and o.is_open  # waits for its return visit
        assert _events(session, o.id)[-3:] == ["sign", "contact", "reply"]


def test_only_the_lead_unit_answers_the_case(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    import pytest

    from jiesu.core.errors import NotAllowed

    cid, _ = _cluster(session)
    case_id = _open(session, cid)
    with pytest.raises(NotAllowed):
        cases.reply_case(session, who(session, "haidian"), case_id, outcome="solved", reply="x")


def test_a_later_order_of_the_cluster_is_proposed_for_the_case(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    cid, _ = _cluster(session)
    case_id = _open(session, cid)
    later = new_order(session, text=LATER, citizen_phone="13910009999")
    (placed,) = service.assign_pending(session)
    assert placed.cluster_id == cid
    assert cases.proposal_for(session, later.id) == case_id
    session.refresh(later)
    assert later.case_id is None  # proposed, not linked
    cases.link_proposed(session, who(session, "dispatcher"), later.id)
    session.refresh(later)
    assert later.case_id == case_id and cases.proposal_for(session, later.id) is None


def test_a_wrongly_joined_order_is_split_out_with_an_event(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    cid, orders = _cluster(session)
    case_id = _open(session, cid)
    wrong = orders[-1]
    cases.split_out(session, who(session, "dispatcher"), case_id, wrong.id, "并非同一搅拌站")
    session.refresh(wrong)
    assert wrong.case_id is None and _events(session, wrong.id)[-1] == "unlink_case"
    assert [o.id for o in cases.case_orders(session, case_id)] == [o.id for o in orders[:-1]]
    assert wrong.id not in [o.id for o in service.member_orders(session, cid)]
    cluster = session.get(HotspotCluster, cid)
    assert cluster is not None and cluster.orders == 2


def test_the_agent_typing_a_text_of_an_open_case_sees_the_case(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    cid, _ = _cluster(session)
    case_id = _open(session, cid)
    now = clock.now()
    match = cases.case_at_intake(session, text=LATER, title=None, street_code=WANGJING,
                                 now=now)
    assert match is not None and match.case_id == case_id and match.cluster_id == cid
    assert match.open_orders == 3 and match.lead_unit
    assert f"可能属于联办案件 {case_id}" in cases.intake_message(match)
    # Another matter at the same estate, the same matter in another street: no case.
    assert cases.case_at_intake(session, text="望京西园四区暖气不热，室温只有十五度。",
                                title=None, street_code=WANGJING, now=now) is None
    assert cases.case_at_intake(session, text=LATER, title=None, street_code="110108001",
                                now=now) is None


def test_a_cluster_that_is_no_case_proposes_nothing_at_intake(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    _cluster(session)
    assert cases.case_at_intake(session, text=LATER, title=None, street_code=WANGJING,
                                now=clock.now()) is None


def test_a_split_order_leaves_the_intake_index(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    """The web process's index of case clusters follows the tables: a case whose orders are
    all split out proposes nothing any more."""
    cid, orders = _cluster(session)
    case_id = _open(session, cid)
    now = clock.now()
    assert cases.case_at_intake(session, text=LATER, title=None, street_code=WANGJING,
                                now=now) is not None
    for o in orders:
        cases.split_out(session, who(session, "dispatcher"), case_id, o.id, "误并")
    assert cases.case_at_intake(session, text=LATER, title=None, street_code=WANGJING,
                                now=now) is None


def test_a_starting_server_builds_the_joint_cases_index_before_the_first_keystroke(
    engine: Engine,
) -> None:
    from jiesu.hotspots import live

    live.forget()
    cases.warm_up()
    assert str(engine.url) in live._CASES  # the index an intake hint reads is ready
    assert str(engine.url) in live._IDF
    live.forget()
