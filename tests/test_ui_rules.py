"""Server-side rules behind the role screens (issue 14): texts cleaned on entry, a proposal
that never names the unit that returned the order."""

from __future__ import annotations

from pathlib import Path

import pytest
import time_machine
from sqlalchemy.orm import Session

from jiesu.core.text import clean_spreadsheet_text
from jiesu.orders import suggest
from jiesu.orders.models import Order
from tests.factories import CHAOYANG, WANGJING, new_order, step, unit

RETURN_REASON = "经核实，该诉求不属于本单位职责范围。"


def test_spreadsheet_escapes_are_decoded_to_line_breaks() -> None:
    raw = "各位领导好_x000D_ 我是双水湾小区的_x000D_\n居民\r\n谢谢_x005F_x"
    assert clean_spreadsheet_text(raw) == "各位领导好\n我是双水湾小区的\n居民\n谢谢_x"


def test_order_text_is_cleaned_at_intake(session: Session) -> None:
    order = new_order(session, title="公交_x000D_线路",
                      text="目前只有707路公交车路过。_x000D_ 希望调整。")
    assert order.title == "公交\n线路"
    assert "_x000D_" not in order.text and order.text == "目前只有707路公交车路过。\n希望调整。"


def test_reply_text_is_cleaned(session: Session) -> None:
    order = new_order(session)
    step(session, "dispatcher", order, "dispatch", lead_unit_id=unit(session, WANGJING).id)
    step(session, "street", order, "sign")
    step(session, "street", order, "contact", method="phone")
    step(session, "street", order, "reply", outcome="solved", reply="已清理_x000D_ 完毕")
    from sqlalchemy import select

    from jiesu.orders.models import OrderEvent

    events = session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id,
                                                      OrderEvent.action == "reply")).all()
    assert events[-1].payload["reply"] == "已清理\n完毕"


def _returned_by_street(session: Session, record: dict[str, object]) -> Order:
    order = new_order(session)
    order.suggestion = record
    step(session, "dispatcher", order, "dispatch", lead_unit_id=unit(session, WANGJING).id)
    step(session, "street", order, "return_order", reason=RETURN_REASON)
    session.flush()
    return order


def test_proposal_never_names_the_unit_that_returned_the_order(session: Session) -> None:
    order = _returned_by_street(session, {
        "unit_code": WANGJING, "unit_name": "望京街道", "assisting_codes": ["dept.chengguan"],
    })
    proposal = suggest.without_returned(session, order, order.suggestion or {})
    assert proposal["unit_code"] == "dept.chengguan"
    assert WANGJING not in proposal["assisting_codes"]
    assert "望京街道已退单" in proposal["returned_note"]
    assert "协办单位" in proposal["returned_note"]


def test_returned_unit_is_not_proposed_as_assisting_unit(session: Session) -> None:
    order = _returned_by_street(session, {
        "unit_code": "dept.chengguan", "unit_name": "市城市管理委",
        "assisting_codes": [WANGJING],
    })
    proposal = suggest.without_returned(session, order, order.suggestion or {})
    assert proposal["unit_code"] == "dept.chengguan"
    assert proposal["assisting_codes"] == []


def test_proposal_falls_back_to_the_district_when_the_street_returned_it(
    session: Session,
) -> None:
    order = _returned_by_street(session, {
        "unit_code": WANGJING, "unit_name": "望京街道", "assisting_codes": [],
    })
    proposal = suggest.without_returned(session, order, order.suggestion or {})
    assert proposal["unit_code"] == CHAOYANG
    assert "属地单位" in proposal["returned_note"]


def test_dispatch_page_proposal_skips_the_returning_unit(session: Session) -> None:
    from jiesu.core import clock
    from jiesu.web import suggest as web_suggest

    order = _returned_by_street(session, {
        "unit_code": WANGJING, "unit_name": "望京街道", "assisting_codes": [],
    })
    view = web_suggest.for_order(session, order, clock.now())
    assert view.lead is not None and view.lead.code == CHAOYANG
    assert "望京街道已退单" in view.explanation and "望京街道已退单" in view.returned_note


def test_demo_month_has_enough_visited_orders_per_unit_to_rank(
    session: Session, shared_dir: Path, frozen: time_machine.Coordinates,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The supervisor's ranking shows units with the demo data; the minimum sample stays."""
    from jiesu import demo
    from jiesu.core import clock
    from jiesu.insights.periods import parse_period
    from jiesu.insights.rates import compute_rates
    from jiesu.insights.rules import RateRules

    monkeypatch.setattr(demo, "PLAN", [])  # the ranked month's orders alone
    monkeypatch.setattr(demo, "_developing_hot_spot", lambda *args: 0)
    monkeypatch.setattr(demo, "_last_year_seasons", lambda *args: 0)
    assert demo.create_demo_orders(session, shared_dir) == demo.RANKED_PER_UNIT * len(
        demo.RANKED_UNITS)
    report = compute_rates(session, parse_period(clock.local(clock.now()).strftime("%Y-%m")))
    ranked = {row.key for row in report.ranking}
    assert set(demo.RANKED_UNITS) <= ranked
    assert all(row.visited >= RateRules().min_visited for row in report.ranking)


def test_a_hash_with_old_argon2_parameters_is_replaced_at_login(session: Session) -> None:
    """Logins cost a fraction of argon2-cffi's default; old hashes still verify, then move."""
    from argon2 import PasswordHasher
    from sqlalchemy import select

    from jiesu.core.security import needs_rehash, verify_password
    from jiesu.units.models import User
    from jiesu.units.service import authenticate

    user = session.scalars(select(User).where(User.username == "agent")).one()
    user.password_hash = PasswordHasher(time_cost=3, memory_cost=65_536, parallelism=4).hash(
        "jiesu-demo")
    session.flush()
    assert needs_rehash(user.password_hash)
    assert authenticate(session, "agent", "jiesu-demo") is user
    assert not needs_rehash(user.password_hash)
    assert "m=19456,t=2,p=1" in user.password_hash
    assert verify_password(user.password_hash, "jiesu-demo")
