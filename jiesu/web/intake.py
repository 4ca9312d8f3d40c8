"""Agent intake: one screen for typing while the citizen talks.

Phone number → the caller's earlier orders; free text → live triage suggestions in a side
panel (htmx swaps only the panel, so the text box keeps focus); three ways out: answered on
the call, not accepted (with the reason), or sent to the dispatcher.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from jiesu.core import clock
from jiesu.core.api import SessionDep, commit
from jiesu.core.errors import DomainError
from jiesu.core.roles import Role
from jiesu.hotspots.cases import case_at_intake
from jiesu.lines import service as line_service
from jiesu.orders import queries, service
from jiesu.orders import schemas as s
from jiesu.orders.models import NotAcceptedReason, RequestType
from jiesu.orders.statemachine import Action
from jiesu.web import suggest
from jiesu.web.common import (
    PagePrincipal,
    domain_field_errors,
    field_errors,
    needs,
    redirect,
    render,
)

router = APIRouter()

HISTORY_MIN_DIGITS = 7
ORDER_FIELDS = (
    "client_key", "type", "text", "place_text", "citizen_name", "citizen_phone",
    "category", "urgency", "district_code", "street_code", "community_code", "line_id",
)
CHECKBOXES = ("anonymous", "confidential", "no_callback")


def _form_values(form: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in ORDER_FIELDS:
        raw = form.get(name)
        value = raw.strip() if isinstance(raw, str) else ""
        values[name] = value or None
    for name in CHECKBOXES:
        values[name] = form.get(name) == "on"
    return values


def _page(
    request: Request, principal: Any, *, values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None, error: str | None = None, status_code: int = 200,
    last: Any = None, session: Session | None = None,
) -> HTMLResponse:
    values = values or {}
    values.setdefault("client_key", uuid.uuid4().hex)
    # The special lines this agent takes calls on now (jiesu.lines): the call carries one.
    lines = (line_service.lines_taking_calls(session, principal.user_id, clock.now())
             if session is not None else [])
    return render(
        request, "intake.html", principal, status_code=status_code, v=values,
        errors=errors or {}, error=error, last=last, lines=lines,
        types=[t.value for t in RequestType if t is not RequestType.praise],
        reasons=[r.value for r in NotAcceptedReason],
    )


@router.get("/agent", response_class=HTMLResponse)
def intake_page(
    request: Request, session: SessionDep, principal: PagePrincipal, last: int | None = None
) -> HTMLResponse:
    needs(principal, Role.agent)
    last_order = None
    if last:
        try:
            last_order = service.get_order(session, principal, last)
        except DomainError:
            last_order = None
    return _page(request, principal, last=last_order, session=session)


@router.get("/agent/history", response_class=HTMLResponse)
def caller_history(
    request: Request, session: SessionDep, principal: PagePrincipal, citizen_phone: str = ""
) -> HTMLResponse:
    needs(principal, Role.agent)
    phone = "".join(ch for ch in citizen_phone if ch.isdigit() or ch in "+-")[:20]
    rows: list[Any] = []
    count = 0
    if len([c for c in phone if c.isdigit()]) >= HISTORY_MIN_DIGITS:
        found, count = queries.search(
            session, principal, queries.OrderFilter(phone=phone), limit=10
        )
        rows = list(found)
    return render(
        request, "_history.html", principal, rows=rows, count=count, phone=phone,
        searched=bool(rows) or len(phone) >= HISTORY_MIN_DIGITS,
    )


@router.post("/agent/suggest", response_class=HTMLResponse)
async def live_suggestion(
    request: Request, session: SessionDep, principal: PagePrincipal
) -> HTMLResponse:
    needs(principal, Role.agent)
    form = await request.form()
    text = str(form.get("text") or "")[:5_000]
    place_text = str(form.get("place_text") or "")[:300]
    now = clock.now()
    view = suggest.live(session, text, place_text, now)
    match = case_at_intake(session, text=text, title=None, street_code=view.street_code,
                           now=now) if view.available else None
    return render(request, "_suggest.html", principal, sg=view, typed=bool(text.strip()),
                  case_hint=match)


@router.post("/agent/intake", response_class=HTMLResponse, response_model=None)
async def submit_intake(
    request: Request, session: SessionDep, principal: PagePrincipal
) -> HTMLResponse | RedirectResponse:
    needs(principal, Role.agent)
    form = await request.form()
    values = _form_values(form)
    decision = str(form.get("decision") or "dispatch")
    answer = str(form.get("answer") or "").strip()
    reason = str(form.get("reason") or "").strip()
    values.update(answer=answer, reason=reason)
    errors: dict[str, str] = {}
    data: s.OrderCreate | None = None
    follow_up: s.ActionBase | None = None
    try:
        # Blank means "not given": the schema's defaults apply.
        data = s.OrderCreate.model_validate(
            {k: v for k, v in values.items()
             if k in (*ORDER_FIELDS, *CHECKBOXES) and v is not None}
        )
    except ValidationError as exc:
        errors.update(field_errors(exc))
    try:
        if decision == "answer":
            follow_up = s.AnswerOnCall(answer=answer)
        elif decision == "not_accept":
            follow_up = s.NotAccept.model_validate({"reason": reason or None, "note": answer})
    except ValidationError as exc:
        errors.update(
            {("answer" if k == "answer" else "reason"): v for k, v in field_errors(exc).items()}
        )
    if errors or data is None:
        return _page(request, principal, values=values, errors=errors, status_code=422,
                     error="请检查标红的字段", session=session)
    try:
        order, _ = service.intake(session, principal, data)
        flash = "intake"
        if isinstance(follow_up, s.AnswerOnCall):
            service.act(session, principal, order.id, Action.answer_on_call, follow_up)
            flash = "answered"
        elif isinstance(follow_up, s.NotAccept):
            service.act(session, principal, order.id, Action.not_accept, follow_up)
            flash = "not_accepted"
        order_id = order.id
        commit(session)
    except DomainError as exc:
        session.rollback()
        return _page(request, principal, values=values, errors=domain_field_errors(exc),
                     error=exc.message, status_code=exc.status_code, session=session)
    return redirect(f"/agent?ok={flash}&last={order_id}")
