"""Special-line pages: the list and the form that opens a line in minutes, each line's page
(its live dashboard in ECharts, agents, answers, close), and on the agent's intake screen the
line's answers while typing, settled in one click (lines.first_call)."""

from __future__ import annotations

import json
from datetime import datetime, time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.core import clock
from jiesu.core.api import SessionDep, commit
from jiesu.core.errors import DomainError, InvalidInput
from jiesu.core.ids import PathId
from jiesu.core.roles import Principal, Role
from jiesu.lines import dashboard, first_call, service
from jiesu.lines import deadlines as line_deadlines
from jiesu.lines import knowledge_link as kb
from jiesu.lines import schemas as ls
from jiesu.orders import schemas as os_
from jiesu.orders.deadline_rules_api import LineDeadlineRuleCreate
from jiesu.units.models import Unit, User
from jiesu.web.admin_deadlines import LIMITS, SPAN_LABELS, URGENCY_LABELS
from jiesu.web.common import PagePrincipal, field_errors, needs, redirect, render

router = APIRouter()
WEEKDAYS = ("一", "二", "三", "四", "五", "六", "日")


def _agents(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.role == Role.agent.value,
                                                   User.active.is_(True))
                                .order_by(User.username)))


def _list_page(request: Request, session: Session, principal: Principal, *,
               values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
               error: str | None = None, status_code: int = 200) -> HTMLResponse:
    now = clock.now()
    rows = [service.to_public(session, line, now) for line in service.list_lines(session)]
    return render(request, "lines.html", principal, status_code=status_code, rows=rows,
                  agents=_agents(session), v=values or {}, errors=errors or {}, error=error,
                  weekdays=WEEKDAYS, manager=principal.role in service.MANAGERS)


@router.get("/lines", response_class=HTMLResponse)
def lines_page(request: Request, session: SessionDep, principal: PagePrincipal) -> HTMLResponse:
    needs(principal, Role.supervisor, Role.admin, Role.dispatcher)
    return _list_page(request, session, principal)


def _day(text: str, end: bool = False) -> str | None:
    if not text:
        return None
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError as exc:
        raise InvalidInput("日期格式应为 YYYY-MM-DD", code="invalid_date") from exc
    return datetime.combine(day, time(23, 59, 59) if end else time(0),
                            tzinfo=clock.CHINA_TZ).isoformat()


def _create_body(form: Any) -> dict[str, Any]:
    def text(name: str) -> str:
        value = form.get(name)
        return value.strip() if isinstance(value, str) else ""

    hours = text("hours") or "24x7"
    body: dict[str, Any] = {
        "code": text("code"), "name": text("name"), "number": text("number"),
        "channel_tag": text("channel_tag"), "description": text("description"),
        "around_the_clock": hours == "24x7", "timetable": [],
        "agent_ids": [int(v) for v in form.getlist("agent_ids") if str(v).isdigit()],
        "categories": [c.strip() for c in text("categories").replace("，", ",").split(",")
                       if c.strip()],
    }
    if hours != "24x7":
        body["timetable"] = [{"weekdays": [int(d) for d in form.getlist("weekdays")
                                           if str(d).isdigit()],
                              "start": text("start") or "08:00", "end": text("end") or "20:00"}]
    starts, ends = _day(text("starts_on")), _day(text("ends_on"), end=True)
    if starts and clock.local(datetime.fromisoformat(starts)).date() > clock.local(
            clock.now()).date():
        body["starts_at"] = starts
    if ends:
        body["ends_at"] = ends
    return body


@router.post("/lines", response_class=HTMLResponse, response_model=None)
async def create_line(request: Request, session: SessionDep,
                      principal: PagePrincipal) -> HTMLResponse | RedirectResponse:
    needs(principal, Role.supervisor, Role.admin)
    form = await request.form()
    values: dict[str, Any] = {k: form.get(k) for k in form}
    values["agent_ids"] = [str(v) for v in form.getlist("agent_ids")]
    values["weekdays"] = [str(v) for v in form.getlist("weekdays")]
    try:
        data = ls.LineCreate.model_validate(_create_body(form))
        line = service.create_line(session, principal, data)
        line_id = line.id
        commit(session)
    except ValidationError as exc:
        return _list_page(request, session, principal, values=values,
                          errors=field_errors(exc), error="请检查标红的字段", status_code=422)
    except DomainError as exc:
        session.rollback()
        return _list_page(request, session, principal, values=values, error=exc.message,
                          status_code=exc.status_code)
    return redirect(f"/lines/{line_id}?ok=saved")


def _board_context(session: Session, line_id: int) -> dict[str, Any]:
    line = service.get_line(session, line_id)
    board = dashboard.line_dashboard(session, line)
    chart = {"days": board.days, "calls": board.calls_per_day,
             "settled": board.first_call_per_day, "hours": board.calls_per_hour,
             "units": [u["name"] for u in board.open_by_unit],
             "unit_open": [u["open"] for u in board.open_by_unit]}
    return {"board": board,
            "chart_json": json.dumps(chart, ensure_ascii=False).replace("<", "\\u003c")}


def _line_page(request: Request, session: Session, principal: Principal, line_id: int, *,
               error: str | None = None, status_code: int = 200) -> HTMLResponse:
    line = service.get_line(session, line_id)
    public = service.to_public(session, line)
    on_line = {a.user_id for a in public.agents}
    articles = kb.topics(session, public.article_ids)
    # An answer is owned by a department (or a district): they are the ones told of expiry.
    units = list(session.scalars(
        select(Unit).where(Unit.active.is_(True),
                           Unit.kind.in_(["department", "utility", "district"]))
        .order_by(Unit.kind, Unit.code)))
    return render(
        request, "line.html", principal, status_code=status_code, line=public, error=error,
        others=[a for a in _agents(session) if a.id not in on_line], articles=articles,
        units=units, manager=principal.role in service.MANAGERS, weekdays=WEEKDAYS,
        urgencies={"any": "所有紧急程度", **URGENCY_LABELS}, spans=SPAN_LABELS, limits=LIMITS,
        **_board_context(session, line_id),
    )


@router.get("/lines/{line_id}", response_class=HTMLResponse)
def line_page(request: Request, session: SessionDep, principal: PagePrincipal,
              line_id: PathId) -> HTMLResponse:
    needs(principal, Role.supervisor, Role.admin, Role.dispatcher)
    return _line_page(request, session, principal, line_id)


@router.get("/lines/{line_id}/panel", response_class=HTMLResponse)
def line_panel(request: Request, session: SessionDep, principal: PagePrincipal,
               line_id: PathId) -> HTMLResponse:
    """The dashboard alone, for the page's periodic refresh."""
    needs(principal, Role.supervisor, Role.admin, Role.dispatcher)
    return render(request, "_line_dashboard.html", principal, **_board_context(session, line_id))


async def _line_action(request: Request, session: Session, principal: Principal, line_id: int,
                       act: Any) -> HTMLResponse | RedirectResponse:
    needs(principal, Role.supervisor, Role.admin)
    form = await request.form()
    try:
        act(form)
        commit(session)
    except DomainError as exc:
        session.rollback()
        return _line_page(request, session, principal, line_id, error=exc.message,
                          status_code=exc.status_code)
    except ValidationError as exc:
        session.rollback()
        message = "；".join(field_errors(exc).values()) or "输入有误"
        return _line_page(request, session, principal, line_id, error=message,
                          status_code=422)
    return redirect(f"/lines/{line_id}?ok=saved")


@router.post("/lines/{line_id}/agents", response_class=HTMLResponse, response_model=None)
async def add_agents(request: Request, session: SessionDep, principal: PagePrincipal,
                     line_id: PathId) -> HTMLResponse | RedirectResponse:
    def act(form: Any) -> None:
        ids = [int(v) for v in form.getlist("user_ids") if str(v).isdigit()]
        service.add_agents(session, principal, line_id,
                           ls.LineAgentsAdd.model_validate({"user_ids": ids}).user_ids)

    return await _line_action(request, session, principal, line_id, act)


@router.post("/lines/{line_id}/agents/{user_id}/remove", response_class=HTMLResponse,
             response_model=None)
async def remove_agent(request: Request, session: SessionDep, principal: PagePrincipal,
                       line_id: PathId, user_id: PathId) -> HTMLResponse | RedirectResponse:
    return await _line_action(request, session, principal, line_id,
                              lambda form: service.remove_agent(session, principal, line_id,
                                                                user_id))


@router.post("/lines/{line_id}/answers", response_class=HTMLResponse, response_model=None)
async def add_answer(request: Request, session: SessionDep, principal: PagePrincipal,
                     line_id: PathId) -> HTMLResponse | RedirectResponse:
    """A new standard answer written for the line: published at once and added to it."""
    def act(form: Any) -> None:
        fields = {k: str(form.get(k) or "").strip() for k in
                  ("topic", "questions", "answer", "category", "owner_unit_id")}
        service.write_answer(session, principal, line_id, fields)

    return await _line_action(request, session, principal, line_id, act)


@router.post("/lines/{line_id}/articles", response_class=HTMLResponse, response_model=None)
async def add_articles(request: Request, session: SessionDep, principal: PagePrincipal,
                       line_id: PathId) -> HTMLResponse | RedirectResponse:
    def act(form: Any) -> None:
        raw = str(form.get("article_ids") or "").replace("，", ",")
        ids = [int(v) for v in raw.split(",") if v.strip().isdigit()]
        service.add_articles(session, principal, line_id,
                             ls.LineArticlesAdd.model_validate({"article_ids": ids}).article_ids)

    return await _line_action(request, session, principal, line_id, act)


def _rule_body(form: Any) -> dict[str, Any]:
    def text(name: str) -> str:
        value = form.get(name)
        return value.strip() if isinstance(value, str) else ""

    body: dict[str, Any] = {"urgency": text("urgency") or "any",
                            "category": text("category") or None, "note": text("rule_note")}
    for name, _ in LIMITS:
        body[name] = {"amount": text(f"{name}_amount"), "span": text(f"{name}_span")}
    return body


@router.post("/lines/{line_id}/deadline-rules", response_class=HTMLResponse,
             response_model=None)
async def set_deadline_rule(request: Request, session: SessionDep, principal: PagePrincipal,
                            line_id: PathId) -> HTMLResponse | RedirectResponse:
    """The line's limits for an urgency (or all) and category: a new rule, or a new version of
    the one in force for the same urgency and category."""
    def act(form: Any) -> None:
        data = LineDeadlineRuleCreate.model_validate(_rule_body(form))
        same = [r for r in line_deadlines.line_rules(session, line_id)
                if (r.urgency, r.category) == (data.urgency, data.category)]
        if same:
            line_deadlines.replace_rule(session, principal, line_id, same[0].id, data)
        else:
            line_deadlines.add_rule(session, principal, line_id, data)

    return await _line_action(request, session, principal, line_id, act)


@router.post("/lines/{line_id}/deadline-rules/{rule_id}/retire", response_class=HTMLResponse,
             response_model=None)
async def retire_deadline_rule(request: Request, session: SessionDep, principal: PagePrincipal,
                               line_id: PathId, rule_id: PathId) -> HTMLResponse | RedirectResponse:
    return await _line_action(request, session, principal, line_id,
                              lambda form: line_deadlines.retire_rule(session, principal,
                                                                      line_id, rule_id))


@router.post("/lines/{line_id}/close", response_class=HTMLResponse, response_model=None)
async def close_line(request: Request, session: SessionDep, principal: PagePrincipal,
                     line_id: PathId) -> HTMLResponse | RedirectResponse:
    return await _line_action(
        request, session, principal, line_id,
        lambda form: service.close_line(session, principal, line_id,
                                        ls.LineClose(note=str(form.get("note") or "")).note))


# --- the agent's intake screen ------------------------------------------------------------


@router.post("/agent/answers", response_class=HTMLResponse)
async def live_answers(request: Request, session: SessionDep,
                       principal: PagePrincipal) -> HTMLResponse:
    """The top standard answers for what the agent is typing; the line's own first."""
    needs(principal, Role.agent)
    form = await request.form()
    text = str(form.get("text") or "")[:500]
    line_id = _int(form.get("line_id"))
    category = str(form.get("category") or "").strip() or None
    ranked = kb.answers(session, principal, text, category=category, line_id=line_id)
    commit(session)  # a search that found nothing is kept for the centre
    return render(request, "_answers.html", principal, ranked=ranked, typed=bool(text.strip()))


def _int(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


@router.post("/agent/settle", response_class=HTMLResponse, response_model=None)
async def settle(request: Request, session: SessionDep,
                 principal: PagePrincipal) -> HTMLResponse | RedirectResponse:
    """One click: the call is a consultation answered with this version and closed at once."""
    from jiesu.web import intake

    needs(principal, Role.agent)
    form = await request.form()
    values = intake._form_values(form)
    version_id = _int(form.get("settle_version"))
    try:
        # Settled on the call, the request is a consultation whatever type was chosen.
        data = os_.OrderCreate.model_validate(
            {**{k: v for k, v in values.items() if v is not None}, "type": "consultation"})
        if version_id is None:
            raise InvalidInput("请选择答复口径", code="kb_version_required")
        order, _ = first_call.settle_on_call(session, principal, data, version_id)
        order_id = order.id
        commit(session)
    except ValidationError as exc:
        return intake._page(request, principal, values=values, errors=field_errors(exc),
                            status_code=422, error="请检查标红的字段", session=session)
    except DomainError as exc:
        session.rollback()
        return intake._page(request, principal, values=values, error=exc.message,
                            status_code=exc.status_code, session=session)
    return redirect(f"/agent?ok=answered&last={order_id}")
