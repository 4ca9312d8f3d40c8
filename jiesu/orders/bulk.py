"""Writing many finished orders at once, with their events: bulk import and the generator.

A `BulkOrder` is an order's columns and its history, already checked. `write()` stores a
batch in the caller's transaction: on PostgreSQL with binary COPY (ids reserved from the
sequence first, so events can name their order; psycopg's C dumpers write the rows, the small
repeated event payloads are dumped once per batch), elsewhere with multi-row INSERTs. The
caller commits: a batch is stored whole or not at all. Besides the events and the lead
assignment, an order still open with its unit gets the deadline watches its dispatch would
have started, so the reminder and escalation jobs see it. Nothing here is triaged or
notified: these are orders of the past, and their history says what happened
(docs/decisions/0016).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, text, update
from sqlalchemy.orm import Session

from jiesu.core.clock import local
from jiesu.core.settings import get_settings
from jiesu.orders.deadline_watches import DeadlineWatch, WatchKind
from jiesu.orders.models import Order, OrderAssignment, OrderEvent
from jiesu.orders.statemachine import WITH_UNIT, State

ORDERS = cast(Table, Order.__table__)
EVENTS = cast(Table, OrderEvent.__table__)
ASSIGNMENTS = cast(Table, OrderAssignment.__table__)
WATCHES = cast(Table, DeadlineWatch.__table__)
IMPORT_ROLE = "import"  # the actor_role of every event a bulk load writes


@dataclass(slots=True)
class BulkEvent:
    action: str
    from_state: str | None
    to_state: str
    at: datetime
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass
class BulkOrder:
    """Everything one stored order needs; `columns` are Order's column names (no id/number)."""

    columns: dict[str, Any]
    events: list[BulkEvent]


def _scalar_defaults(table: Table) -> dict[str, Any]:
    """The Python-side defaults of `table`'s columns: COPY does not apply them."""
    defaults: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        arg = getattr(default, "arg", None)
        if default is not None and not callable(arg):
            defaults[column.name] = arg
        elif column.nullable:
            defaults[column.name] = None
    return defaults


_ORDER_DEFAULTS = _scalar_defaults(ORDERS)
_ORDER_COLUMNS = [c.name for c in ORDERS.columns]
_EVENT_COLUMNS = [c.name for c in EVENTS.columns if c.name != "id"]
_ASSIGNMENT_COLUMNS = [c.name for c in ASSIGNMENTS.columns if c.name != "id"]


def number_for(order_id: int, received_at: datetime) -> str:
    """The same number intake gives: the local day and the id."""
    return f"{local(received_at):%Y%m%d}{order_id:07d}"


def _order_row(order: BulkOrder, order_id: int | None) -> dict[str, Any]:
    row = {**_ORDER_DEFAULTS, **order.columns}
    if order_id is not None:
        row["id"] = order_id
        row["number"] = number_for(order_id, row["received_at"])
    if row.get("updated_at") is None:
        row["updated_at"] = row["received_at"]
    return row


def _event_rows(order: BulkOrder, order_id: int) -> list[dict[str, Any]]:
    return [
        {"order_id": order_id, "seq": seq, "action": e.action, "from_state": e.from_state,
         "to_state": e.to_state, "actor_id": None, "actor_role": IMPORT_ROLE, "unit_id": None,
         "at": e.at, "payload": e.payload}
        for seq, e in enumerate(order.events, start=1)
    ]


def _assignment_row(order: BulkOrder, order_id: int) -> dict[str, Any] | None:
    unit_id = order.columns.get("lead_unit_id")
    if unit_id is None:
        return None
    at = order.columns.get("dispatched_at") or order.columns["received_at"]
    is_open = bool(order.columns.get("is_open"))
    closed = order.columns.get("closed_at")
    return {"order_id": order_id, "unit_id": unit_id, "role": "lead", "active": is_open,
            "assigned_at": at, "ended_at": None if is_open else (closed or at)}


_WITH_UNIT = frozenset(s.value for s in WITH_UNIT)
# Which deadline a watch follows, and the column that says it was met.
_WATCHED = ((WatchKind.sign, "sign_due_at", "signed_at"),
            (WatchKind.contact, "contact_due_at", "contacted_at"),
            (WatchKind.reply, "reply_due_at", "replied_at"))


def _watch_rows(order: BulkOrder, order_id: int, fraction: float) -> list[dict[str, Any]]:
    """The deadline watches the dispatch (or reopen) of an order still open with its unit
    would have left running: one per deadline not yet met (by its time, or by the state:
    an order in progress has signed), so the reminder and escalation
    jobs see imported and generated orders as they see live ones."""
    c = order.columns
    unit_id = c.get("lead_unit_id")
    if unit_id is None or not c.get("is_open") or c["state"] not in _WITH_UNIT:
        return []
    started = c["updated_at"] if c["state"] == State.reopened.value else c.get("dispatched_at")
    if started is None:
        return []
    state = State(c["state"])
    met = {WatchKind.sign: state in (State.signed, State.in_progress),
           WatchKind.contact: state is State.in_progress, WatchKind.reply: False}
    rows = []
    for kind, due_column, met_column in _WATCHED:
        due = c.get(due_column)
        if due is None or met[kind] or c.get(met_column) is not None:
            continue
        rows.append({"order_id": order_id, "unit_id": unit_id, "kind": kind.value,
                     "started_at": started, "due_at": due,
                     "remind_at": started + (due - started) * fraction})
    return rows


def write(session: Session, orders: Sequence[BulkOrder]) -> list[int]:
    """Store `orders` with their events, lead assignments and the deadline watches of those
    still open with a unit; returns their ids, in order."""
    if not orders:
        return []
    if session.get_bind().dialect.name == "postgresql":
        return _write_copy(session, orders)
    return _write_inserts(session, orders)


def _write_inserts(session: Session, orders: Sequence[BulkOrder]) -> list[int]:
    rows = [_order_row(o, None) for o in orders]
    for row in rows:
        row.pop("id", None)
    result = session.execute(
        insert(ORDERS).returning(ORDERS.c.id, sort_by_parameter_order=True), rows
    )
    ids = [int(i) for i in result.scalars()]
    session.execute(
        update(ORDERS).where(ORDERS.c.id == bindparam("oid")).values(number=bindparam("num")),
        [{"oid": i, "num": number_for(i, r["received_at"])} for i, r in zip(ids, rows,
                                                                             strict=True)],
    )
    events = [e for o, i in zip(orders, ids, strict=True) for e in _event_rows(o, i)]
    if events:
        session.execute(insert(EVENTS), events)
    assignments = [a for o, i in zip(orders, ids, strict=True)
                   if (a := _assignment_row(o, i)) is not None]
    if assignments:
        session.execute(insert(ASSIGNMENTS), assignments)
    fraction = get_settings().remind_at_fraction
    watches = [w for o, i in zip(orders, ids, strict=True)
               for w in _watch_rows(o, i, fraction)]
    if watches:
        session.execute(insert(WATCHES), watches)
    return ids


def reserve_ids(session: Session, n: int) -> list[int]:
    """`n` ids from the orders' sequence (PostgreSQL): taken, never handed out again."""
    return [int(i) for i in session.scalars(
        text("SELECT nextval(pg_get_serial_sequence('orders', 'id')) "
             "FROM generate_series(1, :n)"), {"n": n})]


# Binary COPY through psycopg's C dumpers: nothing to escape, and PostgreSQL reads times and
# numbers without parsing text. Against the text format formatted here it halved the Python
# CPU of formatting and sending a batch (36 -> 18 us per order, 20,000 orders alternated in
# one process) at the same PostgreSQL CPU (docs/bench.md).
_TEXT_OID = 25
_WATCH_COLUMNS = ["order_id", "unit_id", "kind", "started_at", "due_at", "remind_at"]
# The event rows below are written for exactly these columns, in this order.
assert _EVENT_COLUMNS == ["order_id", "seq", "action", "from_state", "to_state", "actor_id",
                          "actor_role", "unit_id", "at", "payload"], _EVENT_COLUMNS


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


class _Payloads:
    """Event payloads as JSON text; the small repeated ones (``{"imported": true}``, a
    dispatch to unit N) are dumped once per batch, not once per event."""

    def __init__(self) -> None:
        self.cache: dict[tuple[Any, ...], str] = {}

    def __call__(self, payload: dict[str, Any]) -> str:
        try:
            key = tuple(payload.items())
            found = self.cache.get(key)
        except TypeError:  # a nested value (the intake's origin, an import's steps)
            key, found = (), None
        if found is None:
            found = json.dumps(payload, ensure_ascii=False)
            if key and len(self.cache) < 10_000:
                self.cache[key] = found
        return found


def _column_types(cursor: Any, table: str, columns: list[str]) -> list[int]:
    """The type of each column, for binary COPY, from the database itself; a JSON column is
    sent as its text (binary `json` is the text), dumped here."""
    cursor.execute("SELECT attname, atttypid, atttypid::regtype::text FROM pg_attribute "
                   "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                   (table,))
    found = {name: _TEXT_OID if kind == "json" else int(oid)
             for name, oid, kind in cursor.fetchall()}
    return [found[c] for c in columns]


def _copy(cursor: Any, table: str, columns: list[str], rows: Iterable[Sequence[Any]]) -> None:
    types = _column_types(cursor, table, columns)
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(types)
        write = copy.write_row
        for row in rows:
            write(row)


def _order_values(orders: Sequence[BulkOrder], ids: Sequence[int]) -> Iterator[list[Any]]:
    for order, order_id in zip(orders, ids, strict=True):
        row = _order_row(order, order_id)
        if row.get("suggestion") is not None:
            row["suggestion"] = _json(row["suggestion"])
        yield [row[name] for name in _ORDER_COLUMNS]


def _event_values(orders: Sequence[BulkOrder], ids: Sequence[int],
                  ) -> Iterator[tuple[Any, ...]]:
    payload = _Payloads()
    for order, order_id in zip(orders, ids, strict=True):
        for seq, e in enumerate(order.events, start=1):
            yield (order_id, seq, e.action, e.from_state, e.to_state, None, IMPORT_ROLE, None,
                   e.at, payload(e.payload))


def _assignment_values(orders: Sequence[BulkOrder], ids: Sequence[int],
                       ) -> Iterator[list[Any]]:
    for order, order_id in zip(orders, ids, strict=True):
        row = _assignment_row(order, order_id)
        if row is not None:
            yield [row[c] for c in _ASSIGNMENT_COLUMNS]


def _watch_values(orders: Sequence[BulkOrder], ids: Sequence[int]) -> Iterator[list[Any]]:
    fraction = get_settings().remind_at_fraction
    for order, order_id in zip(orders, ids, strict=True):
        for w in _watch_rows(order, order_id, fraction):
            yield [w[c] for c in _WATCH_COLUMNS]


def copy_into(raw: Any, orders: Sequence[BulkOrder]) -> list[int]:
    """Store a batch through a psycopg connection, in its open transaction (the caller
    commits): ids reserved from the sequence, then one binary COPY per table."""
    with raw.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('orders', 'id')) "
                       "FROM generate_series(1, %s)", (len(orders),))
        ids = [int(r[0]) for r in cursor.fetchall()]
        _copy(cursor, "orders", _ORDER_COLUMNS, _order_values(orders, ids))
        _copy(cursor, "order_events", _EVENT_COLUMNS, _event_values(orders, ids))
        _copy(cursor, "order_assignments", _ASSIGNMENT_COLUMNS, _assignment_values(orders, ids))
        _copy(cursor, "deadline_watches", _WATCH_COLUMNS, _watch_values(orders, ids))
    return ids


def _write_copy(session: Session, orders: Sequence[BulkOrder]) -> list[int]:
    raw = session.connection().connection.driver_connection
    assert raw is not None
    return copy_into(raw, orders)


def existing_keys_raw(raw: Any, keys: Sequence[str]) -> set[str]:
    """`existing_keys` through a psycopg connection (the parallel import's workers)."""
    found: set[str] = set()
    with raw.cursor() as cursor:
        for start in range(0, len(keys), 5_000):
            cursor.execute("SELECT client_key FROM orders WHERE client_key = ANY(%s)",
                           (list(keys[start:start + 5_000]),))
            found.update(r[0] for r in cursor.fetchall())
    return found


def existing_keys(session: Session, keys: Sequence[str]) -> set[str]:
    """Which of these client keys are stored already (a resumed import skips them)."""
    if session.get_bind().dialect.name == "postgresql":
        return existing_keys_raw(session.connection().connection.driver_connection, keys)
    found: set[str] = set()
    for start in range(0, len(keys), 5_000):
        chunk = list(keys[start:start + 5_000])
        found.update(k for k in session.scalars(
            select(Order.client_key).where(Order.client_key.in_(chunk))) if k)
    return found
