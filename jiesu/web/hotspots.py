"""Hot-spot pages for dispatchers and supervisors: the list (alerted first by heat), one cluster
with its orders, its place breakdown (district → street → estate) and its daily trend
(ECharts), and the centre's threshold form (supervisors)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from jiesu.core.api import SessionDep, commit
from jiesu.core.errors import InvalidInput
from jiesu.core.roles import Role
from jiesu.hotspots import schemas as s
from jiesu.hotspots import service, views
from jiesu.web.common import PagePrincipal, needs, redirect, render

router = APIRouter(prefix="/hotspots")
WATCHERS = (Role.dispatcher, Role.supervisor)


@router.get("", response_class=HTMLResponse)
def hotspots_page(
    request: Request, session: SessionDep, principal: PagePrincipal, alerted: str = ""
) -> HTMLResponse:
    needs(principal, *WATCHERS)
    rows = service.list_clusters(session, alerted=True if alerted == "1" else None, limit=100)
    return render(request, "hotspots.html", principal, rows=rows,
                  rule=service.current_rule(session), only_alerted=alerted == "1",
                  may_set_rule=principal.role is Role.supervisor)


@router.get("/{cluster_id}", response_class=HTMLResponse)
def hotspot_page(
    request: Request, session: SessionDep, principal: PagePrincipal, cluster_id: int
) -> HTMLResponse:
    needs(principal, *WATCHERS)
    detail = views.detail(session, cluster_id)
    chart = {"days": [d.day for d in detail.trend], "orders": [d.orders for d in detail.trend]}
    return render(request, "hotspot.html", principal, h=detail,
                  chart_json=json.dumps(chart, ensure_ascii=False).replace("<", "\\u003c"))


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
