"""Return visits: who is due a call, what the answers decide, and closing without a call.

Every change to an order goes through `orders.service.act`, so each call attempt, closing
and reopening is an event of the order. The decision table of one answered call:

    solved and not 不满意                     → close_visited
    not solved or 不满意, reply not_solvable  → waits for the supervisor (VisitReview)
    not solved or 不满意, otherwise           → reopen, back to the same lead unit (重办)
    not reached                              → visit_attempt; at N attempts close_unreachable
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import Exists, Select, and_, case, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from jiesu.calendar.service import work_calendar
from jiesu.core import clock
from jiesu.core.errors import Conflict, NotAllowed, NotFound
from jiesu.core.roles import Principal, Role
from jiesu.core.settings import get_settings
from jiesu.orders import schemas as payloads
from jiesu.orders import service as orders
from jiesu.orders.models import Order, ReplyOutcome, Satisfaction
from jiesu.orders.statemachine import Action, State
from jiesu.units.models import Unit
from jiesu.visits.models import VisitReview
from jiesu.visits.rules import VisitRules, due_at, due_cutoff, get_visit_rules, is_sampled
from jiesu.visits.schemas import Outcome, SkipReason, VisitCreate


@dataclass(frozen=True)
class DueOrder:
    order: Order
    unit_name: str | None
    due_at: datetime
    skip_reason: SkipReason | None


class CallFlags(Protocol):
    """What deciding a skip needs: an Order, or the light row the queue reads."""

    @property
    def id(self) -> int: ...
    @property
    def anonymous(self) -> bool: ...
    @property
    def no_callback(self) -> bool: ...
    @property
    def reopen_count(self) -> int: ...


@dataclass(frozen=True)
class _Flags:
    id: int
    anonymous: bool
    no_callback: bool
    reopen_count: int


def skip_reason(order: CallFlags, unit_code: str | None, rules: VisitRules) -> SkipReason | None:
    """Why this order is closed without a call, or None when the citizen is to be called."""
    if order.anonymous:
        return "anonymous"
    if order.no_callback:
        return "no_callback"
    # A re-handled order is always checked back: the citizen already said it was not done.
    if order.reopen_count == 0 and not is_sampled(
        order.id, rules.share_for(unit_code), rules.sample_seed
    ):
        return "not_sampled"
    return None


def _pending_review() -> Exists:
    return exists().where(VisitReview.order_id == Order.id, VisitReview.decided_at.is_(None))


def _due_rows(cutoff: datetime) -> Select[int, bool, bool, int, str]:
    return (
        select(Order.id, Order.anonymous, Order.no_callback, Order.reopen_count, Unit.code)
        .outerjoin(Unit, Unit.id == Order.lead_unit_id)
        .where(Order.state == State.replied.value, Order.replied_at < cutoff, ~_pending_review())
        # Index ix_orders_state_replied gives this order without a sort, so a page stops early.
        .order_by(Order.replied_at, Order.id)
    )


def _classified(
    session: Session, cutoff: datetime, rules: VisitRules
) -> Iterator[tuple[int, SkipReason | None]]:
    result = session.execute(_due_rows(cutoff).execution_options(yield_per=1000))
    try:
        for oid, anon, no_cb, reopens, code in result:
            yield oid, skip_reason(_Flags(oid, anon, no_cb, reopens), code, rules)
    finally:
        result.close()


def classify_due(
    session: Session, *, now: datetime | None = None, rules: VisitRules | None = None
) -> list[tuple[int, SkipReason | None]]:
    """Every due order (replied before the cutoff, no review pending), oldest reply first,
    with its skip reason. Reads four columns a row; orders are loaded only for the page shown
    (`load_due`)."""
    rules = rules or get_visit_rules()
    cutoff = due_cutoff(now or clock.now(), rules.delay_working_days, work_calendar(session))
    return list(_classified(session, cutoff, rules))


def load_due(
    session: Session, items: Sequence[tuple[int, SkipReason | None]],
    rules: VisitRules | None = None,
) -> list[DueOrder]:
    rules = rules or get_visit_rules()
    reasons = dict(items)
    stmt = (select(Order, Unit.name).outerjoin(Unit, Unit.id == Order.lead_unit_id)
            .where(Order.id.in_(list(reasons))))
    found = {order.id: (order, name) for order, name in session.execute(stmt)}
    calendar = work_calendar(session)
    result = []
    for oid, reason in items:
        order, name = found[oid]
        assert order.replied_at is not None
        result.append(DueOrder(order, name,
                               due_at(order.replied_at, rules.delay_working_days, calendar),
                               reason))
    return result


def due_orders(
    session: Session, *, now: datetime | None = None, rules: VisitRules | None = None
) -> list[DueOrder]:
    """Every due order, loaded, oldest reply first, each with its skip reason."""
    return load_due(session, classify_due(session, now=now, rules=rules), rules)


def _ensure_role(principal: Principal, *roles: Role) -> None:
    if principal.role not in roles:
        raise NotAllowed("当前角色不能办理回访", code="role_not_allowed")


@dataclass(frozen=True)
class QueuePage:
    calls: list[DueOrder]  # this page of the calls to make
    count: int  # all calls to make now
    skippable: dict[str, int]  # due orders that get no call, by reason


def queue(
    session: Session, principal: Principal, *, offset: int = 0, limit: int = 50,
    now: datetime | None = None, rules: VisitRules | None = None,
) -> QueuePage:
    """The calls to make now, oldest reply first, and how many due orders get no call.

    The counts come from one aggregate; the page from the ordered index, read only as far as
    the page needs. Only when a unit is sampled must every due order be hashed to count them.
    """
    _ensure_role(principal, Role.visitor, Role.supervisor)
    rules = rules or get_visit_rules()
    cutoff = due_cutoff(now or clock.now(), rules.delay_working_days, work_calendar(session))
    due = _due_rows(cutoff).order_by(None).subquery()
    total, anonymous, no_callback = session.execute(select(
        func.count(),
        func.coalesce(func.sum(case((due.c.anonymous.is_(True), 1), else_=0)), 0),
        func.coalesce(func.sum(case((and_(due.c.anonymous.is_(False),
                                          due.c.no_callback.is_(True)), 1), else_=0)), 0),
    ).select_from(due)).one()
    sampling = any(share < 1.0 for share in rules.sample_shares.values())
    not_sampled = 0
    page: list[tuple[int, SkipReason | None]] = []
    callable_seen = 0
    for oid, reason in _classified(session, cutoff, rules):
        if reason == "not_sampled":
            not_sampled += 1
        elif reason is None:
            if offset <= callable_seen < offset + limit:
                page.append((oid, None))
            callable_seen += 1
        if not sampling and callable_seen >= offset + limit:
            break
    skippable = {"anonymous": int(anonymous), "no_callback": int(no_callback),
                 "not_sampled": not_sampled}
    count = int(total) - int(anonymous) - int(no_callback) - not_sampled
    return QueuePage(load_due(session, page, rules), count, skippable)


def _load(session: Session, principal: Principal, order_id: int) -> tuple[Order, str | None]:
    order = orders.get_order(session, principal, order_id)
    unit = session.get(Unit, order.lead_unit_id) if order.lead_unit_id else None
    return order, unit.code if unit else None


def record_visit(
    session: Session, principal: Principal, order_id: int, answers: VisitCreate,
    *, at: datetime | None = None, rules: VisitRules | None = None,
) -> tuple[Order, Outcome]:
    """Record one call and take the step its answers decide. Returns (order, outcome)."""
    _ensure_role(principal, Role.visitor)
    rules = rules or get_visit_rules()
    order, unit_code = _load(session, principal, order_id)
    if order.state != State.replied.value:
        raise Conflict("工单不在待回访状态", code="not_awaiting_visit",
                       details={"state": order.state})
    pending = select(VisitReview.id).where(
        VisitReview.order_id == order.id, VisitReview.decided_at.is_(None)
    )
    if session.scalars(pending).first() is not None:
        raise Conflict("该工单的回访结果正待督办审核", code="visit_review_pending")
    reason = skip_reason(order, unit_code, rules)
    if reason is not None:
        raise Conflict("该工单免回访", code="visit_skipped", details={"reason": reason})
    version = answers.version
    if not answers.reached:
        note = answers.note or "未接通"
        order = orders.act(session, principal, order.id, Action.visit_attempt,
                           payloads.Note(note=note, version=version), at=at)
        if order.visit_attempts < get_settings().visit_max_attempts:
            return order, "attempt"
        note = f"回访 {order.visit_attempts} 次均未接通"
        order = orders.act(session, principal, order.id, Action.close_unreachable,
                           payloads.OptionalNote(note=note), at=at)
        return order, "unreachable"
    assert answers.solved is not None and answers.satisfaction is not None
    if answers.solved and answers.satisfaction is not Satisfaction.dissatisfied:
        closing = payloads.CloseVisited(solved=True, satisfaction=answers.satisfaction,
                                        comment=answers.comment, version=version)
        order = orders.act(session, principal, order.id, Action.close_visited, closing, at=at)
        return order, "closed"
    if order.reply_outcome == ReplyOutcome.not_solvable.value:
        if version is not None and version != order.version:
            raise Conflict("工单已被他人修改，请刷新后重试", code="version_conflict")
        review = VisitReview(
            order_id=order.id, round=order.reopen_count, solved=answers.solved,
            satisfaction=answers.satisfaction.value, comment=answers.comment,
            requested_by_id=principal.user_id, requested_at=at or clock.now(),
        )
        try:
            with session.begin_nested():  # two visitors on one order: the second gets a 409
                session.add(review)
                session.flush()
        except IntegrityError as exc:
            raise Conflict("该工单的回访结果已记录", code="visit_review_pending") from exc
        return order, "explain_pending"
    why = "回访：诉求未解决" if not answers.solved else "回访：诉求人不满意"
    order = orders.act(session, principal, order.id, Action.reopen, payloads.Reopen(
        reason=why, solved=answers.solved, satisfaction=answers.satisfaction,
        comment=answers.comment, version=version), at=at)
    return order, "reopened"


def close_skipped(
    session: Session, principal: Principal, *, now: datetime | None = None,
    rules: VisitRules | None = None, limit: int = 500,
) -> dict[int, SkipReason]:
    """Close due orders that get no call (anonymous, no call-back, not sampled)."""
    _ensure_role(principal, Role.visitor, Role.supervisor)
    closed: dict[int, SkipReason] = {}
    for oid, reason in classify_due(session, now=now, rules=rules):
        if reason is None:
            continue
        orders.act(session, principal, oid, Action.skip_visit,
                   payloads.SkipVisit(reason=reason), at=now)
        closed[oid] = reason
        if len(closed) >= limit:
            break
    return closed


def pending_reviews(session: Session, principal: Principal) -> Sequence[VisitReview]:
    _ensure_role(principal, Role.supervisor)
    stmt = select(VisitReview).where(VisitReview.decided_at.is_(None))
    return session.scalars(stmt.order_by(VisitReview.requested_at, VisitReview.id)).all()


def decide_review(
    session: Session, principal: Principal, order_id: int, agree: bool, reason: str,
    *, at: datetime | None = None,
) -> tuple[Order, VisitReview]:
    """The supervisor agrees (closed as explained) or sends the order back to its unit."""
    _ensure_role(principal, Role.supervisor)
    review = session.scalars(
        select(VisitReview).where(VisitReview.order_id == order_id,
                                  VisitReview.decided_at.is_(None))
    ).first()
    if review is None:
        raise NotFound("没有待审核的回访结果", code="review_not_found")
    answers = f"回访：{'已解决' if review.solved else '未解决'}，{review.satisfaction}"
    if agree:
        order = orders.act(session, principal, order_id, Action.close_explained,
                           payloads.Reason(reason=f"{reason}（{answers}）"), at=at)
    else:
        order = orders.act(session, principal, order_id, Action.reopen, payloads.Reopen(
            reason=reason, solved=review.solved, satisfaction=Satisfaction(review.satisfaction),
            comment=review.comment), at=at)
    review.decided_by_id = principal.user_id
    review.decided_at = at or clock.now()
    review.decision = "explained" if agree else "reopened"
    review.decision_reason = reason
    session.flush()
    return order, review
