"""Report periods in China time: a day, an ISO week, a month, or a custom range of days."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from jiesu.core.clock import CHINA_TZ
from jiesu.core.errors import InvalidInput

# Every period parse_period reads, as one pattern for the API's schema (GET /reports/rates):
# a month, an ISO week, a day, or a range of days. What it lets through may still be refused
# by the calendar (2026-02-30, week 53 of a 52-week year): 422 invalid_period.
_Y, _M, _D = "[0-9]{4}", "(0[1-9]|1[0-2])", "(0[1-9]|[12][0-9]|3[01])"
_DATE = f"{_Y}-{_M}-{_D}"
PERIOD_PATTERN = (
    f"^({_Y}-{_M}|{_Y}-W(0[1-9]|[1-4][0-9]|5[0-3])|{_DATE}|{_DATE}[.][.]{_DATE})$"
)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True)
class Period:
    label: str
    kind: str  # day | week | month | custom
    first_day: date
    last_day: date  # inclusive

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time(0), tzinfo=CHINA_TZ)

    @property
    def end(self) -> datetime:
        """Exclusive: midnight after the last day."""
        return datetime.combine(self.last_day + timedelta(days=1), time(0), tzinfo=CHINA_TZ)

    @property
    def days(self) -> list[date]:
        return days_from(self.first_day, self.last_day)


def days_from(first: date, last: date) -> list[date]:
    """Every day from `first` to `last`, both included."""
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _bad(text: str) -> InvalidInput:
    return InvalidInput(
        "统计周期格式有误：应为 2026-10（月）、2026-W44（周）、2026-10-05（日）"
        "或 2026-10-01..2026-10-15（自定义）",
        code="invalid_period", details={"period": text},
    )


def parse_period(text: str) -> Period:
    text = text.strip()
    try:
        if m := _MONTH.match(text):
            first = date(int(m[1]), int(m[2]), 1)
            following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
            return Period(text, "month", first, following - timedelta(days=1))
        if m := _WEEK.match(text):
            first = date.fromisocalendar(int(m[1]), int(m[2]), 1)
            return Period(text, "week", first, first + timedelta(days=6))
        if _DAY.match(text):
            day = date.fromisoformat(text)
            return Period(text, "day", day, day)
        if m := _RANGE.match(text):
            first, last = date.fromisoformat(m[1]), date.fromisoformat(m[2])
            if last < first or (last - first).days > 366:
                raise _bad(text)
            return Period(text, "custom", first, last)
    except ValueError as exc:
        raise _bad(text) from exc
    raise _bad(text)
