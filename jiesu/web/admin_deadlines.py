"""Admin page for the deadline rules table (办理时限): add, replace, retire, and each rule's
history, all through `orders.deadline_rules` (versioned: a change retires the row and adds
its successor). Orders already dispatched keep the deadlines they got.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.core.api import SessionDep, commit
from jiesu.core.errors import DomainError
from jiesu.core.roles import Principal, Role
from jiesu.orders import deadline_rules as rules
from jiesu.orders.deadline_rules import DeadlineRuleRow
from jiesu.orders.deadline_rules_api import DeadlineRuleCreate, DeadlineRuleLimits
from jiesu.orders.deadlines import DEFAULT_RULES
from jiesu.web.common import PagePrincipal, needs, redirect, render

router = APIRouter(prefix="/admin/deadlines")
URGENCY_LABELS = {
    "emergency": "紧急", "outage": "停水停电停气停暖", "urgent": "加急", "ordinary": "一般",
    "complex": "复杂",
}
SPAN_LABELS = {"hours": "小时", "working_days": "工作日", "calendar_days": "自然日"}
LIMITS = (("sign", "签收"), ("contact", "首次联系"), ("reply", "答复"))
_MESSAGES = {
    "missing": "必填", "int_parsing": "请输入整数", "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}", "enum": "请选择有效的选项",
    "literal_error": "请选择有效的选项", "string_too_long": "内容过长（最多 {max_length} 字）",
    "string_too_short": "不能为空",
}


def _errors(exc: ValidationError) -> dict[str, str]:
    """Errors keyed like the form's fields: ("sign", "amount") → "sign_amount"."""
    found: dict[str, str] = {}
    for err in exc.errors():
        name = "_".join(str(p) for p in err.get("loc", ()) if not isinstance(p, int)) or "_form"
        template = _MESSAGES.get(err.get("type", ""), "输入有误")
        try:
            found.setdefault(name, template.format(**(err.get("ctx") or {})))
        except (KeyError, IndexError):
            found.setdefault(name, template)
    return found


def _body(values: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {"note": values.get("note", "")}
    for name, _ in LIMITS:
        body[name] = {"amount": values.get(f"{name}_amount", ""),
                      "span": values.get(f"{name}_span", "")}
    return body


def _values(row: DeadlineRuleRow) -> dict[str, str]:
    limits = row.as_set()
    values = {"urgency": row.urgency, "category": row.category or "", "note": row.note}
    for name, _ in LIMITS:
        rule = getattr(limits, name)
        values[f"{name}_amount"] = str(rule.amount)
        values[f"{name}_span"] = rule.span.value
    return values


def _common(**context: Any) -> dict[str, Any]:
    return {"urgencies": URGENCY_LABELS, "spans": SPAN_LABELS, "limits": LIMITS, **context}


def _list_page(
    request: Request, session: Session, principal: Principal, *,
    errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
    status_code: int = 200, error: str | None = None,
) -> HTMLResponse:
    retired = session.scalars(
        select(DeadlineRuleRow).where(DeadlineRuleRow.retired_at.is_not(None))
        .order_by(DeadlineRuleRow.retired_at.desc(), DeadlineRuleRow.id.desc()).limit(20)
    ).all()
    defaults = [(URGENCY_LABELS[k], r) for k, r in DEFAULT_RULES.items()]
    return render(request, "admin_deadlines.html", principal, status_code=status_code,
                  **_common(rows=rules.active_rules(session), retired=retired,
                            defaults=defaults, errors=errors or {}, v=values or {},
                            error=error))


def _rule_page(
    request: Request, session: Session, principal: Principal, rule_id: int, *,
    errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
    status_code: int = 200, error: str | None = None,
) -> HTMLResponse:
    versions = rules.history(session, rule_id)
    return render(request, "admin_deadline_rule.html", principal, status_code=status_code,
                  **_common(rule=versions[0], versions=versions, errors=errors or {},
                            v=values or _values(versions[0]), error=error))


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: str(v).strip() for k, v in form.items() if isinstance(v, str)}


@router.get("", response_class=HTMLResponse)
def deadlines_page(
    request: Request, session: SessionDep, principal: PagePrincipal
) -> HTMLResponse:
    needs(principal, Role.admin)
    return _list_page(request, session, principal)


@router.post("", response_class=HTMLResponse, response_model=None)
async def add_rule(
    request: Request, session: SessionDep, principal: PagePrincipal
) -> HTMLResponse | RedirectResponse:
    needs(principal, Role.admin)
    values = await _form(request)
    try:
        body = DeadlineRuleCreate.model_validate({
            **_body(values), "urgency": values.get("urgency", ""),
            "category": values.get("category") or None,
        })
        rules.add_rule(session, urgency=body.urgency, category=body.category,
                       limits=body.as_set(), note=body.note, actor_id=principal.user_id)
        commit(session)
    except ValidationError as exc:
        return _list_page(request, session, principal, errors=_errors(exc), values=values,
                          status_code=422, error="请检查标红的字段")
    except DomainError as exc:  # refused before anything was written
        return _list_page(request, session, principal, errors={"category": exc.message},
                          values=values, status_code=exc.status_code, error=exc.message)
    return redirect("/admin/deadlines?ok=saved")


@router.get("/{rule_id}", response_class=HTMLResponse)
def rule_page(
    rule_id: int, request: Request, session: SessionDep, principal: PagePrincipal
) -> HTMLResponse:
    needs(principal, Role.admin)
    return _rule_page(request, session, principal, rule_id)


@router.post("/{rule_id}", response_class=HTMLResponse, response_model=None)
async def replace_rule(
    rule_id: int, request: Request, session: SessionDep, principal: PagePrincipal
) -> HTMLResponse | RedirectResponse:
    """A new version of the rule; the old one is kept, retired, in its history."""
    needs(principal, Role.admin)
    values = await _form(request)
    try:
        body = DeadlineRuleLimits.model_validate(_body(values))
        new = rules.replace_rule(session, rule_id, limits=body.as_set(), note=body.note,
                                 actor_id=principal.user_id)
        new_id = new.id
        commit(session)
    except ValidationError as exc:
        return _rule_page(request, session, principal, rule_id, errors=_errors(exc),
                          values=values, status_code=422, error="请检查标红的字段")
    except DomainError as exc:  # refused before anything was written
        return _rule_page(request, session, principal, rule_id, values=values,
                          status_code=exc.status_code, error=exc.message)
    return redirect(f"/admin/deadlines/{new_id}?ok=saved")


@router.post("/{rule_id}/retire", response_model=None)
def retire_rule(
    rule_id: int, session: SessionDep, principal: PagePrincipal
) -> RedirectResponse:
    needs(principal, Role.admin)
    rules.retire_rule(session, rule_id)
    commit(session)
    return redirect("/admin/deadlines?ok=saved")
