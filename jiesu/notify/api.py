"""Routes for the in-app inbox: my notifications, unread count, mark read."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from jiesu.core.api import SessionDep, commit
from jiesu.core.ids import Offset, PathId
from jiesu.notify import service
from jiesu.units.auth import CurrentPrincipal

router = APIRouter(prefix="/api/v1/inbox", tags=["inbox"])


class NotificationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    order_id: int | None
    number: str | None
    text: str
    created_at: datetime
    read_at: datetime | None


class Inbox(BaseModel):
    data: list[NotificationPublic]
    count: int
    unread: int


class ReadAll(BaseModel):
    marked: int


@router.get("", response_model=Inbox)
def my_inbox(
    session: SessionDep,
    principal: CurrentPrincipal,
    unread: bool = False,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Inbox:
    """我的消息（新到旧），unread=true 只看未读。"""
    rows, count, unread_n = service.inbox(
        session, principal.user_id, unread_only=unread, offset=offset, limit=limit
    )
    return Inbox(data=[NotificationPublic.model_validate(r) for r in rows], count=count,
                 unread=unread_n)


@router.post("/read-all", response_model=ReadAll)
def read_all(session: SessionDep, principal: CurrentPrincipal) -> ReadAll:
    """全部标为已读。"""
    marked = service.mark_all_read(session, principal)
    commit(session)
    return ReadAll(marked=marked)


@router.post("/{notification_id}/read", response_model=NotificationPublic)
def read_one(
    session: SessionDep, principal: CurrentPrincipal,
    notification_id: PathId,
) -> NotificationPublic:
    """标为已读。"""
    note = service.mark_read(session, principal, notification_id)
    result = NotificationPublic.model_validate(note)
    commit(session)
    return result
