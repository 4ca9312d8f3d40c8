"""Hot-spot routes: the list, one cluster with its orders, the centre's threshold."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response

from jiesu.core.api import SessionDep, commit
from jiesu.core.errors import NotAllowed
from jiesu.core.ids import PathId
from jiesu.core.roles import Principal, Role
from jiesu.hotspots import cases, service, views
from jiesu.hotspots import schemas as s
from jiesu.units.auth import require

router = APIRouter(prefix="/api/v1/hotspots", tags=["hotspots"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The centre's dispatchers and supervisors watch hot spots; supervisors and admins set the rule.
Watcher = Annotated[Principal, Depends(require(Role.dispatcher, Role.supervisor))]
RuleSetter = Annotated[Principal, Depends(require(Role.supervisor, Role.admin))]
Handler = Annotated[Principal, Depends(require(Role.handler))]
Dispatcher = Annotated[Principal, Depends(require(Role.dispatcher))]
CaseReader = Annotated[
    Principal, Depends(require(Role.dispatcher, Role.supervisor, Role.handler))]
# Agents see the proposal while they type; the centre's dispatchers and supervisors too.
Intake = Annotated[Principal, Depends(require(Role.agent, Role.dispatcher, Role.supervisor))]


def case_public(session: SessionDep, case_id: int) -> s.CasePublic:
    row = cases.get_case(session, case_id)
    return s.CasePublic(
        case_id=row.case_id, cluster_id=row.cluster_id, lead_unit_id=row.lead_unit_id,
        assisting_unit_ids=list(row.assisting_unit_ids),
        order_ids=[o.id for o in cases.case_orders(session, case_id)],
        created_at=row.created_at, replied_at=row.replied_at,
    )


@router.get("/cases/{case_id}", response_model=s.CasePublic)
def read_case(session: SessionDep, principal: CaseReader, case_id: PathId) -> s.CasePublic:
    """联办案件：主办、协办单位和成员工单（派单员、督办员及主办、协办单位可见）。"""
    row = cases.get_case(session, case_id)
    if not cases.may_view(principal, row):
        raise NotAllowed("只有中心和该案件的主办、协办单位可以查看", code="not_case_unit")
    return case_public(session, case_id)


@router.post("/cases/{case_id}/dispatch", response_model=s.CaseDispatchOut)
def dispatch_case(
    session: SessionDep, principal: Dispatcher, case_id: PathId, body: s.CaseDispatchIn
) -> s.CaseDispatchOut:
    """把联办案件中待派的工单派给主办单位（抄协办单位）。"""
    done = cases.dispatch_case(session, principal, case_id, body.note)
    commit(session)
    return s.CaseDispatchOut(dispatched=done)


@router.post("/cases/{case_id}/reply", response_model=s.CaseReplyOut)
def reply_case(
    session: SessionDep, principal: Handler, case_id: PathId, body: s.CaseReplyIn
) -> s.CaseReplyOut:
    """主办单位统一答复：案件中由本单位主办的工单逐一签收、联系、答复，之后各自回访。"""
    done = cases.reply_case(session, principal, case_id, outcome=body.outcome, reply=body.reply)
    commit(session)
    return s.CaseReplyOut(replied=done.replied, skipped=done.skipped)


@router.post("/cases/{case_id}/split", response_model=s.CasePublic)
def split_out(
    session: SessionDep, principal: Watcher, case_id: PathId, body: s.SplitIn
) -> s.CasePublic:
    """把误并的工单移出联办案件和热点（记入工单历史）。"""
    cases.split_out(session, principal, case_id, body.order_id, body.reason)
    result = case_public(session, case_id)
    commit(session)
    return result


@router.post("/proposals/{order_id}/accept", response_model=s.CasePublic)
def accept_proposal(session: SessionDep, principal: Watcher, order_id: PathId) -> s.CasePublic:
    """采纳建议：把后来的工单并入其热点已成立的联办案件。"""
    order = cases.link_proposed(session, principal, order_id)
    assert order.case_id is not None
    result = case_public(session, order.case_id)
    commit(session)
    return result


@router.post("/intake", response_model=s.IntakeMatchOut)
def intake_match(
    session: SessionDep, principal: Intake, body: s.IntakeMatchIn
) -> s.IntakeMatchOut:
    """受理时的联办提示：正在记录的诉求与某个在办联办案件的热点相符时，返回“可能属于联办案件 N”。
    不写入任何数据。"""
    from jiesu.core import clock

    street = body.street_code
    if not street:
        from jiesu.orders import suggest

        found = suggest.suggest(session, body.text, body.title, body.place_text,
                                clock.now(), with_duplicates=False)
        street = found.place.street_code
    match = cases.case_at_intake(session, text=body.text, title=body.title,
                                 street_code=street, now=clock.now())
    return s.IntakeMatchOut(street_code=street, case=intake_case(match))


def intake_case(match: cases.IntakeMatch | None) -> s.IntakeCase | None:
    if match is None:
        return None
    return s.IntakeCase(**asdict(match), message=cases.intake_message(match))


@router.get("", response_model=s.HotspotList)
def list_hotspots(
    session: SessionDep,
    principal: Watcher,
    alerted: bool | None = None,
    min_orders: Annotated[int, Query(ge=1, le=1000)] = 2,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> s.HotspotList:
    """热点列表：按热度排序（alerted=true 只看已预警的）。"""
    rows = service.list_clusters(session, min_orders=min_orders, alerted=alerted, limit=limit)
    return s.HotspotList(data=[s.HotspotPublic.model_validate(r) for r in rows], count=len(rows))


@router.get("/rule", response_model=s.RulePublic)
def read_rule(session: SessionDep, principal: Watcher) -> s.RulePublic:
    """中心设定的预警阈值。"""
    return s.RulePublic.model_validate(service.current_rule(session))


@router.put("/rule", response_model=s.RulePublic)
def set_rule(session: SessionDep, principal: RuleSetter, body: s.RuleUpdate) -> s.RulePublic:
    """设定预警阈值（如 24 小时内 5 位不同来电人）；旧设定保留为历史。"""
    row = service.set_rule(session, principal, **body.model_dump())
    result = s.RulePublic.model_validate(row)
    commit(session)
    return result


@router.get("/report", response_model=None)
def monthly_report(
    session: SessionDep,
    principal: Watcher,
    month: Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", description="如 2026-11")],
    district_code: Annotated[str | None, Query(max_length=12)] = None,
    format: Annotated[str, Query(pattern="^(json|xlsx|pdf)$")] = "json",
) -> Response:
    """每月一题：本月热点问题（按件数与增长）、地点、承办单位、示例、趋势、上月问题办理结果；
    format=xlsx / pdf 下载。"""
    from jiesu.hotspots import report, report_export

    data = report.monthly_report(session, month, district_code)
    name = f"meiyueyiti-{data.month}-{district_code or 'all'}"
    if format == "xlsx":
        return Response(report_export.to_xlsx(data), media_type=XLSX,
                        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
    if format == "pdf":
        return Response(report_export.to_pdf(data), media_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'})
    return JSONResponse(jsonable_encoder(asdict(data)))


@router.get("/proactive", response_model=None)
def proactive(
    session: SessionDep,
    principal: Watcher,
    month: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")] = None,
    district_code: Annotated[str | None, Query(max_length=12)] = None,
) -> Response:
    """未诉先办：去年同月反复出现的问题（默认下个月），附去年件数与承办单位。"""
    from jiesu.core import clock
    from jiesu.hotspots import report

    target = month or report.next_month(clock.local(clock.now()).date())
    last_year, rows = report.proactive_list(session, target, district_code)
    return JSONResponse(jsonable_encoder(
        {"month": target, "last_year": last_year, "data": [asdict(r) for r in rows],
         "count": len(rows)}))


@router.get("/{cluster_id}", response_model=s.HotspotDetail)
def read_hotspot(session: SessionDep, principal: Watcher, cluster_id: PathId) -> s.HotspotDetail:
    """一个热点：工单（电话已脱敏）、区→街道→小区分布、每日趋势。"""
    return views.detail(session, cluster_id)


@router.post("/{cluster_id}/case", response_model=s.CasePublic, status_code=201)
def open_case(
    session: SessionDep, principal: Watcher, cluster_id: PathId, body: s.CaseOpen
) -> s.CasePublic:
    """把热点成立为联办案件：关联在办工单，待派工单派给主办单位并抄协办单位。"""
    row = cases.open_case(session, principal, cluster_id, **body.model_dump())
    result = case_public(session, row.case_id)
    commit(session)
    return result
