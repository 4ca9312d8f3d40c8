"""Admin page for the working-day calendar (工作日历): a year's entries from the State Council's
notice (add a day, retire one; versioned in `calendar.service`), the year's status (covered by
the library, marked entered, or still estimated) and the form to mark it entered.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.calendar import service as calendar
from jiesu.calendar.schemas import CalendarDayCreate, CalendarYearCreate
from jiesu.core import clock
from jiesu.core.api import SessionDep, commit
from jiesu.core.errors import DomainError
from jiesu.core.roles import Principal, Role
from jiesu.units.models import User
from jiesu.web.common import PagePrincipal, field_errors, needs, redirect, render

router = APIRouter(prefix="/admin/calendar")
WEEKDAYS = "一二三四五六日"
YearQuery = Annotated[int | None, Query(ge=1900, le=2200)]


def _default_year(session: Session) -> int:
    """The year the admin most likely has to enter: the first one ahead nobody covers."""
    ahead = calendar.uncovered_years_ahead(session)
    return ahead[0] if ahead else clock.local(clock.now()).year


def _page(
    request: Request, session: Session, principal: Principal, year: int, *,
    errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
    status_code: int = 200, error: str | None = None,
) -> HTMLResponse:
    rows = calendar.days_of_year(session, year, include_retired=True)
    status = calendar.year_status(session, year)
    entered_by = None
    if status.mark is not None and status.mark.entered_by_id:
        entered_by = session.scalar(
            select(User.display_name).where(User.id == status.mark.entered_by_id))
    low, high = calendar.year_range()
    return render(
        request, "admin_calendar.html", principal, status_code=status_code, year=year,
        active=[r for r in rows if r.retired_at is None],
        retired=[r for r in rows if r.retired_at is not None], status=status,
        entered_by=entered_by, low=low, high=high, weekdays=WEEKDAYS, errors=errors or {},
        v=values or {}, error=error,
    )


@router.get("", response_class=HTMLResponse)
def calendar_page(
    request: Request, session: SessionDep, principal: PagePrincipal, year: YearQuery = None
) -> HTMLResponse:
    needs(principal, Role.admin)
    return _page(request, session, principal, year or _default_year(session))


def _refused(
    request: Request, session: Session, principal: Principal, year: int,
    values: dict[str, str], exc: ValidationError | DomainError, field: str | None = None,
) -> HTMLResponse:
    """Roll back and show the page again with the refusal next to its field."""
    session.rollback()
    if isinstance(exc, ValidationError):
        return _page(request, session, principal, year, errors=field_errors(exc),
                     values=values, status_code=422, error="请检查标红的字段")
    field = field or str(exc.details.get("field") or "day")
    return _page(request, session, principal, year, errors={field: exc.message},
                 values=values, status_code=exc.status_code, error=exc.message)


@router.post("", response_class=HTMLResponse, response_model=None)
async def add_day(
    request: Request, session: SessionDep, principal: PagePrincipal, year: YearQuery = None
) -> HTMLResponse | RedirectResponse:
    needs(principal, Role.admin)
    form = await request.form()
    values = {k: str(v).strip() for k, v in form.items() if isinstance(v, str)}
    shown = year or _default_year(session)
    try:
        body = CalendarDayCreate.model_validate({
            "day": values.get("day", ""), "is_workday": values.get("is_workday"),
            "name": values.get("name", ""), "note": values.get("note", ""),
        })
        day = calendar.parse_day(body.day)
        calendar.add_day(session, day=day, is_workday=body.is_workday, name=body.name,
                         note=body.note, actor_id=principal.user_id)
        commit(session)
    except (ValidationError, DomainError) as exc:
        return _refused(request, session, principal, shown, values, exc)
    return redirect(f"/admin/calendar?year={day.year}&ok=saved")


@router.post("/{day_id}/retire", response_model=None)
def retire_day(day_id: int, session: SessionDep, principal: PagePrincipal) -> RedirectResponse:
    needs(principal, Role.admin)
    row = calendar.retire_day(session, day_id)
    year = row.day.year
    commit(session)
    return redirect(f"/admin/calendar?year={year}&ok=saved")


@router.post("/years/{year}/complete", response_class=HTMLResponse, response_model=None)
async def complete_year(
    year: int, request: Request, session: SessionDep, principal: PagePrincipal
) -> HTMLResponse | RedirectResponse:
    needs(principal, Role.admin)
    form = await request.form()
    values = {k: str(v).strip() for k, v in form.items() if isinstance(v, str)}
    try:
        body = CalendarYearCreate.model_validate({"source": values.get("source", "")})
        calendar.mark_year_entered(session, year, source=body.source,
                                   actor_id=principal.user_id)
        commit(session)
    except (ValidationError, DomainError) as exc:
        shown = year if 1900 <= year <= 2200 else _default_year(session)
        return _refused(request, session, principal, shown, values, exc, "source")
    return redirect(f"/admin/calendar?year={year}&ok=saved")
