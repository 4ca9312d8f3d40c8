"""Admin page for Open311 client apps: issue an api key (shown once, on the answer page only),
see which apps post and when they last did, revoke one (`open311.service`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from jiesu.core.api import SessionDep, commit
from jiesu.core.ids import PathId
from jiesu.core.roles import Principal, Role
from jiesu.open311 import service
from jiesu.open311.schemas import ApiClientCreate
from jiesu.web.common import PagePrincipal, field_errors, needs, redirect, render

router = APIRouter(prefix="/admin/open311")


def _page(
    request: Request, session: Session, principal: Principal, *, issued: str | None = None,
    issued_to: str = "", errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None, status_code: int = 200, error: str | None = None,
) -> HTMLResponse:
    return render(request, "admin_open311.html", principal, status_code=status_code,
                  rows=service.list_clients(session), issued=issued, issued_to=issued_to,
                  errors=errors or {}, v=values or {}, error=error)


@router.get("", response_class=HTMLResponse)
def clients_page(request: Request, session: SessionDep, principal: PagePrincipal) -> HTMLResponse:
    needs(principal, Role.admin)
    return _page(request, session, principal)


@router.post("", response_class=HTMLResponse)
async def issue_client(
    request: Request, session: SessionDep, principal: PagePrincipal
) -> HTMLResponse:
    needs(principal, Role.admin)
    form = await request.form()
    values = {k: str(v).strip() for k, v in form.items() if isinstance(v, str)}
    try:
        body = ApiClientCreate.model_validate(
            {"name": values.get("name", ""), "contact": values.get("contact", "")})
    except ValidationError as exc:
        return _page(request, session, principal, errors=field_errors(exc), values=values,
                     status_code=422, error="请检查标红的字段")
    client, api_key = service.issue_client(session, body, principal.user_id)
    commit(session)
    # The key is shown on this answer only (never stored, never in a URL).
    return _page(request, session, principal, issued=api_key, issued_to=client.name)


@router.post("/{client_id}/revoke", response_model=None)
def revoke_client(
    client_id: PathId, session: SessionDep, principal: PagePrincipal
) -> RedirectResponse:
    needs(principal, Role.admin)
    service.revoke_client(session, client_id)
    commit(session)
    return redirect("/admin/open311?ok=saved")
