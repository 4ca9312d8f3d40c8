"""Helpers shared by the rule tests: orders in any state, valid payloads, DB snapshots.

Orders are built through the real service (tests/factories.py), as a person would.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Literal, get_args, get_origin

from fastapi import FastAPI, routing
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jiesu.core.outbox import OutboxMessage
from jiesu.core.privacy import PhoneReadLog
from jiesu.orders.models import Order, OrderAssignment, OrderEvent, Praise
from jiesu.orders.schemas import ACTION_PAYLOADS
from tests.factories import (
    HUAJIADI_COMMUNITY,
    WANGJING,
    dispatched,
    in_progress,
    new_order,
    replied,
    step,
    unit,
)

PHONE = "13812345678"
MASKED = "138****5678"

# The people of the matrix. Each name is a demo user (jiesu/demo.py) with that standing towards
# an order dispatched to 朝阳区望京街道 with 市城市管理委 assisting.
CAST = {
    "agent": "agent",
    "dispatcher": "dispatcher",
    "lead_handler": "street",  # 望京街道, the lead unit
    "other_handler": "haidian",  # 海淀区八里庄街道, another unit
    "assist_handler": "dept",  # 市城市管理委, the assisting unit
    "district": "district",  # 朝阳区: a read-only copy of its street's orders
    "community": "community",  # 花家地西里社区, under the street, not delegated
    "visitor": "visitor",
    "supervisor": "supervisor",
    "admin": "admin",
}


def action_payload(session: Session, action: str, order: Order | None = None) -> dict[str, Any]:
    """A body that passes schema validation for the action (and its effect, where it can)."""
    street = unit(session, WANGJING)
    payloads: dict[str, dict[str, Any]] = {
        "answer_on_call": {"answer": "按统一答复口径告知办理渠道"},
        "not_accept": {"reason": "emergency_119"},
        "dispatch": {"lead_unit_id": street.id},
        "redispatch": {"lead_unit_id": street.id},
        "sign": {},
        "return_order": {"reason": "不属于本单位职责"},
        "reject_return": {"reason": "属地管理，须办理"},
        "contact": {"method": "phone"},
        "note": {"note": "已安排处理"},
        "assist_report": {"note": "协办情况"},
        "pass_on": {"unit_id": unit(session, HUAJIADI_COMMUNITY).id},
        "request_extension": {"reason": "需协调多个部门", "days": 3},
        "approve_extension": {},
        "refuse_extension": {"reason": "理由不充分"},
        "reply": {"outcome": "solved", "reply": "已处理完毕"},
        "visit_attempt": {"note": "无人接听"},
        "close_visited": {"solved": True, "satisfaction": "satisfied"},
        "close_unreachable": {},
        "close_explained": {"reason": "依法无法解决，已解释"},
        "reopen": {"reason": "仍未解决"},
        "urge": {"note": "请尽快办理"},
        "supervise": {"note": "列入督办"},
        "merge": {"master_order_id": new_order(session, text="主工单：同一问题").id},
        "split": {},
        "link_case": {"case_id": 1},
        "unlink_case": {"reason": "误并，非同一诉求"},
        "praise": {"kind": "call"},
    }
    if action in payloads:
        return dict(payloads[action])
    return minimal_payload(ACTION_PAYLOADS[action])


def minimal_payload(model: type[BaseModel]) -> dict[str, Any]:
    """Required fields filled with the first value their type allows (for actions added later)."""
    body: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if not info.is_required():
            continue
        kind = info.annotation
        if get_origin(kind) is Literal:
            body[name] = get_args(kind)[0]
        elif isinstance(kind, type) and issubclass(kind, Enum):
            body[name] = next(iter(kind)).value
        elif kind is bool:
            body[name] = True
        elif kind is int:
            body[name] = 1
        else:
            body[name] = "测试"
    return body


def order_in(session: Session, state: str) -> Order:
    """An order in `state`, dispatched to 望京街道 where a unit is involved."""
    if state == "received":
        return new_order(session)
    if state == "dispatched":
        return dispatched(session)
    if state == "signed":
        order = dispatched(session)
        return step(session, "street", order, "sign")
    if state == "in_progress":
        return in_progress(session)
    if state == "returned":
        order = dispatched(session)
        return step(session, "street", order, "return_order", reason="不属于本街道")
    if state == "replied":
        return replied(session)
    if state == "reopened":
        order = replied(session)
        return step(session, "visitor", order, "reopen", reason="仍未解决")
    if state == "merged":
        master = dispatched(session)
        order = new_order(session, citizen_phone="13900001111")
        return step(session, "dispatcher", order, "merge", master_order_id=master.id)
    if state == "closed":
        order = replied(session)
        return step(session, "visitor", order, "close_visited", solved=True,
                    satisfaction="satisfied")
    raise ValueError(state)


def snapshot(session: Session, order_id: int) -> dict[str, Any]:
    """Everything a refused request must leave as it was, read from the database."""
    session.expire_all()
    row = session.execute(select(Order.__table__).where(Order.id == order_id)).mappings().one()
    events = session.execute(
        select(OrderEvent.__table__).where(OrderEvent.order_id == order_id)
        .order_by(OrderEvent.seq)
    ).mappings().all()
    assignments = session.execute(
        select(OrderAssignment.__table__).where(OrderAssignment.order_id == order_id)
        .order_by(OrderAssignment.id)
    ).mappings().all()
    return {
        "order": dict(row),
        "events": [dict(e) for e in events],
        "assignments": [dict(a) for a in assignments],
        **table_counts(session),
    }


def table_counts(session: Session) -> dict[str, int]:
    counts = {}
    for model in (Order, OrderEvent, OrderAssignment, OutboxMessage, PhoneReadLog, Praise):
        counts[model.__tablename__] = session.scalar(select(func.count()).select_from(model)) or 0
    return counts


def api_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every API route the application serves."""
    found = []
    # FastAPI keeps included routers as branches; this walks them to the routes served.
    for context in routing.iter_route_contexts(app.routes):
        if isinstance(context.original_route, routing.APIRoute):
            for method in sorted(set(context.methods or ()) - {"HEAD", "OPTIONS"}):
                found.append((method, context.path))
    return found


def assert_error_shape(body: Any) -> str:
    """The one JSON error shape; returns the code."""
    assert isinstance(body, dict) and set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "details"}, error
    assert isinstance(error["code"], str) and error["code"], error
    assert isinstance(error["message"], str) and error["message"], error
    assert isinstance(error["details"], dict), error
    return str(error["code"])
