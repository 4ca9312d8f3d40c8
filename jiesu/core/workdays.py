"""China's working-day calendar: the admin's entries, then the `chinese-calendar` library, then
Monday–Friday as a flagged estimate.

The library carries the State Council's holiday notices up to the year of its last release.
The notice for the next year comes out late in the year, often before any library release, so
the centre enters it itself (`jiesu.calendar`: its rows become `WorkCalendar.entries`). An
entry also overrides the library for its date (a correction). A year that neither covers is
counted Monday–Friday and reported as not covered (`covers_year`), so the caller can mark
what it computed as provisional: a hotline cannot stop dispatching because a notice is late,
and the estimate is never silent (docs/decisions/0010).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Protocol

import chinese_calendar


class DayCalendar(Protocol):
    def is_workday(self, day: date) -> bool: ...

    def covers_year(self, year: int) -> bool:
        """Whether every day of `year` is known, not estimated."""
        ...


@lru_cache(maxsize=8192)
def library_is_workday(day: date) -> bool | None:
    """The library's answer, or None for a year it does not cover.

    Cached: the library scans its whole holiday table on every call to check the year."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


@lru_cache(maxsize=256)
def library_covers(year: int) -> bool:
    # The library covers whole years: it refuses every date outside its first..last year.
    return library_is_workday(date(year, 1, 1)) is not None


def _frozen(entries: Mapping[date, bool]) -> Mapping[date, bool]:
    return MappingProxyType(dict(entries))


@dataclass(frozen=True)
class WorkCalendar:
    """Working days as the State Council's holiday notices define them.

    `entries`: the admin's days (date -> is a working day), which win over the library.
    `entered_years`: years the admin marked complete (every holiday and make-up day entered).
    """

    entries: Mapping[date, bool] = field(default_factory=lambda: _frozen({}))
    entered_years: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "entries", _frozen(self.entries))

    def __reduce__(self) -> tuple[type[WorkCalendar], tuple[dict[date, bool], frozenset[int]]]:
        # Picklable (a parallel import sends it to its workers): the read-only view is rebuilt.
        return (WorkCalendar, (dict(self.entries), self.entered_years))

    def is_workday(self, day: date) -> bool:
        entered = self.entries.get(day)
        if entered is not None:
            return entered
        known = library_is_workday(day)
        if known is not None:
            return known
        return day.weekday() < 5  # the estimate for a year nobody covers yet

    def covers_year(self, year: int) -> bool:
        return year in self.entered_years or library_covers(year)


class AroundTheClock:
    """Utilities serve every day (Art. 19): every day counts, nothing is estimated."""

    def is_workday(self, day: date) -> bool:
        return True

    def covers_year(self, year: int) -> bool:
        return True


CHINA = WorkCalendar()


def uncovered_years(calendar: DayCalendar, first: date, last: date) -> tuple[int, ...]:
    """The years of the days first..last (inclusive) whose working days are estimated."""
    if last < first:
        return ()
    return tuple(y for y in range(first.year, last.year + 1) if not calendar.covers_year(y))


def add_working_days(start: date, days: int, calendar: DayCalendar = CHINA) -> date:
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


def working_days_between(start: date, end: date, calendar: DayCalendar = CHINA) -> int:
    """Working days in (start, end]."""
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if calendar.is_workday(current):
            count += 1
    return count
