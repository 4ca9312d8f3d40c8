"""Writing many finished orders at once, with their events: bulk import and the generator.

A `BulkOrder` is an order's columns and its history, already checked. `write()` stores a
batch in the caller's transaction: on PostgreSQL with COPY (ids reserved from the sequence
first, so events can name their order), elsewhere with multi-row INSERTs. The caller commits:
a batch is stored whole or not at all. Nothing here is triaged, notified or escalated: these
are orders of the past, and their history says what happened (docs/decisions/0016).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, text, update
from sqlalchemy.orm import Session

from jiesu.core.clock import local
from jiesu.orders.models import Order, OrderAssignment, OrderEvent

ORDERS = cast(Table, Order.__table__)
EVENTS = cast(Table, OrderEvent.__table__)
ASSIGNMENTS = cast(Table, OrderAssignment.__table__)
IMPORT_ROLE = "import"  # the actor_role of every event a bulk load writes


@dataclass(frozen=True)
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


def write(session: Session, orders: Sequence[BulkOrder]) -> list[int]:
    """Store `orders` with their events and lead assignments; returns their ids, in order."""
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
    return ids


def reserve_ids(session: Session, n: int) -> list[int]:
    """`n` ids from the orders' sequence (PostgreSQL): taken, never handed out again."""
    return [int(i) for i in session.scalars(
        text("SELECT nextval(pg_get_serial_sequence('orders', 'id')) "
             "FROM generate_series(1, :n)"), {"n": n})]


# COPY's text format: tab-separated, \N for NULL, backslash escapes (PostgreSQL docs, COPY).
def _escape(text: str) -> str:
    # str.translate is slow on Chinese text; four `in` scans are not.
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    if "\n" in text:
        text = text.replace("\n", "\\n")
    if "\t" in text:
        text = text.replace("\t", "\\t")
    if "\r" in text:
        text = text.replace("\r", "\\r")
    return text


def _field(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return _escape(cast(str, value))
    if value is None:
        return "\\N"
    if kind is bool:
        return "t" if value else "f"
    if kind is int:
        return str(value)
    if kind is datetime:
        return cast(datetime, value).isoformat()
    if kind is dict or kind is list:
        return _escape(json.dumps(value, ensure_ascii=False))
    return _escape(str(value))


def _copy(session: Session, table: str, columns: list[str], rows: Any) -> None:
    """Rows (tuples in `columns` order) into `table` with one COPY, sent in large chunks:
    formatting the text here costs less than the driver's row-by-row API."""
    raw = session.connection().connection.driver_connection
    assert raw is not None
    with raw.cursor() as cursor, cursor.copy(
        f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    ) as copy:
        lines: list[str] = []
        for row in rows:
            lines.append("\t".join(map(_field, row)))
            if len(lines) >= 2_000:
                copy.write("\n".join(lines) + "\n")
                lines = []
        if lines:
            copy.write("\n".join(lines) + "\n")


def _write_copy(session: Session, orders: Sequence[BulkOrder]) -> list[int]:
    ids = reserve_ids(session, len(orders))
    order_rows = (
        tuple(row[c] for c in _ORDER_COLUMNS)
        for row in (_order_row(o, i) for o, i in zip(orders, ids, strict=True))
    )
    _copy(session, "orders", _ORDER_COLUMNS, order_rows)
    event_rows = (
        tuple(e[c] for c in _EVENT_COLUMNS)
        for o, i in zip(orders, ids, strict=True) for e in _event_rows(o, i)
    )
    _copy(session, "order_events", _EVENT_COLUMNS, event_rows)
    assignment_rows = (
        tuple(a[c] for c in _ASSIGNMENT_COLUMNS)
        for o, i in zip(orders, ids, strict=True)
        if (a := _assignment_row(o, i)) is not None
    )
    _copy(session, "order_assignments", _ASSIGNMENT_COLUMNS, assignment_rows)
    return ids


def existing_keys(session: Session, keys: Sequence[str]) -> set[str]:
    """Which of these client keys are stored already (a resumed import skips them)."""
    found: set[str] = set()
    for start in range(0, len(keys), 5_000):
        chunk = list(keys[start:start + 5_000])
        found.update(k for k in session.scalars(
            select(Order.client_key).where(Order.client_key.in_(chunk))) if k)
    return found
