"""Shapes of the units, users and catalogue API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from jiesu.core.ids import DbId
from jiesu.core.roles import Role
from jiesu.units.models import UnitKind


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class UnitCreate(Strict):
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=120)
    kind: UnitKind
    parent_id: DbId | None = None
    around_the_clock: bool = False


class UnitPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    around_the_clock: bool


class UnitList(BaseModel):
    data: list[UnitPublic]
    count: int


class UserCreate(Strict):
    username: str = Field(min_length=2, max_length=60, pattern=r"^[A-Za-z0-9_.\-]+$")
    display_name: str = Field(min_length=1, max_length=60)
    password: str = Field(min_length=10, max_length=200)
    role: Role
    unit_id: DbId | None = None


class PasswordReset(Strict):
    password: str = Field(min_length=10, max_length=200)


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    role: str
    unit_id: int | None
    active: bool


class UserList(BaseModel):
    data: list[UserPublic]
    count: int


class CatalogueRuleCreate(Strict):
    position: int = Field(ge=0, le=1_000_000)
    name: str = Field(min_length=1, max_length=120)
    category: str | None = Field(default=None, max_length=60)
    place_scope: str = Field(
        default="any",
        pattern=r"^(any|district|street|\d{6}|\d{9})$",
        description="any / district / street（需解析出该级地点）或某个区、街道编码",
    )
    keywords: list[str] = Field(default_factory=list, max_length=200)
    lead_unit_code: str = Field(
        min_length=1, max_length=40, description="单位编码，或 @street / @district 表示解析出的属地"
    )
    assisting_unit_codes: list[str] = Field(default_factory=list, max_length=20)


class CatalogueRulePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    position: int
    name: str
    category: str | None
    place_scope: str
    keywords: str
    lead_unit_code: str
    assisting_unit_codes: str
    supersedes_id: int | None
    created_at: datetime
    retired_at: datetime | None


class CatalogueList(BaseModel):
    data: list[CatalogueRulePublic]
    count: int


class TokenRequest(Strict):
    username: str = Field(min_length=1, max_length=60)
    password: str = Field(min_length=1, max_length=200)


class TokenPublic(BaseModel):
    access_token: str
    token_type: str = "bearer"
    user: UserPublic
