"""Admin page for place aliases (地名别名): the admins' own table (add, retire; versioned in
`units.place_aliases`), resolved by triage from the next call on, and beside it the landmark
table shipped with triage, read-only.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from jiesu.core.api import SessionDep, commit
from jiesu.core.errors import DomainError
from jiesu.core.roles import Principal, Role
from jiesu.triage.places_build import load_aliases
from jiesu.units import place_aliases
from jiesu.units.place_aliases_api import KIND_LABELS, PlaceAliasCreate
from jiesu.web.common import PagePrincipal, field_errors, needs, redirect, render

router = APIRouter(prefix="/admin/places")
FIELD_OF_CODE = {"place_alias_exists": "alias"}


def _page(
    request: Request, session: Session, principal: Principal, *, q: str = "",
    errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
    status_code: int = 200, error: str | None = None,
) -> HTMLResponse:
    q = q.strip()[:40]
    rows, count = place_aliases.list_aliases(session, q=q or None, limit=500)
    shipped = load_aliases()
    if q:
        shipped = [a for a in shipped if q in a.alias or q in a.district or q in a.street]
    return render(request, "admin_places.html", principal, status_code=status_code, rows=rows,
                  count=count, shipped=shipped, q=q, kinds=KIND_LABELS, errors=errors or {},
                  v=values or {}, error=error)


@router.get("", response_class=HTMLResponse)
def places_page(
    request: Request, session: SessionDep, principal: PagePrincipal, q: str = ""
) -> HTMLResponse:
    needs(principal, Role.admin)
    return _page(request, session, principal, q=q)


@router.post("", response_class=HTMLResponse, response_model=None)
async def add_alias(
    request: Request, session: SessionDep, principal: PagePrincipal
) -> HTMLResponse | RedirectResponse:
    needs(principal, Role.admin)
    form = await request.form()
    values = {k: str(v).strip() for k, v in form.items() if isinstance(v, str)}
    try:
        body = PlaceAliasCreate.model_validate({
            "alias": values.get("alias", ""), "district": values.get("district", ""),
            "street": values.get("street", ""), "kind": values.get("kind") or "alias",
            "note": values.get("note", ""),
        })
        place_aliases.add_alias(session, **body.model_dump(), actor_id=principal.user_id)
        commit(session)
    except ValidationError as exc:
        return _page(request, session, principal, errors=field_errors(exc), values=values,
                     status_code=422, error="请检查标红的字段")
    except DomainError as exc:  # refused before anything was written
        field = str(exc.details.get("field") or FIELD_OF_CODE.get(exc.code, "alias"))
        return _page(request, session, principal, errors={field: exc.message}, values=values,
                     status_code=exc.status_code, error=exc.message)
    return redirect("/admin/places?ok=saved")


@router.post("/{alias_id}/retire", response_model=None)
def retire_alias(
    alias_id: int, session: SessionDep, principal: PagePrincipal
) -> RedirectResponse:
    needs(principal, Role.admin)
    place_aliases.retire_alias(session, alias_id)
    commit(session)
    return redirect("/admin/places?ok=saved")
