"""Any filtered order list as CSV or XLSX, streamed: a million rows never sit in memory.

The rows are the ones the list shows (the same filter and the same visibility: a unit exports
only its own orders), read with `yield_per` (a server-side cursor on PostgreSQL) in batches,
each batch written and handed to the response before the next is read. Places and units read
as names. The citizen's phone is masked unless the role is one that calls citizens back from
a list (`JIESU_EXPORT_UNMASKED_PHONE_ROLES`, default the return-visit staff); then every order
whose number goes out unmasked gets a row in the phone read log, as every unmasked read does,
written before the first row is sent.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Select, insert, literal, select
from sqlalchemy.orm import Session, aliased

from jiesu.core import clock
from jiesu.core.privacy import PhoneReadLog, mask_phone
from jiesu.core.roles import Principal
from jiesu.core.settings import get_settings
from jiesu.core.xlsx import Cell, stream_xlsx
from jiesu.orders import access
from jiesu.orders.models import CHANNEL_LABELS, REQUEST_TYPE_LABELS, SATISFACTION_LABELS, Order
from jiesu.orders.queries import OrderFilter, apply_filter, ordering
from jiesu.orders.statemachine import STATE_LABELS
from jiesu.units.models import Unit
from jiesu.units.names import UnitName, names_by_code

BATCH = 2_000
URGENCY = {"emergency": "紧急", "urgent": "加急", "ordinary": "一般"}
_STATES = {k.value: v for k, v in STATE_LABELS.items()}
_TYPES = {k.value: v for k, v in REQUEST_TYPE_LABELS.items()}
_CHANNELS = {k.value: v for k, v in CHANNEL_LABELS.items()}
_SATISFACTION = {k.value: v for k, v in SATISFACTION_LABELS.items()}
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

_lead = aliased(Unit)
# The columns read: the order's own, and its lead unit's name.
_SELECTED = (
    Order.id, Order.number, Order.received_at, Order.channel, Order.type, Order.title,
    Order.text, Order.state, Order.urgency, Order.category, Order.district_code,
    Order.street_code, Order.community_code, Order.place_text, _lead.name, Order.citizen_name,
    Order.citizen_phone, Order.anonymous, Order.reply_due_at, Order.is_open, Order.replied_at,
    Order.visit_satisfaction,
)


def _time(value: datetime | None) -> str:
    # isoformat is several times faster than strftime, and this runs three times a row.
    return clock.local(value).isoformat(" ", "minutes")[:16] if value else ""


def _name(names: dict[str, UnitName], code: str | None) -> str:
    if not code:
        return ""
    found = names.get(code)
    return found.name if found else code


Row = Any  # one result row of _SELECTED
Column = tuple[str, Callable[[Row, dict[str, UnitName], datetime, bool], Cell]]
COLUMNS: list[Column] = [
    ("工单编号", lambda r, n, now, u: r.number or str(r.id)),
    ("受理时间", lambda r, n, now, u: _time(r.received_at)),
    ("渠道", lambda r, n, now, u: _CHANNELS.get(r.channel, r.channel)),
    ("类型", lambda r, n, now, u: _TYPES.get(r.type, r.type)),
    ("标题", lambda r, n, now, u: r.title),
    ("诉求内容", lambda r, n, now, u: r.text),
    ("状态", lambda r, n, now, u: _STATES.get(r.state, r.state)),
    ("紧急程度", lambda r, n, now, u: URGENCY.get(r.urgency, r.urgency)),
    ("类别", lambda r, n, now, u: r.category or ""),
    ("区", lambda r, n, now, u: _name(n, r.district_code)),
    ("街道乡镇", lambda r, n, now, u: _name(n, r.street_code)),
    ("社区村", lambda r, n, now, u: _name(n, r.community_code)),
    ("地点描述", lambda r, n, now, u: r.place_text),
    ("主办单位", lambda r, n, now, u: r.name or ""),
    ("诉求人", lambda r, n, now, u: "匿名" if r.anonymous else r.citizen_name),
    ("来电号码", lambda r, n, now, u: "" if r.anonymous else
     (r.citizen_phone if u else mask_phone(r.citizen_phone)) or ""),
    ("答复时限", lambda r, n, now, u: _time(r.reply_due_at)),
    ("是否超期", lambda r, n, now, u: "超期" if _overdue(r, now) else ""),
    ("答复时间", lambda r, n, now, u: _time(r.replied_at)),
    ("回访满意度", lambda r, n, now, u: _SATISFACTION.get(r.visit_satisfaction or "", "")),
]
HEADER = [name for name, _ in COLUMNS]


def _overdue(row: Row, now: datetime) -> bool:
    due = row.reply_due_at
    return bool(row.is_open and due is not None and clock.as_aware(due) < now)


def shows_full_phone(principal: Principal) -> bool:
    return principal.role.value in get_settings().export_unmasked_phone_roles


def _filtered(principal: Principal, f: OrderFilter, now: datetime) -> Select[Any]:
    return apply_filter(access.visible_filter(principal, select(Order)), f, now)


def log_unmasked_export(
    session: Session, principal: Principal, f: OrderFilter, *, order_by: str = "-received_at",
    limit: int | None = None,
) -> int:
    """One phone read log row per order whose number the export will show, written (one
    INSERT ... SELECT with the export's own filter) before the first row goes out."""
    if not shows_full_phone(principal):
        return 0
    now = clock.now()
    ids = (
        _filtered(principal, f, now)
        .with_only_columns(Order.id)
        .where(Order.citizen_phone.is_not(None), Order.anonymous.is_(False))
        .order_by(*ordering(order_by))
    )
    if limit is not None:
        ids = ids.limit(limit)
    chosen = ids.subquery()
    rows = select(
        literal(principal.user_id), chosen.c.id, literal("export"), literal(now, DateTime())
    )
    result = session.execute(
        insert(PhoneReadLog).from_select(["user_id", "order_id", "purpose", "read_at"], rows)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _batches(
    session: Session, principal: Principal, f: OrderFilter, order_by: str, limit: int | None
) -> Iterator[list[list[Cell]]]:
    now = clock.now()
    names = names_by_code(session)
    unmasked = shows_full_phone(principal)
    stmt = (
        _filtered(principal, f, now)
        .with_only_columns(*_SELECTED)
        .outerjoin(_lead, _lead.id == Order.lead_unit_id)
        .order_by(*ordering(order_by))
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    result = session.execute(stmt.execution_options(yield_per=BATCH))
    for rows in result.partitions():
        yield [[value(r, names, now, unmasked) for _, value in COLUMNS] for r in rows]


def _csv(batches: Iterator[list[list[Cell]]]) -> Iterator[bytes]:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    # The byte-order mark tells Excel the file is UTF-8 (Chinese text otherwise reads garbled).
    yield ("\ufeff" + out.getvalue()).encode()
    for batch in batches:
        out.seek(0)
        out.truncate()
        writer.writerows(batch)
        yield out.getvalue().encode()


def stream(
    session: Session, principal: Principal, f: OrderFilter, *, fmt: str,
    order_by: str = "-received_at", limit: int | None = None,
) -> Iterator[bytes]:
    """The export's bytes, produced while the response is sent (reads only: the phone read
    log was written by `log_unmasked_export` first)."""
    batches = _batches(session, principal, f, order_by, limit)
    if fmt == "xlsx":
        yield from stream_xlsx(HEADER, batches, sheet="工单")
    else:
        yield from _csv(batches)


def filename(fmt: str, now: datetime | None = None) -> str:
    return f"orders-{clock.local(now or clock.now()):%Y%m%d-%H%M}.{fmt}"
