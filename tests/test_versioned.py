"""Rules of the versioned admin tables (`core.versioned`), on the calendar's days: the one table
whose database also refuses a second active row for a key (a partial unique index), so a
successor can be refused by the database itself, not only by a module's own check."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from jiesu.calendar.models import CalendarDay
from jiesu.core import clock
from jiesu.core.errors import NotFound
from jiesu.core.versioned import live_row, replace_row, retire_row, version_history

NOT_FOUND = {"message": "记录不存在", "code": "test_row_not_found"}


def _day(session: Session, day: date, name: str = "国庆节") -> CalendarDay:
    row = CalendarDay(day=day, is_workday=False, name=name, created_at=clock.now())
    session.add(row)
    session.flush()
    return row


def _stored_retired_at(session: Session, row_id: int) -> object:
    return session.scalar(select(CalendarDay.retired_at).where(CalendarDay.id == row_id))


def test_a_refused_successor_leaves_the_old_row_live(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    old = _day(session, date(2026, 10, 1))
    _day(session, date(2026, 10, 2))

    def clashing(prev: CalendarDay) -> CalendarDay:
        # A second active row for 2 October: the partial unique index refuses it at flush.
        new = CalendarDay(day=date(2026, 10, 2), is_workday=False, name=prev.name,
                          created_at=clock.now())
        session.add(new)
        return new

    with pytest.raises(IntegrityError):
        replace_row(session, old, clashing)

    assert live_row(session, CalendarDay, old.id, **NOT_FOUND) is old
    assert old.retired_at is None and _stored_retired_at(session, old.id) is None
    # The session is still usable: a successor that is accepted replaces the row.
    new = replace_row(session, old, lambda prev: _day(session, prev.day, "国庆节（更正）"))
    assert new.supersedes_id == old.id and _stored_retired_at(session, old.id) is not None


def test_history_is_newest_first(session: Session, frozen: time_machine.Coordinates) -> None:
    first = _day(session, date(2026, 10, 1), "国庆")
    second = replace_row(session, first, lambda prev: _day(session, prev.day, "国庆节"))
    third = replace_row(session, second, lambda prev: _day(session, prev.day, "国庆节放假"))

    assert version_history(session, CalendarDay, third.id, **NOT_FOUND) == [third, second, first]
    # A retired version's history starts at that version.
    assert version_history(session, CalendarDay, second.id, **NOT_FOUND) == [second, first]
    with pytest.raises(NotFound) as missing:
        version_history(session, CalendarDay, third.id + 1000, **NOT_FOUND)
    assert (missing.value.message, missing.value.code) == ("记录不存在", "test_row_not_found")


def test_a_retired_row_is_not_live(session: Session, frozen: time_machine.Coordinates) -> None:
    row = _day(session, date(2026, 10, 1))
    assert live_row(session, CalendarDay, row.id, **NOT_FOUND) is row

    retire_row(session, row)

    assert _stored_retired_at(session, row.id) is not None  # kept, stamped, not deleted
    with pytest.raises(NotFound) as retired:
        live_row(session, CalendarDay, row.id, **NOT_FOUND)
    assert (retired.value.message, retired.value.code) == ("记录不存在", "test_row_not_found")
