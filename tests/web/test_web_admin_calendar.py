"""The working-day calendar in the pages: the admin enters a day and marks a year entered; the
admin and supervisor pages warn while the coming 60 days reach a year nobody has entered; the
order page says when its deadline is an estimate. The 2027 dates are the tests' own."""

from __future__ import annotations

from datetime import date, datetime

import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.calendar import service as calendar
from jiesu.calendar.models import CalendarDay
from jiesu.core.clock import CHINA_TZ
from tests.factories import dispatched
from tests.web.test_web_rules import csrf, login

BANNER = "2027年节假日安排尚未录入，请管理员按国务院通知录入"
NOTE = "截止时间按周一至周五估算：2027年节假日安排尚未录入"


def enter_2027(session: Session) -> None:
    calendar.add_day(session, day=date(2027, 1, 1), is_workday=False, name="元旦")
    calendar.mark_year_entered(session, 2027, source="测试通知")


def test_admin_enters_a_day_and_marks_the_year_entered_from_the_page(
    client: TestClient, session: Session
) -> None:
    login(client, "admin")
    page = client.get("/admin/calendar", params={"year": 2027})
    assert "2027年节假日安排尚未录入完毕" in page.text
    token = csrf(client, "/admin/calendar?year=2027")
    added = client.post("/admin/calendar", params={"year": 2027}, data={
        "day": "2027-01-01", "is_workday": "false", "name": "元旦", "note": "测试",
        "csrf_token": token}, follow_redirects=False)
    assert added.status_code == 303, added.text[:800]
    assert added.headers["location"] == "/admin/calendar?year=2027&ok=saved"
    row = session.scalars(select(CalendarDay).where(CalendarDay.day == date(2027, 1, 1))).one()
    assert row.is_workday is False and row.name == "元旦" and row.created_by_id is not None
    assert f'id="day-{row.id}"' in client.get("/admin/calendar?year=2027").text
    done = client.post("/admin/calendar/years/2027/complete", data={
        "source": "国办发明电〔2026〕测试号", "csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303, done.text[:800]
    page = client.get("/admin/calendar?year=2027").text
    assert "2027年节假日安排已录入完毕：国办发明电〔2026〕测试号" in page
    assert BANNER not in page


def test_bad_date_is_shown_next_to_the_field_and_nothing_is_saved(
    client: TestClient, session: Session
) -> None:
    login(client, "admin")
    token = csrf(client, "/admin/calendar?year=2027")
    for day, code_text in (("2027-02-30", "日期格式不正确"), ("2029-01-01", "年份超出范围")):
        answer = client.post("/admin/calendar", params={"year": 2027}, data={
            "day": day, "is_workday": "false", "name": "元旦", "csrf_token": token})
        assert answer.status_code == 422, day
        assert 'id="day-err"' in answer.text and code_text in answer.text
    assert session.scalars(select(CalendarDay)).all() == []


def test_year_with_no_holiday_cannot_be_marked_entered_from_the_page(
    client: TestClient, session: Session
) -> None:
    login(client, "admin")
    token = csrf(client, "/admin/calendar?year=2027")
    answer = client.post("/admin/calendar/years/2027/complete",
                         data={"source": "测试通知", "csrf_token": token})
    assert answer.status_code == 422
    assert 'id="source-err"' in answer.text and "尚未录入任何放假日期" in answer.text


def test_retiring_an_entry_from_the_page_keeps_it_in_the_history(
    client: TestClient, session: Session
) -> None:
    row = calendar.add_day(session, day=date(2027, 1, 1), is_workday=False, name="元旦")
    login(client, "admin")
    token = csrf(client, "/admin/calendar?year=2027")
    answer = client.post(f"/admin/calendar/{row.id}/retire", data={"csrf_token": token},
                         follow_redirects=False)
    assert answer.status_code == 303
    page = client.get("/admin/calendar?year=2027").text
    assert f'id="day-{row.id}"' not in page and "已停用或已修改的记录（1 条）" in page


def test_only_admins_open_the_calendar_page(client: TestClient) -> None:
    login(client, "supervisor")
    answer = client.get("/admin/calendar")
    assert answer.status_code == 403 and "当前角色无权使用此页面" in answer.text


def test_admin_and_supervisor_pages_warn_while_the_next_60_days_reach_an_uncovered_year(
    client: TestClient, session: Session
) -> None:
    # The frozen clock is 2 November 2026: 60 days ahead is 1 January 2027.
    for username, path in (("admin", "/admin"), ("supervisor", "/supervisor")):
        client.cookies.clear()
        login(client, username)
        assert BANNER in client.get(path).text, username
    client.cookies.clear()
    login(client, "dispatcher")
    assert BANNER not in client.get("/dispatch").text
    enter_2027(session)
    for username, path in (("admin", "/admin"), ("supervisor", "/supervisor")):
        client.cookies.clear()
        login(client, username)
        assert BANNER not in client.get(path).text, username


def test_no_warning_while_the_next_60_days_stay_in_a_covered_year(
    client: TestClient, frozen: time_machine.Coordinates
) -> None:
    frozen.move_to(datetime(2026, 10, 1, 10, tzinfo=CHINA_TZ))
    login(client, "admin")
    assert "节假日安排尚未录入" not in client.get("/admin").text


def test_order_page_says_the_deadline_is_an_estimate(
    client: TestClient, session: Session, frozen: time_machine.Coordinates
) -> None:
    frozen.move_to(datetime(2026, 12, 28, 10, tzinfo=CHINA_TZ))
    order = dispatched(session)
    login(client, "dispatcher")
    page = client.get(f"/orders/{order.id}").text
    assert NOTE in page and 'id="calendar-note"' in page
    enter_2027(session)
    page = client.get(f"/orders/{order.id}").text
    assert NOTE not in page
    assert "计算时2027年节假日安排尚未录入，现已录入" in page


def test_order_page_of_a_final_deadline_has_no_note(
    client: TestClient, session: Session, frozen: time_machine.Coordinates
) -> None:
    order = dispatched(session)
    login(client, "dispatcher")
    assert 'id="calendar-note"' not in client.get(f"/orders/{order.id}").text
