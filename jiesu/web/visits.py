"""Return visits: the calls due now (from `jiesu.visits.service.queue`); record a call in a
few clicks: not reached, or solved? and satisfied? — the visits service decides whether the
order closes, goes back to its unit (重办) or waits for the supervisor.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from jiesu.core.api import SessionDep, commit
from jiesu.core.errors import DomainError
from jiesu.core.roles import Principal, Role
from jiesu.core.settings import get_settings
from jiesu.visits import service as visits
from jiesu.visits.schemas import VisitCreate
from jiesu.web.common import PagePrincipal, field_errors, form_text, needs, redirect, render

router = APIRouter()
PAGE = 30
OUTCOME_FLASH = {
    "closed": "visit_closed", "reopened": "visit_reopened", "attempt": "visit_attempt",
    "unreachable": "visit_unreachable", "explain_pending": "visit_review",
}
SKIP_LABELS = {"anonymous": "匿名", "no_callback": "不需回访", "not_sampled": "未抽中"}


def _page(
    request: Request, session: Session, principal: Principal, *, error: str | None = None,
    errors: dict[int, dict[str, str]] | None = None, status_code: int = 200,
) -> HTMLResponse:
    calls, skippable = visits.queue(session, principal)
    return render(
        request, "visits.html", principal, status_code=status_code, rows=calls[:PAGE],
        total=len(calls), skippable={SKIP_LABELS[k]: v for k, v in skippable.items() if v},
        error=error, row_errors=errors or {}, max_attempts=get_settings().visit_max_attempts,
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
