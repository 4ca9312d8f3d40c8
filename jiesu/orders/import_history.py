"""A bulk-loaded order's history: the steps its columns record, and how they are stored.

`steps()` reads the steps an order went through in the system it came from (intake, dispatch,
sign, contact, reply, the closing action, ...) off its columns. A generated order stores them
as events, one each (`history()`). An imported order stores one `import` event carrying them
in its payload (`import_events()`): they are the source system's steps, not jiesu's actions,
and one row instead of ~5.7 is most of what a bulk import costs PostgreSQL. A returned order's
return stays an event of its own, since the dispatcher's queue reads it. `timeline()` gives
any order's events with each import event opened back into its steps, exactly the events the
per-step form stored, so pages and the API show an imported order's history as before
(docs/decisions/0022).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from jiesu.orders.bulk import IMPORT_ROLE, BulkEvent
from jiesu.orders.statemachine import State

IMPORT_ACTION = "import"
# (action, the state it led to, when, what its event's payload said besides the mark)
Step = tuple[str, str, datetime, dict[str, Any] | None]

_CLOSING = {"visited": "close_visited", "unreachable": "close_unreachable",
            "visit_skipped": "skip_visit", "explained": "close_explained"}


# The states as their stored words, looked up once: an enum member's `.value` is a
# descriptor call, and `steps` runs for every imported row.
_RECEIVED, _DISPATCHED, _RETURNED, _SIGNED, _IN_PROGRESS, _REPLIED, _REOPENED, _CLOSED = (
    s.value for s in (State.received, State.dispatched, State.returned, State.signed,
                      State.in_progress, State.replied, State.reopened, State.closed))


def steps(columns: dict[str, Any], state: State) -> list[Step]:
    """Intake, then each step the columns record, ending in the order's state; a step's time
    never runs before the one before it."""
    out: list[Step] = [("intake", _RECEIVED, columns["received_at"], None)]

    def add(action: str, to: str, at: datetime | None, payload: dict[str, Any] | None = None,
            ) -> None:
        last = out[-1][2]
        out.append((action, to, last if at is None or at < last else at, payload))

    if columns["lead_unit_id"] is not None:
        dispatched = columns["dispatched_at"]
        lead = {"lead_unit_id": columns["lead_unit_id"]}
        add("dispatch", _DISPATCHED, dispatched, lead)
        if columns.get("return_count") and state is not State.returned:
            add("return_order", _RETURNED, dispatched)
            add("redispatch", _DISPATCHED, dispatched, lead)
        if state is State.returned:
            add("return_order", _RETURNED, dispatched)
        if columns["signed_at"] or state in (State.signed, State.in_progress):
            add("sign", _SIGNED, columns["signed_at"])
        if columns["contacted_at"] or state is State.in_progress:
            add("contact", _IN_PROGRESS, columns["contacted_at"])
        if columns["replied_at"]:
            add("reply", _REPLIED, columns["replied_at"], {"outcome": columns["reply_outcome"]})
        if state is State.reopened:
            add("reopen", _REOPENED, columns["updated_at"])
        if state is State.closed:
            action = _CLOSING.get(columns["close_reason"] or "", "skip_visit")
            add(action, _CLOSED, columns["closed_at"],
                {"satisfaction": columns["visit_satisfaction"]})
    elif state is State.closed:
        add("answer_on_call", _CLOSED, columns["closed_at"])
    return out


def _intake_payload(columns: dict[str, Any], origin: dict[str, Any], mark: str,
                    ) -> dict[str, Any]:
    return {"channel": columns["channel"], "type": columns["type"],
            "client_key": columns["client_key"],
            {"imported": "import"}.get(mark, mark): origin}


def history(columns: dict[str, Any], state: State, origin: dict[str, Any], *,
            mark: str = "generated") -> list[BulkEvent]:
    """The order's steps as events, one each (generated orders): every event says it was
    `mark`, the intake event where from."""
    found = steps(columns, state)
    events = [BulkEvent("intake", None, found[0][1], found[0][2],
                        _intake_payload(columns, origin, mark))]
    for action, to, at, extra in found[1:]:
        events.append(BulkEvent(action, events[-1].to_state, to, at,
                                {mark: True, **extra} if extra else {mark: True}))
    return events


def import_events(columns: dict[str, Any], state: State, origin: dict[str, Any],
                  ) -> list[BulkEvent]:
    """An imported order's events: one `import` event, from nothing to the state the steps
    end in, at the last step's time, its payload the intake's and the steps; a returned
    order's last step, its return, as an event of its own."""
    found = steps(columns, state)
    last = found.pop() if state is State.returned else None
    payload = _intake_payload(columns, origin, "imported")
    payload["steps"] = [[a, to, at.isoformat(), extra] if extra else [a, to, at.isoformat()]
                        for a, to, at, extra in found]
    events = [BulkEvent(IMPORT_ACTION, None, found[-1][1], found[-1][2], payload)]
    if last is not None:
        events.append(BulkEvent(last[0], found[-1][1], last[1], last[2], {"imported": True}))
    return events


class StoredEvent(Protocol):
    """What `timeline` reads of a stored event (an `OrderEvent` row)."""

    @property
    def id(self) -> int: ...
    @property
    def order_id(self) -> int: ...
    @property
    def action(self) -> str: ...
    @property
    def from_state(self) -> str | None: ...
    @property
    def to_state(self) -> str: ...
    @property
    def actor_id(self) -> int | None: ...
    @property
    def actor_role(self) -> str: ...
    @property
    def unit_id(self) -> int | None: ...
    @property
    def at(self) -> datetime: ...
    @property
    def payload(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class TimelineEvent:
    """One entry of an order's history as pages show it: a stored event, or one step of an
    import event (which keeps the import event's id). `seq` counts the entries from 1."""

    id: int
    order_id: int
    seq: int
    action: str
    from_state: str | None
    to_state: str
    actor_id: int | None
    actor_role: str
    unit_id: int | None
    at: datetime
    payload: dict[str, Any]


def _opened(event: StoredEvent) -> Iterable[tuple[str, str | None, str, datetime,
                                                   dict[str, Any]]]:
    payload = event.payload
    intake = {k: v for k, v in payload.items() if k != "steps"}
    previous: str | None = None
    for number, step in enumerate(payload["steps"]):
        action, to, at = step[0], step[1], datetime.fromisoformat(step[2])
        extra = step[3] if len(step) > 3 else None
        body = intake if number == 0 else (
            {"imported": True, **extra} if extra else {"imported": True})
        yield action, previous, to, at, body
        previous = to


def timeline(events: Iterable[StoredEvent]) -> list[TimelineEvent]:
    """An order's events oldest first, each import event opened into its steps."""
    out: list[TimelineEvent] = []
    for e in events:
        if e.action == IMPORT_ACTION and "steps" in e.payload:
            for action, from_state, to, at, payload in _opened(e):
                out.append(TimelineEvent(e.id, e.order_id, len(out) + 1, action, from_state,
                                         to, None, IMPORT_ROLE, None, at, payload))
        else:
            out.append(TimelineEvent(e.id, e.order_id, len(out) + 1, e.action, e.from_state,
                                     e.to_state, e.actor_id, e.actor_role, e.unit_id, e.at,
                                     e.payload))
    return out
