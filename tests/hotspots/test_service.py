"""Live hot spots: orders join clusters after intake, the centre's threshold alerts once."""

from __future__ import annotations

import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.core.outbox import OutboxMessage
from jiesu.hotspots import service
from jiesu.hotspots.models import HotspotCluster, HotspotMember
from tests.factories import new_order, who

NOISE = [
    "朝阳区望京街道望京西园四区旁边的搅拌站每天夜里施工，噪音很大，粉尘飘进家里。",
    "望京西园四区附近搅拌站凌晨还在作业，噪音扰民，孩子睡不着觉。",
    "投诉望京西园四区周边混凝土搅拌站噪音和粉尘污染，晚上无法休息。",
    "望京西园四区外面的搅拌站夜间轰鸣，粉尘大，请尽快处理。",
    "反映望京西园四区旁搅拌站噪音扰民问题，已经持续一周。",
]
HEATING = "望京西园四区暖气不热，室温只有十五度，供暖不达标，老人受冻。"


def _phone(n: int) -> str:
    return f"1391000{n:04d}"


def _rule(session: Session, callers: int = 3) -> None:
    service.set_rule(session, who(session, "supervisor"), min_callers=callers, within_hours=24,
                     window_days=30)


def _alerts(session: Session) -> list[OutboxMessage]:
    rows = session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "notify"))
    return [m for m in rows if m.payload.get("kind") == "hotspot_alert"]


def test_orders_about_one_matter_at_one_estate_join_one_cluster(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    orders = [new_order(session, text=t, citizen_phone=_phone(i)) for i, t in enumerate(NOISE)]
    done = service.assign_pending(session)
    assert [d.order_id for d in done] == [o.id for o in orders]
    assert len({d.cluster_id for d in done}) == 1
    cluster = session.get(HotspotCluster, done[0].cluster_id)
    assert cluster is not None and cluster.orders == 5 and cluster.callers == 5
    assert "搅拌站" in cluster.keywords and cluster.place == "望京西园"


def test_same_estate_other_matter_is_another_cluster(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    new_order(session, text=NOISE[0], citizen_phone=_phone(1))
    new_order(session, text=HEATING, citizen_phone=_phone(2))
    done = service.assign_pending(session)
    assert done[0].cluster_id != done[1].cluster_id


def test_threshold_of_distinct_callers_alerts_supervisors_and_dispatchers(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    _rule(session, callers=3)
    for i, t in enumerate(NOISE[:2]):
        new_order(session, text=t, citizen_phone=_phone(i))
    assert not any(d.alerted for d in service.assign_pending(session))
    assert _alerts(session) == []
    new_order(session, text=NOISE[2], citizen_phone=_phone(3))
    (third,) = service.assign_pending(session)
    assert third.alerted
    assert sorted(m.payload["role"] for m in _alerts(session)) == ["dispatcher", "supervisor"]
    cluster = session.get(HotspotCluster, third.cluster_id)
    assert cluster is not None and cluster.alerted_at is not None


def test_the_alert_is_sent_once(session: Session, frozen: time_machine.Coordinates) -> None:
    _rule(session, callers=2)
    for i, t in enumerate(NOISE):
        new_order(session, text=t, citizen_phone=_phone(i))
        service.assign_pending(session)
    assert len(_alerts(session)) == 2  # one for supervisors, one for dispatchers


def test_one_caller_calling_again_is_not_a_hot_spot(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    _rule(session, callers=3)
    for t in NOISE:
        new_order(session, text=t, citizen_phone="13900000000")
    done = service.assign_pending(session)
    assert len({d.cluster_id for d in done}) == 1 and not any(d.alerted for d in done)
    cluster = session.get(HotspotCluster, done[0].cluster_id)
    assert cluster is not None and cluster.callers == 1 and cluster.orders == 5


def test_callers_outside_the_alert_window_do_not_count(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    _rule(session, callers=3)
    for i, t in enumerate(NOISE[:2]):
        new_order(session, text=t, citizen_phone=_phone(i))
    service.assign_pending(session)
    frozen.shift(60 * 60 * 30)  # 30 hours later: the first two are out of the 24 h window
    new_order(session, text=NOISE[2], citizen_phone=_phone(9))
    (late,) = service.assign_pending(session)
    assert not late.alerted and _alerts(session) == []


def test_each_order_is_placed_once(session: Session, frozen: time_machine.Coordinates) -> None:
    new_order(session, text=NOISE[0])
    assert len(service.assign_pending(session)) == 1
    assert service.assign_pending(session) == []
    assert len(session.scalars(select(HotspotMember)).all()) == 1


def test_the_index_is_rebuilt_from_the_tables(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    from jiesu.hotspots import live

    new_order(session, text=NOISE[0], citizen_phone=_phone(1))
    (first,) = service.assign_pending(session)
    live.forget()  # another process, or a restart: only the tables are left
    new_order(session, text=NOISE[1], citizen_phone=_phone(2))
    (second,) = service.assign_pending(session)
    assert second.cluster_id == first.cluster_id
