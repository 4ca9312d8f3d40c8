"""One spreadsheet row of a historical order → a checked `BulkOrder`, or the reasons it is not.

The columns are data (`COLUMNS`): each field names the headers it is known by (Chinese as the
centres' own exports write them, or the English field name) and the parser that checks it. A
parser returns the value or raises `CellError` with a reason in Chinese; the row is then
reported with its line, its column header and that reason, and nothing of it is stored.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import Any

from jiesu.core.clock import CHINA_TZ
from jiesu.core.text import clean_spreadsheet_text
from jiesu.core.workdays import AroundTheClock, DayCalendar
from jiesu.orders.bulk import BulkOrder
from jiesu.orders.deadlines import DEFAULT_RULES, OFFICE_CLOSE, DeadlineSet, deadline
from jiesu.orders.import_history import import_events
from jiesu.orders.models import (
    CHANNEL_LABELS,
    REPLY_OUTCOME_LABELS,
    REQUEST_TYPE_LABELS,
    SATISFACTION_LABELS,
    Channel,
    ReplyOutcome,
    RequestType,
)
from jiesu.orders.statemachine import OPEN_STATES, STATE_LABELS, WITH_UNIT, State

KEY_PREFIX = "import:"


class CellError(ValueError):
    pass


# --- spreadsheet artefacts ---------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u200c\u200d\u2060\ufeff]")


def clean_text(value: str) -> str:
    """Excel's _xHHHH_ escapes decoded and one kind of line break (core/text.py), then no
    control or zero-width characters, no-break spaces as spaces, and no blank edges."""
    value = clean_spreadsheet_text(value)
    if not value.isprintable():
        value = _CONTROL.sub("", value)
    return value.replace("\u00a0", " ").strip()


def cell_text(value: Any) -> str:
    """A cell as text: spreadsheets give numbers for phone numbers and ids."""
    if type(value) is str:
        # The common cell, one line of printable text: what clean_text would make of it.
        if value.isprintable() and "_x" not in value:
            return (value.replace("\u00a0", " ") if "\u00a0" in value else value).strip()
        return clean_text(value)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return clean_text(str(value))


# --- field parsers -----------------------------------------------------------------------


def _labels(enum_labels: dict[Any, str], extra: dict[str, str] | None = None) -> dict[str, str]:
    table = {str(k.value): str(k.value) for k in enum_labels}
    table.update({label: str(k.value) for k, label in enum_labels.items()})
    table.update(extra or {})
    return table


TYPES = _labels(REQUEST_TYPE_LABELS)
CHANNELS = _labels(CHANNEL_LABELS, {"热线": Channel.phone.value, "12345": Channel.phone.value,
                                    "网络": Channel.web.value, "微信": Channel.mini_program.value})
STATES = _labels(STATE_LABELS, {
    "已受理": State.received.value, "已派单": State.dispatched.value,
    "已答复": State.replied.value, "办结": State.closed.value, "已结案": State.closed.value,
})
OUTCOMES = _labels(REPLY_OUTCOME_LABELS, {
    "解决": ReplyOutcome.solved.value, "已解释": ReplyOutcome.explained.value,
    "解释说明": ReplyOutcome.explained.value, "无法解决": ReplyOutcome.not_solvable.value,
    "依法无法解决": ReplyOutcome.not_solvable.value,
})
SATISFACTIONS = _labels(SATISFACTION_LABELS)
YES_NO = {"是": True, "否": False, "已解决": True, "未解决": False, "true": True, "false": False,
          "1": True, "0": False, "yes": True, "no": False}
PHONE = re.compile(r"^[0-9+\-]{3,20}$")
# States an import may bring: a merged order needs its master, which a file cannot name.
IMPORTABLE = frozenset(State) - {State.merged}


def _choice(table: dict[str, str], what: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        found = table.get(value) or table.get(value.lower())
        if found is None:
            raise CellError(f"无法识别的{what}“{value[:20]}”")
        return found

    return parse


def _length(limit: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if len(value) > limit:
            raise CellError(f"超过 {limit} 个字符（{len(value)} 个）")
        return value

    return parse


# A time without a zone is Beijing's, a fixed +08:00 (CHINA_TZ): counted from the Beijing
# wall-clock time of the UTC epoch, one subtraction and one addition (replace(tzinfo=...)
# and astimezone cost ~1.4 us a cell, and a row has up to seven).
_UTC_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_BEIJING_EPOCH = datetime(1970, 1, 1) + (CHINA_TZ.utcoffset(None) or timedelta(0))


def parse_time(value: str) -> datetime:
    """2026-11-02 10:00[:00], 2026/11/02 10:00, ISO 8601 with a zone; no zone: Beijing time."""
    text = value.replace("/", "-").replace("T", " ").strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise CellError(f"时间格式有误“{value[:25]}”，应为 2026-11-02 10:00") from None
    if parsed.tzinfo is None:
        return _UTC_EPOCH + (parsed - _BEIJING_EPOCH)
    return parsed.astimezone(UTC)


def _phone(value: str) -> str:
    value = value.replace(" ", "")
    if not PHONE.match(value):
        raise CellError(f"电话号码有误“{value[:20]}”")
    return value


def _yes_no(value: str) -> bool:
    found = YES_NO.get(value.lower())
    if found is None:
        raise CellError(f"应为“是”或“否”，而不是“{value[:10]}”")
    return found


@dataclass(frozen=True)
class Column:
    field: str
    headers: tuple[str, ...]
    parse: Callable[[str], Any]
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("import_key", ("导入键", "import_key"), _length(60)),
    Column("source_number", ("工单编号", "原工单编号", "number"), _length(60)),
    Column("received_at", ("受理时间", "来电时间", "received_at"), parse_time, required=True),
    Column("text", ("诉求内容", "来电内容", "text"), _length(20_000), required=True),
    Column("title", ("标题", "诉求标题", "title"), _length(200)),
    Column("type", ("诉求类型", "type"), _choice(TYPES, "诉求类型")),
    Column("channel", ("渠道", "来源渠道", "channel"), _choice(CHANNELS, "渠道")),
    Column("citizen_phone", ("来电号码", "联系电话", "phone"), _phone),
    Column("citizen_name", ("诉求人", "姓名", "name"), _length(60)),
    Column("place_text", ("地点", "诉求地址", "place"), _length(300)),
    Column("district", ("区", "所属区", "district"), _length(120)),
    Column("street", ("街道", "街乡镇", "street"), _length(120)),
    Column("category", ("类别", "诉求分类", "category"), _length(60)),
    Column("unit", ("承办单位", "主办单位", "unit"), _length(120)),
    Column("state", ("状态", "工单状态", "state"), _choice(STATES, "状态")),
    Column("dispatched_at", ("派单时间", "dispatched_at"), parse_time),
    Column("signed_at", ("签收时间", "signed_at"), parse_time),
    Column("contacted_at", ("联系时间", "contacted_at"), parse_time),
    Column("replied_at", ("答复时间", "replied_at"), parse_time),
    Column("closed_at", ("办结时间", "closed_at"), parse_time),
    Column("reply_due_at", ("答复期限", "reply_due_at"), parse_time),
    Column("reply_outcome", ("答复结果", "办理结果", "reply_outcome"),
           _choice(OUTCOMES, "答复结果")),
    Column("reply_text", ("答复内容", "reply"), _length(10_000)),
    Column("visit_solved", ("是否解决", "visit_solved"), _yes_no),
    Column("visit_satisfaction", ("回访结果", "满意度", "visit_result"),
           _choice(SATISFACTIONS, "回访结果")),
)
_BY_HEADER = {h.lower(): c for c in COLUMNS for h in c.headers}


@dataclass(frozen=True)
class Layout:
    """Which file column holds which field, and the header it has in the file."""

    positions: tuple[tuple[int, Column, str], ...]

    @cached_property
    def _headers(self) -> dict[str, str]:
        found = {c.field: c.headers[0] for c in COLUMNS}
        found.update({column.field: header for _, column, header in self.positions})
        return found

    def header_of(self, field_name: str) -> str:
        return self._headers[field_name]


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    reason: str


def layout_for(headers: list[str]) -> tuple[Layout | None, list[RowError]]:
    """Match the header row; a missing required column or a repeated one is an error of line 1
    (unknown columns are ignored: exports carry many this import has no use for)."""
    positions: list[tuple[int, Column, str]] = []
    errors: list[RowError] = []
    seen: set[str] = set()
    for index, raw in enumerate(headers):
        header = clean_text(str(raw or ""))
        column = _BY_HEADER.get(header.lower())
        if column is None:
            continue
        if column.field in seen:
            errors.append(RowError(1, header, "列重复"))
            continue
        seen.add(column.field)
        positions.append((index, column, header))
    for column in COLUMNS:
        if column.required and column.field not in seen:
            errors.append(RowError(1, column.headers[0], "缺少必填列"))
    return (None if errors else Layout(tuple(positions))), errors


@dataclass(frozen=True)
class Places:
    """What the file's unit, district and street cells may name: codes or exact names."""

    unit_ids: dict[str, int]  # code and unambiguous name → unit id
    ambiguous: frozenset[str]
    districts: dict[str, str]  # code or name → district code
    streets: dict[tuple[str | None, str], str]  # (district code | None, code or name) → code
    street_district: dict[str, str]  # street code → its district code


@dataclass(frozen=True)
class Deadlines:
    """The limits an order still open with its unit runs against, read once per import:
    the rules table's ordinary rows by category (imports carry no urgency), the centre's
    working-day calendar, and the units that count every day (utilities)."""

    rules: dict[str | None, DeadlineSet]  # category (None: any) → limits
    calendar: DayCalendar
    around_the_clock: frozenset[int]
    close: time = OFFICE_CLOSE

    def limits(self, category: str | None) -> DeadlineSet:
        found = self.rules.get(category) if category else None
        return found or self.rules.get(None) or DEFAULT_RULES["ordinary"]

    def due(self, start: datetime, category: str | None, unit_id: int
            ) -> tuple[datetime, datetime, datetime]:
        """(sign, contact, reply) deadlines for a clock started at `start`, as dispatch sets."""
        rules = self.limits(category)
        cal = AroundTheClock() if unit_id in self.around_the_clock else self.calendar
        return (deadline(start, rules.sign, cal, close_of_day=self.close),
                deadline(start, rules.contact, cal, close_of_day=self.close),
                deadline(start, rules.reply, cal, close_of_day=self.close))

    def overall(self, received: datetime, category: str | None, unit_id: int) -> datetime:
        cal = AroundTheClock() if unit_id in self.around_the_clock else self.calendar
        return deadline(received, self.limits(category).reply, cal, close_of_day=self.close)


KEY_FIELDS = ("import_key", "source_number", "received_at", "citizen_phone", "text", "title",
              "unit")


def import_key(fields: dict[str, Any]) -> str:
    """The order's import key (its stored `client_key`) from its parsed fields; only
    `KEY_FIELDS` are read."""
    if fields.get("import_key"):
        return KEY_PREFIX + str(fields["import_key"])
    if fields.get("source_number"):
        return KEY_PREFIX + "no:" + str(fields["source_number"])
    # No id in the file: the row's content is its identity (the same row twice is one order).
    basis = "\x1f".join(str(fields.get(f, "")) for f in
                        ("received_at", "citizen_phone", "text", "title", "unit"))
    return KEY_PREFIX + "h:" + hashlib.sha256(basis.encode()).hexdigest()[:40]


def _resolve(fields: dict[str, Any], places: Places, layout: Layout,
             errors: list[tuple[str, str]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    district = fields.get("district")
    if district:
        code = places.districts.get(district)
        if code is None:
            errors.append((layout.header_of("district"), f"无此区“{district[:20]}”"))
        found["district_code"] = code
    street = fields.get("street")
    if street:
        code = places.streets.get((found.get("district_code"), street)) or places.streets.get(
            (None, street))
        if code is None:
            errors.append((layout.header_of("street"), f"无此街道乡镇或名称不唯一“{street[:20]}”"))
        else:
            found["street_code"] = code
            found.setdefault("district_code", places.street_district.get(code))
    unit = fields.get("unit")
    if unit:
        unit_id = places.unit_ids.get(unit)
        if unit_id is None:
            reason = "单位名称不唯一，请写单位编码" if unit in places.ambiguous else "无此承办单位"
            errors.append((layout.header_of("unit"), f"{reason}“{unit[:20]}”"))
        found["lead_unit_id"] = unit_id
    return found


_TIMES = ("received_at", "dispatched_at", "signed_at", "contacted_at", "replied_at", "closed_at")
_PAST_DISPATCH = frozenset(State) - {State.received}
_REPLIED = frozenset({State.replied, State.reopened, State.closed})


def _state_of(fields: dict[str, Any]) -> State:
    if fields.get("state"):
        return State(fields["state"])
    if fields.get("closed_at"):
        return State.closed
    if fields.get("replied_at") or fields.get("reply_text"):
        return State.replied
    return State.dispatched if fields.get("unit") else State.received


def _check(fields: dict[str, Any], state: State, layout: Layout,
           errors: list[tuple[str, str]]) -> None:
    h = layout.header_of
    if state not in IMPORTABLE:
        errors.append((h("state"), "不能导入“已合并”的工单（合并需指明主工单）"))
    if state in _PAST_DISPATCH and not fields.get("unit") and state is not State.closed:
        errors.append((h("unit"), f"状态“{STATE_LABELS[state]}”须填写承办单位"))
    if state is State.replied and not fields.get("reply_text"):
        errors.append((h("reply_text"), "待回访的工单须有答复内容"))
    if (fields.get("visit_satisfaction") or fields.get("visit_solved") is not None) and (
            state is not State.closed):
        errors.append((h("visit_satisfaction"), "只有已办结的工单才有回访结果"))
    last: tuple[str, datetime] | None = None
    for name in _TIMES:
        at = fields.get(name)
        if at is None:
            continue
        if last is not None and at < last[1]:
            errors.append((h(name), f"早于{last[0]}"))
        last = (h(name), at)


def build(fields: dict[str, Any], places: Places, layout: Layout, *, created_by_id: int,
          now: datetime, source: str, line: int, deadlines: Deadlines | None = None,
          ) -> tuple[BulkOrder | None, list[tuple[str, str]]]:
    """The stored order for one row's parsed fields, or the (column, reason) pairs against it."""
    errors: list[tuple[str, str]] = []
    if fields["received_at"] > now:
        errors.append((layout.header_of("received_at"), "受理时间晚于当前时间"))
    state = _state_of(fields)
    _check(fields, state, layout, errors)
    resolved = _resolve(fields, places, layout, errors)
    if errors:
        return None, errors
    received = fields["received_at"]
    text = fields["text"]
    key = import_key(fields)
    rtype = fields.get("type") or RequestType.complaint.value
    channel = fields.get("channel") or Channel.phone.value
    unit_id = resolved.get("lead_unit_id")
    dispatched = unit_id is not None and state is not State.received
    at: dict[str, datetime | None] = {name: fields.get(name) for name in _TIMES}
    if dispatched and at["dispatched_at"] is None:
        at["dispatched_at"] = received
    if state is State.closed and at["closed_at"] is None:
        at["closed_at"] = at["replied_at"] or at["dispatched_at"] or received
    replied = state in _REPLIED and (fields.get("reply_text") or at["replied_at"])
    if replied and at["replied_at"] is None:
        at["replied_at"] = at["closed_at"] or at["dispatched_at"] or received
    visited = bool(fields.get("visit_satisfaction"))
    close_reason = None
    if state is State.closed:
        close_reason = ("visited" if visited else "visit_skipped") if dispatched else (
            "answered_on_call")
    columns: dict[str, Any] = {
        "client_key": key, "channel": channel, "type": rtype,
        "title": fields.get("title") or text[:40], "text": text,
        "place_text": fields.get("place_text") or "",
        "district_code": resolved.get("district_code"), "street_code": resolved.get("street_code"),
        "category": fields.get("category") or None,
        "citizen_name": fields.get("citizen_name") or "",
        "citizen_phone": fields.get("citizen_phone") or None,
        "anonymous": not fields.get("citizen_phone"),
        "state": state.value, "is_open": state in OPEN_STATES,
        "lead_unit_id": unit_id if dispatched else None, "created_by_id": created_by_id,
        "received_at": received, "dispatched_at": at["dispatched_at"] if dispatched else None,
        "signed_at": at["signed_at"], "contacted_at": at["contacted_at"],
        "replied_at": at["replied_at"] if replied else None, "closed_at": at["closed_at"],
        "reply_due_at": fields.get("reply_due_at"),
        "close_reason": close_reason,
        "answer": fields.get("reply_text") if close_reason == "answered_on_call" else None,
        "reply_outcome": fields.get("reply_outcome") or (
            ReplyOutcome.solved.value if replied else None),
        "reply_text": fields.get("reply_text") if replied else None,
        "visit_solved": fields.get("visit_solved"),
        "visit_satisfaction": fields.get("visit_satisfaction"),
        "dispatch_count": 1 if dispatched else 0,
        "reopen_count": 1 if state is State.reopened else 0,
        "return_count": 1 if state is State.returned else 0,
        "updated_at": at["closed_at"] or at["replied_at"] or at["dispatched_at"] or received,
    }
    origin = {"file": source, "line": line}
    if fields.get("source_number"):
        origin["source_number"] = fields["source_number"]
    events = import_events(columns, state, origin)
    if deadlines is not None and unit_id is not None and state in WITH_UNIT:
        _open_deadlines(columns, state, deadlines, unit_id)
    return BulkOrder(columns, events), []


def _open_deadlines(columns: dict[str, Any], state: State, deadlines: Deadlines,
                    unit_id: int) -> None:
    """An order still with its unit gets the deadlines its dispatch (or reopen) would have
    set, from the rules table, so the overdue lists and the deadline jobs (bulk writes its
    watches) treat it like a live one; a reply deadline in the file is kept. A reopened
    order starts afresh at its reopening, as `effects.reopen` does."""
    if state is State.reopened:
        columns.update(signed_at=None, contacted_at=None, replied_at=None)
        start = columns["updated_at"]
    else:
        start = columns["dispatched_at"]
    sign, contact, reply = deadlines.due(start, columns["category"], unit_id)
    columns["sign_due_at"], columns["contact_due_at"] = sign, contact
    if columns.get("reply_due_at") is None:
        columns["reply_due_at"] = reply
    columns["overall_due_at"] = deadlines.overall(columns["received_at"], columns["category"],
                                                  unit_id)
