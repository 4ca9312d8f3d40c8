"""The inbox page (站内消息) and the bell in every page's header: notifications from
`notify.service`, newest first, marked read one by one, all at once, or on opening the order.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from jiesu.core.api import SessionDep, commit
from jiesu.notify import service
from jiesu.web.common import PagePrincipal, redirect, render

router = APIRouter(prefix="/inbox")
PAGE = 30


@router.get("", response_class=HTMLResponse)
def inbox_page(
    request: Request, session: SessionDep, principal: PagePrincipal, unread: str = "",
    offset: int = 0,
) -> HTMLResponse:
    offset = max(0, min(offset, 100_000))
    rows, count, unread_n = service.inbox(
        session, principal.user_id, unread_only=unread == "1", offset=offset, limit=PAGE
    )
    return render(request, "inbox.html", principal, rows=rows, count=count, unread_n=unread_n,
                  only_unread=unread == "1", offset=offset, page=PAGE)


@router.get("/badge", response_class=HTMLResponse)
def badge(request: Request, principal: PagePrincipal) -> HTMLResponse:
    """The bell alone, for htmx to refresh the count while a page stays open."""
    return render(request, "_bell.html", principal)


@router.post("/read-all", response_model=None)
def read_all(session: SessionDep, principal: PagePrincipal) -> RedirectResponse:
    service.mark_all_read(session, principal)
    commit(session)
    return redirect("/inbox?ok=inbox_read")


@router.post("/{notification_id}/read", response_model=None)
def read_one(
    notification_id: int, session: SessionDep, principal: PagePrincipal
) -> RedirectResponse:
    service.mark_read(session, principal, notification_id)
    commit(session)
    return redirect("/inbox?ok=inbox_read")


@router.post("/{notification_id}/open", response_model=None)
def open_order(
    notification_id: int, session: SessionDep, principal: PagePrincipal
) -> RedirectResponse:
    """Mark the message read and go to its order."""
    note = service.mark_read(session, principal, notification_id)
    order_id = note.order_id
    commit(session)
    return redirect(f"/orders/{order_id}" if order_id else "/inbox")
