"""Return visits: the calls due now (from `jiesu.visits.service.queue`); record a call in a
few clicks: not reached, or solved? and satisfied? — the visits service decides whether the
order closes, goes back to its unit (重办) or waits for the supervisor.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from jiesu.calendar.service import work_calendar
from jiesu.core import clock
from jiesu.core.api import SessionDep, commit
from jiesu.core.errors import DomainError
from jiesu.core.roles import Principal, Role
from jiesu.core.settings import get_settings
from jiesu.orders.models import Order
from jiesu.orders.statemachine import State
from jiesu.units.models import Unit
from jiesu.visits import service as visits
from jiesu.visits.models import VisitReview
from jiesu.visits.rules import due_at, due_cutoff, get_visit_rules
from jiesu.visits.schemas import VisitCreate
from jiesu.web.common import PagePrincipal, field_errors, form_text, needs, redirect, render

router = APIRouter()
PAGE = 30
OUTCOME_FLASH = {
    "closed": "visit_closed", "reopened": "visit_reopened", "attempt": "visit_attempt",
    "unreachable": "visit_unreachable", "explain_pending": "visit_review",
}


def calls_due(session: Session, limit: int = PAGE) -> tuple[list[visits.DueOrder], int]:
    """The first calls to make: replied orders due for their visit, with no pending review,
    that are to be called (not anonymous, not "no call-back", sampled), oldest first.

    The visits service's `queue()` returns every due order; with hundreds of thousands of
    orders a page takes the first ones by index (state, received_at) instead, using the same
    rules (`due_cutoff`, `skip_reason`) so what it shows is exactly the head of that queue.
    """
    rules = get_visit_rules()
    now = clock.now()
    calendar = work_calendar(session)
    cutoff = due_cutoff(now, rules.delay_working_days, calendar)
    pending = exists().where(VisitReview.order_id == Order.id, VisitReview.decided_at.is_(None))
    stmt = (
        select(Order, Unit.code, Unit.name)
        .outerjoin(Unit, Unit.id == Order.lead_unit_id)
        .where(Order.state == State.replied.value, Order.replied_at < cutoff, ~pending)
        .order_by(Order.received_at, Order.id)
    )
    calls: list[visits.DueOrder] = []
    for offset in range(0, 20 * limit, 4 * limit):  # skipped orders are few: a few batches
        batch = list(session.execute(stmt.offset(offset).limit(4 * limit)))
        for order, code, name in batch:
            if visits.skip_reason(order, code, rules) is None and order.replied_at:
                calls.append(visits.DueOrder(order, name,
                                             due_at(order.replied_at, rules.delay_working_days,
                                                    calendar),
                                             None))
        if len(calls) >= limit or len(batch) < 4 * limit:
            break
    waiting = session.scalar(
        select(func.count()).where(Order.state == State.replied.value)
    ) or 0
    return calls[:limit], waiting


def _page(
    request: Request, session: Session, principal: Principal, *, error: str | None = None,
    errors: dict[int, dict[str, str]] | None = None, status_code: int = 200,
) -> HTMLResponse:
    calls, waiting = calls_due(session)
    return render(
        request, "visits.html", principal, status_code=status_code, rows=calls,
        total=waiting, error=error, row_errors=errors or {},
        max_attempts=get_settings().visit_max_attempts,
        export=lambda fmt: f"/api/v1/orders/export?state=replied&order_by=received_at&format={fmt}",
    )


@router.get("/visits", response_class=HTMLResponse)
def visits_page(request: Request, session: SessionDep, principal: PagePrincipal) -> HTMLResponse:
    needs(principal, Role.visitor)
    return _page(request, session, principal)


@router.post("/visits/{order_id}", response_class=HTMLResponse, response_model=None)
async def record_visit(
    order_id: int, request: Request, session: SessionDep, principal: PagePrincipal
) -> HTMLResponse | RedirectResponse:
    needs(principal, Role.visitor)
    form = await request.form()

    def get(name: str) -> str:
        return form_text(form, name)

    reached = get("op") != "attempt"
    try:
        answers = VisitCreate.model_validate({
            "reached": reached,
            "solved": {"true": True, "false": False}.get(get("solved")) if reached else None,
            "satisfaction": (get("satisfaction") or None) if reached else None,
            "comment": get("comment") if reached else "",
            "note": "" if reached else (get("comment") or "未接通"),
            "version": get("version") or None,
        })
        _, outcome = visits.record_visit(session, principal, order_id, answers)
        commit(session)
    except ValidationError as exc:
        session.rollback()
        errs = field_errors(exc)
        if "_form" in errs or not errs:
            errs = {"solved": "请选择是否解决", "satisfaction": "请选择满意度"}
        return _page(request, session, principal, status_code=422, error="请补全回访结果",
                     errors={order_id: errs})
    except DomainError as exc:
        session.rollback()
        return _page(request, session, principal, status_code=exc.status_code, error=exc.message)
    return redirect(f"/visits?ok={OUTCOME_FLASH.get(outcome, 'done')}")
