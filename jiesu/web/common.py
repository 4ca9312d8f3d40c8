"""What every page shares: templates, the logged-in person, CSRF, flash messages, form errors."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from itsdangerous import BadSignature, URLSafeTimedSerializer
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.core import clock
from jiesu.core.api import SessionDep
from jiesu.core.errors import DomainError, NotAllowed, NotAuthenticated
from jiesu.core.roles import ROLE_LABELS, Principal, Role
from jiesu.core.settings import get_settings
from jiesu.orders.models import (
    CHANNEL_LABELS,
    NOT_ACCEPTED_LABELS,
    REPLY_OUTCOME_LABELS,
    REQUEST_TYPE_LABELS,
    SATISFACTION_LABELS,
)
from jiesu.orders.statemachine import ACTION_LABELS, STATE_LABELS
from jiesu.units.auth import SESSION_COOKIE, principal_from_token
from jiesu.units.names import page_place, page_unit_path

HERE = Path(__file__).resolve().parent
CSRF_COOKIE = "jiesu_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"

URGENCY_LABELS = {"emergency": "紧急", "urgent": "加急", "ordinary": "一般"}
HOME = {
    Role.agent: "/agent",
    Role.dispatcher: "/dispatch",
    Role.handler: "/unit",
    Role.visitor: "/visits",
    Role.supervisor: "/supervisor",
    Role.admin: "/admin",
}
# The links each role sees in the top bar: its own screens and nothing else.
NAV: dict[Role, list[tuple[str, str]]] = {
    Role.agent: [("/agent", "受理"), ("/orders", "工单查询"), ("/kb/search", "知识库")],
    Role.dispatcher: [("/dispatch", "派单队列"), ("/hotspots", "热点"), ("/orders", "工单查询"),
                      ("/kb/search", "知识库"), ("/lines", "专线")],
    Role.handler: [("/unit", "我的工单"), ("/orders", "本单位工单"), ("/kb", "知识库")],
    Role.visitor: [("/visits", "回访队列"), ("/orders", "工单查询"), ("/kb/search", "知识库")],
    Role.supervisor: [("/supervisor", "督办看板"), ("/hotspots", "热点"), ("/orders", "工单查询"),
                      ("/kb", "知识库"),
                      ("/kb/review", "知识库审核"), ("/kb/insights", "待补充答复"),
                      ("/lines", "专线")],
    Role.admin: [
        ("/admin", "单位"),
        ("/admin/users", "用户"),
        ("/admin/catalogue", "派单目录"),
        ("/admin/deadlines", "办理时限"),
        ("/admin/places", "地名别名"),
        ("/admin/calendar", "工作日历"),
        ("/admin/open311", "Open311"),
        ("/kb", "知识库"),
    ],
}
# Who sees the banner when the coming weeks reach a year with no holiday calendar yet.
CALENDAR_WARNED = frozenset({Role.admin, Role.supervisor})
# Messages shown after a successful form post (?ok=key): fixed text, never echoed input.
FLASH = {
    "intake": "已受理，工单已送派单",
    "answered": "已直接答复办结",
    "not_accepted": "已按不予受理办结",
    "dispatched": "已派单",
    "bulk": "已批量派单",
    "merged": "已合并",
    "done": "操作已完成",
    "saved": "已保存",
    "attached": "附件已上传",
    "inbox_read": "已标为已读",
    "hotspot_rule": "预警阈值已保存",
    "hotspot_linked": "已并入联办案件",
    "hotspot_case": "已成立联办案件，在办工单已关联并派给主办单位",
    "hotspot_case_waiting": "已成立联办案件，在办工单已关联；待派工单由派单员派给主办单位",
    "hotspot_dispatched": "待派工单已派给主办单位",
    "hotspot_replied": "已统一答复，各工单转入回访",
    "hotspot_split": "已移出联办案件",
    "visit_closed": "回访已记录，工单已办结",
    "visit_reopened": "回访已记录，工单已退回原单位重办",
    "visit_attempt": "已记录未接通",
    "visit_unreachable": "多次未接通，工单已按无法联系办结",
    "visit_review": "回访结果已提交督办审核",
}

templates = Jinja2Templates(directory=str(HERE / "templates"))


def local_time(value: datetime | None, fmt: str = "%m-%d %H:%M") -> str:
    return clock.local(value).strftime(fmt) if value else "—"


def label_of(table: dict[Any, str], value: Any) -> str:
    if value is None:
        return "—"
    for key, text in table.items():
        if key == value:
            return text
    return str(value)


def place_of(order: Any) -> str:
    """Where an order is, by name (朝阳区 望京街道 花家地西里社区), else as the caller said it."""
    named = page_place(order.district_code, order.street_code, order.community_code)
    return named or order.place_text or "—"


templates.env.filters["t"] = local_time
templates.env.globals.update(
    STATE_LABELS={k.value: v for k, v in STATE_LABELS.items()},
    ACTION_LABELS={k.value: v for k, v in ACTION_LABELS.items()},
    TYPE_LABELS={k.value: v for k, v in REQUEST_TYPE_LABELS.items()},
    CHANNEL_LABELS={k.value: v for k, v in CHANNEL_LABELS.items()},
    NOT_ACCEPTED_LABELS={k.value: v for k, v in NOT_ACCEPTED_LABELS.items()},
    OUTCOME_LABELS={k.value: v for k, v in REPLY_OUTCOME_LABELS.items()},
    SATISFACTION_LABELS={k.value: v for k, v in SATISFACTION_LABELS.items()},
    URGENCY_LABELS=URGENCY_LABELS,
    ROLE_LABELS={k.value: v for k, v in ROLE_LABELS.items()},
    place=place_of,
    unit_path=page_unit_path,
)


class LoginRequired(Exception):
    """A page asked for by someone not (or no longer) logged in: send them to the login."""


# --- CSRF: a token bound to the session cookie (or, before login, to a random cookie) ---


def _csrf_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt="csrf")


def _binding(request: Request) -> str:
    raw = request.cookies.get(SESSION_COOKIE) or request.cookies.get(CSRF_COOKIE) or ""
    return hashlib.sha256(raw.encode()).hexdigest()[:32] if raw else ""


def csrf_token(request: Request) -> str:
    binding = _binding(request) or getattr(request.state, "csrf_binding", "")
    return str(_csrf_serializer().dumps(binding))


def ensure_csrf_cookie(request: Request, response: HTMLResponse | RedirectResponse) -> None:
    """Before login there is no session to bind to: set a random cookie to bind the form to."""
    if request.cookies.get(SESSION_COOKIE) or request.cookies.get(CSRF_COOKIE):
        return
    raw = getattr(request.state, "csrf_raw", None)
    if raw:
        response.set_cookie(CSRF_COOKIE, raw, httponly=True, samesite="lax")


def prepare_csrf(request: Request) -> None:
    if request.cookies.get(SESSION_COOKIE) or request.cookies.get(CSRF_COOKIE):
        return
    raw = secrets.token_urlsafe(24)
    request.state.csrf_raw = raw
    request.state.csrf_binding = hashlib.sha256(raw.encode()).hexdigest()[:32]


class CsrfFailed(DomainError):
    status_code = 403
    code = "csrf_failed"


async def check_csrf(request: Request) -> None:
    """Every state-changing request carries the token, in the form or in the htmx header."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    token = request.headers.get(CSRF_HEADER)
    if not token:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        token = value if isinstance(value, str) else None
    binding = _binding(request)
    if not token or not binding:
        raise CsrfFailed("页面已过期，请刷新后重试（缺少安全令牌）")
    try:
        value = _csrf_serializer().loads(token, max_age=get_settings().session_ttl_seconds)
    except BadSignature as exc:
        raise CsrfFailed("页面已过期，请刷新后重试（安全令牌无效）") from exc
    if not secrets.compare_digest(str(value), binding):
        raise CsrfFailed("页面已过期，请刷新后重试（安全令牌不匹配）")


# --- Who is looking at the page ---


def page_principal(request: Request, session: SessionDep) -> Principal:
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise LoginRequired()
    try:
        principal = principal_from_token(session, cookie, "session")
    except NotAuthenticated as exc:
        raise LoginRequired() from exc
    # The bell in the header: one indexed count, read with the page's own session.
    from jiesu.notify.service import unread_count

    request.state.unread_count = unread_count(session, principal.user_id)
    if principal.role in CALENDAR_WARNED:
        # A year in the next weeks whose holidays nobody entered: deadlines reaching it are
        # estimated until the admin enters the State Council's notice (decision 0010).
        from jiesu.calendar.service import uncovered_years_ahead

        request.state.calendar_warning = uncovered_years_ahead(session)
    return principal


PagePrincipal = Annotated[Principal, Depends(page_principal)]


def needs(principal: Principal, *roles: Role) -> None:
    if principal.role not in roles:
        raise NotAllowed("当前角色无权使用此页面", code="role_not_allowed")


def render(
    request: Request,
    name: str,
    principal: Principal | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    ok = request.query_params.get("ok")
    ctx = {
        "me": principal,
        "nav": NAV.get(principal.role, []) if principal else [],
        "flash": FLASH.get(ok or ""),
        "csrf": csrf_token(request),
        "path": request.url.path,
        "now": clock.now(),
        "unread_count": getattr(request.state, "unread_count", 0),
        "calendar_warning": getattr(request.state, "calendar_warning", ()),
        **context,
    }
    response = templates.TemplateResponse(request, name, ctx, status_code=status_code)
    ensure_csrf_cookie(request, response)
    return response


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def set_session_cookie(response: RedirectResponse, token: str) -> None:
    ttl = get_settings().session_ttl_seconds
    response.set_cookie(
        SESSION_COOKIE, token, max_age=ttl, httponly=True, samesite="lax",
        secure=not get_settings().is_demo and get_settings().mode.value == "production",
    )


# --- Form errors in Chinese, next to the field ---

_MESSAGES = {
    "missing": "必填",
    "string_too_short": "不能为空",
    "string_too_long": "内容过长（最多 {max_length} 字）",
    "string_pattern_mismatch": "格式不正确",
    "enum": "请选择有效的选项",
    "literal_error": "请选择有效的选项",
    "int_parsing": "请输入整数",
    "int_type": "请输入整数",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
    "bool_parsing": "请选择是或否",
    "too_long": "选择过多（最多 {max_length} 项）",
}


def field_errors(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if not isinstance(p, int)]
        name = loc[0] if loc else "_form"
        template = _MESSAGES.get(err.get("type", ""), "输入有误")
        try:
            message = template.format(**(err.get("ctx") or {}))
        except (KeyError, IndexError):
            message = template
        errors.setdefault(name, message)
    return errors


def domain_field_errors(exc: DomainError) -> dict[str, str]:
    """A domain refusal that names fields (missing ones) is shown next to them too."""
    missing = exc.details.get("missing") if isinstance(exc.details, dict) else None
    if isinstance(missing, list):
        return {str(name): "必填" for name in missing}
    return {}


def unit_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    from jiesu.units.models import Unit

    stmt = select(Unit.id, Unit.name).where(Unit.id.in_(ids))
    return {uid: name for uid, name in session.execute(stmt)}


def form_text(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def days_left(due: datetime | None, now: datetime) -> timedelta | None:
    return clock.as_aware(due) - now if due else None


def deadline_class(due: datetime | None, now: datetime, is_open: bool = True) -> str:
    """Colour for a deadline: overdue red, within 24 hours amber."""
    if not due or not is_open:
        return ""
    left = clock.as_aware(due) - now
    if left < timedelta(0):
        return "overdue"
    if left < timedelta(hours=24):
        return "near"
    return "ok"


templates.env.globals["deadline_class"] = deadline_class
