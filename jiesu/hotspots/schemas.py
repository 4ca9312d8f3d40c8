"""Hot-spot API shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class HotspotPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    place: str | None
    district_code: str | None
    street_code: str | None
    keywords: list[str]
    orders: int
    callers: int
    score: float
    explanation: str
    status: str
    case_id: int | None
    first_at: datetime
    last_at: datetime
    alerted_at: datetime | None


class HotspotList(BaseModel):
    data: list[HotspotPublic]
    count: int


class MemberOrder(BaseModel):
    id: int
    number: str | None
    title: str
    state: str
    received_at: datetime
    street_code: str | None
    citizen_phone: str | None  # masked


class PlaceCount(BaseModel):
    district: str
    street: str
    estate: str
    orders: int


class DayCount(BaseModel):
    day: str
    orders: int


class HotspotDetail(HotspotPublic):
    members: list[MemberOrder]
    places: list[PlaceCount]
    trend: list[DayCount]


class RuleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_callers: int = Field(ge=2, le=1000, description="至少几位不同来电人")
    within_hours: int = Field(ge=1, le=24 * 31, description="在多少小时内")
    window_days: int = Field(default=30, ge=1, le=365, description="相隔多少天内仍归为一事")
    note: str = Field(default="", max_length=200)


class RulePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    min_callers: int
    within_hours: int
    window_days: int
    note: str
    created_at: datetime


class CaseOpen(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lead_unit_id: int = Field(ge=1)
    assisting_unit_ids: list[int] = Field(default_factory=list, max_length=20)
    title: str | None = Field(default=None, max_length=200)
    note: str = Field(default="", max_length=2000)


class CasePublic(BaseModel):
    case_id: int
    cluster_id: int
    lead_unit_id: int
    assisting_unit_ids: list[int]
    order_ids: list[int]
    created_at: datetime
    replied_at: datetime | None


class CaseReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: str = Field(pattern="^(solved|explained|not_solvable)$")
    reply: str = Field(min_length=1, max_length=10_000)


class CaseReplyOut(BaseModel):
    replied: list[int]
    skipped: dict[int, str]


class SplitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order_id: int = Field(ge=1)
    reason: str = Field(min_length=1, max_length=500)


class IntakeMatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=5_000, description="正在记录的诉求内容")
    title: str | None = Field(default=None, max_length=200)
    place_text: str | None = Field(default=None, max_length=300, description="地点（可选）")
    street_code: str | None = Field(default=None, max_length=12,
                                    description="街道编码；不填则由智能分拨从文本识别")


class IntakeCase(BaseModel):
    case_id: int
    cluster_id: int
    title: str
    place: str | None
    similarity: float
    lead_unit: str
    open_orders: int
    message: str = Field(description="给受理员看的提示")


class IntakeMatchOut(BaseModel):
    street_code: str | None
    case: IntakeCase | None


class CaseDispatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(default="", max_length=2000)


class CaseDispatchOut(BaseModel):
    dispatched: list[int]
