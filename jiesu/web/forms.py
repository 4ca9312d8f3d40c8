"""The form of each order action: which fields, labelled in Chinese, and how to read them.

The fields mirror `orders.schemas.ACTION_PAYLOADS`; the schema stays the judge of what is
valid, this table only says how a person types it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.orders.models import (
    NOT_ACCEPTED_LABELS,
    REPLY_OUTCOME_LABELS,
    SATISFACTION_LABELS,
    Order,
)
from jiesu.web.suggest import resolve_unit

CONTACT_METHODS = {"phone": "电话", "visit": "上门", "sms": "短信", "other": "其他"}
PRAISE_KINDS = {"call": "致电表扬", "banner": "锦旗", "letter": "感谢信"}
URGENCIES = {"ordinary": "一般", "urgent": "加急", "emergency": "紧急"}
YES_NO = {"true": "是", "false": "否"}


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text | textarea | select | int | unit | units | order | check
    options: dict[str, str] = field(default_factory=dict)
    required: bool = False


def _opts(labels: dict[Any, str]) -> dict[str, str]:
    return {str(getattr(k, "value", k)): v for k, v in labels.items()}


NOTE = Field("note", "说明", "textarea")
NOTE_REQUIRED = Field("note", "内容", "textarea", required=True)
REASON = Field("reason", "理由", "textarea", required=True)
DISPATCH = [
    Field("lead_unit_id", "主办单位", "unit", required=True),
    Field("assisting_unit_ids", "协办单位（逗号分隔）", "units"),
    Field("category", "类别"),
    Field("urgency", "紧急程度", "select", {"": "（不变）", **URGENCIES}),
    Field("complex_case", "复杂诉求（15 个工作日）", "check"),
    NOTE,
]

ACTION_FIELDS: dict[str, list[Field]] = {
    "answer_on_call": [Field("answer", "答复内容", "textarea", required=True)],
    "not_accept": [
        Field("reason", "不予受理原因", "select", {"": "（请选择）", **_opts(NOT_ACCEPTED_LABELS)},
              required=True),
        NOTE,
    ],
    "dispatch": DISPATCH,
    "redispatch": DISPATCH,
    "sign": [NOTE],
    "return_order": [
        Field("reason", "退单理由（说明应由哪个单位办理）", "textarea", required=True)
    ],
    "reject_return": [REASON],
    "contact": [Field("method", "联系方式", "select", CONTACT_METHODS, required=True), NOTE],
    "note": [Field("note", "办理进展", "textarea", required=True)],
    "assist_report": [Field("note", "协办情况", "textarea", required=True)],
    "pass_on": [Field("unit_id", "下派社区（村）", "unit"), NOTE],
    "request_extension": [
        Field("days", "延期天数（1–30）", "int", required=True),
        Field("reason", "延期理由（将告知诉求人）", "textarea", required=True),
    ],
    "approve_extension": [NOTE],
    "refuse_extension": [REASON],
    "reply": [
        Field("outcome", "办理结果", "select", {"": "（请选择）", **_opts(REPLY_OUTCOME_LABELS)},
              required=True),
        Field("reply", "答复诉求人的内容", "textarea", required=True),
    ],
    "visit_attempt": [Field("note", "未接通情况", "textarea", required=True)],
    "close_visited": [
        Field("solved", "是否解决", "select", {"": "（请选择）", **YES_NO}, required=True),
        Field("satisfaction", "满意度", "select",
              {"": "（请选择）", **_opts(SATISFACTION_LABELS)}, required=True),
        Field("comment", "诉求人意见"),
    ],
    "close_unreachable": [NOTE],
    "close_explained": [REASON],
    "reopen": [
        REASON,
        Field("solved", "是否解决", "select", {"": "（未回答）", **YES_NO}),
        Field("satisfaction", "满意度", "select",
              {"": "（未回答）", **_opts(SATISFACTION_LABELS)}),
        Field("comment", "诉求人意见"),
    ],
    "urge": [NOTE_REQUIRED],
    "supervise": [NOTE_REQUIRED],
    "merge": [Field("master_order_id", "合并到主工单（工单号）", "order", required=True)],
    "split": [NOTE],
    "link_case": [Field("case_id", "联办案件编号", "int", required=True)],
    "praise": [Field("kind", "表扬方式", "select", PRAISE_KINDS, required=True), NOTE],
}


class UnknownReference(ValueError):
    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field_name = field_name
        self.message = message


def read_form(session: Session, action: str, form: Any) -> dict[str, Any]:
    """Form strings → the payload dict the action's schema validates. Blank means absent."""
    payload: dict[str, Any] = {}
    for f in ACTION_FIELDS.get(action, []):
        raw = form.get(f.name)
        value = raw.strip() if isinstance(raw, str) else ""
        if f.kind == "check":
            payload[f.name] = value == "on"
            continue
        if not value:
            continue
        if f.kind == "unit":
            unit = resolve_unit(session, value)
            if unit is None:
                raise UnknownReference(f.name, "找不到该单位，请从列表中选择")
            payload[f.name] = unit.id
        elif f.kind == "units":
            ids = []
            for part in value.replace("，", ",").replace("、", ",").split(","):
                if part.strip():
                    unit = resolve_unit(session, part)
                    if unit is None:
                        raise UnknownReference(f.name, f"找不到单位：{part.strip()}")
                    ids.append(unit.id)
            payload[f.name] = ids
        elif f.kind == "order":
            found = session.scalar(select(Order.id).where(Order.number == value))
            if found is None and not value.isdigit():
                raise UnknownReference(f.name, "找不到该工单")
            payload[f.name] = found if found is not None else int(value)
        else:
            payload[f.name] = value
    if "version" in form:
        payload["version"] = form.get("version") or None
    return payload
