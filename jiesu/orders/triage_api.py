"""`POST /api/v1/triage` and the agreement between triage and the dispatchers' final choice."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from jiesu.core.api import SessionDep
from jiesu.core.errors import NotAllowed
from jiesu.core.roles import Role
from jiesu.orders import suggest
from jiesu.orders.models import Order
from jiesu.triage.schemas import TriageRequest, TriageResponse
from jiesu.units.auth import CurrentPrincipal
from jiesu.units.models import Unit

router = APIRouter(prefix="/api/v1", tags=["triage"])
TRIAGE_ROLES = frozenset({Role.agent, Role.dispatcher, Role.supervisor})


@router.post("/triage", response_model=TriageResponse)
def triage(session: SessionDep, principal: CurrentPrincipal, body: TriageRequest) -> TriageResponse:
    """智能分拨建议：类别、地点、紧急程度、承办单位（及命中的目录规则）、疑似重复工单。"""
    if principal.role not in TRIAGE_ROLES:
        raise NotAllowed("当前角色不能使用智能分拨", code="role_not_allowed")
    result = suggest.suggest(session, body.text, body.title, body.place_text, body.received_at,
                             with_duplicates=body.check_duplicates)
    return TriageResponse.from_suggestion(result)


class Agreement(BaseModel):
    dispatched: int
    with_suggestion: int
    category_agreed: int
    unit_agreed: int
    category_agreement_rate: float | None
    unit_agreement_rate: float | None


@router.get("/triage/agreement", response_model=Agreement)
def agreement(
    session: SessionDep,
    principal: CurrentPrincipal,
    received_from: Annotated[datetime | None, Query()] = None,
    received_to: Annotated[datetime | None, Query()] = None,
) -> Agreement:
    """建议采纳率：派出的工单中，最终类别/主办单位与系统建议一致的比例。"""
    if principal.role not in (Role.dispatcher, Role.supervisor):
        raise NotAllowed("当前角色不能查看建议采纳率", code="role_not_allowed")
    lead = aliased(Unit)
    stmt = select(
        func.count(Order.id),
        func.count(Order.suggested_unit_code),
        func.sum(case((Order.category == Order.suggested_category, 1), else_=0)),
        func.sum(case((lead.code == Order.suggested_unit_code, 1), else_=0)),
    ).join(lead, lead.id == Order.lead_unit_id).where(Order.dispatched_at.is_not(None))
    if received_from:
        stmt = stmt.where(Order.received_at >= received_from)
    if received_to:
        stmt = stmt.where(Order.received_at < received_to)
    total, suggested, category_ok, unit_ok = session.execute(stmt).one()
    return Agreement(
        dispatched=total,
        with_suggestion=suggested,
        category_agreed=int(category_ok or 0),
        unit_agreed=int(unit_ok or 0),
        category_agreement_rate=round(int(category_ok or 0) / suggested, 4) if suggested else None,
        unit_agreement_rate=round(int(unit_ok or 0) / suggested, 4) if suggested else None,
    )
