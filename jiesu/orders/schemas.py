"""Request and response shapes of the order API (Create / action payloads / Public)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from jiesu.core.ids import DbId
from jiesu.core.text import clean_spreadsheet_text
from jiesu.orders.models import (
    Channel,
    NotAcceptedReason,
    ReplyOutcome,
    RequestType,
    Satisfaction,
)

Text = Field(min_length=1, max_length=20_000)
Short = Field(default="", max_length=2_000)


class Urgency(StrEnum):
    emergency = "emergency"
    urgent = "urgent"
    ordinary = "ordinary"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OrderCreate(Strict):
    client_key: str | None = Field(
        default=None, max_length=80, description="幂等键：重复提交返回同一工单"
    )
    channel: Channel = Channel.phone
    type: RequestType
    title: str = Field(default="", max_length=200)
    text: str = Text
    place_text: str = Field(default="", max_length=300)
    citizen_name: str = Field(default="", max_length=60)
    citizen_phone: str | None = Field(default=None, max_length=20, pattern=r"^[0-9+\-]{3,20}$")
    anonymous: bool = False
    confidential: bool = False
    no_callback: bool = False
    category: str | None = Field(default=None, max_length=60)
    urgency: Urgency | None = None
    district_code: str | None = Field(default=None, max_length=12)
    street_code: str | None = Field(default=None, max_length=12)
    community_code: str | None = Field(default=None, max_length=16)
    line_id: DbId | None = Field(default=None, description="专线：来电所在专线（须运行中）")
    received_at: datetime | None = Field(default=None, description="仅用于批量导入；默认为当前时间")

    # Texts pasted or imported from spreadsheets carry "_x000D_" and CR LF: decoded on entry.
    @field_validator("title", "text", "place_text", mode="before")
    @classmethod
    def _clean(cls, value: object) -> object:
        return clean_spreadsheet_text(value) if isinstance(value, str) else value

    @field_validator("received_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("received_at must include a timezone")
        return value


class ActionBase(Strict):
    version: int | None = Field(default=None, description="乐观锁：工单当前版本号，不一致返回 409")


class AnswerOnCall(ActionBase):
    answer: str = Text
    knowledge_id: DbId | None = None
    # The knowledge-base version the answer came from (jiesu.lines.first_call).
    knowledge_version_id: DbId | None = None


class NotAccept(ActionBase):
    reason: NotAcceptedReason
    note: str = Short


class Dispatch(ActionBase):
    lead_unit_id: DbId
    assisting_unit_ids: list[DbId] = Field(default_factory=list, max_length=20)
    category: str | None = Field(default=None, max_length=60)
    urgency: Urgency | None = None
    complex_case: bool = False
    note: str = Short


class Redispatch(Dispatch):
    pass


class Reason(ActionBase):
    reason: str = Field(min_length=1, max_length=2_000)


class Note(ActionBase):
    note: str = Field(min_length=1, max_length=5_000)


class OptionalNote(ActionBase):
    note: str = Short


class Contact(ActionBase):
    method: Literal["phone", "visit", "sms", "other"] = "phone"
    note: str = Short


class PassOn(ActionBase):
    unit_id: DbId | None = None
    user_id: DbId | None = None
    note: str = Short


class RequestExtension(ActionBase):
    reason: str = Field(min_length=1, max_length=2_000)
    days: int = Field(ge=1, le=30)


class Reply(ActionBase):
    outcome: ReplyOutcome
    reply: str = Field(min_length=1, max_length=10_000)

    @field_validator("reply", mode="before")
    @classmethod
    def _clean(cls, value: object) -> object:
        return clean_spreadsheet_text(value) if isinstance(value, str) else value


class CloseVisited(ActionBase):
    solved: bool
    satisfaction: Satisfaction
    comment: str = Short


class Reopen(ActionBase):
    reason: str = Field(min_length=1, max_length=2_000)
    solved: bool | None = None
    satisfaction: Satisfaction | None = None
    comment: str = Short


class SkipVisit(ActionBase):
    """Closing without a call: the citizen may not be called, or the order was not sampled."""

    reason: Literal["anonymous", "no_callback", "not_sampled"]
    note: str = Short


class Merge(ActionBase):
    master_order_id: DbId


class LinkCase(ActionBase):
    case_id: DbId


class UnlinkCase(ActionBase):
    reason: str = Field(min_length=1, max_length=500)


class PraiseCreate(ActionBase):
    kind: Literal["call", "banner", "letter"] = "call"
    note: str = Short
    handler_id: DbId | None = None


class Attach(ActionBase):
    """The event of an uploaded file (orders/attachments.py); never taken without the file."""

    filename: str = Field(min_length=1, max_length=255)
    attachment_id: DbId
    content_type: str = Field(max_length=120)
    size: int = Field(ge=0)
    sha256: str = Field(min_length=64, max_length=64)


# "attach" is not here: it has no JSON route, only the multipart upload.
ACTION_PAYLOADS: dict[str, type[ActionBase]] = {
    "answer_on_call": AnswerOnCall,
    "not_accept": NotAccept,
    "dispatch": Dispatch,
    "sign": OptionalNote,
    "return_order": Reason,
    "redispatch": Redispatch,
    "reject_return": Reason,
    "contact": Contact,
    "note": Note,
    "assist_report": Note,
    "pass_on": PassOn,
    "request_extension": RequestExtension,
    "approve_extension": OptionalNote,
    "refuse_extension": Reason,
    "reply": Reply,
    "visit_attempt": Note,
    "close_visited": CloseVisited,
    "close_unreachable": OptionalNote,
    "close_explained": Reason,
    "skip_visit": SkipVisit,
    "reopen": Reopen,
    "urge": Note,
    "supervise": Note,
    "merge": Merge,
    "split": OptionalNote,
    "link_case": LinkCase,
    "unlink_case": UnlinkCase,
    "praise": PraiseCreate,
}


class OrderPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str | None
    channel: str
    type: str
    title: str
    text: str
    place_text: str
    district_code: str | None
    street_code: str | None
    community_code: str | None
    category: str | None
    urgency: str
    citizen_name: str
    citizen_phone: str | None = Field(description="脱敏显示")
    anonymous: bool
    confidential: bool
    no_callback: bool
    state: str
    state_label: str
    lead_unit_id: int | None
    delegate_unit_id: int | None
    assignee_id: int | None
    master_order_id: int | None
    case_id: int | None
    line_id: int | None = Field(default=None, description="来电所在专线")
    received_at: datetime
    dispatched_at: datetime | None
    signed_at: datetime | None
    contacted_at: datetime | None
    replied_at: datetime | None
    closed_at: datetime | None
    sign_due_at: datetime | None
    contact_due_at: datetime | None
    reply_due_at: datetime | None
    overall_due_at: datetime | None
    overdue: bool
    close_reason: str | None
    not_accepted_reason: str | None
    answer: str | None
    reply_outcome: str | None
    reply_text: str | None
    visit_solved: bool | None
    visit_satisfaction: str | None
    visit_attempts: int
    dispatch_count: int
    return_count: int
    reopen_count: int
    urge_count: int
    supervise_count: int
    extension_pending_days: int | None
    suggested_category: str | None
    suggested_unit_code: str | None
    version: int


class EventPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    seq: int
    action: str
    action_label: str
    from_state: str | None
    to_state: str
    actor_id: int | None
    actor_role: str
    unit_id: int | None
    at: datetime
    payload: dict[str, Any]


class AssignmentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    unit_id: int
    role: str
    active: bool
    assigned_at: datetime
    ended_at: datetime | None


class OrderDetail(OrderPublic):
    events: list[EventPublic]
    assignments: list[AssignmentPublic]
    allowed_actions: list[str]
    suggestion: dict[str, Any] | None


class OrderList(BaseModel):
    data: list[OrderPublic]
    count: int


class CitizenContact(BaseModel):
    order_id: int
    citizen_name: str
    citizen_phone: str | None


class CaseCreate(Strict):
    title: str = Field(min_length=1, max_length=200)
    note: str = Short
    order_ids: list[DbId] = Field(default_factory=list, max_length=500)


class CasePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    note: str
    created_at: datetime
    order_ids: list[int] = Field(default_factory=list)


class PraiseStat(BaseModel):
    unit_id: int | None
    handler_id: int | None
    count: int
