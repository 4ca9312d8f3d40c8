"""Routes for the deadline rules table: centre staff read it, admins edit it (versioned)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from jiesu.core.api import SessionDep, commit
from jiesu.core.errors import NotAllowed
from jiesu.core.roles import Role
from jiesu.orders import deadline_rules as service
from jiesu.orders.deadline_rules import DeadlineRuleRow
from jiesu.orders.deadlines import DeadlineRule, DeadlineSet, Span
from jiesu.units.auth import AdminPrincipal, CurrentPrincipal

router = APIRouter(prefix="/api/v1/deadline-rules", tags=["deadline-rules"])

UrgencyKey = Literal["emergency", "outage", "urgent", "ordinary", "complex"]


class Limit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Up to a year in any span: a longer limit is a typo, not a rule.
    amount: int = Field(ge=1, le=8760)
    span: Span


class DeadlineRuleLimits(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    sign: Limit
    contact: Limit
    reply: Limit
    note: str = Field(default="", max_length=200)

    def as_set(self) -> DeadlineSet:
        return DeadlineSet(*(DeadlineRule(x.amount, x.span) for x in (self.sign, self.contact,
                                                                         self.reply)))


class DeadlineRuleCreate(DeadlineRuleLimits):
    urgency: UrgencyKey
    category: str | None = Field(default=None, min_length=1, max_length=60)


class LineDeadlineRuleCreate(DeadlineRuleLimits):
    """A special line's own rule: for any urgency (the default) or one of them."""

    urgency: Literal["any", "emergency", "outage", "urgent", "ordinary", "complex"] = "any"
    category: str | None = Field(default=None, min_length=1, max_length=60)


class DeadlineRulePublic(BaseModel):
    id: int
    urgency: str
    category: str | None
    line_id: int | None = None
    sign: Limit
    contact: Limit
    reply: Limit
    labels: dict[str, str]
    note: str
    supersedes_id: int | None
    created_at: datetime
    retired_at: datetime | None

    @classmethod
    def of(cls, row: DeadlineRuleRow) -> DeadlineRulePublic:
        limits = row.as_set()
        parts = {"sign": limits.sign, "contact": limits.contact, "reply": limits.reply}
        return cls(
            id=row.id, urgency=row.urgency, category=row.category, line_id=row.line_id,
            **{name: Limit(amount=r.amount, span=r.span) for name, r in parts.items()},
            labels={name: r.label() for name, r in parts.items()},
            note=row.note, supersedes_id=row.supersedes_id, created_at=row.created_at,
            retired_at=row.retired_at,
        )


class DeadlineRuleList(BaseModel):
    data: list[DeadlineRulePublic]
    count: int


RuleId = Annotated[int, Path(ge=1)]


@router.get("", response_model=DeadlineRuleList)
def list_rules(session: SessionDep, principal: CurrentPrincipal) -> DeadlineRuleList:
    """生效的办理时限规则（签收、联系、答复）。"""
    if not principal.sees_all_orders and principal.role is not Role.admin:
        raise NotAllowed("当前角色无权查看时限规则", code="role_not_allowed")
    rows = service.active_rules(session)
    return DeadlineRuleList(data=[DeadlineRulePublic.of(r) for r in rows], count=len(rows))


@router.get("/{rule_id}/history", response_model=DeadlineRuleList)
def rule_history(
    session: SessionDep, principal: AdminPrincipal, rule_id: RuleId
) -> DeadlineRuleList:
    """一条规则的全部版本（新到旧）。"""
    rows = service.history(session, rule_id)
    return DeadlineRuleList(data=[DeadlineRulePublic.of(r) for r in rows], count=len(rows))


@router.post("", response_model=DeadlineRulePublic, status_code=201)
def add_rule(
    session: SessionDep, principal: AdminPrincipal, body: DeadlineRuleCreate
) -> DeadlineRulePublic:
    """新增时限规则（某紧急程度，可限定类别；类别规则优先于通用规则）。"""
    row = service.add_rule(session, urgency=body.urgency, category=body.category,
                           limits=body.as_set(), note=body.note, actor_id=principal.user_id)
    result = DeadlineRulePublic.of(row)
    commit(session)
    return result


@router.put("/{rule_id}", response_model=DeadlineRulePublic)
def replace_rule(
    session: SessionDep, principal: AdminPrincipal, rule_id: RuleId, body: DeadlineRuleLimits
) -> DeadlineRulePublic:
    """修改时限：旧版本停用、新版本生效（已派工单的期限不变）。"""
    row = service.replace_rule(session, rule_id, limits=body.as_set(), note=body.note,
                               actor_id=principal.user_id)
    result = DeadlineRulePublic.of(row)
    commit(session)
    return result


@router.delete("/{rule_id}", status_code=204)
def retire_rule(session: SessionDep, principal: AdminPrincipal, rule_id: RuleId) -> None:
    """停用时限规则（回到通用规则或内置默认值）。"""
    service.retire_rule(session, rule_id)
    commit(session)
