"""China's working-day calendar, from the maintained `chinese-calendar` library.

Holidays and make-up working days (调休) are never kept by hand here. A date the library
does not cover yet is a clear error (`calendar_not_covered`), never a silent guess.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Protocol

import chinese_calendar

from jiesu.core.errors import InvalidInput


class CalendarNotCovered(InvalidInput):
    code = "calendar_not_covered"


class WorkCalendar(Protocol):
    def is_workday(self, day: date) -> bool: ...


class ChinaCalendar:
    """Working days as the State Council's holiday notices define them."""

    def is_workday(self, day: date) -> bool:
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError as exc:
            raise CalendarNotCovered(
                f"工作日历尚未包含 {day.year} 年的节假日安排，请升级 chinese-calendar",
                details={"date": day.isoformat()},
            ) from exc


class AroundTheClock:
    """Utilities serve every day (Art. 19): every day counts."""

    def is_workday(self, day: date) -> bool:
        return True


CHINA = ChinaCalendar()


def add_working_days(start: date, days: int, calendar: WorkCalendar = CHINA) -> date:
    """The `days`-th working day after `start` (the start day itself never counts)."""
    if days < 0:
        raise ValueError("days must be >= 0")
    current = start
    counted = 0
    while counted < days:
        current += timedelta(days=1)
        if calendar.is_workday(current):
            counted += 1
    return current


def working_days_between(start: date, end: date, calendar: WorkCalendar = CHINA) -> int:
    """Working days in (start, end]."""
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if calendar.is_workday(current):
            count += 1
    return count
