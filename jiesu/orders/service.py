"""The only place that changes orders: intake and every action, each with its event.

Each call writes the change, its event and its outbox messages in the caller's transaction;
the caller commits. A stale version is a 409 Conflict, never a lost update.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from jiesu.core import clock, outbox
from jiesu.core.errors import Conflict, DomainError, InvalidInput, NotAllowed
from jiesu.core.privacy import log_unmasked_read
from jiesu.core.roles import Principal, Role
from jiesu.core.settings import get_settings
from jiesu.orders import access
from jiesu.orders import schemas as s
from jiesu.orders.effects import EFFECTS, Context, apply_suggestion
from jiesu.orders.import_history import TimelineEvent, timeline
from jiesu.orders.models import Case, Order, OrderEvent
from jiesu.orders.statemachine import (
    OPEN_STATES,
    SYSTEM,
    WITHDRAWS_EXTENSION,
    Action,
    State,
    TransitionRefused,
    allowed_actions,
    check_role,
    transition,
)
from jiesu.orders.suggest import suggest_for_intake

# Effects receive a principal; the jobs act as nobody (user 0 is never a real user id).
SYSTEM_PRINCIPAL = Principal(user_id=0, username="system", display_name="系统", role=Role.admin)

HANDLER_ACTIONS = frozenset(
    {
        Action.sign, Action.return_order, Action.contact, Action.note, Action.pass_on,
        Action.request_extension, Action.reply,
    }
)


# A call on a special line is checked by that package (jiesu.lines, after orders in the
# layering: 0001), which registers its check on import; without one, a line is refused.
LineCheck = Callable[[Session, Principal, int, datetime], None]
_line_checks: list[LineCheck] = []


def register_line_check(check: LineCheck) -> None:
    if check not in _line_checks:
        _line_checks.append(check)


def _check_line(session: Session, principal: Principal, line_id: int, at: datetime) -> None:
    if not _line_checks:
        raise InvalidInput("专线不存在", code="unknown_line", details={"line_id": line_id})
    for check in _line_checks:
        check(session, principal, line_id, at)


class TransitionError(DomainError):
    status_code = 409
    code = "transition_not_allowed"


def _refusal(exc: TransitionRefused) -> DomainError:
    if exc.code == "role_not_allowed":
        return NotAllowed(exc.message, code=exc.code, details=exc.details)
    if exc.code == "missing_fields":
        return InvalidInput(exc.message, code=exc.code, details=exc.details)
    return TransitionError(exc.message, code=exc.code, details=exc.details)


def append_event(
    session: Session,
    order: Order,
    *,
    action: str,
    from_state: str | None,
    principal: Principal | None,
    at: datetime,
    payload: dict[str, Any],
    first: bool = False,
) -> None:
    # A new order's first event is seq 1: one query fewer on the intake path.
    last = 0 if first else session.scalar(
        select(func.max(OrderEvent.seq)).where(OrderEvent.order_id == order.id)
    )
    # Written as one INSERT, not an ORM object: events are never read back in the request
    # that writes them, and the unit of work costs more than the row (every action).
    session.execute(insert(OrderEvent), [{
        "order_id": order.id,
        "seq": (last or 0) + 1,
        "action": action,
        "from_state": from_state,
        "to_state": order.state,
        "actor_id": principal.user_id if principal else None,
        "actor_role": principal.role.value if principal else "system",
        "unit_id": principal.unit_id if principal else None,
        "at": at,
        "payload": payload,
    }])


def intake(session: Session, principal: Principal, data: s.OrderCreate, *,
           triage: bool = True) -> tuple[Order, bool]:
    """Record a request. Returns (order, created); a repeated client key returns the first.

    `triage=False`: no proposal for the dispatcher, for a call closed in the same step
    (settled on the call with a standard answer, jiesu.lines.first_call)."""
    if principal.role is not Role.agent:
        raise NotAllowed("只有坐席可以受理诉求", code="role_not_allowed")
    settings = get_settings()
    if len(data.text) > settings.max_text_length:
        raise InvalidInput("诉求内容过长", code="text_too_long")
    # Triage's proposal is kept beside the dispatcher's final choice (agreement rates). It runs
    # first, so its CPU work is not done inside this request's writes (see suggest.suggest);
    # deferred, it runs after commit in a worker (JIESU_TRIAGE_DEFERRED, orders/jobs.py).
    # Either way it never replaces what the agent chose.
    kept = {"keep_urgency": data.urgency is not None,
            "keep_place": bool(data.street_code or data.district_code)}
    deferred = triage and settings.triage_at_intake and settings.triage_deferred
    inline = triage and settings.triage_at_intake and not deferred
    suggestion = suggest_for_intake(session, data) if inline else None
    if data.client_key:
        existing = session.scalars(select(Order).where(Order.client_key == data.client_key)).first()
        if existing is not None:
            return existing, False
    now = clock.now()
    received_at = data.received_at or now
    if data.line_id is not None:
        _check_line(session, principal, data.line_id, received_at)
    fields = data.model_dump(exclude={"received_at", "urgency", "title"})
    order = Order(
        **fields,
        urgency=(data.urgency.value if data.urgency else None) or "ordinary",
        title=data.title or data.text[:40],
        state=State.received.value,
        is_open=True,
        received_at=received_at,
        created_by_id=principal.user_id,
        updated_at=now,
    )
    if suggestion:
        apply_suggestion(order, suggestion, keep_category=data.category is not None, **kept)
    try:
        # Only a client key can collide; without one, no savepoint (two round trips fewer).
        # The order is added inside the savepoint: begin_nested() flushes what is pending
        # before the SAVEPOINT, so an order added earlier would collide outside it and leave
        # the whole transaction failed (a 500 for a client retrying its own request).
        if data.client_key:
            with session.begin_nested():
                session.add(order)
                session.flush()
        else:
            session.add(order)
            session.flush()
    except IntegrityError as exc:
        # Two clients raced with one key: the other one won; answer with its order.
        if data.client_key:
            existing = session.scalars(
                select(Order).where(Order.client_key == data.client_key)
            ).first()
            if existing is not None:
                return existing, False
        raise Conflict("工单写入冲突，请重试", code="intake_conflict") from exc
    number = f"{clock.local(received_at):%Y%m%d}{order.id:07d}"
    # Core, not an ORM bulk update: the object is already in hand (set below).
    orders = cast(Table, Order.__table__)
    session.connection().execute(
        update(orders).where(orders.c.id == order.id).values(number=number)
    )
    set_committed_value(order, "number", number)
    append_event(
        session, order, action="intake", from_state=None, principal=principal, at=received_at,
        payload={"channel": order.channel, "type": order.type, "client_key": data.client_key,
                 **({"line_id": order.line_id} if order.line_id else {})},
        first=True,
    )
    if deferred:
        outbox.enqueue(session, "triage",
                       {"order_id": order.id, "title_given": bool(data.title), **kept})
    return order, True


def load_for_update(session: Session, principal: Principal, order_id: int) -> Order:
    stmt = select(Order).where(Order.id == order_id)
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    order = session.scalars(stmt.execution_options(populate_existing=True)).first()
    return access.ensure_readable(session, principal, order)


def act(
    session: Session,
    principal: Principal,
    order_id: int,
    action: Action,
    payload: s.ActionBase,
    *,
    at: datetime | None = None,
) -> Order:
    """Take one action on one order: check the table and the unit, apply, record."""
    order = load_for_update(session, principal, order_id)
    # Who may act comes before what the moment allows: a role or a unit that may not act
    # learns that (403) whatever the order's state or version, never "not now" (409).
    try:
        check_role(action, principal.role.value)
    except TransitionRefused as exc:
        raise _refusal(exc) from exc
    if principal.role is Role.handler:
        access.ensure_handler_may_act(
            session, principal, order, assisting=action is Action.assist_report
        )
    if payload.version is not None and payload.version != order.version:
        raise Conflict(
            "工单已被他人修改，请刷新后重试",
            code="version_conflict",
            details={"expected": payload.version, "current": order.version},
        )
    from_state = State(order.state)
    data = payload.model_dump(mode="json", exclude={"version"})
    try:
        step = transition(from_state, action, principal.role.value, data)
    except TransitionRefused as exc:
        raise _refusal(exc) from exc
    now = at or clock.now()
    if action in WITHDRAWS_EXTENSION and order.extension_pending_days is not None:
        _withdraw_extension(session, order, action, principal, now)
    ctx = Context(session=session, principal=principal, order=order, payload=payload, now=now)
    EFFECTS[action.value](ctx)
    order.state = step.to_state.value
    order.is_open = step.to_state in OPEN_STATES
    if step.to_state is State.closed and step.changes_state:
        order.closed_at = now
    order.updated_at = now
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict("工单已被他人修改，请刷新后重试", code="version_conflict") from exc
    append_event(
        session, order, action=action.value, from_state=from_state.value, principal=principal,
        at=now, payload={**data, **ctx.extra},
    )
    return order


def _withdraw_extension(
    session: Session, order: Order, by: Action, principal: Principal, now: datetime
) -> None:
    """The system's step before a reply or a return: the pending request is withdrawn, with
    its own event (before the action's), so it can be neither approved nor left pending."""
    state = State(order.state)
    payload = {"by_action": by.value, "by_user_id": principal.user_id}
    try:
        transition(state, Action.withdraw_extension, SYSTEM, payload)
    except TransitionRefused as exc:
        raise _refusal(exc) from exc
    ctx = Context(session=session, principal=SYSTEM_PRINCIPAL, order=order, payload=payload,
                  now=now)
    EFFECTS[Action.withdraw_extension.value](ctx)
    append_event(session, order, action=Action.withdraw_extension.value,
                 from_state=state.value, principal=None, at=now,
                 payload={**payload, **ctx.extra})


def act_as_system(
    session: Session,
    order_id: int,
    action: Action,
    payload: dict[str, Any],
    *,
    at: datetime | None = None,
) -> Order:
    """A step the deadline jobs take (remind, mark overdue, escalate): checked against the same
    table with the role "system", applied by its effect, recorded as an event with no actor."""
    stmt = select(Order).where(Order.id == order_id)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    order = session.scalars(stmt.execution_options(populate_existing=True)).first()
    if order is None:
        raise InvalidInput("工单不存在", code="order_not_found", details={"order_id": order_id})
    from_state = State(order.state)
    try:
        transition(from_state, action, SYSTEM, payload)
    except TransitionRefused as exc:
        raise _refusal(exc) from exc
    now = at or clock.now()
    ctx = Context(session=session, principal=SYSTEM_PRINCIPAL, order=order, payload=payload,
                  now=now)
    EFFECTS[action.value](ctx)
    order.updated_at = now
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict("工单已被他人修改，请刷新后重试", code="version_conflict") from exc
    append_event(session, order, action=action.value, from_state=from_state.value,
                 principal=None, at=now, payload={**payload, **ctx.extra})
    return order


def get_order(session: Session, principal: Principal, order_id: int) -> Order:
    return access.ensure_readable(session, principal, session.get(Order, order_id))


def events_of(session: Session, order_id: int) -> list[OrderEvent]:
    stmt = select(OrderEvent).where(OrderEvent.order_id == order_id).order_by(OrderEvent.seq)
    return list(session.scalars(stmt))


def timeline_of(session: Session, order_id: int) -> list[TimelineEvent]:
    """The order's history as pages and the API show it: an imported order's one import
    event opened into the steps it carries (orders/import_history.py)."""
    return timeline(events_of(session, order_id))


def actions_for(session: Session, principal: Principal, order: Order) -> list[str]:
    """The actions this person may take on this order now: what the page offers."""
    names = allowed_actions(State(order.state), principal.role.value)
    if principal.role is not Role.handler:
        return names
    roles = access.assignment_roles(session, principal, order.id)
    acting = bool(roles & access.ACTING_ROLES) or order.assignee_id == principal.user_id
    result = []
    for name in names:
        if name == Action.assist_report.value:
            if "assist" in roles:
                result.append(name)
        elif name == Action.pass_on.value:
            if principal.unit_kind == "street" and order.lead_unit_id == principal.unit_id:
                result.append(name)
        elif acting:
            result.append(name)
    return result


def reveal_contact(session: Session, principal: Principal, order_id: int) -> s.CitizenContact:
    """The full phone number, for those who must call the citizen; every read is logged."""
    order = get_order(session, principal, order_id)
    if principal.role.value not in get_settings().unmasked_phone_roles:
        raise NotAllowed("当前角色不能查看诉求人完整联系方式", code="contact_not_allowed")
    if principal.role is Role.handler:
        access.ensure_handler_may_act(session, principal, order)
    if order.anonymous:
        raise NotAllowed("匿名诉求，无联系方式", code="anonymous_citizen")
    log_unmasked_read(session, user_id=principal.user_id, order_id=order.id, purpose="call_back")
    return s.CitizenContact(
        order_id=order.id, citizen_name=order.citizen_name, citizen_phone=order.citizen_phone
    )


def create_case(session: Session, principal: Principal, data: s.CaseCreate) -> Case:
    if principal.role not in (Role.dispatcher, Role.supervisor):
        raise NotAllowed("只有派单员或督办员可以创建联办案件", code="role_not_allowed")
    case = Case(title=data.title, note=data.note, created_by_id=principal.user_id,
                created_at=clock.now())
    session.add(case)
    session.flush()
    for order_id in data.order_ids:
        act(session, principal, order_id, Action.link_case, s.LinkCase(case_id=case.id))
    return case


def case_order_ids(session: Session, case_id: int) -> list[int]:
    return list(session.scalars(select(Order.id).where(Order.case_id == case_id)))
