"""Urgency rules, one test per rule."""

from __future__ import annotations

from datetime import date, datetime

from jiesu.triage.urgency import assess, in_heating_season

SUMMER = date(2026, 7, 1)
WINTER = datetime(2026, 12, 10, 9, 0)


def test_gas_smell_is_urgent() -> None:
    u = assess("楼道里闻到很大的煤气味", SUMMER)
    assert (u.level, u.rule_id) == ("urgent", "gas_leak")
    assert u.matched_words


def test_fire_is_an_emergency_for_119() -> None:
    u = assess("楼下饭馆着火了，烟很大", SUMMER)
    assert (u.level, u.transfer_to, u.rule_id) == ("emergency", "119", "fire")
    assert u.not_accepted
    assert "着火" in u.matched_words


def test_traffic_accident_goes_to_122() -> None:
    assert assess("路口发生车祸，有人受伤", SUMMER).transfer_to == "122"


def test_violence_goes_to_110() -> None:
    assert assess("楼下有人持刀打架", SUMMER).transfer_to == "110"


def test_medical_emergency_goes_to_120() -> None:
    assert assess("邻居老人晕倒在楼道里昏迷不醒", SUMMER).transfer_to == "120"


def test_heating_outage_is_urgent_only_in_heating_season() -> None:
    assert assess("暖气不热，家里很冷", WINTER).level == "urgent"
    assert assess("暖气不热，家里很冷", SUMMER).level == "ordinary"


def test_heating_season_boundaries() -> None:
    assert in_heating_season(date(2026, 11, 15)) and in_heating_season(date(2027, 3, 15))
    assert not in_heating_season(date(2026, 11, 14)) and not in_heating_season(date(2027, 3, 16))


def test_water_and_power_outages_are_urgent() -> None:
    assert assess("小区停水两天了", SUMMER).rule_id == "no_water"
    assert assess("整栋楼停电了", SUMMER).rule_id == "no_power"


def test_safety_hazards_are_urgent() -> None:
    assert assess("围墙出现裂缝随时倒塌", SUMMER).rule_id == "collapse"
    assert assess("路边电线掉落在地上", SUMMER).rule_id == "live_wire"
    assert assess("路口井盖丢失了", SUMMER).rule_id == "manhole"
    assert assess("独居老人摔倒了联系不上家属", SUMMER).level == "urgent"


def test_emergency_outranks_urgent() -> None:
    u = assess("煤气泄漏引起着火", SUMMER)
    assert u.level == "emergency" and {h.rule_id for h in u.hits} >= {"fire", "gas_leak"}


def test_ordinary_when_nothing_matches() -> None:
    u = assess("小区垃圾没人清理", SUMMER)
    assert (u.level, u.rule_id, u.matched_words) == ("ordinary", None, [])
