"""Hot-spot pages for dispatchers and supervisors: the list (alerted first by heat), one cluster
with its orders, its place breakdown (district → street → estate) and its daily trend
(ECharts), and the centre's threshold form (supervisors)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy import select

from jiesu.core.api import SessionDep, commit
from jiesu.core.errors import InvalidInput, NotAllowed
from jiesu.core.roles import Role
from jiesu.hotspots import cases, service, views
from jiesu.hotspots import schemas as s
from jiesu.units.models import Unit
from jiesu.web.common import PagePrincipal, needs, redirect, render
from jiesu.web.suggest import dispatchable_units, resolve_unit

router = APIRouter(prefix="/hotspots")
WATCHERS = (Role.dispatcher, Role.supervisor)
ANSWERABLE = frozenset({"dispatched", "reopened", "signed", "in_progress"})


@router.get("", response_class=HTMLResponse)
def hotspots_page(
    request: Request, session: SessionDep, principal: PagePrincipal, alerted: str = ""
) -> HTMLResponse:
    needs(principal, *WATCHERS)
    rows = service.list_clusters(session, alerted=True if alerted == "1" else None, limit=100)
    return render(request, "hotspots.html", principal, rows=rows,
                  rule=service.current_rule(session), only_alerted=alerted == "1",
                  may_set_rule=principal.role is Role.supervisor)


@router.get("/report", response_class=HTMLResponse)
def report_page(
    request: Request, session: SessionDep, principal: PagePrincipal, month: str = "",
    district: str = "",
) -> HTMLResponse:
    """每月一题 for a month (default: this month), centre-wide or one district, with the
    proactive list for the month after."""
    from jiesu.core import clock
    from jiesu.hotspots import report

    needs(principal, *WATCHERS)
    today = clock.local(clock.now()).date()
    month = month or f"{today:%Y-%m}"
    data = report.monthly_report(session, month, district or None)
    chart = {"days": data.days, "series": [
        {"name": f"{p.rank}. {p.title}"[:24], "data": p.trend} for p in data.problems]}
    ahead = report.next_month(today)
    last_year, proactive = report.proactive_list(session, ahead, district or None)
    districts = list(session.scalars(select(Unit).where(Unit.kind == "district")
                                     .order_by(Unit.code)))
    return render(request, "hotspots_report.html", principal, r=data, district=district,
                  districts=districts, proactive=proactive, ahead=ahead, last_year=last_year,
                  chart_json=json.dumps(chart, ensure_ascii=False).replace("<", "\\u003c"))


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request, session: SessionDep, principal: PagePrincipal, case_id: int
) -> HTMLResponse:
    """The joint case: its units and member orders; the dispatcher sends the waiting ones to
    the lead unit, the lead unit answers them all at once, the centre splits one out."""
    case = cases.get_case(session, case_id)
    if not cases.may_view(principal, case):
        raise NotAllowed("只有中心和该案件的主办、协办单位可以查看", code="not_case_unit")
    members = cases.case_orders(session, case_id)
    ids = {case.lead_unit_id, *case.assisting_unit_ids,
           *(o.lead_unit_id for o in members if o.lead_unit_id)}
    names = {u.id: u.name for u in session.scalars(select(Unit).where(Unit.id.in_(ids)))}
    cluster = service.get_cluster(session, case.cluster_id)
    lead_handler = principal.role is Role.handler and principal.unit_id == case.lead_unit_id
    return render(
        request, "hotspot_case.html", principal, case=case, members=members, names=names,
        title=f"{cluster.place or ''}{cluster.title}", lead=names.get(case.lead_unit_id, ""),
        assisting=[names.get(u, str(u)) for u in case.assisting_unit_ids],
        watcher=principal.role in WATCHERS,
        may_dispatch=principal.role is Role.dispatcher, may_split=principal.role in WATCHERS,
        may_reply=lead_handler,
        waiting=sum(1 for o in members if o.state in cases.WAITING),
        to_answer=sum(1 for o in members if o.lead_unit_id == case.lead_unit_id
                      and o.state in ANSWERABLE),
    )


@router.post("/cases/{case_id}/dispatch", response_model=None)
def dispatch_case(
    session: SessionDep, principal: PagePrincipal, case_id: int, note: str = Form("")
) -> RedirectResponse:
    needs(principal, Role.dispatcher)
    cases.dispatch_case(session, principal, case_id, note[:2000])
    commit(session)
    return redirect(f"/hotspots/cases/{case_id}?ok=hotspot_dispatched")


@router.post("/cases/{case_id}/reply", response_model=None)
def reply_case(
    session: SessionDep, principal: PagePrincipal, case_id: int, outcome: str = Form(...),
    reply: str = Form(...),
) -> RedirectResponse:
    needs(principal, Role.handler)
    try:
        body = s.CaseReplyIn(outcome=outcome, reply=reply)
    except ValidationError as exc:
        raise InvalidInput("请选择办理结果并填写答复内容", code="invalid_input") from exc
    cases.reply_case(session, principal, case_id, outcome=body.outcome, reply=body.reply)
    commit(session)
    return redirect(f"/hotspots/cases/{case_id}?ok=hotspot_replied")


@router.post("/cases/{case_id}/split", response_model=None)
def split_out(
    session: SessionDep, principal: PagePrincipal, case_id: int, order_id: int = Form(...),
    reason: str = Form(...),
) -> RedirectResponse:
    needs(principal, *WATCHERS)
    try:
        body = s.SplitIn(order_id=order_id, reason=reason)
    except ValidationError as exc:
        raise InvalidInput("请填写移出原因", code="invalid_input") from exc
    cases.split_out(session, principal, case_id, body.order_id, body.reason)
    commit(session)
    return redirect(f"/hotspots/cases/{case_id}?ok=hotspot_split")


@router.get("/{cluster_id}", response_class=HTMLResponse)
def hotspot_page(
    request: Request, session: SessionDep, principal: PagePrincipal, cluster_id: int
) -> HTMLResponse:
    needs(principal, *WATCHERS)
    detail = views.detail(session, cluster_id)
    chart = {"days": [d.day for d in detail.trend], "orders": [d.orders for d in detail.trend]}
    return render(request, "hotspot.html", principal, h=detail,
                  chart_json=json.dumps(chart, ensure_ascii=False).replace("<", "\\u003c"),
                  units=dispatchable_units(session) if detail.case_id is None else [])


@router.post("/{cluster_id}/case", response_model=None)
def open_case(
    session: SessionDep, principal: PagePrincipal, cluster_id: int, lead: str = Form(...),
    assist: str = Form(""), note: str = Form(""),
) -> RedirectResponse:
    """One action: the cluster becomes a joint case with a lead and assisting units."""
    needs(principal, *WATCHERS)
    lead_unit = resolve_unit(session, lead)
    if lead_unit is None:
        raise InvalidInput("请选择主办单位", code="unknown_unit")
    assisting = []
    for part in (p.strip() for p in assist.replace("，", ",").split(",")):
        if part:
            unit = resolve_unit(session, part)
            if unit is None:
                raise InvalidInput(f"协办单位不存在：{part}", code="unknown_unit")
            assisting.append(unit.id)
    row = cases.open_case(session, principal, cluster_id, lead_unit_id=lead_unit.id,
                          assisting_unit_ids=assisting, note=note)
    commit(session)
    ok = "hotspot_case" if principal.role is Role.dispatcher else "hotspot_case_waiting"
    return redirect(f"/hotspots/cases/{row.case_id}?ok={ok}")


@router.post("/rule", response_model=None)
def set_rule(
    session: SessionDep, principal: PagePrincipal, min_callers: int = Form(...),
    within_hours: int = Form(...), window_days: int = Form(30), note: str = Form(""),
) -> RedirectResponse:
    needs(principal, Role.supervisor)
    try:
        body = s.RuleUpdate(min_callers=min_callers, within_hours=within_hours,
                            window_days=window_days, note=note)
    except ValidationError as exc:
        raise InvalidInput("阈值超出范围", code="invalid_input") from exc
    service.set_rule(session, principal, **body.model_dump())
    commit(session)
    return redirect("/hotspots?ok=hotspot_rule")


@router.post("/proposals/{order_id}/accept", response_model=None)
def accept_proposal(
    session: SessionDep, principal: PagePrincipal, order_id: int
) -> RedirectResponse:
    needs(principal, *WATCHERS)
    cases.link_proposed(session, principal, order_id)
    commit(session)
    return redirect(f"/orders/{order_id}?ok=hotspot_linked")
