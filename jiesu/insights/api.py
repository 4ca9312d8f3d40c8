"""The rates report over HTTP: JSON, CSV or Excel."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from jiesu.core.api import SessionDep
from jiesu.core.errors import NotAllowed
from jiesu.core.ids import QueryId
from jiesu.core.openapi import CSV, downloads
from jiesu.core.roles import Role
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
    group: Annotated[str, Query(pattern="^(unit|district|category)$")] = "unit",
    format: Annotated[str, Query(pattern="^(json|csv|xlsx)$")] = "json",
) -> Any:
    """三率报表：响应率、解决率、满意率、综合得分，附排名与排除说明。承办单位只能看本单位。"""
    if principal.role not in READERS:
        raise NotAllowed("当前角色无权查看考核报表", code="role_not_allowed")
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
