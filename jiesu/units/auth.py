"""Who is calling: a bearer token (API) or a session cookie (pages), and role checks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

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


@dataclass(frozen=True)
class Credentials:
    """The caller's token as presented, not yet checked against the database."""

    token: str
    purpose: str  # "api" (bearer header) or "session" (page cookie)

    def principal(self, session: Session) -> Principal:
        return principal_from_token(session, self.token, self.purpose)


async def presented_credentials(request: Request) -> Credentials:
    """A request without any token is refused here, on the event loop, before its body is
    read; the token itself is checked by `Credentials.principal` (a database read)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return Credentials(header[7:].strip(), "api")
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        return Credentials(cookie, "session")
    raise NotAuthenticated("请先登录", code="not_authenticated")


PresentedCredentials = Annotated[Credentials, Depends(presented_credentials)]


def current_principal(credentials: PresentedCredentials, session: SessionDep) -> Principal:
    return credentials.principal(session)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require(*roles: Role) -> Callable[[Principal], Principal]:
    def check(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise NotAllowed("当前角色无权执行此操作", code="role_not_allowed")
        return principal

    return check


AdminPrincipal = Annotated[Principal, Depends(require(Role.admin))]
