"""Factories: orders created and moved through the real service, as a person would."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.core.roles import Principal
from jiesu.orders import schemas as s
from jiesu.orders import service
from jiesu.orders.models import Order
from jiesu.orders.statemachine import Action
from jiesu.units.models import Unit, User
from jiesu.units.service import principal_for, unit_by_code

WANGJING = "110105026"
HAIDIAN_BALIZHUANG = "110108005"
CHAOYANG = "110105"
HUAJIADI_COMMUNITY = "110105026034"


def who(session: Session, username: str) -> Principal:
    user = session.scalars(select(User).where(User.username == username)).one()
    return principal_for(session, user)


def unit(session: Session, code: str) -> Unit:
    found = unit_by_code(session, code)
    assert found is not None, code
    return found


def new_order(session: Session, **fields: Any) -> Order:
    data = {
        "type": "complaint",
        "text": "朝阳区望京街道花家地西里三区门口垃圾堆放多日无人清理，气味很大。",
        "citizen_phone": "13812345678",
        "citizen_name": "张先生",
        "street_code": WANGJING,
        "district_code": CHAOYANG,
        **fields,
    }
    order, _ = service.intake(session, who(session, "agent"), s.OrderCreate.model_validate(data))
    session.flush()
    return order


def step(session: Session, username: str, order: Order, action: str, **payload: Any) -> Order:
    body = s.ACTION_PAYLOADS[action].model_validate(payload)
    return service.act(session, who(session, username), order.id, Action(action), body)


def dispatched(session: Session, unit_code: str = WANGJING, **fields: Any) -> Order:
    order = new_order(session, **fields)
    return step(session, "dispatcher", order, "dispatch", lead_unit_id=unit(session, unit_code).id)


def in_progress(session: Session, unit_code: str = WANGJING, handler: str = "street") -> Order:
    order = dispatched(session, unit_code)
    step(session, handler, order, "sign")
    return step(session, handler, order, "contact", method="phone")


def replied(session: Session, outcome: str = "solved") -> Order:
    order = in_progress(session)
    return step(session, "street", order, "reply", outcome=outcome, reply="已清理完毕。")


def order_ids(rows: list[dict[str, Any]]) -> set[int]:
    return {row["id"] for row in rows}


def all_orders(session: Session) -> list[Order]:
    return list(session.scalars(select(Order)))
