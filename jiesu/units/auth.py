"""Who is calling: a bearer token (API) or a session cookie (pages), and role checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import select

from jiesu.core.api import SessionDep
from jiesu.core.errors import NotAllowed, NotAuthenticated
from jiesu.core.roles import Principal, Role
from jiesu.core.security import read_token
from jiesu.units.models import Unit, User

SESSION_COOKIE = "jiesu_session"


def principal_from_token(session: SessionDep, token: str, purpose: str) -> Principal:
    try:
        user_id, token_version = read_token(token, purpose=purpose)
    except ValueError as exc:
        raise NotAuthenticated("登录已失效，请重新登录", code="invalid_token") from exc
    # One round trip for the user and their unit's kind, on every request.
    row = session.execute(
        select(User.username, User.display_name, User.role, User.unit_id, User.active,
               User.token_version, Unit.kind)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .where(User.id == user_id)
    ).first()
    if row is None or not row.active or row.token_version != token_version:
        raise NotAuthenticated("登录已失效，请重新登录", code="invalid_token")
    principal = Principal(
        user_id=user_id, username=row.username, display_name=row.display_name,
        role=Role(row.role), unit_id=row.unit_id, unit_kind=row.kind,
    )
    # End the read transaction now: on SQLite it holds the write lock (BEGIN IMMEDIATE), and
    # the request may compute for a while (triage) before it writes anything.
    if session.get_bind().dialect.name == "sqlite":
        session.commit()
    return principal


def current_principal(request: Request, session: SessionDep) -> Principal:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return principal_from_token(session, header[7:].strip(), "api")
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        return principal_from_token(session, cookie, "session")
    raise NotAuthenticated("请先登录", code="not_authenticated")


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require(*roles: Role) -> Callable[[Principal], Principal]:
    def check(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise NotAllowed("当前角色无权执行此操作", code="role_not_allowed")
        return principal

    return check


AdminPrincipal = Annotated[Principal, Depends(require(Role.admin))]
