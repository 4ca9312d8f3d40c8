"""Dispatcher queue: most urgent and oldest first, each with triage's suggestion.

Accept a suggestion with one key, or correct category / unit(s) / lead and assisting; returned
orders show the unit's reason; merge duplicates; dispatch a selection of one kind in bulk.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jiesu.core import clock
from jiesu.core.api import SessionDep, commit
from jiesu.core.errors import DomainError, InvalidInput
from jiesu.core.roles import Principal, Role
from jiesu.orders import schemas as s
from jiesu.orders import service
from jiesu.orders.models import Order, OrderEvent
from jiesu.orders.statemachine import Action, State
from jiesu.web import suggest
from jiesu.web.common import (
    PagePrincipal,
    field_errors,
    form_text,
    needs,
    redirect,
    render,
    unit_names,
)

router = APIRouter()

QUEUE_STATES = (State.received.value, State.returned.value)
URGENCY_ORDER = ("emergency", "urgent", "ordinary")
PAGE = 30


def queue(session: Session, limit: int = PAGE) -> list[Order]:
    """Emergency, then urgent, then ordinary; oldest first within each: one index scan each."""
    rows: list[Order] = []
    for level in URGENCY_ORDER:
        if len(rows) >= limit:
            break
        stmt = (
            select(Order)
            .where(Order.state.in_(QUEUE_STATES), Order.urgency == level)
            .order_by(Order.received_at, Order.id)
            .limit(limit - len(rows))
        )
        rows.extend(session.scalars(stmt))
    return rows


def queue_count(session: Session) -> int:
    return session.scalar(select(func.count()).where(Order.state.in_(QUEUE_STATES))) or 0


def return_reasons(session: Session, orders: Sequence[Order]) -> dict[int, dict[str, Any]]:
    """The latest return of each returned order: which unit, why."""
    ids = [o.id for o in orders if o.state == State.returned.value]
    if not ids:
        return {}
    stmt = (
        select(OrderEvent)
        .where(OrderEvent.order_id.in_(ids), OrderEvent.action == Action.return_order.value)
        .order_by(OrderEvent.order_id, OrderEvent.seq)
    )
    found: dict[int, dict[str, Any]] = {}
    for event in session.scalars(stmt):
        found[event.order_id] = {"reason": event.payload.get("reason"), "unit_id": event.unit_id,
                                 "at": event.at}
    unit_ids = {r["unit_id"] for r in found.values() if r["unit_id"]}
    if unit_ids:
        names = unit_names(session, unit_ids)
        for r in found.values():
            r["unit"] = names.get(r["unit_id"], "")
    return found


def _page(
    request: Request, session: Session, principal: Principal, *, error: str | None = None,
    errors: dict[int, dict[str, str]] | None = None, status_code: int = 200,
    bulk_result: dict[str, Any] | None = None,
) -> HTMLResponse:
    now = clock.now()
    rows = queue(session)
    return render(
        request, "dispatch.html", principal, status_code=status_code, error=error,
        rows=[(o, suggest.for_order(session, o, now)) for o in rows],
        total=queue_count(session), returns=return_reasons(session, rows),
        units=suggest.dispatchable_units(session), row_errors=errors or {},
        bulk_result=bulk_result,
    )


@router.get("/dispatch", response_class=HTMLResponse)
def dispatch_page(request: Request, session: SessionDep, principal: PagePrincipal) -> HTMLResponse:
    needs(principal, Role.dispatcher)
    return _page(request, session, principal)


def _unit_id(session: Session, text: str, field: str) -> int:
    unit = suggest.resolve_unit(session, text)
    if unit is None:
        raise InvalidInput("找不到该单位，请从列表中选择", code="unknown_unit",
                           details={"field": field})
    return unit.id


def _unit_ids(session: Session, text: str) -> list[int]:
    parts = [p for chunk in text.replace("，", ",").replace("、", ",").split(",")
             if (p := chunk.strip())]
    return [_unit_id(session, p, "assisting") for p in parts]


def _dispatch_one(
    session: Session, principal: Principal, order_id: int, body: dict[str, Any]
) -> None:
    order = service.get_order(session, principal, order_id)
    action = Action.redispatch if order.state == State.returned.value else Action.dispatch
    payload = s.ACTION_PAYLOADS[action.value].model_validate(body)
    service.act(session, principal, order_id, action, payload)


@router.post("/dispatch/{order_id}", response_class=HTMLResponse, response_model=None)
async def dispatch_order(
    order_id: int, request: Request, session: SessionDep, principal: PagePrincipal
) -> HTMLResponse | RedirectResponse:
    """Accept the suggestion (hidden fields) or the dispatcher's correction (typed fields)."""
    needs(principal, Role.dispatcher)
    form = await request.form()

    def get(name: str) -> str:
        return form_text(form, name)

    try:
        if get("lead_unit_id"):
            lead = int(get("lead_unit_id"))
            assisting = [int(x) for x in get("assisting_unit_ids").split(",") if x.strip()]
        else:
            lead = _unit_id(session, get("lead"), "lead")
            assisting = _unit_ids(session, get("assist"))
        body: dict[str, Any] = {
            "lead_unit_id": lead,
            "assisting_unit_ids": [a for a in assisting if a != lead],
            "category": get("category") or None,
            "urgency": get("urgency") or None,
            "complex_case": form.get("complex_case") == "on",
            "note": get("note"),
            "version": int(get("version")) if get("version") else None,
        }
        _dispatch_one(session, principal, order_id, body)
        commit(session)
    except ValueError:
        session.rollback()
        return _page(request, session, principal, status_code=422, error="单位编号无效",
                     errors={order_id: {"lead": "单位编号无效"}})
    except ValidationError as exc:
        session.rollback()
        return _page(request, session, principal, status_code=422, error="请检查派单信息",
                     errors={order_id: field_errors(exc)})
    except DomainError as exc:
        session.rollback()
        field = exc.details.get("field", "lead") if isinstance(exc.details, dict) else "lead"
        return _page(request, session, principal, status_code=exc.status_code,
                     error=exc.message, errors={order_id: {str(field): exc.message}})
    return redirect("/dispatch?ok=dispatched")


@router.post("/dispatch/{order_id}/reject_return", response_class=HTMLResponse,
             response_model=None)
async def reject_return(
    order_id: int, request: Request, session: SessionDep, principal: PagePrincipal
) -> HTMLResponse | RedirectResponse:
    needs(principal, Role.dispatcher)
    form = await request.form()
    try:
        payload = s.Reason(reason=str(form.get("reason") or "").strip())
        service.act(session, principal, order_id, Action.reject_return, payload)
        commit(session)
    except ValidationError as exc:
        session.rollback()
        errs = {k if k != "reason" else "reject_reason": v for k, v in field_errors(exc).items()}
        return _page(request, session, principal, status_code=422, error="请填写驳回理由",
                     errors={order_id: errs})
    except DomainError as exc:
        session.rollback()
        return _page(request, session, principal, status_code=exc.status_code, error=exc.message)
    return redirect("/dispatch?ok=done")


def _selected(form: Any) -> list[int]:
    ids = []
    for raw in form.getlist("ids"):
        try:
            ids.append(int(raw))
        except (TypeError, ValueError):
            continue
    return ids


@router.post("/dispatch-bulk", response_class=HTMLResponse, response_model=None)
async def bulk(
    request: Request, session: SessionDep, principal: PagePrincipal
) -> HTMLResponse | RedirectResponse:
    """A surge: many orders about one thing to one unit. Each order is dispatched on its own
    (a savepoint each): the page says how many went to which unit, and which were refused, why.
    Merging stays all or none."""
    needs(principal, Role.dispatcher)
    form = await request.form()
    ids = _selected(form)
    op = str(form.get("op") or "dispatch")
    try:
        if not ids:
            raise InvalidInput("请先勾选工单", code="nothing_selected")
        if op == "merge":
            _merge(session, principal, ids, str(form.get("master") or "").strip())
            flash = "merged"
        else:
            lead = _unit_id(session, str(form.get("bulk_lead") or ""), "bulk_lead")
            category = str(form.get("bulk_category") or "").strip() or None
            done, refused = _bulk_dispatch(session, principal, ids, lead, category)
            commit(session)
            unit = unit_names(session, {lead}).get(lead, "")
            return _page(request, session, principal, bulk_result={
                "done": done, "unit": unit, "refused": refused})
        commit(session)
    except ValidationError as exc:
        session.rollback()
        return _page(request, session, principal, status_code=422,
                     error="；".join(f"{k}：{v}" for k, v in field_errors(exc).items()))
    except DomainError as exc:
        session.rollback()
        return _page(request, session, principal, status_code=exc.status_code,
                     error=f"未做任何修改：{exc.message}")
    return redirect(f"/dispatch?ok={flash}")


def _bulk_dispatch(
    session: Session, principal: Principal, ids: list[int], lead: int, category: str | None
) -> tuple[int, list[tuple[str, str]]]:
    """(how many dispatched, [(order number, why refused)])."""
    done, refused = 0, []
    for order_id in ids:
        number = session.scalar(select(Order.number).where(Order.id == order_id)) or str(order_id)
        nested = session.begin_nested()
        try:
            _dispatch_one(session, principal, order_id,
                          {"lead_unit_id": lead, "category": category})
            nested.commit()
            done += 1
        except ValidationError as exc:
            nested.rollback()
            refused.append((number, "；".join(field_errors(exc).values())))
        except DomainError as exc:
            nested.rollback()
            refused.append((number, exc.message))
    return done, refused


def _merge(session: Session, principal: Principal, ids: list[int], master: str) -> None:
    """Merge the selected orders into one: the one named, else the oldest selected."""
    master_id: int | None = None
    if master:
        by_number = session.scalar(select(Order.id).where(Order.number == master))
        master_id = by_number or (int(master) if master.isdigit() else None)
        if master_id is None:
            raise InvalidInput("找不到主工单", code="unknown_master")
    else:
        if len(ids) < 2:
            raise InvalidInput("合并需要至少勾选两张工单", code="merge_needs_two")
        master_id = min(ids)
    service.get_order(session, principal, master_id)
    for order_id in ids:
        if order_id != master_id:
            service.act(session, principal, order_id, Action.merge,
                        s.Merge(master_order_id=master_id))
