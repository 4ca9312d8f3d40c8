"""The order (工单), its unit assignments, its append-only events, joint cases and praise."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy import text as sql
from sqlalchemy.orm import Mapped, mapped_column

from jiesu.core.db import Base


class RequestType(StrEnum):
    consultation = "consultation"  # 咨询
    help = "help"  # 求助
    complaint = "complaint"  # 投诉
    report = "report"  # 举报
    suggestion = "suggestion"  # 建议
    praise = "praise"  # 表扬


REQUEST_TYPE_LABELS = {
    RequestType.consultation: "咨询",
    RequestType.help: "求助",
    RequestType.complaint: "投诉",
    RequestType.report: "举报",
    RequestType.suggestion: "建议",
    RequestType.praise: "表扬",
}


class Channel(StrEnum):
    phone = "phone"
    web = "web"
    app = "app"
    mini_program = "mini_program"
    open311 = "open311"
    media = "media"
    email = "email"


CHANNEL_LABELS = {
    Channel.phone: "电话",
    Channel.web: "网站",
    Channel.app: "APP",
    Channel.mini_program: "小程序",
    Channel.open311: "Open311",
    Channel.media: "媒体",
    Channel.email: "邮件",
}


class NotAcceptedReason(StrEnum):
    """Art. 11 and practice: the order closes, counted in no unit's rates."""

    emergency_110 = "emergency_110"
    emergency_119 = "emergency_119"
    emergency_120 = "emergency_120"
    emergency_122 = "emergency_122"
    legal_channel = "legal_channel"  # litigation, arbitration, review, petition
    repeat = "repeat"
    secrets_privacy = "secrets_privacy"
    outside_duties = "outside_duties"
    against_law = "against_law"


NOT_ACCEPTED_LABELS = {
    NotAcceptedReason.emergency_110: "紧急警情，已转110",
    NotAcceptedReason.emergency_119: "火情，已转119",
    NotAcceptedReason.emergency_120: "急救，已转120",
    NotAcceptedReason.emergency_122: "交通事故，已转122",
    NotAcceptedReason.legal_channel: "已进入诉讼、仲裁、行政复议或信访程序",
    NotAcceptedReason.repeat: "重复诉求，无新情况",
    NotAcceptedReason.secrets_privacy: "涉及国家秘密、商业秘密或他人隐私",
    NotAcceptedReason.outside_duties: "不属于政府职责范围，已告知其他渠道",
    NotAcceptedReason.against_law: "诉求违反法律法规，已劝导",
}


class ReplyOutcome(StrEnum):
    solved = "solved"  # 已解决
    partly_solved = "partly_solved"  # 部分解决
    explained = "explained"  # 已解释说明
    not_solvable = "not_solvable"  # 依法无法解决


REPLY_OUTCOME_LABELS = {
    ReplyOutcome.solved: "已解决",
    ReplyOutcome.partly_solved: "部分解决",
    ReplyOutcome.explained: "已解释说明",
    ReplyOutcome.not_solvable: "诉求不合理或超出能力，依法无法解决",
}


class Satisfaction(StrEnum):
    satisfied = "satisfied"  # 满意
    basically = "basically"  # 基本满意
    dissatisfied = "dissatisfied"  # 不满意


SATISFACTION_LABELS = {
    Satisfaction.satisfied: "满意",
    Satisfaction.basically: "基本满意",
    Satisfaction.dissatisfied: "不满意",
}


class AssignmentRole(StrEnum):
    lead = "lead"  # 主办
    assist = "assist"  # 协办
    delegate = "delegate"  # a community the street passed it on to (二次派单)
    copy = "copy"  # the district of a street order: reads, does not act


class Case(Base):
    """A joint case (联办): many orders about one thing, handled together."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_state_received", "state", "received_at"),
        # The dispatcher's queue page: by state and urgency, oldest first (migration 0005).
        Index("ix_orders_queue", "state", "urgency", "received_at"),
        # The overdue list of a unit is one index range scan (see bench/).
        Index("ix_orders_lead_overdue", "lead_unit_id", "is_open", "reply_due_at"),
        Index("ix_orders_open_reply_due", "is_open", "reply_due_at"),
        Index("ix_orders_phone", "citizen_phone"),
        Index("ix_orders_street", "street_code", "received_at"),
        Index("ix_orders_district", "district_code", "received_at"),
        # The rates' exclusions (close reason, state) read it alone (PostgreSQL, migration 0022).
        Index("ix_orders_received", "received_at", postgresql_include=["close_reason", "state"]),
        # A special line's dashboard and first-call figures (migration 0017).
        Index("ix_orders_line_received", "line_id", "received_at"),
        # The orders of a case: a joint case's page and its one reply (migration 0023).
        Index("ix_orders_case", "case_id", postgresql_where=sql("case_id IS NOT NULL"),
              sqlite_where=sql("case_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(24), unique=True, default=None)
    client_key: Mapped[str | None] = mapped_column(String(80), unique=True, default=None)
    channel: Mapped[str] = mapped_column(String(20))
    type: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    place_text: Mapped[str] = mapped_column(String(300), default="")
    district_code: Mapped[str | None] = mapped_column(String(12), default=None)
    street_code: Mapped[str | None] = mapped_column(String(12), default=None)
    community_code: Mapped[str | None] = mapped_column(String(16), default=None)
    category: Mapped[str | None] = mapped_column(String(60), default=None)
    urgency: Mapped[str] = mapped_column(String(20), default="ordinary")

    citizen_name: Mapped[str] = mapped_column(String(60), default="")
    citizen_phone: Mapped[str | None] = mapped_column(String(20), default=None)
    anonymous: Mapped[bool] = mapped_column(default=False)
    confidential: Mapped[bool] = mapped_column(default=False)
    no_callback: Mapped[bool] = mapped_column(default=False)

    state: Mapped[str] = mapped_column(String(20))
    is_open: Mapped[bool] = mapped_column(default=True)
    lead_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), default=None)
    delegate_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), default=None)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    master_order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), default=None)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), default=None)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The special line (jiesu.lines) the call came in on; None for the main hotline.
    line_id: Mapped[int | None] = mapped_column(ForeignKey("lines.id"), default=None)

    received_at: Mapped[datetime]
    dispatched_at: Mapped[datetime | None] = mapped_column(default=None)
    signed_at: Mapped[datetime | None] = mapped_column(default=None)
    contacted_at: Mapped[datetime | None] = mapped_column(default=None)
    replied_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    sign_due_at: Mapped[datetime | None] = mapped_column(default=None)
    contact_due_at: Mapped[datetime | None] = mapped_column(default=None)
    reply_due_at: Mapped[datetime | None] = mapped_column(default=None)
    # The centre's overall clock: set at the first dispatch, never reset by a return.
    overall_due_at: Mapped[datetime | None] = mapped_column(default=None)

    close_reason: Mapped[str | None] = mapped_column(String(30), default=None)
    not_accepted_reason: Mapped[str | None] = mapped_column(String(30), default=None)
    answer: Mapped[str | None] = mapped_column(Text, default=None)
    reply_outcome: Mapped[str | None] = mapped_column(String(20), default=None)
    reply_text: Mapped[str | None] = mapped_column(Text, default=None)
    visit_solved: Mapped[bool | None] = mapped_column(default=None)
    visit_satisfaction: Mapped[str | None] = mapped_column(String(20), default=None)
    visit_attempts: Mapped[int] = mapped_column(default=0)

    dispatch_count: Mapped[int] = mapped_column(default=0)
    return_count: Mapped[int] = mapped_column(default=0)
    reopen_count: Mapped[int] = mapped_column(default=0)
    urge_count: Mapped[int] = mapped_column(default=0)
    supervise_count: Mapped[int] = mapped_column(default=0)
    extension_pending_days: Mapped[int | None] = mapped_column(default=None)
    extension_count: Mapped[int] = mapped_column(default=0)

    # What triage proposed at intake, kept beside the dispatcher's final choice.
    suggestion: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    suggested_category: Mapped[str | None] = mapped_column(String(60), default=None)
    suggested_unit_code: Mapped[str | None] = mapped_column(String(40), default=None)

    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime]

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (SQLAlchemy's own hook)


class OrderAssignment(Base):
    """Which units an order is with, and as what; rows are ended, never deleted."""

    __tablename__ = "order_assignments"
    __table_args__ = (
        Index("ix_assignments_unit_active", "unit_id", "active", "order_id"),
        # A unit's assisting / passed-on / copied orders for its handlers' page (migration 0005).
        Index("ix_assignments_unit_role", "unit_id", "role", "active", "order_id"),
        Index("ix_assignments_order", "order_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    role: Mapped[str] = mapped_column(String(12))
    active: Mapped[bool] = mapped_column(default=True)
    assigned_at: Mapped[datetime]
    ended_at: Mapped[datetime | None] = mapped_column(default=None)


class OrderEvent(Base):
    """Append-only history: database triggers refuse UPDATE and DELETE on this table."""

    __tablename__ = "order_events"
    __table_args__ = (
        UniqueConstraint("order_id", "seq"),
        Index("ix_order_events_at", "at"),
        Index("ix_order_events_action_at", "action", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    seq: Mapped[int]
    action: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), default=None)
    at: Mapped[datetime]
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Praise(Base):
    """A thank-you call or a banner (锦旗), counted per unit and handler."""

    __tablename__ = "praises"
    __table_args__ = (Index("ix_praises_unit", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20))  # call | banner | letter
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime]
