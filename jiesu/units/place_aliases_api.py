"""Routes for the place alias table: admins list, add, replace and retire aliases (versioned).
Triage resolves an added alias from the next call on (orders/suggest.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from jiesu.core.api import SessionDep, commit
from jiesu.core.ids import Offset, PathId
from jiesu.units import place_aliases as service
from jiesu.units.auth import AdminPrincipal

router = APIRouter(prefix="/api/v1/place-aliases", tags=["place-aliases"])

# The kinds the shipped landmark table uses; "alias" is a plain other name.
AliasKind = Literal[
    "alias", "estate", "building", "landmark", "area", "mall", "market", "park", "scenic",
    "station", "airport", "hospital", "school", "university", "street",
]
KIND_LABELS: dict[str, str] = {
    "alias": "别名", "estate": "小区", "building": "楼宇", "landmark": "地标", "area": "片区",
    "mall": "商场", "market": "市场", "park": "公园", "scenic": "景区", "station": "车站",
    "airport": "机场", "hospital": "医院", "school": "学校", "university": "高校",
    "street": "道路",
}


class PlaceAliasCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    # Two characters at least: a one-character alias would match inside any text.
    alias: str = Field(min_length=2, max_length=40)
    district: str = Field(min_length=1, max_length=40, description="区：朝阳区 或 朝阳")
    street: str = Field(default="", max_length=60, description="街道乡镇（可空：只知道区）")
    kind: AliasKind = "alias"
    note: str = Field(default="", max_length=200)


class PlaceAliasPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    alias: str
    district: str
    district_code: str
    street: str
    street_code: str | None
    kind: str
    note: str
    supersedes_id: int | None
    created_by_id: int | None
    created_at: datetime
    retired_at: datetime | None


class PlaceAliasList(BaseModel):
    data: list[PlaceAliasPublic]
    count: int


@router.get("", response_model=PlaceAliasList)
def list_aliases(
    session: SessionDep,
    principal: AdminPrincipal,
    include_retired: bool = False,
    q: Annotated[str | None, Query(max_length=40)] = None,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> PlaceAliasList:
    """地名别名（生效中；include_retired=true 含已停用版本），新到旧。"""
    rows, count = service.list_aliases(session, include_retired=include_retired, q=q,
                                       offset=offset, limit=limit)
    return PlaceAliasList(data=[PlaceAliasPublic.model_validate(r) for r in rows], count=count)


@router.post("", response_model=PlaceAliasPublic, status_code=201)
def add_alias(
    session: SessionDep, principal: AdminPrincipal, body: PlaceAliasCreate
) -> PlaceAliasPublic:
    """新增地名别名或地标；区、街道须为正式行政区划（否则 422 unknown_place）。"""
    row = service.add_alias(session, **body.model_dump(), actor_id=principal.user_id)
    result = PlaceAliasPublic.model_validate(row)
    commit(session)
    return result


@router.put("/{alias_id}", response_model=PlaceAliasPublic)
def replace_alias(
    session: SessionDep, principal: AdminPrincipal, alias_id: PathId, body: PlaceAliasCreate
) -> PlaceAliasPublic:
    """修改：旧版本停用、新版本生效（留痕）。"""
    row = service.replace_alias(session, alias_id, **body.model_dump(),
                                actor_id=principal.user_id)
    result = PlaceAliasPublic.model_validate(row)
    commit(session)
    return result


@router.delete("/{alias_id}", status_code=204)
def retire_alias(session: SessionDep, principal: AdminPrincipal, alias_id: PathId) -> None:
    """停用地名别名（智能分拣随即不再识别）。"""
    service.retire_alias(session, alias_id)
    commit(session)
