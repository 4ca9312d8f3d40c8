"""Deadlines are pure functions of (start, rule, calendar).

A rule is an amount and a unit: calendar hours, working days or calendar days. A day-based
deadline ends at the close of office hours (local time) of the last day counted; the day the
order arrives never counts, so an order received at 23:59 gets the same deadline as one
received at 09:00 that day.

`estimated_years` tells which years' working days a deadline had to estimate (Monday–Friday,
the State Council's notice not yet entered): the caller records the deadline as provisional.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum

from jiesu.core.clock import CHINA_TZ
from jiesu.core.workdays import (
    CHINA,
    AroundTheClock,
    DayCalendar,
    add_working_days,
    uncovered_years,
)


class Span(StrEnum):
    hours = "hours"
    working_days = "working_days"
    calendar_days = "calendar_days"


@dataclass(frozen=True)
class DeadlineRule:
    amount: int
    span: Span

    def label(self) -> str:
        unit = {"hours": "小时", "working_days": "个工作日", "calendar_days": "天"}[self.span]
        return f"{self.amount}{unit}"


@dataclass(frozen=True)
class DeadlineSet:
    """The three limits every order carries: signing, first contact, reply."""

    sign: DeadlineRule
    contact: DeadlineRule
    reply: DeadlineRule


OFFICE_CLOSE = time(23, 59, 59)

H = Span.hours
WD = Span.working_days

# Defaults from domain.md (practice); the admin-editable table overrides them.
DEFAULT_RULES: dict[str, DeadlineSet] = {
    "emergency": DeadlineSet(DeadlineRule(1, H), DeadlineRule(1, H), DeadlineRule(2, H)),
    "outage": DeadlineSet(DeadlineRule(1, H), DeadlineRule(2, H), DeadlineRule(24, H)),
    "urgent": DeadlineSet(DeadlineRule(2, H), DeadlineRule(12, H), DeadlineRule(24, H)),
    "ordinary": DeadlineSet(DeadlineRule(4, H), DeadlineRule(24, H), DeadlineRule(7, WD)),
    "complex": DeadlineSet(DeadlineRule(4, H), DeadlineRule(24, H), DeadlineRule(15, WD)),
}


def deadline(
    start: datetime,
    rule: DeadlineRule,
    calendar: DayCalendar = CHINA,
    *,
    close_of_day: time = OFFICE_CLOSE,
) -> datetime:
    """When `rule` runs out for something that started at `start` (an aware datetime)."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    if rule.span is Span.hours:
        return start + timedelta(hours=rule.amount)
    local_start = start.astimezone(CHINA_TZ)
    if rule.span is Span.calendar_days:
        day = add_working_days(local_start.date(), rule.amount, AroundTheClock())
    else:
        day = add_working_days(local_start.date(), rule.amount, calendar)
    return datetime.combine(day, close_of_day, tzinfo=CHINA_TZ).astimezone(start.tzinfo)


def estimated_years(
    start: datetime, due: datetime, rule: DeadlineRule, calendar: DayCalendar = CHINA
) -> tuple[int, ...]:
    """The years whose working days `deadline(start, rule, calendar) == due` estimated.

    Only working-day rules read the calendar; the days counted are those after the start day
    up to the due day (local dates).
    """
    if rule.span is not Span.working_days:
        return ()
    first = start.astimezone(CHINA_TZ).date() + timedelta(days=1)
    return uncovered_years(calendar, first, due.astimezone(CHINA_TZ).date())


def rule_key(urgency: str, *, complex_case: bool = False, utility: bool = False) -> str:
    """Which row of the rules table applies: a complex ordinary order gets the complex limits,
    an urgent order with a water/power/gas/heating utility gets the outage limits."""
    if complex_case and urgency == "ordinary":
        return "complex"
    if utility and urgency == "urgent":
        return "outage"
    return urgency if urgency in DEFAULT_RULES else "ordinary"


def rules_for(urgency: str, *, complex_case: bool = False) -> DeadlineSet:
    """The built-in defaults; `deadline_rules.rules_for` reads the admin-edited table first."""
    return DEFAULT_RULES[rule_key(urgency, complex_case=complex_case)]
