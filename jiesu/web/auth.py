"""Login, logout, and `/`: each role lands on its own home."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from jiesu.core.api import SessionDep, commit
from jiesu.core.errors import NotAuthenticated
from jiesu.core.roles import Role
from jiesu.core.security import issue_token
from jiesu.core.settings import get_settings
from jiesu.units.auth import SESSION_COOKIE
from jiesu.units.service import authenticate
from jiesu.web.common import (
    HOME,
    LoginRequired,
    page_principal,
    prepare_csrf,
    redirect,
    render,
    set_session_cookie,
)

router = APIRouter()


def _safe_next(value: str | None) -> str | None:
    # Only a path on this site: never an open redirect to another host.
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return None


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep) -> RedirectResponse:
    try:
        principal = page_principal(request, session)
    except LoginRequired:
        return redirect("/login")
    return redirect(HOME[principal.role])


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> HTMLResponse:
    prepare_csrf(request)
    return render(
        request, "login.html", None, next=_safe_next(next), errors={},
        demo=get_settings().is_demo,
    )


@router.post("/login", response_class=HTMLResponse, response_model=None)
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form(max_length=60)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> HTMLResponse | RedirectResponse:
    errors: dict[str, str] = {}
    if not username.strip():
        errors["username"] = "请输入用户名"
    if not password:
        errors["password"] = "请输入密码"
    if not errors:
        try:
            user = authenticate(session, username.strip(), password)
            commit(session)  # a hash rehashed with the current parameters
        except NotAuthenticated as exc:
            errors["password"] = exc.message
        else:
            target = _safe_next(next) or HOME[Role(user.role)]
            response = redirect(target)
            set_session_cookie(
                response, issue_token(user.id, user.token_version, purpose="session")
            )
            return response
    return render(
        request, "login.html", None, status_code=422, next=_safe_next(next), errors=errors,
        username=username, demo=get_settings().is_demo,
    )


@router.post("/logout")
def logout() -> RedirectResponse:
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE)
    return response
