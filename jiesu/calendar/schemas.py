"""Request and answer shapes of the calendar API."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

# A date travels as text and is parsed by the service, so a bad one gets the same stable code
# (calendar_bad_date) from the API, the page, the command line and an imported file.
DayText = Field(min_length=1, max_length=40, description="日期 YYYY-MM-DD",
                json_schema_extra={"format": "date", "example": "2027-01-01"})


class CalendarDayUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    is_workday: bool = Field(description="true：上班（含调休上班）；false：放假")
    name: str = Field(min_length=1, max_length=20, description="元旦、春节、调休上班 ……")
    note: str = Field(default="", max_length=200, description="来源或说明")


class CalendarDayCreate(CalendarDayUpdate):
    day: str = DayText


class CalendarDayPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    day: dt.date
    is_workday: bool
    name: str
    note: str
    supersedes_id: int | None
    created_by_id: int | None
    created_at: dt.datetime
    retired_at: dt.datetime | None


class CalendarYearCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    source: str = Field(min_length=1, max_length=200,
                        description="依据：国务院办公厅关于某年部分节假日安排的通知（文号）")


class CalendarYearPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    year: int
    source: str
    supersedes_id: int | None
    entered_by_id: int | None
    entered_at: dt.datetime
    retired_at: dt.datetime | None


class CalendarYearList(BaseModel):
    """A year's entries and whether its deadlines are final or estimated."""

    year: int
    library_covers: bool = Field(description="chinese-calendar 库已包含该年")
    entered: CalendarYearPublic | None = Field(description="管理员标记录入完毕的记录")
    covered: bool = Field(description="false：该年工作日按周一至周五估算，截止时间为暂定")
    data: list[CalendarDayPublic]
    count: int
