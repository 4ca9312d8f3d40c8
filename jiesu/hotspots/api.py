"""Hot-spot routes: the list, one cluster with its orders, the centre's threshold."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from jiesu.core.api import SessionDep, commit
from jiesu.core.ids import PathId
from jiesu.core.roles import Principal, Role
from jiesu.hotspots import schemas as s
from jiesu.hotspots import service, views
from jiesu.units.auth import require

router = APIRouter(prefix="/api/v1/hotspots", tags=["hotspots"])
# The centre's dispatchers and supervisors watch hot spots; supervisors and admins set the rule.
Watcher = Annotated[Principal, Depends(require(Role.dispatcher, Role.supervisor))]
RuleSetter = Annotated[Principal, Depends(require(Role.supervisor, Role.admin))]


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


@router.get("/{cluster_id}", response_model=s.HotspotDetail)
def read_hotspot(session: SessionDep, principal: Watcher, cluster_id: PathId) -> s.HotspotDetail:
    """一个热点：工单（电话已脱敏）、区→街道→小区分布、每日趋势。"""
    return views.detail(session, cluster_id)
