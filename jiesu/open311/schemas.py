"""Shapes: the admin API of client apps, and what an Open311 POST carries once parsed."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Open311Error(BaseModel):
    """One entry of GeoReport v2's error list (JSON `[{...}]`, XML `<errors><error>`)."""

    code: int = Field(description="HTTP 状态码：400 输入有误，403 api_key 无效，404 不存在")
    description: str = Field(description="说明（简体中文）")


class ApiClientCreate(Strict):
    name: str = Field(min_length=1, max_length=60, description="客户端应用名称")
    contact: str = Field(default="", max_length=200, description="联系人或邮箱")


class ApiClientPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    contact: str
    key_prefix: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiClientIssued(ApiClientPublic):
    api_key: str = Field(description="仅此一次显示；系统只保存其摘要")


class ApiClientList(BaseModel):
    data: list[ApiClientPublic]
    count: int


class RequestCreate(BaseModel):
    """POST /requests, as GeoReport v2 names its fields (form fields; attribute[code])."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    api_key: str = Field(min_length=1, max_length=200)
    service_code: str = Field(min_length=1, max_length=20)
    jurisdiction_id: str = Field(default="", max_length=100)
    lat: float | None = Field(default=None, ge=-90, le=90)
    long: float | None = Field(default=None, ge=-180, le=180)
    address_string: str = Field(default="", max_length=300)
    address_id: str = Field(default="", max_length=60)
    email: str = Field(default="", max_length=200)
    device_id: str = Field(default="", max_length=100)
    account_id: str = Field(default="", max_length=100)
    first_name: str = Field(default="", max_length=30)
    last_name: str = Field(default="", max_length=30)
    phone: str = Field(default="", max_length=30)
    description: str = Field(default="", max_length=4000)
    media_url: str = Field(default="", max_length=2000)
    attributes: dict[str, str] = Field(default_factory=dict)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        # Apps send "(010) 6512-3456" or "138 1234 5678": keep the digits, a leading +, dashes.
        cleaned = "".join(ch for ch in value if ch.isdigit() or ch in "+-")
        if value and not 3 <= len(cleaned) <= 20:
            raise ValueError("phone must have 3 to 20 digits")
        return cleaned

    @model_validator(mode="after")
    def _located(self) -> RequestCreate:
        if (self.lat is None) != (self.long is None):
            raise ValueError("lat and long must be given together")
        if self.lat is None and not self.address_string and not self.address_id:
            raise ValueError("a location is required: lat & long, address_string or address_id")
        return self
