"""Admin pages: units, users, the responsibility catalogue, deadline rules, place aliases.

Units, users and catalogue rules are edited through `units.service`; deadline rules
(web/admin_deadlines.py) and place aliases (web/admin_places.py) have pages of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jiesu.core.api import SessionDep, commit
from jiesu.core.errors import DomainError, NotFound
from jiesu.core.roles import ROLE_LABELS, Principal, Role
from jiesu.units import service as units
from jiesu.units.models import UNIT_KIND_LABELS, Unit, User
from jiesu.units.schemas import CatalogueRuleCreate, UnitCreate, UserCreate
from jiesu.web.common import PagePrincipal, field_errors, needs, redirect, render
from jiesu.web.suggest import resolve_unit

router = APIRouter(prefix="/admin")
KINDS = {k.value: v for k, v in UNIT_KIND_LABELS.items()}


def _admin(principal: Principal) -> None:
    needs(principal, Role.admin)


def _save(
    session: Session,
    save: Callable[[], None],
    page: Callable[..., HTMLResponse],
    values: dict[str, Any],
    ok_url: str,
    field_of: Callable[[DomainError], str],
) -> HTMLResponse | RedirectResponse:
    """Validate and save a form in one transaction; on refusal, roll back and show the same
    page again with the error next to its field."""
    try:
        save()
        commit(session)
    except ValidationError as exc:
        session.rollback()
        return page(errors=field_errors(exc), values=values, status_code=422,
                    error="请检查标红的字段")
    except DomainError as exc:
        session.rollback()
        return page(errors={field_of(exc): exc.message}, values=values,
                    status_code=exc.status_code, error=exc.message)
    return redirect(ok_url)


def _units_page(
    request: Request, session: Session, principal: Principal, *, q: str = "", kind: str = "",
    offset: int = 0, errors: dict[str, str] | None = None, values: dict[str, Any] | None = None,
    status_code: int = 200, error: str | None = None,
) -> HTMLResponse:
    rows, count = units.list_units(
        session, kind=kind or None, q=q.strip()[:60] or None, offset=max(0, offset), limit=50
    )
    return render(request, "admin_units.html", principal, rows=rows, count=count, q=q,
                  kind=kind, offset=offset, kinds=KINDS, errors=errors or {},
                  v=values or {}, status_code=status_code, error=error)


@router.get("", response_class=HTMLResponse)
def units_page(
    request: Request, session: SessionDep, principal: PagePrincipal, q: str = "",
    kind: str = "", offset: int = 0,
) -> HTMLResponse:
    _admin(principal)
    return _units_page(request, session, principal, q=q, kind=kind, offset=offset)


@router.post("/units", response_class=HTMLResponse, response_model=None)
async def create_unit(
    request: Request, session: SessionDep, principal: PagePrincipal
) -> HTMLResponse | RedirectResponse:
    _admin(principal)
    form = await request.form()
    values = {k: str(v).strip() for k, v in form.items() if isinstance(v, str)}
    parent = resolve_unit(session, values.get("parent", "")) if values.get("parent") else None
    if values.get("parent") and parent is None:
        return _units_page(request, session, principal, errors={"parent": "找不到上级单位"},
                           values=values, status_code=422)

    def save() -> None:
        units.create_unit(session, UnitCreate(
            code=values.get("code", ""), name=values.get("name", ""),
            kind=values.get("kind") or None,
            parent_id=parent.id if parent else None,
            around_the_clock=values.get("around_the_clock") == "on",
        ))

    page = partial(_units_page, request, session, principal)
    return _save(session, save, page, values, "/admin?ok=saved", lambda exc: "code")


def _users_page(
    request: Request, session: Session, principal: Principal, *,
    errors: dict[str, str] | None = None, values: dict[str, Any] | None = None,
    status_code: int = 200, error: str | None = None,
) -> HTMLResponse:
    rows = list(session.execute(
        select(User, Unit.name).outerjoin(Unit, Unit.id == User.unit_id)
        .order_by(User.id).limit(500)
    ))
    count = session.scalar(select(func.count()).select_from(User)) or 0
    return render(request, "admin_users.html", principal, rows=rows, count=count,
                  roles={r.value: v for r, v in ROLE_LABELS.items()}, errors=errors or {},
                  v=values or {}, status_code=status_code, error=error)


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, session: SessionDep, principal: PagePrincipal) -> HTMLResponse:
    _admin(principal)
    return _users_page(request, session, principal)


@router.post("/users", response_class=HTMLResponse, response_model=None)
async def create_user(
    request: Request, session: SessionDep, principal: PagePrincipal
) -> HTMLResponse | RedirectResponse:
    _admin(principal)
    form = await request.form()
    values = {k: str(v).strip() for k, v in form.items() if isinstance(v, str)}
    unit = resolve_unit(session, values.get("unit", "")) if values.get("unit") else None
    if values.get("unit") and unit is None:
        return _users_page(request, session, principal, errors={"unit": "找不到该单位"},
                           values=values, status_code=422)

    def save() -> None:
        units.create_user(session, UserCreate(
            username=values.get("username", ""), display_name=values.get("display_name", ""),
            password=str(form.get("password") or ""),
            role=values.get("role") or None,
            unit_id=unit.id if unit else None,
        ))

    def field_of(exc: DomainError) -> str:
        return {"username_taken": "username", "weak_password": "password"}.get(exc.code, "unit")

    page = partial(_users_page, request, session, principal)
    return _save(session, save, page, values, "/admin/users?ok=saved", field_of)


@router.post("/users/{user_id}/{change}", response_model=None)
def set_user_active(
    user_id: int, change: str, session: SessionDep, principal: PagePrincipal
) -> RedirectResponse:
    """停用（离职、调岗：其登录立即失效）或恢复账号。"""
    _admin(principal)
    if change not in ("deactivate", "activate") or user_id == principal.user_id:
        raise NotFound("页面不存在", code="not_found")
    units.set_active(session, user_id, change == "activate")
    commit(session)
    return redirect("/admin/users?ok=saved")


def _catalogue_page(
    request: Request, session: Session, principal: Principal, *,
    errors: dict[str, str] | None = None, values: dict[str, Any] | None = None,
    status_code: int = 200, error: str | None = None,
) -> HTMLResponse:
    return render(request, "admin_catalogue.html", principal, rows=units.active_rules(session),
                  errors=errors or {}, v=values or {}, status_code=status_code, error=error)


@router.get("/catalogue", response_class=HTMLResponse)
def catalogue_page(
    request: Request, session: SessionDep, principal: PagePrincipal
) -> HTMLResponse:
    _admin(principal)
    return _catalogue_page(request, session, principal)


def _split(value: str) -> list[str]:
    return [p.strip() for p in value.replace("，", ",").replace("、", ",").split(",") if p.strip()]


@router.post("/catalogue", response_class=HTMLResponse, response_model=None)
async def add_rule(
    request: Request, session: SessionDep, principal: PagePrincipal
) -> HTMLResponse | RedirectResponse:
    _admin(principal)
    form = await request.form()
    values = {k: str(v).strip() for k, v in form.items() if isinstance(v, str)}

    def save() -> None:
        units.add_rule(session, CatalogueRuleCreate(
            position=values.get("position") or None,
            name=values.get("name", ""), category=values.get("category") or None,
            place_scope=values.get("place_scope") or "any",
            keywords=_split(values.get("keywords", "")),
            lead_unit_code=values.get("lead_unit_code", ""),
            assisting_unit_codes=_split(values.get("assisting_unit_codes", "")),
        ), principal.user_id)

    page = partial(_catalogue_page, request, session, principal)
    return _save(
        session, save, page, values, "/admin/catalogue?ok=saved", lambda exc: "lead_unit_code"
    )


@router.post("/catalogue/{rule_id}/retire", response_model=None)
def retire_rule(
    rule_id: int, session: SessionDep, principal: PagePrincipal
) -> RedirectResponse:
    _admin(principal)
    units.retire_rule(session, rule_id)
    commit(session)
    return redirect("/admin/catalogue?ok=saved")
