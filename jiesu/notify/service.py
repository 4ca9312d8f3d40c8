"""The inbox: fan-out of "notify" outbox messages to users, reading and marking read.

Effects enqueue `notify` with {kind, order_id, number, unit_id, role, user_id}; the handler
here writes one inbox row per recipient in the delivering transaction (unique per outbox
message and user, so a repeat delivery adds nothing) and, when a gateway is configured,
one `webhook` message per row for SMS/WeChat.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from jiesu.core import clock, outbox
from jiesu.core.errors import NotFound
from jiesu.core.roles import Principal
from jiesu.core.settings import get_settings
from jiesu.notify.models import Notification
from jiesu.units.models import User

# What the user reads, by kind; {number} is the order number.
TEXTS: dict[str, str] = {
    "dispatched": "新工单 {number} 已派至本单位，请及时签收",
    "returned": "工单 {number} 已被承办单位退回，请重新派单",
    "return_rejected": "工单 {number} 的退单申请被驳回，请继续办理",
    "passed_on": "工单 {number} 已转派给您，请及时办理",
    "extension_requested": "工单 {number} 申请延期，请审批",
    "extension_approved": "工单 {number} 的延期申请已同意",
    "extension_refused": "工单 {number} 的延期申请未获同意",
    "extension_withdrawn": "工单 {number} 已答复或退单，其延期申请已撤回，无需审批",
    "reopened": "工单 {number} 回访未解决，已退回重办",
    "urged": "工单 {number} 已被催办，请抓紧办理",
    "supervised": "工单 {number} 已列入督办，请立即办理并反馈",
    "sign_due_soon": "工单 {number} 即将超过签收时限，请尽快签收",
    "contact_due_soon": "工单 {number} 即将超过联系时限，请尽快联系诉求人",
    "reply_due_soon": "工单 {number} 即将超过答复时限，请抓紧办理",
    "sign_overdue": "工单 {number} 已超过签收时限",
    "contact_overdue": "工单 {number} 已超过联系诉求人时限",
    "reply_overdue": "工单 {number} 已超过答复时限",
    "street_overdue": "辖区街道工单 {number} 已超期，请督促办理",
    "hotspot_alert": "热点预警 {number}：同一地点同一诉求短时间内多位市民来电，请研判是否联办",
    "kb_expiring": "知识库条目 {number} 将于一周内到期，请及时更新或续期",
}


def text_for(kind: str, number: str | None) -> str:
    template = TEXTS.get(kind, "工单 {number} 有新动态")
    return template.format(number=number or "")


def recipients(session: Session, payload: dict[str, Any]) -> list[User]:
    """The active users a notification is for: one user, a unit's staff, or a role."""
    stmt = select(User).where(User.active.is_(True))
    if payload.get("user_id") is not None:
        stmt = stmt.where(User.id == payload["user_id"])
    elif payload.get("unit_id") is not None:
        stmt = stmt.where(User.unit_id == payload["unit_id"])
    elif payload.get("role"):
        stmt = stmt.where(User.role == payload["role"])
    else:
        return []
    return list(session.scalars(stmt.order_by(User.id)))


@outbox.register("notify")
def fan_out(session: Session, message: outbox.OutboxMessage) -> None:
    payload = message.payload
    already = set(session.scalars(
        select(Notification.user_id).where(Notification.outbox_id == message.id)
    ))
    gateway = bool(get_settings().webhook_url)
    now = clock.now()
    for user in recipients(session, payload):
        if user.id in already:
            continue
        note = Notification(
            user_id=user.id, kind=str(payload.get("kind", "")), order_id=payload.get("order_id"),
            number=payload.get("number"), text=text_for(str(payload.get("kind")),
                                                        payload.get("number")),
            outbox_id=message.id, created_at=now,
        )
        session.add(note)
        session.flush()
        if gateway:
            outbox.enqueue(session, "webhook", {
                "notification_id": note.id, "user_id": user.id, "username": user.username,
                "kind": note.kind, "order_id": note.order_id, "number": note.number,
                "text": note.text,
            })


def inbox(
    session: Session, user_id: int, *, unread_only: bool = False, offset: int = 0,
    limit: int = 50,
) -> tuple[Sequence[Notification], int, int]:
    """(rows newest first, count of the filter, unread count)."""
    base = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        base = base.where(Notification.read_at.is_(None))
    count = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = session.scalars(base.order_by(Notification.id.desc()).offset(offset).limit(limit))
    return rows.all(), count, unread_count(session, user_id)


def unread_count(session: Session, user_id: int) -> int:
    stmt = select(func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    return session.scalar(stmt) or 0


def mark_read(session: Session, principal: Principal, notification_id: int) -> Notification:
    note = session.get(Notification, notification_id)
    # Another user's notification does not exist, as far as this user can tell.
    if note is None or note.user_id != principal.user_id:
        raise NotFound("消息不存在", code="notification_not_found")
    if note.read_at is None:
        note.read_at = clock.now()
    return note


def mark_all_read(session: Session, principal: Principal) -> int:
    done = session.execute(
        update(Notification)
        .where(Notification.user_id == principal.user_id, Notification.read_at.is_(None))
        .values(read_at=clock.now())
    )
    return int(getattr(done, "rowcount", 0) or 0)
