"""Deadline jobs: remind before a deadline, mark it overdue, urge (催办), supervise (督办), and
tell the district about its streets' overdue orders.

Each job reads due rows of `deadline_watches` with one index range scan, takes its step on
the order through `service.act_as_system` (so every step is an event and its notification an
outbox message in the same transaction), and stamps the watch. The stamp is checked again
under the order's row lock, so a job run twice, or by two workers at once, acts once.
All thresholds are settings (JIESU_REMIND_AT_FRACTION, JIESU_URGE_AFTER_HOURS, ...).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session, aliased

from jiesu.core import clock, outbox
from jiesu.core.errors import DomainError
from jiesu.core.settings import get_settings
from jiesu.orders import service
from jiesu.orders.deadline_watches import DeadlineWatch, WatchKind
from jiesu.orders.models import Order
from jiesu.orders.statemachine import WITH_UNIT, Action, State
from jiesu.units.models import Unit, UnitKind

log = logging.getLogger("jiesu.jobs")
BATCH = 200


@dataclass(frozen=True)
class Step:
    """One escalation step: which watches are due for it, and what it stamps."""

    action: Action
    stamp: str  # the DeadlineWatch column recording that the step was taken
    due: Callable[[datetime], list[ColumnElement[bool]]]


def _hours(value: float) -> timedelta:
    return timedelta(hours=value)


def _remind_due(now: datetime) -> list[ColumnElement[bool]]:
    # A reminder after the deadline has passed is pointless: mark_overdue takes over.
    return [DeadlineWatch.reminded_at.is_(None), DeadlineWatch.remind_at <= now,
            DeadlineWatch.due_at > now]


def _overdue_due(now: datetime) -> list[ColumnElement[bool]]:
    return [DeadlineWatch.overdue_at.is_(None), DeadlineWatch.due_at <= now]


def _first_missed() -> ColumnElement[bool]:
    """Escalate an order for its earliest unmet deadline only: a unit that never signed is
    urged once for that, not again for the contact and reply deadlines behind it; once it
    signs, the next missed deadline escalates in its turn."""
    earlier = aliased(DeadlineWatch)
    return ~exists().where(earlier.order_id == DeadlineWatch.order_id,
                           earlier.ended_at.is_(None), earlier.due_at < DeadlineWatch.due_at)


def _urge_due(now: datetime) -> list[ColumnElement[bool]]:
    after = _hours(get_settings().urge_after_hours)
    return [DeadlineWatch.overdue_at.is_not(None), DeadlineWatch.urged_at.is_(None),
            DeadlineWatch.due_at <= now - after, _first_missed()]


def _supervise_due(now: datetime) -> list[ColumnElement[bool]]:
    after = _hours(get_settings().supervise_after_hours)
    return [DeadlineWatch.urged_at.is_not(None), DeadlineWatch.supervised_at.is_(None),
            DeadlineWatch.due_at <= now - after, _first_missed()]


def _district_due(now: datetime) -> list[ColumnElement[bool]]:
    after = _hours(get_settings().district_notify_after_hours)
    street_units = select(Unit.id).where(Unit.kind == UnitKind.street.value,
                                         Unit.parent_id.is_not(None))
    return [DeadlineWatch.overdue_at.is_not(None), DeadlineWatch.district_notified_at.is_(None),
            DeadlineWatch.due_at <= now - after, DeadlineWatch.unit_id.in_(street_units),
            _first_missed()]


REMIND = Step(Action.remind, "reminded_at", _remind_due)
OVERDUE = Step(Action.mark_overdue, "overdue_at", _overdue_due)
URGE = Step(Action.auto_urge, "urged_at", _urge_due)
SUPERVISE = Step(Action.auto_supervise, "supervised_at", _supervise_due)
DISTRICT = Step(Action.notify_district, "district_notified_at", _district_due)

_MET = {WatchKind.sign: "signed_at", WatchKind.contact: "contacted_at",
        WatchKind.reply: "replied_at"}
_DUE = {WatchKind.sign: "sign_due_at", WatchKind.contact: "contact_due_at",
        WatchKind.reply: "reply_due_at"}


def _end_reason(order: Order, watch: DeadlineWatch) -> str | None:
    """Why this watch no longer applies, or None while its clock still runs."""
    kind = WatchKind(watch.kind)
    if not order.is_open or State(order.state) not in WITH_UNIT:
        return "left_unit"
    if order.lead_unit_id != watch.unit_id:
        return "left_unit"
    if getattr(order, _MET[kind]) is not None:
        return "met"
    if getattr(order, _DUE[kind]) != watch.due_at:
        return "replaced"
    return None


def _payload(session: Session, watch: DeadlineWatch, step: Step) -> dict[str, object]:
    payload: dict[str, object] = {
        "deadline": watch.kind, "due_at": watch.due_at.isoformat(), "unit_id": watch.unit_id,
        "watch_id": watch.id,
    }
    if step is DISTRICT:
        unit = session.get(Unit, watch.unit_id)
        payload["district_id"] = unit.parent_id if unit else None
    return payload


def _take(session: Session, watch_id: int, step: Step, now: datetime) -> str:
    """Take `step` for one watch if nobody has: "taken", "ended" (no longer applies) or
    "skipped" (already done, or gone)."""
    order_id = session.scalar(select(DeadlineWatch.order_id).where(DeadlineWatch.id == watch_id))
    if order_id is None:
        return "skipped"
    # Lock the order first, then the watch: the same order every writer of both uses.
    lock = select(Order).where(Order.id == order_id)
    watch_q = select(DeadlineWatch).where(DeadlineWatch.id == watch_id)
    if session.get_bind().dialect.name == "postgresql":
        lock, watch_q = lock.with_for_update(), watch_q.with_for_update()
    order = session.scalars(lock.execution_options(populate_existing=True)).one()
    watch = session.scalars(watch_q.execution_options(populate_existing=True)).one()
    if watch.ended_at is not None or getattr(watch, step.stamp) is not None:
        return "skipped"
    reason = _end_reason(order, watch)
    if reason is not None:
        watch.ended_at, watch.end_reason = now, reason
        return "ended"
    service.act_as_system(session, order.id, step.action, _payload(session, watch, step), at=now)
    setattr(watch, step.stamp, now)
    return "taken"


@dataclass
class Batch:
    seen: int = 0
    taken: int = 0
    ended: int = 0

    @property
    def more(self) -> bool:
        """Another batch may find work: this one was full and moved something."""
        return self.seen > 0 and (self.taken + self.ended) > 0


def run_batch(session: Session, step: Step, *, now: datetime | None = None,
              limit: int = BATCH) -> Batch:
    """Take one step for up to `limit` due watches in the caller's transaction."""
    now = now or clock.now()
    stmt = (
        select(DeadlineWatch.id)
        .where(DeadlineWatch.ended_at.is_(None), *step.due(now))
        .order_by(DeadlineWatch.due_at, DeadlineWatch.id)
        .limit(limit)
    )
    batch = Batch()
    for watch_id in list(session.scalars(stmt)):
        batch.seen += 1
        try:
            with session.begin_nested():
                outcome = _take(session, watch_id, step, now)
        except DomainError as exc:  # e.g. a calendar the library does not cover yet
            log.warning("deadline job %s skipped watch %s: %s", step.action, watch_id, exc)
            continue
        batch.taken += outcome == "taken"
        batch.ended += outcome == "ended"
    session.flush()
    if batch.seen < limit:
        batch.seen = 0  # nothing left for another batch
    return batch


def run_steps(session: Session, steps: tuple[Step, ...], *, now: datetime | None = None,
              limit: int = BATCH) -> int:
    """Every due watch, batch after batch, in the caller's transaction; returns steps taken."""
    taken = 0
    for step in steps:
        while True:
            batch = run_batch(session, step, now=now, limit=limit)
            taken += batch.taken
            if not batch.more:
                break
    return taken


STEPS: dict[str, tuple[Step, ...]] = {
    "remind": (REMIND,),
    "mark_overdue": (OVERDUE,),
    "escalate": (URGE, SUPERVISE),
    "notify_district": (DISTRICT,),
}


def remind(session: Session, *, now: datetime | None = None, limit: int = BATCH) -> int:
    """临期提醒：at 75% (JIESU_REMIND_AT_FRACTION) of the time allowed, tell the unit."""
    return run_steps(session, STEPS["remind"], now=now, limit=limit)


def mark_overdue(session: Session, *, now: datetime | None = None, limit: int = BATCH) -> int:
    """超期：a deadline passed and was not met; the unit is told."""
    return run_steps(session, STEPS["mark_overdue"], now=now, limit=limit)


def escalate(session: Session, *, now: datetime | None = None, limit: int = BATCH) -> int:
    """催办 when overdue (after JIESU_URGE_AFTER_HOURS), then 督办 after
    JIESU_SUPERVISE_AFTER_HOURS; supervisors are told of every 督办."""
    return run_steps(session, STEPS["escalate"], now=now, limit=limit)


def notify_district(session: Session, *, now: datetime | None = None, limit: int = BATCH) -> int:
    """超期通报：a street's overdue order is reported to its district."""
    return run_steps(session, STEPS["notify_district"], now=now, limit=limit)


@outbox.register("triage")
def triage_after_intake(session: Session, message: outbox.OutboxMessage) -> None:
    """Deferred triage (JIESU_TRIAGE_DEFERRED): the proposal an inline intake would have
    stored, taken as the system action `triage` (an event like any other). An order a
    dispatcher already took, or one triaged already, is left as it is."""
    from jiesu.orders import suggest

    flags = message.payload
    order = session.get(Order, int(flags["order_id"]))
    if order is None or order.state != State.received.value or order.suggestion is not None:
        return
    title = order.title if flags.get("title_given") else None
    # The order is already stored and open: it must not be its own duplicate.
    record = suggest.as_record(suggest.suggest(
        session, order.text, title, order.place_text or None, order.received_at,
        exclude=order.id,
    ))
    service.act_as_system(session, order.id, Action.triage, {
        "suggestion": record, "keep_urgency": bool(flags.get("keep_urgency")),
        "keep_place": bool(flags.get("keep_place")),
    })
