"""Routes for the calendar admins maintain: a year's entries, add a day, replace or retire
an entry (versioned), mark a year entered. Admin only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from jiesu.calendar import service
from jiesu.calendar.schemas import (
    CalendarDayCreate,
    CalendarDayPublic,
    CalendarDayUpdate,
    CalendarYearCreate,
    CalendarYearList,
    CalendarYearPublic,
)
from jiesu.core import clock
from jiesu.core.api import SessionDep, commit
from jiesu.core.ids import PathId
from jiesu.units.auth import AdminPrincipal

router = APIRouter(prefix="/api/v1/calendar", tags=["calendar"])


@router.get("", response_model=CalendarYearList)
def list_year(
    session: SessionDep,
    principal: AdminPrincipal,
    year: Annotated[int | None, Query(ge=1900, le=2200, description="默认今年")] = None,
    include_retired: bool = False,
) -> CalendarYearList:
    """某年的节假日与调休上班记录（include_retired=true 含已停用的旧版本），及该年是否已覆盖。"""
    year = year or clock.local(clock.now()).year
    rows = service.days_of_year(session, year, include_retired=include_retired)
    status = service.year_status(session, year)
    return CalendarYearList(
        year=year, library_covers=status.library_covers,
        entered=CalendarYearPublic.model_validate(status.mark) if status.mark else None,
        covered=status.covered, data=[CalendarDayPublic.model_validate(r) for r in rows],
        count=len(rows),
    )


@router.post("/days", response_model=CalendarDayPublic, status_code=201)
def add_day(
    session: SessionDep, principal: AdminPrincipal, body: CalendarDayCreate
) -> CalendarDayPublic:
    """录入一天：放假（is_workday=false）或调休上班（true）；覆盖 chinese-calendar 库的该日。"""
    row = service.add_day(session, day=service.parse_day(body.day), is_workday=body.is_workday,
                          name=body.name, note=body.note, actor_id=principal.user_id)
    result = CalendarDayPublic.model_validate(row)
    commit(session)
    return result


@router.post("/days/{day_id}/replace", response_model=CalendarDayPublic)
def replace_day(
    session: SessionDep, principal: AdminPrincipal, day_id: PathId, body: CalendarDayUpdate
) -> CalendarDayPublic:
    """修改：旧记录停用、新记录生效（留痕）。"""
    row = service.replace_day(session, day_id, is_workday=body.is_workday, name=body.name,
                              note=body.note, actor_id=principal.user_id)
    result = CalendarDayPublic.model_validate(row)
    commit(session)
    return result


@router.post("/days/{day_id}/retire", response_model=CalendarDayPublic)
def retire_day(
    session: SessionDep, principal: AdminPrincipal, day_id: PathId
) -> CalendarDayPublic:
    """停用：该日回到 chinese-calendar 库的安排（库未覆盖的年份按周一至周五）。"""
    row = service.retire_day(session, day_id)
    result = CalendarDayPublic.model_validate(row)
    commit(session)
    return result


@router.get("/days/{day_id}/history", response_model=list[CalendarDayPublic])
def day_history(
    session: SessionDep, principal: AdminPrincipal, day_id: PathId
) -> list[CalendarDayPublic]:
    """该记录及其之前的各个版本，新到旧。"""
    return [CalendarDayPublic.model_validate(r) for r in service.history(session, day_id)]


@router.post("/years/{year}/complete", response_model=CalendarYearPublic, status_code=201)
def mark_year_entered(
    session: SessionDep, principal: AdminPrincipal, year: int, body: CalendarYearCreate
) -> CalendarYearPublic:
    """标记某年节假日安排已按国务院通知录入完毕：该年的截止时间不再是估算。"""
    row = service.mark_year_entered(session, year, source=body.source,
                                    actor_id=principal.user_id)
    result = CalendarYearPublic.model_validate(row)
    commit(session)
    return result
