"""The demo reads like Beijing: each demo order's text names places of its own district and
street only, never the source messages' masked codes (A市, K8县) or another city's streets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.orders.models import Order
from jiesu.units.models import Unit
from tests.factories import WANGJING, unit

MASKED = re.compile(r"[A-Z]\d*[市区县]|西地省")
OTHER_ADMIN = re.compile(r"[\u4e00-\u9fa5]{2,4}(?:街道|镇|乡|县)")


def test_a_message_naming_another_place_is_passed_over(session: Session) -> None:
    from jiesu import demo

    street = unit(session, WANGJING)
    district = session.get(Unit, street.parent_id)
    assert district is not None
    texts = demo.Texts(session, [
        ("K8县暮云街道搅拌站扰民", "A市K8县暮云街道丽发新城小区旁的搅拌站夜间施工。", ""),
        ("海淀区学院路街道路灯不亮", "海淀区学院路街道石板房小区门口路灯不亮。", ""),
        ("A3区小区门口路灯不亮", "A市A3区某小区门口的路灯坏了一个月，晚上很黑。", "已修复。"),
    ])
    title, body, official = texts.next_for(district, street)
    assert title == "朝阳区小区门口路灯不亮"
    assert body == "北京市朝阳区望京街道某小区门口的路灯坏了一个月，晚上很黑。"
    assert official == "已修复。"


def test_every_demo_order_names_only_its_own_district_and_street(
    session: Session, shared_dir: Path, frozen: time_machine.Coordinates,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from jiesu import demo

    monkeypatch.setattr(demo, "PLAN", [("received", 60), ("dispatched", 20)])
    made = demo.create_demo_orders(session, shared_dir)
    assert made > 80
    districts = {u.id: u for u in session.scalars(select(Unit).where(Unit.kind == "district"))}
    streets = list(session.scalars(select(Unit).where(Unit.kind == "street")))
    by_code = {u.code: u for u in [*districts.values(), *streets]}
    # Names long enough not to be ordinary words (望京街道, not 东四 alone).
    street_names = [u.name for u in streets if len(u.name) >= 4]
    for order in session.scalars(select(Order)):
        text = f"{order.title or ''}。{order.text}"
        assert not MASKED.search(text), (order.id, text)
        own_street = by_code[order.street_code].name if order.street_code else ""
        own_district = by_code[order.district_code].name if order.district_code else ""
        for d in districts.values():
            assert d.name == own_district or d.name not in text, (order.id, d.name, text)
        for name in street_names:
            assert name == own_street or name not in text, (order.id, name, text)
        rest = text
        for own in (own_street, own_district):
            rest = rest.replace(own, "，") if own else rest
        assert not OTHER_ADMIN.search(rest), (order.id, OTHER_ADMIN.findall(rest), text)
        for word in ("长沙", "星沙", "暮云"):
            assert word not in text, (order.id, word, text)
