"""The order state machine as data: one table and one `transition()` function.

No framework imports: this module is the rulebook, readable on its own.
Each row: (from_state, action) -> Rule(to_state, allowed roles, required payload fields).
A `None` to_state means the action leaves the order in its state (a note, an urge, ...).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class State(StrEnum):
    received = "received"  # 已受理, waiting for the dispatcher
    dispatched = "dispatched"  # 已派单, waiting for the unit to sign
    signed = "signed"  # 已签收
    in_progress = "in_progress"  # 办理中 (the citizen has been contacted)
    returned = "returned"  # 已退单, back with the dispatcher
    replied = "replied"  # 已答复, waiting for the return visit
    reopened = "reopened"  # 重办, back with the same unit after the visit
    merged = "merged"  # 已合并 into a master order
    closed = "closed"  # 已办结


class Action(StrEnum):
    answer_on_call = "answer_on_call"  # 直接答复办结
    not_accept = "not_accept"  # 不予受理
    dispatch = "dispatch"  # 派单
    sign = "sign"  # 签收
    return_order = "return_order"  # 退单
    redispatch = "redispatch"  # 改派
    reject_return = "reject_return"  # 驳回退单
    contact = "contact"  # 联系诉求人
    note = "note"  # 办理进展
    assist_report = "assist_report"  # 协办单位报告
    pass_on = "pass_on"  # 二次派单
    request_extension = "request_extension"  # 申请延期
    approve_extension = "approve_extension"
    refuse_extension = "refuse_extension"
    withdraw_extension = "withdraw_extension"  # 延期申请撤回 (by a reply or a return, see below)
    reply = "reply"  # 答复
    visit_attempt = "visit_attempt"  # 回访未接通
    close_visited = "close_visited"  # 回访办结
    close_unreachable = "close_unreachable"  # 多次未接通办结
    close_explained = "close_explained"  # 依法无法解决, 督办同意办结
    skip_visit = "skip_visit"  # 免回访办结 (anonymous, no call-back, not sampled)
    reopen = "reopen"  # 重办
    urge = "urge"  # 催办
    supervise = "supervise"  # 督办
    merge = "merge"  # 合并
    split = "split"  # type: ignore[assignment]  # 拆分; the domain word, shadows str.split
    link_case = "link_case"  # 关联联办案件
    unlink_case = "unlink_case"  # 移出联办案件（误并）
    praise = "praise"  # 表扬
    attach = "attach"  # 上传附件 (only with a file: POST /orders/{id}/attachments)
    # Taken by the deadline jobs (role "system"), never by a person.
    remind = "remind"  # 临期提醒
    mark_overdue = "mark_overdue"  # 超期
    auto_urge = "auto_urge"  # 超期自动催办
    auto_supervise = "auto_supervise"  # 超期自动督办
    notify_district = "notify_district"  # 街道超期通报区
    triage = "triage"  # 智能分析 (deferred triage after intake, JIESU_TRIAGE_DEFERRED)


STATE_LABELS: dict[State, str] = {
    State.received: "待派单",
    State.dispatched: "待签收",
    State.signed: "已签收",
    State.in_progress: "办理中",
    State.returned: "已退单",
    State.replied: "待回访",
    State.reopened: "重办",
    State.merged: "已合并",
    State.closed: "已办结",
}

ACTION_LABELS: dict[Action, str] = {
    Action.answer_on_call: "直接答复办结",
    Action.not_accept: "不予受理",
    Action.dispatch: "派单",
    Action.sign: "签收",
    Action.return_order: "退单",
    Action.redispatch: "改派",
    Action.reject_return: "驳回退单",
    Action.contact: "联系诉求人",
    Action.note: "办理进展",
    Action.assist_report: "协办报告",
    Action.pass_on: "二次派单",
    Action.request_extension: "申请延期",
    Action.approve_extension: "同意延期",
    Action.refuse_extension: "不同意延期",
    Action.withdraw_extension: "延期申请撤回",
    Action.reply: "答复",
    Action.visit_attempt: "回访未接通",
    Action.close_visited: "回访办结",
    Action.close_unreachable: "无法联系办结",
    Action.close_explained: "解释办结",
    Action.skip_visit: "免回访办结",
    Action.reopen: "重办",
    Action.urge: "催办",
    Action.supervise: "督办",
    Action.merge: "合并",
    Action.split: "拆分",
    Action.link_case: "关联联办",
    Action.unlink_case: "移出联办",
    Action.praise: "表扬",
    Action.attach: "上传附件",
    Action.remind: "临期提醒",
    Action.mark_overdue: "超期",
    Action.auto_urge: "超期催办",
    Action.auto_supervise: "超期督办",
    Action.notify_district: "超期通报区",
    Action.triage: "智能分析",
}

OPEN_STATES = frozenset(
    {
        State.received,
        State.dispatched,
        State.signed,
        State.in_progress,
        State.returned,
        State.replied,
        State.reopened,
    }
)
# States in which the order sits with a unit; the unit's deadlines run.
WITH_UNIT = frozenset({State.dispatched, State.signed, State.in_progress, State.reopened})
HANDLING = frozenset({State.signed, State.in_progress})

AGENT, DISPATCHER, HANDLER, VISITOR, SUPERVISOR = (
    "agent",
    "dispatcher",
    "handler",
    "visitor",
    "supervisor",
)
SYSTEM = "system"  # the deadline jobs; no user has this role
SYSTEM_ACTIONS = frozenset(
    {Action.remind, Action.mark_overdue, Action.auto_urge, Action.auto_supervise,
     Action.notify_district, Action.triage, Action.withdraw_extension}
)
# An extension request still undecided when the unit replies or sends the order back has no
# deadline left to extend: the action withdraws it first, as its own event (the system's
# `withdraw_extension`, a row of the table below), and the supervisor is told. Nobody can
# then approve or refuse it, and a closed order never shows a pending request.
WITHDRAWS_EXTENSION = frozenset({Action.reply, Action.return_order})


@dataclass(frozen=True)
class Rule:
    to_state: State | None
    roles: frozenset[str]
    required: tuple[str, ...] = ()


def _rows(
    states: Iterable[State],
    action: Action,
    to_state: State | None,
    roles: Iterable[str],
    required: tuple[str, ...] = (),
) -> dict[tuple[State, Action], Rule]:
    rule = Rule(to_state, frozenset(roles), required)
    return {(state, action): rule for state in states}


TABLE: dict[tuple[State, Action], Rule] = {
    # Intake: answered on the call, not accepted, or on to the dispatcher.
    (State.received, Action.answer_on_call): Rule(State.closed, frozenset({AGENT}), ("answer",)),
    (State.received, Action.not_accept): Rule(State.closed, frozenset({AGENT}), ("reason",)),
    (State.received, Action.dispatch): Rule(
        State.dispatched, frozenset({DISPATCHER}), ("lead_unit_id",)
    ),
    # The unit signs for it, or sends it back with a reason.
    **_rows([State.dispatched, State.reopened], Action.sign, State.signed, {HANDLER}),
    **_rows(
        [State.dispatched, State.signed],
        Action.return_order,
        State.returned,
        {HANDLER},
        ("reason",),
    ),
    (State.returned, Action.redispatch): Rule(
        State.dispatched, frozenset({DISPATCHER}), ("lead_unit_id",)
    ),
    (State.returned, Action.reject_return): Rule(
        State.dispatched, frozenset({DISPATCHER}), ("reason",)
    ),
    # Handling.
    (State.signed, Action.contact): Rule(State.in_progress, frozenset({HANDLER}), ("method",)),
    **_rows(HANDLING, Action.note, None, {HANDLER}, ("note",)),
    **_rows(WITH_UNIT, Action.assist_report, None, {HANDLER}, ("note",)),
    **_rows(WITH_UNIT, Action.pass_on, None, {HANDLER}),
    **_rows(HANDLING, Action.request_extension, None, {HANDLER}, ("reason", "days")),
    **_rows(HANDLING, Action.approve_extension, None, {SUPERVISOR}),
    **_rows(HANDLING, Action.refuse_extension, None, {SUPERVISOR}, ("reason",)),
    **_rows(HANDLING, Action.withdraw_extension, None, {SYSTEM}, ("by_action",)),
    (State.in_progress, Action.reply): Rule(
        State.replied, frozenset({HANDLER}), ("outcome", "reply")
    ),
    # Return visit.
    (State.replied, Action.visit_attempt): Rule(None, frozenset({VISITOR}), ("note",)),
    (State.replied, Action.close_visited): Rule(
        State.closed, frozenset({VISITOR}), ("solved", "satisfaction")
    ),
    (State.replied, Action.close_unreachable): Rule(State.closed, frozenset({VISITOR})),
    (State.replied, Action.close_explained): Rule(
        State.closed, frozenset({SUPERVISOR}), ("reason",)
    ),
    (State.replied, Action.skip_visit): Rule(
        State.closed, frozenset({VISITOR, SUPERVISOR}), ("reason",)
    ),
    (State.replied, Action.reopen): Rule(
        State.reopened, frozenset({VISITOR, SUPERVISOR}), ("reason",)
    ),
    # Supervision, duplicates, joint cases.
    **_rows(OPEN_STATES - {State.received}, Action.urge, None, {SUPERVISOR}, ("note",)),
    **_rows(OPEN_STATES - {State.received}, Action.supervise, None, {SUPERVISOR}, ("note",)),
    **_rows(
        [State.received, State.returned],
        Action.merge,
        State.merged,
        {DISPATCHER, SUPERVISOR},
        ("master_order_id",),
    ),
    (State.merged, Action.split): Rule(State.received, frozenset({DISPATCHER, SUPERVISOR})),
    **_rows(OPEN_STATES, Action.link_case, None, {DISPATCHER, SUPERVISOR}, ("case_id",)),
    **_rows(OPEN_STATES, Action.unlink_case, None, {DISPATCHER, SUPERVISOR}, ("reason",)),
    # Praise is recorded against an earlier order, in any state.
    **_rows(list(State), Action.praise, None, {AGENT}, ("kind",)),
    # Attachments (photos, documents, call recordings) join the history in any state.
    **_rows(
        list(State), Action.attach, None, {AGENT, DISPATCHER, HANDLER, VISITOR, SUPERVISOR},
        ("filename",),
    ),
    # Deadline reminders and escalation, while a unit's clock runs (orders/jobs.py).
    **_rows(WITH_UNIT, Action.remind, None, {SYSTEM}, ("deadline", "due_at")),
    **_rows(WITH_UNIT, Action.mark_overdue, None, {SYSTEM}, ("deadline", "due_at")),
    **_rows(WITH_UNIT, Action.auto_urge, None, {SYSTEM}, ("deadline", "due_at")),
    **_rows(WITH_UNIT, Action.auto_supervise, None, {SYSTEM}, ("deadline", "due_at")),
    **_rows(WITH_UNIT, Action.notify_district, None, {SYSTEM}, ("deadline", "district_id")),
    # Deferred triage: the proposal joins the order while it waits for its dispatcher.
    (State.received, Action.triage): Rule(None, frozenset({SYSTEM}), ("suggestion",)),
}


class TransitionRefused(Exception):
    """The table has no such row for this state and role, or a required field is missing."""

    def __init__(self, code: str, message: str, details: dict[str, Any]) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details


@dataclass(frozen=True)
class Transition:
    from_state: State
    action: Action
    to_state: State

    @property
    def changes_state(self) -> bool:
        return self.from_state is not self.to_state


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def transition(
    state: State, action: Action, role: str, payload: Mapping[str, Any]
) -> Transition:
    """Check one step against the table; returns where it leads or raises TransitionRefused.

    Who may act is checked before what the state allows: a role that may never take this
    action learns that (role_not_allowed, 403), not that the moment is wrong (409)."""
    check_role(action, role)
    rule = TABLE.get((state, action))
    if rule is None:
        raise TransitionRefused(
            "transition_not_allowed",
            f"工单当前状态“{STATE_LABELS[state]}”不能执行“{ACTION_LABELS[action]}”",
            {"state": state.value, "action": action.value, "allowed": allowed_actions(state)},
        )
    if role not in rule.roles:
        raise TransitionRefused(
            "role_not_allowed",
            f"当前角色不能执行“{ACTION_LABELS[action]}”",
            {"action": action.value, "role": role, "roles": sorted(rule.roles)},
        )
    missing = [name for name in rule.required if _missing(payload.get(name))]
    if missing:
        raise TransitionRefused(
            "missing_fields",
            f"“{ACTION_LABELS[action]}”缺少必填项：{', '.join(missing)}",
            {"action": action.value, "missing": missing},
        )
    return Transition(state, action, rule.to_state or state)


# Every role that may take each action in some state: the first question transition() asks.
ACTION_ROLES: dict[Action, frozenset[str]] = {
    action: frozenset(r for (_, a), rule in TABLE.items() if a is action for r in rule.roles)
    for action in Action
}


def check_role(action: Action, role: str) -> None:
    """Refuse a role that no row of the table lets take this action, whatever the state."""
    if role not in ACTION_ROLES[action]:
        raise TransitionRefused(
            "role_not_allowed",
            f"当前角色不能执行“{ACTION_LABELS[action]}”",
            {"action": action.value, "role": role, "roles": sorted(ACTION_ROLES[action])},
        )


def allowed_actions(state: State, role: str | None = None) -> list[str]:
    return [
        action.value
        for (from_state, action), rule in TABLE.items()
        if from_state is state and (role is None or role in rule.roles)
    ]
