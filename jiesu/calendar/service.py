"""The calendar the centre maintains, and the `WorkCalendar` deadlines are counted on.

Admins enter the State Council's notice day by day (a holiday or a make-up working day) as
soon as it is published, then mark the year complete. Rows are versioned: a change retires
the row and adds its successor; nothing is edited in place.

`work_calendar(session)` builds the pure `core.workdays.WorkCalendar` from the active rows.
It is cached in-process, keyed by cheap aggregates of both tables (counts, max id, max
retired_at) and by a counter every write here bumps: an id reused after a rolled-back
transaction (SQLite) cannot hit a calendar built from rows that no longer exist.
"""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import case, func, select, true
from sqlalchemy.orm import Session

from jiesu.calendar.models import CalendarDay, CalendarYear
from jiesu.core import clock
from jiesu.core.errors import Conflict, InvalidInput
from jiesu.core.versioned import live_row, replace_row, retire_row, version_history
from jiesu.core.workdays import WorkCalendar, library_covers, uncovered_years

# How far ahead the admin and supervisor pages look for a year nobody has entered yet.
WARN_DAYS_AHEAD = 60

_cache: dict[tuple[Any, ...], WorkCalendar] = {}
_lock = threading.Lock()
_generation = 0


def _changed() -> None:
    global _generation
    with _lock:
        _generation += 1


# --- checks ---------------------------------------------------------------------------------


def parse_day(value: str) -> date:
    """A date as YYYY-MM-DD; anything else is 422 calendar_bad_date."""
    text = value.strip()
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(f"日期格式不正确：{text}（应为 YYYY-MM-DD）", code="calendar_bad_date",
                           details={"field": "day", "value": text[:40]}) from exc


def year_range() -> tuple[int, int]:
    """Years an admin may enter: last year (corrections) to next year (the new notice).

    The State Council never publishes two years ahead, so 2207 is a typo, not a plan."""
    this_year = clock.local(clock.now()).year
    return this_year - 1, this_year + 1


def check_year(year: int) -> None:
    low, high = year_range()
    if not low <= year <= high:
        raise InvalidInput(f"年份超出范围：只能录入 {low}–{high} 年",
                           code="calendar_year_out_of_range",
                           details={"field": "day", "year": year, "min": low, "max": high})


# --- days -----------------------------------------------------------------------------------


def _active_day(session: Session, day: date) -> CalendarDay | None:
    stmt = select(CalendarDay).where(CalendarDay.day == day, CalendarDay.retired_at.is_(None))
    return session.scalars(stmt.limit(1)).first()


def add_day(
    session: Session, *, day: date, is_workday: bool, name: str, note: str = "",
    actor_id: int | None = None,
) -> CalendarDay:
    check_year(day.year)
    existing = _active_day(session, day)
    if existing is not None:
        raise Conflict(f"{day.isoformat()} 已有生效的记录，请修改或停用该记录",
                       code="calendar_day_exists",
                       details={"field": "day", "day": day.isoformat(), "id": existing.id})
    row = CalendarDay(day=day, is_workday=is_workday, name=name.strip(), note=note.strip(),
                      created_by_id=actor_id, created_at=clock.now())
    session.add(row)
    session.flush()
    _changed()
    return row


def _live(session: Session, day_id: int) -> CalendarDay:
    return live_row(session, CalendarDay, day_id, message="日历记录不存在或已停用",
                    code="calendar_day_not_found")


def replace_day(
    session: Session, day_id: int, *, is_workday: bool, name: str, note: str = "",
    actor_id: int | None = None,
) -> CalendarDay:
    """A new version of a day's entry: the old row is retired, never edited."""
    new = replace_row(session, _live(session, day_id), lambda old: add_day(
        session, day=old.day, is_workday=is_workday, name=name, note=note, actor_id=actor_id,
    ))
    _changed()
    return new


def retire_day(session: Session, day_id: int) -> CalendarDay:
    """The date falls back to the library (or to Monday–Friday in a year nobody covers)."""
    row = retire_row(session, _live(session, day_id))
    _changed()
    return row


def history(session: Session, day_id: int) -> list[CalendarDay]:
    """The row and every version before it, newest first."""
    return version_history(session, CalendarDay, day_id, message="日历记录不存在",
                           code="calendar_day_not_found")


def days_of_year(
    session: Session, year: int, *, include_retired: bool = False
) -> Sequence[CalendarDay]:
    stmt = select(CalendarDay).where(CalendarDay.day >= date(year, 1, 1),
                                     CalendarDay.day <= date(year, 12, 31))
    if not include_retired:
        stmt = stmt.where(CalendarDay.retired_at.is_(None))
    return session.scalars(stmt.order_by(CalendarDay.day, CalendarDay.id)).all()


# --- years ----------------------------------------------------------------------------------


def year_mark(session: Session, year: int) -> CalendarYear | None:
    stmt = select(CalendarYear).where(CalendarYear.year == year, CalendarYear.retired_at.is_(None))
    return session.scalars(stmt.limit(1)).first()


def mark_year_entered(
    session: Session, year: int, *, source: str, actor_id: int | None = None
) -> CalendarYear:
    """The admin says every holiday and make-up day of `year` is entered: deadlines in that
    year are no longer provisional. Marking again records the new source (a new version)."""
    check_year(year)
    if not library_covers(year):
        holidays = select(func.count(CalendarDay.id)).where(
            CalendarDay.retired_at.is_(None), CalendarDay.is_workday.is_(False),
            CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
        if not session.scalar(holidays):
            # Every notice has 元旦 and 春节: a year without one holiday is not entered yet.
            raise InvalidInput(f"{year} 年尚未录入任何放假日期，不能标记为已录入完毕",
                               code="calendar_year_has_no_holidays", details={"year": year})
    old = year_mark(session, year)
    if old is not None:
        old.retired_at = clock.now()
        session.flush()
    row = CalendarYear(year=year, source=source.strip(), entered_by_id=actor_id,
                       entered_at=clock.now(), supersedes_id=old.id if old else None)
    session.add(row)
    session.flush()
    _changed()
    return row


@dataclass(frozen=True)
class YearStatus:
    year: int
    library_covers: bool
    mark: CalendarYear | None

    @property
    def covered(self) -> bool:
        """Deadlines counted in this year are final, not provisional."""
        return self.library_covers or self.mark is not None


def year_status(session: Session, year: int) -> YearStatus:
    return YearStatus(year, library_covers(year), year_mark(session, year))


# --- the calendar deadlines use -------------------------------------------------------------


def _key(session: Session) -> tuple[Any, ...]:
    def aggregates(model: type[CalendarDay] | type[CalendarYear]) -> Any:
        return select(
            func.count(model.id), func.max(model.id), func.max(model.retired_at),
            func.sum(case((model.retired_at.is_(None), 1), else_=0)),
        ).subquery()

    days, years = aggregates(CalendarDay), aggregates(CalendarYear)
    row = session.execute(select(days, years).select_from(days.join(years, true()))).one()
    return (str(session.get_bind().engine.url), *row, _generation)


def _load(session: Session) -> WorkCalendar:
    entries = session.execute(
        select(CalendarDay.day, CalendarDay.is_workday).where(CalendarDay.retired_at.is_(None))
    )
    years = session.scalars(select(CalendarYear.year).where(CalendarYear.retired_at.is_(None)))
    return WorkCalendar(entries={d: bool(w) for d, w in entries}, entered_years=frozenset(years))


def work_calendar(session: Session) -> WorkCalendar:
    """The calendar deadlines are counted on: the admin's entries, then the library, then
    Monday–Friday (flagged) for a year neither covers."""
    # Read while an action is half applied: no autoflush (one UPDATE per action on the order).
    with session.no_autoflush:
        key = _key(session)
        with _lock:
            found = _cache.get(key)
        if found is None:
            found = _load(session)
            with _lock:
                _cache.clear()
                _cache[key] = found
    return found


def uncovered_years_ahead(
    session: Session, days: int = WARN_DAYS_AHEAD, today: date | None = None
) -> tuple[int, ...]:
    """Years in the next `days` days whose holidays nobody has entered: deadlines reaching
    into them are estimated, and the admin is to enter the State Council's notice."""
    start = today or clock.local(clock.now()).date()
    return uncovered_years(work_calendar(session), start, start + timedelta(days=days))


# --- import ---------------------------------------------------------------------------------

_TRUE = {"1", "true", "yes", "y", "是", "上班", "工作日", "workday"}
_FALSE = {"0", "false", "no", "n", "否", "放假", "休息", "holiday"}


def parse_workday(value: str, line: int | None = None) -> bool:
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    where = f"第 {line} 行：" if line else ""
    raise InvalidInput(f"{where}是否上班应为 1/0、true/false、上班/放假：{value[:20]}",
                       code="calendar_bad_file",
                       details={"line": line, "field": "is_workday", "value": value[:20]})


@dataclass(frozen=True)
class ImportResult:
    added: int
    replaced: int
    unchanged: int


def import_csv(
    session: Session, content: str, *, replace: bool = False, actor_id: int | None = None,
    note: str = "",
) -> ImportResult:
    """Rows `date,is_workday,name` (a header line is optional), all or nothing.

    A date already entered with the same values is left alone (importing the same file twice
    changes nothing); with other values it is refused (409 calendar_day_exists) unless
    `replace`, which makes a new version of that date's entry.
    """
    parsed: list[tuple[int, date, bool, str]] = []
    seen: dict[date, int] = {}
    for line, cells in enumerate(csv.reader(io.StringIO(content)), start=1):
        if not cells or all(not c.strip() for c in cells):
            continue
        if line == 1 and cells[0].strip().lower() in ("date", "day", "日期"):
            continue
        if len(cells) != 3 or not cells[2].strip() or len(cells[2].strip()) > 20:
            raise InvalidInput(f"第 {line} 行应为三列：日期,是否上班,名称（名称 1–20 字）",
                               code="calendar_bad_file", details={"line": line})
        try:
            day = parse_day(cells[0])
        except InvalidInput as exc:
            exc.message = f"第 {line} 行：{exc.message}"
            exc.details["line"] = line
            raise
        if day in seen:
            raise InvalidInput(f"第 {line} 行：{day.isoformat()} 与第 {seen[day]} 行重复",
                               code="calendar_bad_file", details={"line": line})
        seen[day] = line
        parsed.append((line, day, parse_workday(cells[1], line), cells[2].strip()))
    if not parsed:
        raise InvalidInput("文件中没有日期", code="calendar_bad_file", details={})
    added = replaced = unchanged = 0
    with session.begin_nested():  # all or nothing
        for line, day, is_workday, name in parsed:
            try:
                check_year(day.year)
            except InvalidInput as exc:
                exc.message = f"第 {line} 行：{exc.message}"
                exc.details["line"] = line
                raise
            existing = _active_day(session, day)
            if existing is None:
                add_day(session, day=day, is_workday=is_workday, name=name, note=note,
                        actor_id=actor_id)
                added += 1
            elif existing.is_workday == is_workday and existing.name == name:
                unchanged += 1
            elif replace:
                replace_day(session, existing.id, is_workday=is_workday, name=name,
                            note=note or existing.note, actor_id=actor_id)
                replaced += 1
            else:
                raise Conflict(
                    f"第 {line} 行：{day.isoformat()} 已录入为“{existing.name}”，"
                    "与文件不同；确认以文件为准请加 --replace",
                    code="calendar_day_exists",
                    details={"line": line, "day": day.isoformat(), "id": existing.id},
                )
    return ImportResult(added, replaced, unchanged)
