"""The rates report over HTTP: JSON, CSV or Excel."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from jiesu.core.api import SessionDep
from jiesu.core.errors import NotAllowed
from jiesu.core.ids import QueryId
from jiesu.core.openapi import CSV, downloads
from jiesu.core.roles import Role
from jiesu.insights import first_call
from jiesu.insights.export import to_csv, to_xlsx
from jiesu.insights.periods import PERIOD_PATTERN, parse_period
from jiesu.insights.rates import compute_rates
from jiesu.units.auth import CurrentPrincipal

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
READERS = frozenset({Role.supervisor, Role.admin, Role.dispatcher, Role.visitor, Role.handler})


@router.get("/rates", response_model=None,
            responses=downloads("application/json", CSV, XLSX, description="三率报表"))
def rates_report(
    session: SessionDep,
    principal: CurrentPrincipal,
    period: Annotated[str, Query(max_length=40, pattern=PERIOD_PATTERN,
                                 description="2026-10、2026-W44、2026-10-05 或 "
                                             "2026-10-01..2026-10-15")],
    unit_id: QueryId = None,
    group: Annotated[str | None, Query(pattern="^(unit|district|category|line|agent|day)$",
                                       description="三率：unit/district/category；"
                                                   "一次办结率：line/category/agent/day")] = None,
    format: Annotated[str, Query(pattern="^(json|csv|xlsx)$")] = "json",
    kind: Annotated[str, Query(pattern="^(three|first_call)$",
                               description="three：三率；first_call：一次办结率")] = "three",
    line_id: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="一次办结率：只看该专线")]
    = None,
) -> Any:
    """三率报表：响应率、解决率、满意率、综合得分，附排名与排除说明。承办单位只能看本单位。

    kind=first_call：一次办结率（来电直接办结占比），按专线、类别、坐席或日期，不计入任何单位。"""
    if principal.role not in READERS:
        raise NotAllowed("当前角色无权查看考核报表", code="role_not_allowed")
    if kind == "first_call":
        return _first_call(session, principal, period, group or "line", line_id, format)
    group = group or "unit"
    if principal.role is Role.handler:
        if unit_id is not None and unit_id != principal.unit_id:
            raise NotAllowed("承办单位只能查看本单位的考核数据", code="report_not_own_unit")
        unit_id = principal.unit_id
    report = compute_rates(session, parse_period(period), group=group, unit_id=unit_id)
    name = f"rates-{report.period}-{group}"
    if format == "csv":
        return Response(to_csv(report).encode("utf-8-sig"), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    if format == "xlsx":
        return Response(to_xlsx(report), media_type=XLSX,
                        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
    return report.as_dict()


def _first_call(session: SessionDep, principal: Any, period: str, group: str,
                line_id: int | None, format: str) -> Any:
    # Counted against no unit: a unit's handlers have nothing of theirs in it.
    if principal.role is Role.handler:
        raise NotAllowed("一次办结率不计入承办单位", code="role_not_allowed")
    report = first_call.compute_fcr(session, parse_period(period), group=group, line_id=line_id)
    name = f"first-call-{report.period}-{group}"
    if format == "csv":
        return Response(first_call.to_csv(report).encode("utf-8-sig"),
                        media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    if format == "xlsx":
        return Response(first_call.to_xlsx(report), media_type=XLSX,
                        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
    return report.as_dict()
