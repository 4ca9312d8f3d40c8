"""Thin routes over the order service. Every response masks the citizen's phone number."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Query, Response
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from jiesu.core import clock
from jiesu.core.api import SessionDep, commit, json_response
from jiesu.core.errors import InvalidInput, NotAllowed
from jiesu.core.ids import Offset, PathId, QueryId
from jiesu.core.openapi import CSV, XLSX, downloads
from jiesu.core.privacy import mask_phone
from jiesu.core.roles import Principal, Role
from jiesu.orders import export, queries, service, suggest
from jiesu.orders import schemas as s
from jiesu.orders.models import Order
from jiesu.orders.statemachine import ACTION_LABELS, STATE_LABELS, Action, State
from jiesu.units.auth import Credentials, CurrentPrincipal, PresentedCredentials

router = APIRouter(prefix="/api/v1", tags=["orders"])


# The public fields that are the order's own attributes, found once: to_public runs per row.
_ORDER_FIELDS = tuple(name for name in s.OrderPublic.model_fields if hasattr(Order, name))


def to_public(order: Order, now: datetime | None = None) -> s.OrderPublic:
    now = now or clock.now()
    data: dict[str, Any] = {name: getattr(order, name) for name in _ORDER_FIELDS}
    data["citizen_phone"] = mask_phone(order.citizen_phone)
    data["state_label"] = STATE_LABELS[State(order.state)]
    data["overdue"] = bool(order.is_open and order.reply_due_at and order.reply_due_at < now)
    return s.OrderPublic.model_validate(data)


def to_detail(session: SessionDep, principal: Principal, order: Order) -> s.OrderDetail:
    public = to_public(order).model_dump()
    events = [
        s.EventPublic.model_validate(
            {**{k: getattr(e, k) for k in s.EventPublic.model_fields if hasattr(e, k)},
             "action_label": ACTION_LABELS.get(Action(e.action), e.action)
             if e.action in Action.__members__ else "受理"}
        )
        for e in service.timeline_of(session, order.id)
    ]
    from sqlalchemy import select

    from jiesu.orders.models import OrderAssignment

    assignments = session.scalars(
        select(OrderAssignment).where(OrderAssignment.order_id == order.id)
        .order_by(OrderAssignment.id)
    )
    return s.OrderDetail(
        **public,
        events=events,
        assignments=[s.AssignmentPublic.model_validate(a) for a in assignments],
        allowed_actions=service.actions_for(session, principal, order),
        suggestion=(suggest.without_returned(session, order, order.suggestion)
                    if order.suggestion else None),
    )


IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", max_length=80,
    description="幂等键（同 client_key）：客户端重试时带同一个键，只会受理一次")]


@router.post("/orders", response_model=s.OrderPublic, status_code=201)
async def create_order(
    session: SessionDep, credentials: PresentedCredentials, body: s.OrderCreate,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """受理诉求（坐席）。带 client_key（或 Idempotency-Key 请求头）重复提交返回同一工单（200）。"""
    if idempotency_key:
        if body.client_key and body.client_key != idempotency_key:
            raise InvalidInput("Idempotency-Key 与 client_key 不一致",
                               code="idempotency_key_mismatch")
        body = body.model_copy(update={"client_key": idempotency_key})
    # The busiest route at a peak: the caller's check, triage, the writes and the commit run
    # in one worker thread, not one thread for the principal and another for the route.
    return await run_in_threadpool(_create_order, session, credentials, body)


def _create_order(session: Session, credentials: Credentials, body: s.OrderCreate) -> Response:
    order, created = service.intake(session, credentials.principal(session), body)
    result = to_public(order)
    commit(session)
    return json_response(result, 201 if created else 200)


PHONE_SEARCH_ROLES = frozenset({Role.agent, Role.dispatcher, Role.supervisor})
OrderBy = Annotated[str, Query(pattern=r"^-?(received_at|reply_due_at|id)$")]


def order_filter(
    principal: CurrentPrincipal,
    state: Annotated[str | None, Query(max_length=200)] = None,
    unit_id: QueryId = None,
    district_code: Annotated[str | None, Query(max_length=12)] = None,
    street_code: Annotated[str | None, Query(max_length=12)] = None,
    category: Annotated[str | None, Query(max_length=60)] = None,
    type: Annotated[str | None, Query(max_length=20)] = None,
    urgency: Annotated[str | None, Query(max_length=20)] = None,
    received_from: datetime | None = None,
    received_to: datetime | None = None,
    overdue: bool | None = None,
    text: Annotated[str | None, Query(max_length=100)] = None,
    phone: Annotated[str | None, Query(pattern=r"^[0-9*+\-]{4,20}$",
                                       description="完整号码、带*号的脱敏号码或尾号（至少4位）")
                     ] = None,
    case_id: QueryId = None,
) -> queries.OrderFilter:
    """The filters of every order list, the same for the list and its export."""
    if phone and principal.role not in PHONE_SEARCH_ROLES:
        raise NotAllowed("按来电号码查询仅限中心人员", code="phone_search_not_allowed")
    return queries.OrderFilter(
        state=state, unit_id=unit_id, district_code=district_code, street_code=street_code,
        category=category, type=type, urgency=urgency, received_from=received_from,
        received_to=received_to, overdue=overdue, text=text, phone=phone, case_id=case_id,
    )


FilterDep = Annotated[queries.OrderFilter, Depends(order_filter)]


@router.get("/orders", response_model=s.OrderList)
def list_orders(
    session: SessionDep,
    principal: CurrentPrincipal,
    f: FilterDep,
    order_by: OrderBy = "-received_at",
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    """检索工单：状态、单位、区/街道、类别、类型、时间段、超期、全文、来电号码，分页。"""
    rows, count = queries.search(
        session, principal, f, offset=offset, limit=limit, order_by=order_by
    )
    now = clock.now()
    return json_response(s.OrderList(data=[to_public(o, now) for o in rows], count=count))


@router.get("/orders/export", response_class=StreamingResponse, response_model=None,
            responses=downloads(CSV, XLSX))
def export_orders(
    session: SessionDep,
    principal: CurrentPrincipal,
    f: FilterDep,
    format: Annotated[str, Query(pattern="^(csv|xlsx)$")] = "csv",
    order_by: OrderBy = "-received_at",
    limit: Annotated[int | None, Query(ge=1, le=10_000_000)] = None,
) -> StreamingResponse:
    """导出工单列表（CSV / XLSX），筛选条件与检索相同；流式输出，百万行不占内存。
    来电号码按角色脱敏（回访员导出完整号码，每条均留痕）。"""
    export.log_unmasked_export(session, principal, f, order_by=order_by, limit=limit)
    commit(session)
    name = export.filename(format)
    return StreamingResponse(
        export.stream(session, principal, f, fmt=format, order_by=order_by, limit=limit),
        media_type=export.MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/orders/overdue", response_model=s.OrderList)
def list_overdue(
    session: SessionDep,
    principal: CurrentPrincipal,
    unit_id: QueryId = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Response:
    """超期工单：本单位（承办人）或指定单位/全中心（中心人员）。"""
    if principal.role is Role.handler:
        unit_id = principal.unit_id
    elif not principal.sees_all_orders:
        raise NotAllowed("当前角色无权查看超期工单", code="role_not_allowed")
    if unit_id is not None:
        rows = queries.overdue_for_unit(session, unit_id, limit=limit)
    else:
        rows = queries.overdue_for_centre(session, limit=limit)
    now = clock.now()
    return json_response(s.OrderList(data=[to_public(o, now) for o in rows], count=len(rows)))


@router.get("/orders/{order_id}", response_model=s.OrderDetail)
def read_order(
    session: SessionDep, principal: CurrentPrincipal, order_id: PathId
) -> Response:
    order = service.get_order(session, principal, order_id)
    return json_response(to_detail(session, principal, order))


@router.get("/orders/{order_id}/citizen", response_model=s.CitizenContact)
def read_citizen_contact(
    session: SessionDep, principal: CurrentPrincipal, order_id: PathId
) -> s.CitizenContact:
    """诉求人完整联系方式（仅需回电的角色；每次查看均留痕）。"""
    contact = service.reveal_contact(session, principal, order_id)
    commit(session)
    return contact


def _action_route(action: Action, payload_type: type[s.ActionBase]) -> None:
    def take_action(
        session: SessionDep,
        principal: CurrentPrincipal,
        order_id: PathId,
        body: s.ActionBase,
    ) -> Response:
        if isinstance(body, s.SkipVisit) and body.reason == "not_sampled":
            # Sampling is the return-visit job's decision (visits.service.close_skipped),
            # computed from the unit's share; a person may not declare an order unsampled.
            raise InvalidInput("“未抽中”免回访由回访抽样自动决定，不能手工选择",
                               code="skip_reason_not_allowed")
        order = service.act(session, principal, order_id, action, body)
        result = to_public(order)
        commit(session)
        return json_response(result)

    # Each action gets its own typed body in the OpenAPI page; annotations are strings under
    # `from __future__ import annotations`, so the real type is set here.
    take_action.__annotations__["body"] = Annotated[payload_type, Body()]
    take_action.__name__ = f"order_{action.value}"
    router.add_api_route(
        f"/orders/{{order_id}}/{action.value}",
        take_action,
        methods=["POST"],
        response_model=s.OrderPublic,
        summary=f"{ACTION_LABELS[action]}（{action.value}）",
    )


for _action in Action:
    # System actions are taken by the deadline jobs only; attach only with a file
    # (POST /orders/{id}/attachments, orders/attachments_api.py).
    if _action.value in s.ACTION_PAYLOADS:
        _action_route(_action, s.ACTION_PAYLOADS[_action.value])


@router.post("/cases", response_model=s.CasePublic, status_code=201, tags=["cases"])
def create_case(
    session: SessionDep, principal: CurrentPrincipal, body: s.CaseCreate
) -> s.CasePublic:
    """创建联办案件，并关联多张工单。"""
    case = service.create_case(session, principal, body)
    ids = service.case_order_ids(session, case.id)
    result = s.CasePublic(
        id=case.id, title=case.title, note=case.note, created_at=case.created_at, order_ids=ids
    )
    commit(session)
    return result


@router.get("/cases/{case_id}", response_model=s.CasePublic, tags=["cases"])
def read_case(
    session: SessionDep, principal: CurrentPrincipal, case_id: PathId
) -> s.CasePublic:
    from jiesu.core.errors import NotFound
    from jiesu.orders.models import Case

    if not principal.sees_all_orders:
        raise NotFound("联办案件不存在", code="case_not_found")
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("联办案件不存在", code="case_not_found")
    return s.CasePublic(
        id=case.id, title=case.title, note=case.note, created_at=case.created_at,
        order_ids=service.case_order_ids(session, case.id),
    )


@router.get("/praises/stats", response_model=list[s.PraiseStat], tags=["praise"])
def praise_stats(
    session: SessionDep,
    principal: CurrentPrincipal,
    by: Annotated[str, Query(pattern="^(unit|handler)$")] = "unit",
) -> list[s.PraiseStat]:
    """表扬统计：按单位或承办人计数。"""
    if not principal.sees_all_orders and principal.role is not Role.admin:
        raise NotAllowed("当前角色无权查看表扬统计", code="role_not_allowed")
    rows = queries.praise_counts(session, by=by)
    return [
        s.PraiseStat(
            unit_id=key if by == "unit" else None,
            handler_id=key if by == "handler" else None,
            count=count,
        )
        for key, count in rows
    ]
