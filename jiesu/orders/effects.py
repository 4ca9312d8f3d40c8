"""What each action does to an order beyond its state: one small function per action.

`EFFECTS[action](ctx)` validates what the table cannot (the unit exists, an extension is
pending, ...), changes the order's columns and returns extra fields for the event payload.
The state itself is set by the service from the transition table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.calendar.service import work_calendar
from jiesu.core import outbox
from jiesu.core.errors import Conflict, InvalidInput
from jiesu.core.roles import Principal
from jiesu.core.settings import get_settings
from jiesu.core.workdays import AroundTheClock, DayCalendar
from jiesu.orders import deadline_rules, deadline_watches
from jiesu.orders import schemas as s
from jiesu.orders.deadline_watches import WatchKind
from jiesu.orders.deadlines import DeadlineRule, Span, deadline, estimated_years
from jiesu.orders.models import (
    AssignmentRole,
    Case,
    Order,
    OrderAssignment,
    OrderEvent,
    Praise,
    ReplyOutcome,
)
from jiesu.units.models import Unit, UnitKind, User
from jiesu.units.service import dispatchable_unit, get_unit


@dataclass
class Context:
    session: Session
    principal: Principal
    order: Order
    payload: Any
    now: datetime
    extra: dict[str, Any] = field(default_factory=dict)


Effect = Callable[[Context], None]


def notify(ctx: Context, kind: str, *, unit_id: int | None = None, role: str | None = None,
           user_id: int | None = None) -> None:
    outbox.enqueue(
        ctx.session,
        "notify",
        {"kind": kind, "order_id": ctx.order.id, "number": ctx.order.number,
         "unit_id": unit_id, "role": role, "user_id": user_id},
    )


def calendar_for(session: Session, unit: Unit) -> DayCalendar:
    """Utilities count every day; everyone else the centre's working-day calendar."""
    return AroundTheClock() if unit.around_the_clock else work_calendar(session)


def _record_calendar(ctx: Context, estimated: set[int]) -> None:
    """A deadline counted over a year whose holidays nobody has entered yet is an estimate
    (Monday–Friday): the event says so, never silently (docs/decisions/0010)."""
    ctx.extra["calendar_provisional"] = bool(estimated)
    if estimated:
        ctx.extra["calendar_estimated_years"] = sorted(estimated)


def _set_unit_deadlines(ctx: Context, unit: Unit, complex_case: bool = False) -> None:
    order = ctx.order
    rules, rule_id = deadline_rules.rules_for(
        ctx.session, order.urgency, order.category, complex_case=complex_case,
        utility=unit.kind == UnitKind.utility, line_id=order.line_id,
    )
    cal = calendar_for(ctx.session, unit)
    close = get_settings().office_close
    order.sign_due_at = deadline(ctx.now, rules.sign, cal, close_of_day=close)
    order.contact_due_at = deadline(ctx.now, rules.contact, cal, close_of_day=close)
    order.reply_due_at = deadline(ctx.now, rules.reply, cal, close_of_day=close)
    estimated = {
        year
        for rule, due in ((rules.sign, order.sign_due_at), (rules.contact, order.contact_due_at),
                          (rules.reply, order.reply_due_at))
        for year in estimated_years(ctx.now, due, rule, cal)
    }
    if order.overall_due_at is None:
        order.overall_due_at = deadline(order.received_at, rules.reply, cal, close_of_day=close)
        estimated.update(estimated_years(order.received_at, order.overall_due_at, rules.reply,
                                         cal))
    _record_calendar(ctx, estimated)
    ctx.extra["deadlines"] = {
        "sign_due_at": order.sign_due_at.isoformat(),
        "contact_due_at": order.contact_due_at.isoformat(),
        "reply_due_at": order.reply_due_at.isoformat(),
        "rule_id": rule_id,
        "limits": {"sign": rules.sign.label(), "contact": rules.contact.label(),
                   "reply": rules.reply.label()},
    }
    for kind, due in ((WatchKind.sign, order.sign_due_at),
                      (WatchKind.contact, order.contact_due_at),
                      (WatchKind.reply, order.reply_due_at)):
        deadline_watches.watch(ctx.session, order_id=order.id, unit_id=unit.id, kind=kind,
                               started_at=ctx.now, due_at=due, now=ctx.now)


def _end_assignments(ctx: Context, roles: set[str] | None = None) -> None:
    rows = ctx.session.scalars(
        select(OrderAssignment).where(
            OrderAssignment.order_id == ctx.order.id, OrderAssignment.active.is_(True)
        )
    )
    for row in rows:
        if roles is None or row.role in roles:
            row.active = False
            row.ended_at = ctx.now


def _assign(ctx: Context, unit_id: int, role: AssignmentRole) -> None:
    ctx.session.add(
        OrderAssignment(order_id=ctx.order.id, unit_id=unit_id, role=role.value,
                        assigned_at=ctx.now)
    )


def dispatch(ctx: Context) -> None:
    payload = cast(s.Dispatch, ctx.payload)
    order = ctx.order
    lead = dispatchable_unit(ctx.session, payload.lead_unit_id)
    assisting = [dispatchable_unit(ctx.session, uid) for uid in payload.assisting_unit_ids]
    if any(unit.id == lead.id for unit in assisting):
        raise InvalidInput("协办单位不能与主办单位相同", code="assist_is_lead")
    _end_assignments(ctx)
    order.lead_unit_id = lead.id
    order.delegate_unit_id = None
    order.assignee_id = None
    _assign(ctx, lead.id, AssignmentRole.lead)
    for unit in assisting:
        _assign(ctx, unit.id, AssignmentRole.assist)
    # An order sent to a street/town is copied to its district (read-only).
    if lead.kind == UnitKind.street and lead.parent_id is not None:
        _assign(ctx, lead.parent_id, AssignmentRole.copy)
    if payload.category:
        order.category = payload.category
    if payload.urgency:
        order.urgency = payload.urgency.value
    order.dispatched_at = ctx.now
    order.signed_at = order.contacted_at = None
    order.dispatch_count += 1
    _set_unit_deadlines(ctx, lead, payload.complex_case)
    ctx.extra.update(lead_unit_name=lead.name, assisting=[u.name for u in assisting])
    for unit in [lead, *assisting]:
        notify(ctx, "dispatched", unit_id=unit.id)


def _deadline_met(ctx: Context, *kinds: WatchKind) -> None:
    # Watches end as their deadline is met, so the jobs' queries see only live ones.
    deadline_watches.end_watches(ctx.session, ctx.order.id, ctx.now, "met", set(kinds) or None)


def sign(ctx: Context) -> None:
    ctx.order.signed_at = ctx.now
    _deadline_met(ctx, WatchKind.sign)


def return_order(ctx: Context) -> None:
    order = ctx.order
    # A unit the centre kept after a dispute may not send the order back again.
    last_reject = ctx.session.scalars(
        select(OrderEvent)
        .where(OrderEvent.order_id == order.id, OrderEvent.action.in_(["reject_return",
                                                                        "redispatch", "dispatch"]))
        .order_by(OrderEvent.seq.desc())
        .limit(1)
    ).first()
    if last_reject is not None and last_reject.action == "reject_return":
        raise Conflict("退单已被驳回，本单位须继续办理", code="return_already_rejected")
    order.return_count += 1
    deadline_watches.end_watches(ctx.session, order.id, ctx.now, "returned")
    ctx.extra["returned_by_unit_id"] = order.lead_unit_id
    notify(ctx, "returned", role="dispatcher")


def reject_return(ctx: Context) -> None:
    order = ctx.order
    if order.lead_unit_id is None:
        raise InvalidInput("工单没有承办单位", code="no_lead_unit")
    lead = get_unit(ctx.session, order.lead_unit_id)
    _set_unit_deadlines(ctx, lead)
    notify(ctx, "return_rejected", unit_id=lead.id)


def contact(ctx: Context) -> None:
    ctx.order.contacted_at = ctx.now
    _deadline_met(ctx, WatchKind.sign, WatchKind.contact)


def pass_on(ctx: Context) -> None:
    payload = cast(s.PassOn, ctx.payload)
    order = ctx.order
    if (payload.unit_id is None) == (payload.user_id is None):
        raise InvalidInput("请指定一个社区或一位同事", code="pass_on_target")
    if ctx.principal.unit_kind != UnitKind.street or order.lead_unit_id != ctx.principal.unit_id:
        raise InvalidInput("只有主办的街道乡镇可以二次派单", code="pass_on_not_street")
    if payload.unit_id is not None:
        unit = get_unit(ctx.session, payload.unit_id)
        if unit.kind != UnitKind.community or unit.parent_id != order.lead_unit_id:
            raise InvalidInput("只能派给本街道乡镇下辖的社区村", code="pass_on_not_own_community")
        _end_assignments(ctx, {AssignmentRole.delegate.value})
        _assign(ctx, unit.id, AssignmentRole.delegate)
        order.delegate_unit_id = unit.id
        ctx.extra["to_unit_name"] = unit.name
        notify(ctx, "passed_on", unit_id=unit.id)
    else:
        user = ctx.session.get(User, payload.user_id)
        if user is None or user.unit_id != ctx.principal.unit_id or not user.active:
            raise InvalidInput("只能派给本单位的同事", code="pass_on_not_colleague")
        order.assignee_id = user.id
        ctx.extra["to_user_name"] = user.display_name
        notify(ctx, "passed_on", user_id=user.id)


def request_extension(ctx: Context) -> None:
    payload = cast(s.RequestExtension, ctx.payload)
    if ctx.order.extension_pending_days is not None:
        raise Conflict("已有待审批的延期申请", code="extension_already_pending")
    ctx.order.extension_pending_days = payload.days
    notify(ctx, "extension_requested", role="supervisor")


def _pending_days(ctx: Context) -> int:
    days = ctx.order.extension_pending_days
    if days is None:
        raise InvalidInput("没有待审批的延期申请", code="no_extension_pending")
    return days


def approve_extension(ctx: Context) -> None:
    order = ctx.order
    days = _pending_days(ctx)
    lead = get_unit(ctx.session, order.lead_unit_id or 0)
    old = order.reply_due_at or ctx.now
    rule, cal = DeadlineRule(days, Span.working_days), calendar_for(ctx.session, lead)
    order.reply_due_at = deadline(old, rule, cal, close_of_day=get_settings().office_close)
    _record_calendar(ctx, set(estimated_years(old, order.reply_due_at, rule, cal)))
    # The clock keeps its start: the reminder comes at 75% of the whole, extended time.
    previous = [w for w in deadline_watches.watches_of(ctx.session, order.id)
                if w.kind == WatchKind.reply and w.ended_at is None]
    started = previous[-1].started_at if previous else ctx.now
    deadline_watches.watch(ctx.session, order_id=order.id, unit_id=lead.id, kind=WatchKind.reply,
                           started_at=started, due_at=order.reply_due_at, now=ctx.now)
    order.extension_pending_days = None
    order.extension_count += 1
    ctx.extra.update(days=days, old_reply_due_at=old.isoformat(),
                     new_reply_due_at=order.reply_due_at.isoformat())
    notify(ctx, "extension_approved", unit_id=lead.id)


def refuse_extension(ctx: Context) -> None:
    ctx.extra["days"] = _pending_days(ctx)
    ctx.order.extension_pending_days = None
    notify(ctx, "extension_refused", unit_id=ctx.order.lead_unit_id)


def withdraw_extension(ctx: Context) -> None:
    """Taken by the service before a reply or a return (statemachine.WITHDRAWS_EXTENSION)."""
    ctx.extra["days"] = _pending_days(ctx)
    ctx.order.extension_pending_days = None
    notify(ctx, "extension_withdrawn", role="supervisor")


def reply(ctx: Context) -> None:
    payload = cast(s.Reply, ctx.payload)
    order = ctx.order
    order.replied_at = ctx.now
    _deadline_met(ctx)
    order.reply_outcome = payload.outcome.value
    order.reply_text = payload.reply
    order.visit_attempts = 0


def visit_attempt(ctx: Context) -> None:
    ctx.order.visit_attempts += 1
    ctx.extra["attempt"] = ctx.order.visit_attempts


def close_visited(ctx: Context) -> None:
    payload = cast(s.CloseVisited, ctx.payload)
    if not payload.solved and ctx.order.reply_outcome != ReplyOutcome.not_solvable.value:
        raise InvalidInput("诉求未解决，应退回承办单位重办", code="unsolved_must_reopen")
    ctx.order.visit_solved = payload.solved
    ctx.order.visit_satisfaction = payload.satisfaction.value
    ctx.order.close_reason = "visited"


def close_unreachable(ctx: Context) -> None:
    from jiesu.core.settings import get_settings

    needed = get_settings().visit_max_attempts
    if ctx.order.visit_attempts < needed and not ctx.order.no_callback and not ctx.order.anonymous:
        raise InvalidInput(
            f"回访未满 {needed} 次，不能按无法联系办结",
            code="too_few_visit_attempts",
            details={"attempts": ctx.order.visit_attempts, "needed": needed},
        )
    ctx.order.close_reason = "unreachable"


def close_explained(ctx: Context) -> None:
    if ctx.order.reply_outcome != ReplyOutcome.not_solvable.value:
        raise InvalidInput("仅“依法无法解决”的答复可解释办结", code="not_explainable")
    ctx.order.close_reason = "explained"


def skip_visit(ctx: Context) -> None:
    # Sampling is decided by the visits package; here only the citizen's own flags are checked.
    payload = cast(s.SkipVisit, ctx.payload)
    order = ctx.order
    if payload.reason == "anonymous" and not order.anonymous:
        raise InvalidInput("诉求人未匿名，不能按匿名免回访", code="skip_reason_mismatch")
    if payload.reason == "no_callback" and not order.no_callback:
        raise InvalidInput("诉求人未要求不回访", code="skip_reason_mismatch")
    if payload.reason == "not_sampled" and order.reopen_count > 0:
        # The citizen already said it was not done: a re-handled order is always called back.
        raise InvalidInput("重办工单必须回访，不能按未抽中免回访", code="skip_reason_mismatch")
    order.close_reason = "visit_skipped"


def reopen(ctx: Context) -> None:
    payload = cast(s.Reopen, ctx.payload)
    order = ctx.order
    if payload.solved is not None:
        order.visit_solved = payload.solved
    if payload.satisfaction is not None:
        order.visit_satisfaction = payload.satisfaction.value
    order.reopen_count += 1
    order.signed_at = order.contacted_at = order.replied_at = None
    lead = get_unit(ctx.session, order.lead_unit_id or 0)
    _set_unit_deadlines(ctx, lead)
    notify(ctx, "reopened", unit_id=lead.id)


def urge(ctx: Context) -> None:
    ctx.order.urge_count += 1
    notify(ctx, "urged", unit_id=ctx.order.lead_unit_id)


def supervise(ctx: Context) -> None:
    ctx.order.supervise_count += 1
    notify(ctx, "supervised", unit_id=ctx.order.lead_unit_id)


def merge(ctx: Context) -> None:
    payload = cast(s.Merge, ctx.payload)
    master = ctx.session.get(Order, payload.master_order_id)
    if master is None or master.id == ctx.order.id:
        raise InvalidInput("主工单不存在", code="unknown_master_order")
    if master.state == "merged" or not master.is_open:
        raise InvalidInput("主工单已合并或已办结", code="master_not_open")
    ctx.order.master_order_id = master.id
    ctx.order.close_reason = "merged"
    ctx.extra["master_number"] = master.number


def split(ctx: Context) -> None:
    ctx.extra["master_order_id"] = ctx.order.master_order_id
    ctx.order.master_order_id = None
    ctx.order.close_reason = None


def link_case(ctx: Context) -> None:
    payload = cast(s.LinkCase, ctx.payload)
    if ctx.session.get(Case, payload.case_id) is None:
        raise InvalidInput("联办案件不存在", code="unknown_case")
    ctx.order.case_id = payload.case_id


def unlink_case(ctx: Context) -> None:
    if ctx.order.case_id is None:
        raise InvalidInput("工单不在联办案件中", code="not_in_case")
    ctx.extra["case_id"] = ctx.order.case_id
    ctx.order.case_id = None


def praise(ctx: Context) -> None:
    payload = cast(s.PraiseCreate, ctx.payload)
    order = ctx.order
    handler_id = payload.handler_id
    if handler_id is None:
        handler_id = ctx.session.scalars(
            select(OrderEvent.actor_id)
            .where(OrderEvent.order_id == order.id, OrderEvent.action == "reply")
            .order_by(OrderEvent.seq.desc())
            .limit(1)
        ).first()
    elif ctx.session.get(User, handler_id) is None:
        raise InvalidInput("被表扬的承办人不存在", code="unknown_user")
    ctx.session.add(
        Praise(order_id=order.id, unit_id=order.lead_unit_id, handler_id=handler_id,
               kind=payload.kind, note=payload.note, recorded_by_id=ctx.principal.user_id,
               recorded_at=ctx.now)
    )
    ctx.extra["handler_id"] = handler_id


def answer_on_call(ctx: Context) -> None:
    payload = cast(s.AnswerOnCall, ctx.payload)
    ctx.order.answer = payload.answer
    ctx.order.close_reason = "answered_on_call"


def not_accept(ctx: Context) -> None:
    payload = cast(s.NotAccept, ctx.payload)
    ctx.order.not_accepted_reason = payload.reason.value
    ctx.order.close_reason = "not_accepted"


def apply_suggestion(order: Order, suggestion: dict[str, Any], *, keep_category: bool,
                     keep_urgency: bool, keep_place: bool) -> None:
    """Keep triage's proposal on the order (agreement rates) and fill what the agent left
    open: the category, a raised urgency, the place. What a person chose is never replaced."""
    order.suggestion = suggestion
    order.suggested_category = suggestion.get("category")
    order.suggested_unit_code = suggestion.get("unit_code")
    if not keep_category:
        order.category = suggestion.get("category")
    if not keep_urgency and suggestion.get("urgency") in {"urgent", "emergency"}:
        order.urgency = suggestion["urgency"]
    if not keep_place:
        order.district_code = suggestion.get("district_code")
        order.street_code = suggestion.get("street_code")
        order.community_code = suggestion.get("community_code")


def triage(ctx: Context) -> None:
    flags = ctx.payload
    apply_suggestion(
        ctx.order, flags["suggestion"], keep_category=ctx.order.category is not None,
        keep_urgency=bool(flags.get("keep_urgency")), keep_place=bool(flags.get("keep_place")),
    )


def remind(ctx: Context) -> None:
    notify(ctx, f"{ctx.payload['deadline']}_due_soon", unit_id=ctx.payload.get("unit_id"))


def mark_overdue(ctx: Context) -> None:
    notify(ctx, f"{ctx.payload['deadline']}_overdue", unit_id=ctx.payload.get("unit_id"))


def auto_urge(ctx: Context) -> None:
    ctx.order.urge_count += 1
    notify(ctx, "urged", unit_id=ctx.payload.get("unit_id"))


def auto_supervise(ctx: Context) -> None:
    ctx.order.supervise_count += 1
    notify(ctx, "supervised", unit_id=ctx.payload.get("unit_id"))
    notify(ctx, "supervised", role="supervisor")


def notify_district(ctx: Context) -> None:
    notify(ctx, "street_overdue", unit_id=ctx.payload["district_id"])


def _nothing(ctx: Context) -> None:
    return None


EFFECTS: dict[str, Effect] = {
    "answer_on_call": answer_on_call,
    "not_accept": not_accept,
    "dispatch": dispatch,
    "redispatch": dispatch,
    "sign": sign,
    "return_order": return_order,
    "reject_return": reject_return,
    "contact": contact,
    "note": _nothing,
    "assist_report": _nothing,
    "pass_on": pass_on,
    "request_extension": request_extension,
    "approve_extension": approve_extension,
    "refuse_extension": refuse_extension,
    "withdraw_extension": withdraw_extension,
    "reply": reply,
    "visit_attempt": visit_attempt,
    "close_visited": close_visited,
    "close_unreachable": close_unreachable,
    "close_explained": close_explained,
    "skip_visit": skip_visit,
    "reopen": reopen,
    "urge": urge,
    "supervise": supervise,
    "merge": merge,
    "split": split,
    "link_case": link_case,
    "unlink_case": unlink_case,
    "praise": praise,
    "attach": _nothing,  # the file's row is written by orders/attachments.py
    # System steps of the deadline jobs (payload: a plain dict, see orders/jobs.py).
    "remind": remind,
    "mark_overdue": mark_overdue,
    "auto_urge": auto_urge,
    "auto_supervise": auto_supervise,
    "notify_district": notify_district,
    "triage": triage,
}

