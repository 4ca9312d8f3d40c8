"""Routes for special lines: supervisors open, staff, stock and close them; centre staff read."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from jiesu.core.api import SessionDep, commit
from jiesu.core.ids import PathId
from jiesu.core.roles import Role
from jiesu.lines import dashboard, deadlines, first_call, service
from jiesu.lines import schemas as s
from jiesu.orders.deadline_rules_api import (
    DeadlineRuleLimits,
    DeadlineRuleList,
    DeadlineRulePublic,
    LineDeadlineRuleCreate,
)
from jiesu.units.auth import CurrentPrincipal

router = APIRouter(prefix="/api/v1/lines", tags=["lines"])


@router.get("", response_model=s.LineList)
def list_lines(
    session: SessionDep, principal: CurrentPrincipal,
    state: Annotated[str | None, Query(pattern="^(open|closed)$")] = None,
    mine: bool = False,
) -> s.LineList:
    """专线列表；坐席加 mine=true 只看自己所在的专线。"""
    service.ensure_reader(principal)
    agent = principal.user_id if mine and principal.role is Role.agent else None
    rows = [service.to_public(session, line)
            for line in service.list_lines(session, state=state, agent_id=agent)]
    return s.LineList(data=rows, count=len(rows))


@router.post("", response_model=s.LinePublic, status_code=201)
def create_line(session: SessionDep, principal: CurrentPrincipal,
                data: s.LineCreate) -> s.LinePublic:
    """开通专线：名称、号码或渠道标签、服务时间、起止、坐席、类别、知识库条目。"""
    line = service.create_line(session, principal, data)
    commit(session)
    return service.to_public(session, line)


@router.get("/{line_id}", response_model=s.LinePublic)
def get_line(session: SessionDep, principal: CurrentPrincipal, line_id: PathId) -> s.LinePublic:
    service.ensure_reader(principal)
    return service.to_public(session, service.get_line(session, line_id))


@router.put("/{line_id}", response_model=s.LinePublic)
def update_line(session: SessionDep, principal: CurrentPrincipal, line_id: PathId,
                data: s.LineUpdate) -> s.LinePublic:
    line = service.update_line(session, principal, line_id, data)
    commit(session)
    return service.to_public(session, line)


@router.post("/{line_id}/close", response_model=s.LinePublic)
def close_line(session: SessionDep, principal: CurrentPrincipal, line_id: PathId,
               data: s.LineClose) -> s.LinePublic:
    """关闭专线：不再接听，工单与统计数据全部保留。"""
    line = service.close_line(session, principal, line_id, data.note)
    commit(session)
    return service.to_public(session, line)


@router.post("/{line_id}/agents", response_model=s.LinePublic)
def add_agents(session: SessionDep, principal: CurrentPrincipal, line_id: PathId,
               data: s.LineAgentsAdd) -> s.LinePublic:
    line = service.add_agents(session, principal, line_id, data.user_ids)
    commit(session)
    return service.to_public(session, line)


@router.delete("/{line_id}/agents/{user_id}", response_model=s.LinePublic)
def remove_agent(session: SessionDep, principal: CurrentPrincipal, line_id: PathId,
                 user_id: PathId) -> s.LinePublic:
    line = service.remove_agent(session, principal, line_id, user_id)
    commit(session)
    return service.to_public(session, line)


@router.post("/{line_id}/articles", response_model=s.LinePublic)
def add_articles(session: SessionDep, principal: CurrentPrincipal, line_id: PathId,
                 data: s.LineArticlesAdd) -> s.LinePublic:
    line = service.add_articles(session, principal, line_id, data.article_ids)
    commit(session)
    return service.to_public(session, line)


@router.delete("/{line_id}/articles/{article_id}", response_model=s.LinePublic)
def remove_article(session: SessionDep, principal: CurrentPrincipal, line_id: PathId,
                   article_id: PathId) -> s.LinePublic:
    line = service.remove_article(session, principal, line_id, article_id)
    commit(session)
    return service.to_public(session, line)


@router.get("/{line_id}/dashboard")
def line_dashboard(session: SessionDep, principal: CurrentPrincipal,
                   line_id: PathId) -> dict[str, Any]:
    """专线看板：每日与每小时来电、峰值日、一次办结率、派单率、热点问题、各单位在办。"""
    service.ensure_dashboard_reader(principal)
    return dashboard.line_dashboard(session, service.get_line(session, line_id)).as_dict()


@router.get("/{line_id}/deadline-rules", response_model=DeadlineRuleList)
def line_deadline_rules(session: SessionDep, principal: CurrentPrincipal,
                        line_id: PathId) -> DeadlineRuleList:
    """专线自己的办理时限（生效中）；没有规则的紧急程度用中心通用时限。"""
    service.ensure_reader(principal)
    rows = deadlines.line_rules(session, line_id)
    return DeadlineRuleList(data=[DeadlineRulePublic.of(r) for r in rows], count=len(rows))


@router.post("/{line_id}/deadline-rules", response_model=DeadlineRulePublic, status_code=201)
def add_line_deadline_rule(session: SessionDep, principal: CurrentPrincipal, line_id: PathId,
                           data: LineDeadlineRuleCreate) -> DeadlineRulePublic:
    """为专线设定时限（签收、首次联系、答复）：默认适用于所有紧急程度，可限定紧急程度或类别。"""
    row = deadlines.add_rule(session, principal, line_id, data)
    result = DeadlineRulePublic.of(row)
    commit(session)
    return result


@router.put("/{line_id}/deadline-rules/{rule_id}", response_model=DeadlineRulePublic)
def replace_line_deadline_rule(session: SessionDep, principal: CurrentPrincipal,
                               line_id: PathId, rule_id: PathId,
                               data: DeadlineRuleLimits) -> DeadlineRulePublic:
    """修改专线时限：旧版本停用、新版本生效（已派工单的期限不变）。"""
    row = deadlines.replace_rule(session, principal, line_id, rule_id, data)
    result = DeadlineRulePublic.of(row)
    commit(session)
    return result


@router.delete("/{line_id}/deadline-rules/{rule_id}", status_code=204)
def retire_line_deadline_rule(session: SessionDep, principal: CurrentPrincipal,
                              line_id: PathId, rule_id: PathId) -> None:
    """停用专线时限（该专线工单回到中心通用时限）。"""
    deadlines.retire_rule(session, principal, line_id, rule_id)
    commit(session)


@router.get("/{line_id}/deadline-rules/{rule_id}/history", response_model=DeadlineRuleList)
def line_deadline_rule_history(session: SessionDep, principal: CurrentPrincipal,
                               line_id: PathId, rule_id: PathId) -> DeadlineRuleList:
    """专线一条时限规则的全部版本（新到旧）。"""
    service.ensure_manager(principal)
    rows = deadlines.history(session, line_id, rule_id)
    return DeadlineRuleList(data=[DeadlineRulePublic.of(r) for r in rows], count=len(rows))


first_call_router = APIRouter(prefix="/api/v1/first-call", tags=["lines"])


@first_call_router.post("", response_model=None, status_code=201)
def settle_on_call(session: SessionDep, principal: CurrentPrincipal,
                   data: s.SettleOnCall) -> Any:
    """来电直接办结：按知识库答复口径（某一版本）答复，受理并立即办结，不派单，计入一次办结。"""
    from jiesu.orders.api import to_public

    order, _created = first_call.settle_on_call(session, principal, data.call, data.version_id)
    public = to_public(order)
    commit(session)
    return public
