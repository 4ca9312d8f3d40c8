"""Routes for login, units, users and the responsibility catalogue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from jiesu.core.api import SessionDep, commit
from jiesu.core.errors import InvalidInput
from jiesu.core.ids import Offset, PathId, QueryId
from jiesu.core.security import issue_token
from jiesu.units import service
from jiesu.units.auth import AdminPrincipal, CurrentPrincipal
from jiesu.units.models import User
from jiesu.units.schemas import (
    CatalogueList,
    CatalogueRuleCreate,
    CatalogueRulePublic,
    PasswordReset,
    TokenPublic,
    TokenRequest,
    UnitCreate,
    UnitList,
    UnitPublic,
    UserCreate,
    UserList,
    UserPublic,
)

router = APIRouter(prefix="/api/v1")


@router.post("/auth/token", response_model=TokenPublic, tags=["auth"])
def login(session: SessionDep, body: TokenRequest) -> TokenPublic:
    """登录，取得 API 令牌（Authorization: Bearer …）。"""
    user = service.authenticate(session, body.username, body.password)
    token = issue_token(user.id, user.token_version, purpose="api")
    result = TokenPublic(access_token=token, user=UserPublic.model_validate(user))
    commit(session)  # a hash rehashed with the current parameters
    return result


@router.get("/auth/me", response_model=UserPublic, tags=["auth"])
def me(session: SessionDep, principal: CurrentPrincipal) -> User:
    user = session.get(User, principal.user_id)
    assert user is not None
    return user


@router.get("/units", response_model=UnitList, tags=["units"])
def list_units(
    session: SessionDep,
    principal: CurrentPrincipal,
    kind: str | None = None,
    parent_id: QueryId = None,
    q: Annotated[str | None, Query(max_length=60)] = None,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> UnitList:
    rows, count = service.list_units(
        session, kind=kind, parent_id=parent_id, q=q, offset=offset, limit=limit
    )
    return UnitList(data=[UnitPublic.model_validate(u) for u in rows], count=count)


@router.post("/units", response_model=UnitPublic, status_code=201, tags=["admin"])
def create_unit(session: SessionDep, principal: AdminPrincipal, body: UnitCreate) -> UnitPublic:
    unit = service.create_unit(session, body)
    result = UnitPublic.model_validate(unit)
    commit(session)
    return result


@router.get("/users", response_model=UserList, tags=["admin"])
def list_users(
    session: SessionDep,
    principal: AdminPrincipal,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> UserList:
    from sqlalchemy import func, select

    count = session.scalar(select(func.count(User.id))) or 0
    rows = session.scalars(select(User).order_by(User.id).offset(offset).limit(limit))
    return UserList(data=[UserPublic.model_validate(u) for u in rows], count=count)


@router.post("/users", response_model=UserPublic, status_code=201, tags=["admin"])
def create_user(session: SessionDep, principal: AdminPrincipal, body: UserCreate) -> UserPublic:
    user = service.create_user(session, body)
    result = UserPublic.model_validate(user)
    commit(session)
    return result


@router.post("/users/{user_id}/deactivate", response_model=UserPublic, tags=["admin"])
def deactivate_user(session: SessionDep, principal: AdminPrincipal, user_id: PathId) -> UserPublic:
    """停用账号（离职、调岗）：其所有登录与令牌立即失效。"""
    if user_id == principal.user_id:
        raise InvalidInput("不能停用自己的账号", code="cannot_deactivate_self")
    result = UserPublic.model_validate(service.set_active(session, user_id, False))
    commit(session)
    return result


@router.post("/users/{user_id}/activate", response_model=UserPublic, tags=["admin"])
def activate_user(session: SessionDep, principal: AdminPrincipal, user_id: PathId) -> UserPublic:
    """恢复账号（需重新登录）。"""
    result = UserPublic.model_validate(service.set_active(session, user_id, True))
    commit(session)
    return result


@router.post("/users/{user_id}/password", response_model=UserPublic, tags=["admin"])
def reset_password(
    session: SessionDep, principal: AdminPrincipal, user_id: PathId, body: PasswordReset
) -> UserPublic:
    """重置密码：旧密码与其所有令牌立即失效。"""
    result = UserPublic.model_validate(service.reset_password(session, user_id, body.password))
    commit(session)
    return result


@router.get("/catalogue", response_model=CatalogueList, tags=["catalogue"])
def list_catalogue(session: SessionDep, principal: CurrentPrincipal) -> CatalogueList:
    rules = service.active_rules(session)
    return CatalogueList(
        data=[CatalogueRulePublic.model_validate(r) for r in rules], count=len(rules)
    )


@router.post("/catalogue", response_model=CatalogueRulePublic, status_code=201, tags=["admin"])
def add_rule(
    session: SessionDep, principal: AdminPrincipal, body: CatalogueRuleCreate
) -> CatalogueRulePublic:
    rule = service.add_rule(session, body, principal.user_id)
    result = CatalogueRulePublic.model_validate(rule)
    commit(session)
    return result


@router.put("/catalogue/{rule_id}", response_model=CatalogueRulePublic, tags=["admin"])
def replace_rule(
    session: SessionDep, principal: AdminPrincipal, rule_id: PathId, body: CatalogueRuleCreate
) -> CatalogueRulePublic:
    """修改目录规则：旧版本停用、新版本生效（留痕）。"""
    rule = service.replace_rule(session, rule_id, body, principal.user_id)
    result = CatalogueRulePublic.model_validate(rule)
    commit(session)
    return result


@router.delete("/catalogue/{rule_id}", status_code=204, tags=["admin"])
def retire_rule(session: SessionDep, principal: AdminPrincipal, rule_id: PathId) -> None:
    service.retire_rule(session, rule_id)
    commit(session)
