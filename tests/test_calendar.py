"""Rules of the working-day calendar the centre maintains: the pure `WorkCalendar` (the admin's
entries, then chinese-calendar, then Monday–Friday flagged), and the table behind it
(`/api/v1/calendar`): an entry wins over the library, a year nobody covers is estimated and
flagged but never refused, a year marked entered is final, every change is a new version.

The 2027 dates below are entered by the tests themselves: they are not the State Council's
notice (unknown when this was written), only dates to count on.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jiesu.calendar import service as calendar
from jiesu.calendar.models import CalendarDay, CalendarYear
from jiesu.core.clock import CHINA_TZ
from jiesu.core.workdays import CHINA, AroundTheClock, DayCalendar, WorkCalendar
from jiesu.orders.deadlines import DeadlineRule, Span, deadline, estimated_years
from jiesu.orders.models import OrderEvent
from tests.conftest import auth_headers
from tests.factories import WANGJING, dispatched, in_progress, new_order, replied, step, unit

WD, CD, H = Span.working_days, Span.calendar_days, Span.hours
END = (23, 59, 59)


def cn(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=CHINA_TZ)  # type: ignore[misc]


# The test's own 2027 entries (see the module's note): 1 January off, Saturday 9 January worked.
NEW_YEAR_2027 = {date(2027, 1, 1): False, date(2027, 1, 9): True}
ENTERED = WorkCalendar(entries=NEW_YEAR_2027, entered_years=frozenset({2027}))
PARTLY = WorkCalendar(entries=NEW_YEAR_2027)

# (case, calendar, start, rule, expected end, years estimated)
TABLE: list[tuple[str, DayCalendar, datetime, DeadlineRule, datetime, tuple[int, ...]]] = [
    ("entry_turns_a_library_working_day_into_a_holiday",
     WorkCalendar(entries={date(2026, 11, 3): False}), cn(2026, 11, 2, 10),
     DeadlineRule(1, WD), cn(2026, 11, 4, *END), ()),
    ("entry_turns_a_saturday_into_a_make_up_working_day",
     WorkCalendar(entries={date(2026, 11, 7): True}), cn(2026, 11, 6, 10),
     DeadlineRule(1, WD), cn(2026, 11, 7, *END), ()),
    ("entry_wins_over_a_library_holiday",
     WorkCalendar(entries={date(2026, 10, 1): True}), cn(2026, 9, 30, 10),
     DeadlineRule(1, WD), cn(2026, 10, 1, *END), ()),
    ("library_still_answers_the_dates_with_no_entry",
     WorkCalendar(entries={date(2026, 11, 3): False}), cn(2026, 9, 30, 10),
     DeadlineRule(1, WD), cn(2026, 10, 8, *END), ()),
    ("uncovered_year_counts_monday_to_friday_and_is_flagged", CHINA, cn(2026, 12, 31, 10),
     DeadlineRule(1, WD), cn(2027, 1, 1, *END), (2027,)),
    ("uncovered_year_skips_its_weekends", CHINA, cn(2027, 1, 1, 10), DeadlineRule(1, WD),
     cn(2027, 1, 4, *END), (2027,)),
    ("entries_of_an_unfinished_year_count_but_stay_flagged", PARTLY, cn(2026, 12, 31, 10),
     DeadlineRule(1, WD), cn(2027, 1, 4, *END), (2027,)),
    ("year_marked_entered_is_not_flagged", ENTERED, cn(2026, 12, 31, 10), DeadlineRule(1, WD),
     cn(2027, 1, 4, *END), ()),
    ("make_up_saturday_of_an_entered_year_counts", ENTERED, cn(2027, 1, 8, 10),
     DeadlineRule(1, WD), cn(2027, 1, 9, *END), ()),
    ("deadline_ending_before_the_uncovered_year_is_not_flagged", CHINA, cn(2026, 12, 28, 10),
     DeadlineRule(3, WD), cn(2026, 12, 31, *END), ()),
    ("start_day_in_the_uncovered_year_is_not_counted_so_not_flagged", CHINA,
     cn(2026, 12, 31, 10), DeadlineRule(0, WD), cn(2026, 12, 31, *END), ()),
    ("hours_never_read_the_calendar", CHINA, cn(2026, 12, 31, 10), DeadlineRule(48, H),
     cn(2027, 1, 2, 10), ()),
    ("calendar_days_never_read_the_calendar", CHINA, cn(2026, 12, 31, 10), DeadlineRule(3, CD),
     cn(2027, 1, 3, *END), ()),
    ("utilities_count_every_day_and_are_never_flagged", AroundTheClock(), cn(2026, 12, 31, 10),
     DeadlineRule(3, WD), cn(2027, 1, 3, *END), ()),
]


@pytest.mark.parametrize(("case", "cal", "start", "rule", "expected", "years"), TABLE,
                         ids=[t[0] for t in TABLE])
def test_work_calendar_table(
    case: str, cal: DayCalendar, start: datetime, rule: DeadlineRule, expected: datetime,
    years: tuple[int, ...],
) -> None:
    end = deadline(start, rule, cal)
    assert end == expected
    assert estimated_years(start, end, rule, cal) == years


# --- the table behind it ---------------------------------------------------------------------


def admin(session: Session) -> dict[str, str]:
    return auth_headers(session, "admin")


def add(client: TestClient, session: Session, day: str, is_workday: bool = False,
        name: str = "测试假日", **extra: Any) -> Any:
    return client.post("/api/v1/calendar/days", headers=admin(session),
                       json={"day": day, "is_workday": is_workday, "name": name, **extra})


def complete(client: TestClient, session: Session, year: int, source: str = "测试通知") -> Any:
    return client.post(f"/api/v1/calendar/years/{year}/complete", json={"source": source},
                       headers=admin(session))


def dispatch_event(session: Session, order_id: int) -> OrderEvent:
    return session.scalars(select(OrderEvent).where(
        OrderEvent.order_id == order_id, OrderEvent.action == "dispatch")).one()


def test_entry_overrides_the_library_for_its_date(
    client: TestClient, session: Session, frozen: time_machine.Coordinates
) -> None:
    assert dispatched(session).reply_due_at == cn(2026, 11, 11, *END)  # 7 working days
    answer = add(client, session, "2026-11-03", name="临时调整", note="更正")
    assert answer.status_code == 201, answer.text
    order = dispatched(session)
    assert order.reply_due_at == cn(2026, 11, 12, *END)
    assert dispatch_event(session, order.id).payload["calendar_provisional"] is False


def test_year_marked_entered_gives_final_deadlines(
    client: TestClient, session: Session, frozen: time_machine.Coordinates
) -> None:
    frozen.move_to(cn(2026, 12, 28, 10))
    assert add(client, session, "2027-01-01", name="元旦").status_code == 201
    assert complete(client, session, 2027).status_code == 201
    order = dispatched(session)
    assert order.reply_due_at == cn(2027, 1, 7, *END)  # 1 January is not counted
    payload = dispatch_event(session, order.id).payload
    assert payload["calendar_provisional"] is False
    assert "calendar_estimated_years" not in payload


def test_entries_of_a_year_not_marked_entered_are_used_but_flagged(
    client: TestClient, session: Session, frozen: time_machine.Coordinates
) -> None:
    frozen.move_to(cn(2026, 12, 28, 10))
    assert add(client, session, "2027-01-01", name="元旦").status_code == 201
    order = dispatched(session)
    assert order.reply_due_at == cn(2027, 1, 7, *END)
    payload = dispatch_event(session, order.id).payload
    assert payload["calendar_provisional"] is True
    assert payload["calendar_estimated_years"] == [2027]


def test_approved_extension_into_a_year_nobody_covers_is_flagged(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    frozen.move_to(cn(2026, 12, 1, 10))
    order = in_progress(session)
    assert order.reply_due_at == cn(2026, 12, 10, *END)
    step(session, "street", order, "request_extension", reason="需协调多个部门", days=15)
    step(session, "supervisor", order, "approve_extension")
    assert order.reply_due_at == cn(2026, 12, 31, *END)
    step(session, "street", order, "request_extension", reason="仍需协调", days=3)
    step(session, "supervisor", order, "approve_extension")
    assert order.reply_due_at == cn(2027, 1, 5, *END)
    events = session.scalars(select(OrderEvent).where(
        OrderEvent.order_id == order.id, OrderEvent.action == "approve_extension")
        .order_by(OrderEvent.seq)).all()
    assert [e.payload["calendar_provisional"] for e in events] == [False, True]
    assert events[1].payload["calendar_estimated_years"] == [2027]


def test_retired_entry_gives_its_date_back_to_the_library(
    client: TestClient, session: Session, frozen: time_machine.Coordinates
) -> None:
    entry = add(client, session, "2026-11-03").json()
    assert dispatched(session).reply_due_at == cn(2026, 11, 12, *END)
    retired = client.post(f"/api/v1/calendar/days/{entry['id']}/retire", headers=admin(session))
    assert retired.status_code == 200 and retired.json()["retired_at"] is not None
    assert dispatched(session).reply_due_at == cn(2026, 11, 11, *END)


def test_replacing_an_entry_retires_it_and_keeps_its_history(
    client: TestClient, session: Session
) -> None:
    first = add(client, session, "2027-02-06", is_workday=False, name="春节").json()
    second = client.post(f"/api/v1/calendar/days/{first['id']}/replace", headers=admin(session),
                         json={"is_workday": True, "name": "调休上班", "note": "通知更正"})
    assert second.status_code == 200, second.text
    new = second.json()
    assert new["supersedes_id"] == first["id"] and new["day"] == "2027-02-06"
    old = session.get(CalendarDay, first["id"])
    assert old is not None and old.retired_at is not None
    assert old.is_workday is False and old.name == "春节"  # never edited in place
    history = client.get(f"/api/v1/calendar/days/{new['id']}/history", headers=admin(session))
    assert [r["id"] for r in history.json()] == [new["id"], first["id"]]
    listed = client.get("/api/v1/calendar", params={"year": 2027}, headers=admin(session))
    assert [r["id"] for r in listed.json()["data"]] == [new["id"]]
    everything = client.get("/api/v1/calendar", params={"year": 2027, "include_retired": True},
                            headers=admin(session))
    assert {r["id"] for r in everything.json()["data"]} == {new["id"], first["id"]}
    assert calendar.work_calendar(session).is_workday(date(2027, 2, 6)) is True


def test_second_active_entry_for_a_date_is_a_conflict(
    client: TestClient, session: Session
) -> None:
    assert add(client, session, "2027-01-01", name="元旦").status_code == 201
    again = add(client, session, "2027-01-01", is_workday=True, name="调休上班")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "calendar_day_exists"
    assert session.scalar(select(func.count(CalendarDay.id))) == 1


@pytest.mark.parametrize("bad", ["2027-13-01", "2027/01/01", "2027-1-1", "明年元旦", "2027-02-30"])
def test_bad_date_is_refused_with_its_code(
    client: TestClient, session: Session, bad: str
) -> None:
    answer = add(client, session, bad)
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "calendar_bad_date"
    assert session.scalar(select(func.count(CalendarDay.id))) == 0


@pytest.mark.parametrize("day", ["2024-10-01", "2028-01-01", "2207-01-01"])
def test_year_out_of_range_is_refused(client: TestClient, session: Session, day: str) -> None:
    answer = add(client, session, day)  # frozen clock: 2026, so 2025–2027 may be entered
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "calendar_year_out_of_range"
    refused = complete(client, session, int(day[:4]))
    assert refused.json()["error"]["code"] == "calendar_year_out_of_range"
    assert session.scalar(select(func.count(CalendarDay.id))) == 0


def test_year_without_a_holiday_entered_cannot_be_marked_entered(
    client: TestClient, session: Session
) -> None:
    assert add(client, session, "2027-01-09", is_workday=True, name="调休上班").status_code == 201
    refused = complete(client, session, 2027)
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "calendar_year_has_no_holidays"
    assert session.scalar(select(func.count(CalendarYear.id))) == 0


def test_marking_a_year_again_keeps_the_earlier_mark(
    client: TestClient, session: Session
) -> None:
    add(client, session, "2027-01-01", name="元旦")
    first = complete(client, session, 2027, "国办发明电〔2026〕测试1号").json()
    second = complete(client, session, 2027, "国办发明电〔2026〕测试2号").json()
    assert second["supersedes_id"] == first["id"]
    listed = client.get("/api/v1/calendar", params={"year": 2027}, headers=admin(session)).json()
    assert listed["entered"]["source"] == "国办发明电〔2026〕测试2号" and listed["covered"]
    assert session.scalar(select(func.count(CalendarYear.id))) == 2


def test_year_listing_says_whether_deadlines_are_final(
    client: TestClient, session: Session
) -> None:
    this = client.get("/api/v1/calendar", params={"year": 2026}, headers=admin(session)).json()
    assert this["library_covers"] and this["covered"] and this["entered"] is None
    nxt = client.get("/api/v1/calendar", params={"year": 2027}, headers=admin(session)).json()
    assert not nxt["library_covers"] and not nxt["covered"] and nxt["count"] == 0


def test_only_admins_maintain_the_calendar(client: TestClient, session: Session) -> None:
    body = {"day": "2027-01-01", "is_workday": False, "name": "元旦"}
    for username in ("supervisor", "dispatcher", "street"):
        headers = auth_headers(session, username)
        assert client.post("/api/v1/calendar/days", json=body,
                           headers=headers).status_code == 403
        assert client.get("/api/v1/calendar", headers=headers).status_code == 403
    assert client.post("/api/v1/calendar/days", json=body).status_code == 401
    assert session.scalar(select(func.count(CalendarDay.id))) == 0


def test_calendar_built_before_a_rollback_is_not_reused(session: Session) -> None:
    # On SQLite a rolled-back row's id is given again, so the new row has the old one's count
    # and id: the cache must still not hand back the calendar built from the old row.
    savepoint = session.begin_nested()
    calendar.add_day(session, day=date(2026, 11, 3), is_workday=False, name="甲")
    assert calendar.work_calendar(session).is_workday(date(2026, 11, 3)) is False
    savepoint.rollback()
    calendar.add_day(session, day=date(2026, 11, 4), is_workday=False, name="乙")
    now = calendar.work_calendar(session)
    assert now.is_workday(date(2026, 11, 3)) is True
    assert now.is_workday(date(2026, 11, 4)) is False


def test_return_visits_are_due_in_a_year_nobody_covers(
    client: TestClient, session: Session, frozen: time_machine.Coordinates
) -> None:
    frozen.move_to(cn(2026, 12, 31, 10))
    order = replied(session)
    frozen.move_to(cn(2027, 1, 4, 10))
    queue = client.get("/api/v1/visits/queue", headers=auth_headers(session, "visitor"))
    assert queue.status_code == 200, queue.text
    assert order.id in {row["order_id"] for row in queue.json()["data"]}


def test_uncovered_years_ahead_name_the_year_to_enter(
    client: TestClient, session: Session, frozen: time_machine.Coordinates
) -> None:
    frozen.move_to(cn(2026, 10, 1, 10))
    assert calendar.uncovered_years_ahead(session) == ()  # 60 days: still 2026
    frozen.move_to(cn(2026, 11, 2, 10))
    assert calendar.uncovered_years_ahead(session) == (2027,)  # 60 days: 1 January 2027
    add(client, session, "2027-01-01", name="元旦")
    complete(client, session, 2027)
    assert calendar.uncovered_years_ahead(session) == ()


def test_dispatch_is_never_refused_for_want_of_a_calendar(
    client: TestClient, session: Session, frozen: time_machine.Coordinates
) -> None:
    frozen.move_to(cn(2027, 1, 4, 10))  # in the year nobody covers, not only near it
    order = new_order(session)
    response = client.post(
        f"/api/v1/orders/{order.id}/dispatch", json={"lead_unit_id": unit(session, WANGJING).id},
        headers=auth_headers(session, "dispatcher"),
    )
    assert response.status_code == 200, response.text
    assert dispatch_event(session, order.id).payload["calendar_estimated_years"] == [2027]
