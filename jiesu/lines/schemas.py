"""Request and response shapes of the special-line API (Create / Update / Public)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from jiesu.core.ids import DbId
from jiesu.orders.deadline_rules_api import DeadlineRulePublic, LineDeadlineRuleCreate
from jiesu.orders.schemas import OrderCreate

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TimeSlot(Strict):
    """Open on these weekdays (1 = Monday … 7 = Sunday) from start to end, China time."""

    weekdays: list[int] = Field(min_length=1, max_length=7)
    start: str = Field(description="HH:MM")
    end: str = Field(description="HH:MM，可为 24:00")

    @field_validator("weekdays")
    @classmethod
    def _days(cls, value: list[int]) -> list[int]:
        if any(day < 1 or day > 7 for day in value) or len(set(value)) != len(value):
            raise ValueError("weekdays must be distinct numbers from 1 (Monday) to 7 (Sunday)")
        return sorted(value)

    @field_validator("start", "end")
    @classmethod
    def _time(cls, value: str) -> str:
        if not _HHMM.match(value):
            raise ValueError("time must be HH:MM")
        return value

    @model_validator(mode="after")
    def _order(self) -> Self:
        if self.start >= self.end:
            raise ValueError("start must be before end")
        return self


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("datetime must include a timezone")
    return value


class _Hours(Strict):
    around_the_clock: bool | None = None
    timetable: list[TimeSlot] | None = Field(default=None, max_length=21)

    def _check_hours(self, around: bool | None, slots: list[TimeSlot] | None) -> None:
        if around is False and not slots:
            raise ValueError("a line that is not 7×24 needs a timetable")
        if around is True and slots:
            raise ValueError("a 7×24 line has no timetable")


class LineCreate(_Hours):
    code: str = Field(min_length=2, max_length=40, pattern=r"^[a-z0-9][a-z0-9-]*$",
                      description="专线编码（小写字母、数字、连字符）")
    name: str = Field(min_length=1, max_length=100)
    number: str = Field(default="", max_length=40, description="专线号码，如 12345 转 6")
    channel_tag: str = Field(default="", max_length=40, description="渠道标签，如 epidemic")
    description: str = Field(default="", max_length=2_000)
    around_the_clock: bool | None = True
    timetable: list[TimeSlot] | None = Field(default_factory=list, max_length=21)
    starts_at: datetime | None = Field(default=None, description="默认为当前时间")
    ends_at: datetime | None = None
    agent_ids: list[DbId] = Field(default_factory=list, max_length=500)
    categories: list[str] = Field(default_factory=list, max_length=100)
    article_ids: list[DbId] = Field(default_factory=list, max_length=2_000)
    deadline_rules: list[LineDeadlineRuleCreate] = Field(
        default_factory=list, max_length=30,
        description="专线自己的办理时限（如 2 小时响应、24 小时办结）；不填则用中心通用时限")

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _aware_at(cls, value: datetime | None) -> datetime | None:
        return _aware(value)

    @model_validator(mode="after")
    def _check(self) -> Self:
        if not self.number and not self.channel_tag:
            raise ValueError("a line needs a number or a channel tag")
        self._check_hours(self.around_the_clock, self.timetable)
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class LineUpdate(_Hours):
    """Only the fields given change; hours are replaced as a whole."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    number: str | None = Field(default=None, max_length=40)
    channel_tag: str | None = Field(default=None, max_length=40)
    description: str | None = Field(default=None, max_length=2_000)
    ends_at: datetime | None = None
    categories: list[str] | None = Field(default=None, max_length=100)

    @field_validator("ends_at")
    @classmethod
    def _aware_at(cls, value: datetime | None) -> datetime | None:
        return _aware(value)

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.around_the_clock is not None or self.timetable is not None:
            self._check_hours(self.around_the_clock, self.timetable)
        return self


class LineAgentsAdd(Strict):
    user_ids: list[DbId] = Field(min_length=1, max_length=500)


class LineArticlesAdd(Strict):
    article_ids: list[DbId] = Field(min_length=1, max_length=2_000)


class LineClose(Strict):
    note: str = Field(default="", max_length=200)


class LineAgentPublic(BaseModel):
    user_id: int
    username: str
    display_name: str


class LinePublic(BaseModel):
    id: int
    code: str
    name: str
    number: str
    channel_tag: str
    description: str
    around_the_clock: bool
    timetable: list[dict[str, Any]]
    starts_at: datetime
    ends_at: datetime | None
    state: str
    state_label: str
    open_now: bool
    closed_at: datetime | None
    close_note: str
    agents: list[LineAgentPublic]
    categories: list[str]
    article_ids: list[int]
    deadline_rules: list[DeadlineRulePublic] = Field(
        default_factory=list, description="专线自己的办理时限规则（生效中）")


class LineList(BaseModel):
    data: list[LinePublic]
    count: int


class SettleOnCall(Strict):
    """One click on the intake screen: the call, and the answer version it was settled with."""

    call: OrderCreate
    version_id: DbId = Field(description="所用答复口径的版本 id（须为当前有效版本）")
