"""The order page: the whole history as a timeline, the masked citizen, and every action the
current person may take on it (and nothing else). Also the order search / drill-down list.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.calendar.service import work_calendar
from jiesu.core import clock
from jiesu.core.api import SessionDep, commit
from jiesu.core.errors import DomainError, InvalidInput
from jiesu.core.privacy import mask_phone
from jiesu.core.roles import Principal, Role
from jiesu.core.settings import get_settings
from jiesu.orders import attachments, service
from jiesu.orders import schemas as s
from jiesu.orders.import_history import TimelineEvent
from jiesu.orders.models import (
    CHANNEL_LABELS,
    NOT_ACCEPTED_LABELS,
    REPLY_OUTCOME_LABELS,
    REQUEST_TYPE_LABELS,
    SATISFACTION_LABELS,
    Order,
    OrderAssignment,
)
from jiesu.orders.statemachine import ACTION_LABELS, Action, State
from jiesu.units.models import Unit, User
from jiesu.web import forms, suggest
from jiesu.web.common import (
    URGENCY_LABELS,
    PagePrincipal,
    domain_field_errors,
    field_errors,
    redirect,
    render,
    unit_names,
)

router = APIRouter()

ASSIGNMENT_LABELS = {"lead": "主办", "assist": "协办", "delegate": "下派", "copy": "抄送"}
PAYLOAD_LABELS = {
    "reason": "理由", "note": "说明", "answer": "答复", "reply": "答复内容", "outcome": "办理结果",
    "method": "联系方式", "days": "天数", "solved": "是否解决", "satisfaction": "满意度",
    "comment": "意见", "category": "类别", "urgency": "紧急程度", "kind": "方式",
    "channel": "渠道", "type": "类型", "filename": "附件",
}
HIDDEN_PAYLOAD = {"version", "client_key"}
# Events that set the order's deadlines afresh; an approved extension adds to them.
DEADLINE_EVENTS = {"dispatch", "redispatch", "reject_return", "reopen"}


def _years(years: list[int] | set[int]) -> str:
    return "、".join(f"{y}年" for y in sorted(years))


def calendar_note(session: Session, order: Order, events: Sequence[TimelineEvent],
                  ) -> str | None:
    """Why the order's deadlines are an estimate, when they are (decision 0010): they were
    counted Monday–Friday over a year whose holidays nobody had entered."""
    if not order.is_open:
        return None
    estimated: set[int] = set()
    for event in events:  # oldest first: the last dispatch, then the extensions after it
        years = set(event.payload.get("calendar_estimated_years") or [])
        if event.action in DEADLINE_EVENTS:
            estimated = years
        elif event.action == Action.approve_extension.value:
            estimated |= years
    if not estimated:
        return None
    calendar = work_calendar(session)
    missing = {y for y in estimated if not calendar.covers_year(y)}
    if missing:
        return f"截止时间按周一至周五估算：{_years(missing)}节假日安排尚未录入"
    return f"截止时间按周一至周五估算（计算时{_years(estimated)}节假日安排尚未录入，现已录入）"


def _values(labels: Mapping[Any, str]) -> dict[str, str]:
    return {str(getattr(k, "value", k)): v for k, v in labels.items()}


def _payload_lines(payload: dict[str, Any], names: dict[int, str]) -> list[tuple[str, str]]:
    """An event's payload as short Chinese lines (unit ids as names, codes as labels)."""
    not_accepted = _values(NOT_ACCEPTED_LABELS)
    lookup: dict[str, dict[str, str]] = {
        "outcome": _values(REPLY_OUTCOME_LABELS), "satisfaction": _values(SATISFACTION_LABELS),
        "urgency": URGENCY_LABELS, "channel": _values(CHANNEL_LABELS),
        "type": _values(REQUEST_TYPE_LABELS), "method": forms.CONTACT_METHODS,
        "kind": forms.PRAISE_KINDS,
    }
    lines = []
    for key, value in payload.items():
        if key in HIDDEN_PAYLOAD or (value in (None, "", [], False) and key != "solved"):
            continue
        if key == "lead_unit_id":
            lines.append(("主办单位", names.get(int(value), str(value))))
        elif key == "assisting_unit_ids" and isinstance(value, list):
            lines.append(("协办单位", "、".join(names.get(int(v), str(v)) for v in value)))
        elif key == "reason" and value in not_accepted:
            lines.append(("原因", not_accepted[value]))
        elif key == "solved":
            lines.append(("是否解决", "是" if value else "否"))
        elif key == "calendar_provisional":
            years = _years(payload.get("calendar_estimated_years") or [])
            lines.append(("工作日历", f"截止时间按周一至周五估算（{years}节假日安排尚未录入）"))
        elif key in PAYLOAD_LABELS:
            text = lookup.get(key, {}).get(str(value), str(value))
            lines.append((PAYLOAD_LABELS[key], text))
    return lines


def _unit_names(session: Session, ids: set[int]) -> dict[int, str]:
    return unit_names(session, ids)


def may_call(session: Session, principal: Principal, order: Order) -> bool:
    """Only those who must call the citizen back get the button that shows the number."""
    if principal.role.value not in get_settings().unmasked_phone_roles:
        return False
    if order.anonymous or not order.citizen_phone or not order.is_open:
        return False
    if principal.role is Role.visitor:
        return order.state == State.replied.value
    return bool(set(service.actions_for(session, principal, order)) - {Action.attach.value})


def order_page(
    request: Request, session: Session, principal: Principal, order: Order, *,
    open_action: str | None = None, errors: dict[str, str] | None = None,
    error: str | None = None, values: dict[str, Any] | None = None, status_code: int = 200,
    attach_error: str | None = None,
) -> HTMLResponse:
    events = service.timeline_of(session, order.id)
    assignments = list(session.scalars(
        select(OrderAssignment).where(OrderAssignment.order_id == order.id)
        .order_by(OrderAssignment.id)
    ))
    unit_ids = {a.unit_id for a in assignments} | {e.unit_id for e in events if e.unit_id}
    for e in events:
        if e.payload.get("lead_unit_id"):
            unit_ids.add(int(e.payload["lead_unit_id"]))
        unit_ids.update(int(v) for v in e.payload.get("assisting_unit_ids") or [])
    names = _unit_names(session, unit_ids)
    actor_ids = {e.actor_id for e in events if e.actor_id}
    actors: dict[int, str] = {
        uid: name for uid, name in session.execute(
            select(User.id, User.display_name).where(User.id.in_(actor_ids))
        )
    } if actor_ids else {}
    timeline = [
        {
            "e": e,
            "label": ACTION_LABELS[Action(e.action)] if e.action in Action.__members__
            else ("受理" if e.action == "intake" else e.action),
            "actor": actors.get(e.actor_id or 0, "系统"),
            "unit": names.get(e.unit_id or 0, ""),
            "lines": _payload_lines(e.payload, names),
        }
        for e in reversed(events)
    ]
    actions = service.actions_for(session, principal, order)
    # Attaching is the upload form beside the attachments, not one of the action forms.
    can_attach = Action.attach.value in actions
    actions = [a for a in actions if a != Action.attach.value]
    units: list[Unit] = []
    if any(f.kind in ("unit", "units") for a in actions for f in forms.ACTION_FIELDS.get(a, [])):
        units = suggest.dispatchable_units(session)
        if Action.pass_on.value in actions and principal.unit_id:
            units = list(session.scalars(select(Unit).where(
                Unit.parent_id == principal.unit_id, Unit.active.is_(True)
            ).order_by(Unit.code)))
    return render(
        request, "order.html", principal, status_code=status_code, o=order,
        phone=mask_phone(order.citizen_phone), timeline=timeline, assignments=assignments,
        names=names, actions=[(a, ACTION_LABELS[Action(a)], forms.ACTION_FIELDS.get(a, []))
                              for a in actions],
        open_action=open_action, errors=errors or {}, error=error, values=values or {},
        units=units, can_call=may_call(session, principal, order),
        lead=names.get(order.lead_unit_id or 0, ""), now=clock.now(),
        calendar_note=calendar_note(session, order, events),
        ASSIGNMENT_LABELS=ASSIGNMENT_LABELS, next=None,
        attachments=attachments.of_order(session, order.id), can_attach=can_attach,
        attach_error=attach_error, attach_types=",".join(get_settings().attachment_types),
        attach_max_mb=max(1, get_settings().attachment_max_bytes // (1024 * 1024)),
        case_proposal=_case_proposal(session, principal, order),
        joint_case=_joint_case(session, principal, order),
    )


def _joint_case(session: Session, principal: Principal, order: Order) -> int | None:
    """The hot-spot joint case the order is in, for those who may open its page."""
    from jiesu.hotspots.cases import case_for_order, may_view

    case = case_for_order(session, order)
    return case.case_id if case is not None and may_view(principal, case) else None


def _case_proposal(session: Session, principal: Principal, order: Order) -> int | None:
    """"This may belong to case N": the order's hot spot became a joint case it is not in."""
    if principal.role not in (Role.agent, Role.dispatcher, Role.supervisor):
        return None
    from jiesu.hotspots.cases import proposal_for

    return proposal_for(session, order.id)


@router.get("/orders/{order_id}", response_class=HTMLResponse)
def show_order(
    order_id: int, request: Request, session: SessionDep, principal: PagePrincipal
) -> HTMLResponse:
    order = service.get_order(session, principal, order_id)
    return order_page(request, session, principal, order)


@router.post("/orders/{order_id}/act/{action}", response_class=HTMLResponse, response_model=None)
async def take_action(
    order_id: int, action: str, request: Request, session: SessionDep, principal: PagePrincipal
) -> HTMLResponse | RedirectResponse:
    order = service.get_order(session, principal, order_id)
    if action not in Action.__members__:
        raise InvalidInput("未知的操作", code="unknown_action")
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    try:
        payload = s.ACTION_PAYLOADS[action].model_validate(forms.read_form(session, action, form))
        service.act(session, principal, order_id, Action(action), payload)
        commit(session)
    except forms.UnknownReference as exc:
        session.rollback()
        return order_page(request, session, principal, order, open_action=action,
                          errors={exc.field_name: exc.message}, error=exc.message,
                          values=values, status_code=422)
    except ValidationError as exc:
        session.rollback()
        return order_page(request, session, principal, order, open_action=action,
                          errors=field_errors(exc), error="请检查标红的字段", values=values,
                          status_code=422)
    except DomainError as exc:
        session.rollback()
        order = service.get_order(session, principal, order_id)
        return order_page(request, session, principal, order, open_action=action,
                          errors=domain_field_errors(exc), error=exc.message, values=values,
                          status_code=exc.status_code)
    back = str(form.get("next") or "")
    if back.startswith("/") and not back.startswith("//"):
        sep = "&" if "?" in back else "?"
        return redirect(f"{back}{sep}ok=done")
    return redirect(f"/orders/{order_id}?ok=done")


@router.post("/orders/{order_id}/attachments", response_class=HTMLResponse,
             response_model=None)
async def upload_attachment(
    order_id: int, request: Request, session: SessionDep, principal: PagePrincipal
) -> HTMLResponse | RedirectResponse:
    """The upload form on the order page; a refused file re-renders the page with why."""
    from fastapi.concurrency import run_in_threadpool

    from jiesu.orders.attachments_api import read_upload

    order = service.get_order(session, principal, order_id)
    try:
        file, version = await read_upload(request)
        upload = attachments.Upload(file.filename or "", file.content_type or "", file.file)

        def store() -> None:
            attachments.add(session, principal, order_id, upload, version=version)
            commit(session)

        await run_in_threadpool(store)
    except DomainError as exc:
        # Nothing to roll back: a refused upload wrote nothing (attachments.add's savepoint).
        order = service.get_order(session, principal, order_id)
        return order_page(request, session, principal, order, error=exc.message,
                          attach_error=exc.message, status_code=exc.status_code)
    return redirect(f"/orders/{order_id}?ok=attached#attachments")


@router.post("/orders/{order_id}/contact", response_class=HTMLResponse)
def reveal_contact(
    order_id: int, request: Request, session: SessionDep, principal: PagePrincipal
) -> HTMLResponse:
    """The number, as a tel: link, for the one who must call; the read is logged."""
    contact = service.reveal_contact(session, principal, order_id)
    commit(session)
    return render(request, "_contact.html", principal, c=contact)
