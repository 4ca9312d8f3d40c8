"""Knowledge-base pages: the agents' live search, the list, an article (its versions, its
history, the edit form), the centre's review queue and lists (zero results, most used), and the
public search without login. Every change goes through `knowledge.service`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from jiesu.core.api import SessionDep, commit
from jiesu.core.errors import DomainError
from jiesu.core.roles import Principal, Role
from jiesu.knowledge import service, views
from jiesu.knowledge.models import STATUS_LABELS
from jiesu.knowledge.schemas import ArticleCreate, ArticleUpdate
from jiesu.units.models import Unit
from jiesu.web.common import PagePrincipal, field_errors, needs, redirect, render

router = APIRouter()
CENTRE = (Role.supervisor, Role.admin)
WRITERS = (Role.supervisor, Role.admin, Role.handler)
STANDING = {"published": "已发布", "scheduled": "待生效", "expired": "已过期",
            **{k.value: v for k, v in STATUS_LABELS.items()}}
ACTIONS = {"save": "保存新版本", "propose": "提交审核", "publish": "审核发布", "reject": "退回",
           "superseded": "被新版本替代", "withdraw": "撤回", "expiry_notice": "到期前通知单位"}
Q = Annotated[str, Query(max_length=200)]


# --- search (agents and everyone signed in; the public) -------------------------------------


@router.get("/kb/search", response_class=HTMLResponse)
def search_page(request: Request, session: SessionDep, principal: PagePrincipal,
                q: Q = "", category: Annotated[str, Query(max_length=120)] = "") -> HTMLResponse:
    ranked = service.search(session, principal, q, category=category or None, limit=8,
                            record=bool(q))
    commit(session)
    template = "_kb_results.html" if request.headers.get("hx-request") else "kb_search.html"
    return render(request, template, principal, q=q, category=category, hits=ranked.hits,
                  took=ranked.took_ms, public=False)


@router.get("/public/kb", response_class=HTMLResponse)
def public_page(request: Request, session: SessionDep, q: Q = "") -> HTMLResponse:
    """市民查询：无需登录，只有已发布的答复，只有公开字段。"""
    ranked = service.search(session, None, q, limit=10, record=False)
    hits = [views.public_hit(session, h) for h in ranked.hits]
    template = "_kb_public_results.html" if request.headers.get("hx-request") else "kb_public.html"
    return render(request, template, None, q=q, hits=hits)


# --- the list, an article, the edit form -----------------------------------------------------


@router.get("/kb", response_class=HTMLResponse)
def list_page(request: Request, session: SessionDep, principal: PagePrincipal,
              status: Annotated[str, Query(max_length=20)] = "",
              text: Annotated[str, Query(max_length=100)] = "") -> HTMLResponse:
    needs(principal, *WRITERS)
    rows, count = service.list_articles(session, principal, status=status or None,
                                        text=text or None, limit=50)
    articles = [views.article_public(session, a) for a in rows]
    return render(request, "kb_list.html", principal, articles=articles, count=count,
                  status=status, text=text, standing=STANDING, statuses=STATUS_LABELS,
                  centre=principal.role in CENTRE)


def _units(session: Session, principal: Principal) -> list[Unit]:
    from sqlalchemy import select

    if principal.role in CENTRE:
        return list(session.scalars(select(Unit).where(Unit.kind.in_(
            ("centre", "department", "utility", "district"))).order_by(Unit.code)))
    unit = session.get(Unit, principal.unit_id) if principal.unit_id else None
    return [unit] if unit else []


def _form_data(form: Any) -> dict[str, Any]:
    def text(name: str) -> str:
        value = form.get(name)
        return value.strip() if isinstance(value, str) else ""

    return {
        "topic": text("topic"), "answer": text("answer"), "category": text("category"),
        "questions": [q.strip() for q in text("questions").splitlines() if q.strip()],
        "tags": [t.strip() for t in text("tags").replace("，", ",").split(",") if t.strip()],
        "internal_note": text("internal_note"),
        "valid_from": text("valid_from") or None, "valid_to": text("valid_to") or None,
        "submit": text("submit") == "1",
    }


def _with_zone(value: str | None) -> str | None:
    """A datetime-local input has no zone: it is China time."""
    if value and len(value) <= 16:
        return value + ":00+08:00"
    return value


def _edit_page(request: Request, session: Session, principal: Principal, *,
               article_id: int | None, values: dict[str, Any], errors: dict[str, str],
               error: str | None = None, status_code: int = 200) -> HTMLResponse:
    history = None
    if article_id is not None:
        history = views.history(session, service.readable_article(session, principal,
                                                                    article_id))
    return render(request, "kb_edit.html", principal, status_code=status_code,
                  history=history, v=values, errors=errors, error=error,
                  units=_units(session, principal), standing=STANDING, actions=ACTIONS,
                  statuses=STATUS_LABELS, centre=principal.role in CENTRE)


def _values_of(version: Any) -> dict[str, Any]:
    return {"topic": version.topic, "answer": version.answer, "category": version.category,
            "questions": "\n".join(version.questions), "tags": ", ".join(version.tags),
            "internal_note": version.internal_note}


@router.get("/kb/new", response_class=HTMLResponse)
def new_page(request: Request, session: SessionDep, principal: PagePrincipal) -> HTMLResponse:
    needs(principal, *WRITERS)
    return _edit_page(request, session, principal, article_id=None, values={}, errors={})


async def _save(request: Request, session: Session, principal: Principal,
                article_id: int | None) -> HTMLResponse | RedirectResponse:
    form = await request.form()
    data = _form_data(form)
    data["valid_from"] = _with_zone(data["valid_from"])
    data["valid_to"] = _with_zone(data["valid_to"])
    shown = {k: form.get(k) for k in ("topic", "answer", "category", "questions", "tags",
                                      "internal_note", "valid_from", "valid_to", "owner")}
    try:
        if article_id is None:
            owner = form.get("owner")
            body = ArticleCreate(**data, owner_unit_id=int(owner) if isinstance(
                owner, str) and owner.isdigit() else None)
            version = service.create_article(session, principal, body)
        else:
            version = service.save_version(session, principal, article_id,
                                           ArticleUpdate(**data))
        commit(session)
    except (ValidationError, DomainError) as exc:
        session.rollback()
        if isinstance(exc, ValidationError):
            errors = field_errors(exc)
            message = "请检查标红的字段"
            status = 422
        else:
            errors = {str(exc.details.get("field") or "answer"): exc.message}
            message = f"{exc.message}（{exc.code}）"
            status = exc.status_code
        return _edit_page(request, session, principal, article_id=article_id, values=shown,
                          errors=errors, error=message, status_code=status)
    return redirect(f"/kb/{version.article_id}?ok=saved")


@router.post("/kb/new", response_class=HTMLResponse, response_model=None)
async def create(request: Request, session: SessionDep,
                 principal: PagePrincipal) -> HTMLResponse | RedirectResponse:
    needs(principal, *WRITERS)
    return await _save(request, session, principal, None)


@router.get("/kb/review", response_class=HTMLResponse)
def review_page(request: Request, session: SessionDep, principal: PagePrincipal) -> HTMLResponse:
    needs(principal, *CENTRE)
    queue = service.review_queue(session)
    current = {v.id: service.in_force(session, v.article_id) for v in queue}
    return render(request, "kb_review.html", principal, queue=[views.version_public(v)
                  for v in queue], current={k: views.version_public(c) if c else None
                                            for k, c in current.items()})


@router.get("/kb/insights", response_class=HTMLResponse)
def insights_page(request: Request, session: SessionDep,
                  principal: PagePrincipal) -> HTMLResponse:
    needs(principal, *CENTRE)
    return render(request, "kb_insights.html", principal,
                  zero=service.zero_result_queries(session, limit=100),
                  top=service.top_articles(session, limit=50))


@router.get("/kb/{article_id}", response_class=HTMLResponse)
def article_page(article_id: int, request: Request, session: SessionDep,
                 principal: PagePrincipal) -> HTMLResponse:
    needs(principal, *WRITERS)
    article = service.readable_article(session, principal, article_id)
    latest = service.versions_of(session, article.id)[0]
    return _edit_page(request, session, principal, article_id=article_id,
                      values=_values_of(views.version_public(latest)), errors={})


@router.post("/kb/{article_id}", response_class=HTMLResponse, response_model=None)
async def save(article_id: int, request: Request, session: SessionDep,
               principal: PagePrincipal) -> HTMLResponse | RedirectResponse:
    needs(principal, *WRITERS)
    service.readable_article(session, principal, article_id)
    return await _save(request, session, principal, article_id)


async def _note(request: Request) -> str:
    form = await request.form()
    value = form.get("note")
    return value.strip() if isinstance(value, str) else ""


@router.post("/kb/{article_id}/withdraw", response_model=None)
async def withdraw(article_id: int, request: Request, session: SessionDep,
                   principal: PagePrincipal) -> RedirectResponse:
    needs(principal, *CENTRE)
    service.withdraw(session, principal, article_id, await _note(request) or "中心撤回")
    commit(session)
    return redirect(f"/kb/{article_id}?ok=done")


@router.post("/kb/versions/{version_id}/{action}", response_model=None)
async def review_action(version_id: int, action: str, request: Request, session: SessionDep,
                        principal: PagePrincipal) -> RedirectResponse:
    needs(principal, *WRITERS)
    version = service.get_version(session, version_id)
    service.readable_article(session, principal, version.article_id)
    note = await _note(request)
    if action == "propose":
        service.propose(session, principal, version_id)
    elif action == "publish":
        service.publish(session, principal, version_id, note)
    elif action == "reject":
        service.reject(session, principal, version_id, note)
    else:
        from jiesu.core.errors import NotFound

        raise NotFound("没有这个操作", code="kb_action_unknown")
    commit(session)
    back = request.query_params.get("back")
    return redirect("/kb/review?ok=done" if back == "review" else
                    f"/kb/{version.article_id}?ok=done")
