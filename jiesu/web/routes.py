"""Mounts the pages: one router per screen, static files, CSRF on every POST, and error
pages in Chinese (never a stack trace). The JSON API under /api keeps its JSON errors.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from jiesu.core.api import allowed_methods, error_body
from jiesu.core.errors import DomainError
from jiesu.web import (
    admin,
    admin_calendar,
    admin_deadlines,
    admin_open311,
    admin_places,
    auth,
    dispatch,
    handler,
    hotspots,
    inbox,
    intake,
    knowledge,
    lines,
    order,
    search,
    supervisor,
    visits,
)
from jiesu.web.common import HERE, LoginRequired, check_csrf, redirect, render

log = logging.getLogger("jiesu.web")

router = APIRouter(dependencies=[Depends(check_csrf)], include_in_schema=False)
for module in (auth, intake, dispatch, handler, visits, supervisor, search, order, admin,
               admin_deadlines, admin_places, admin_calendar, admin_open311, inbox, knowledge,
               hotspots, lines):
    router.include_router(module.router)

HEADINGS = {
    400: "请求有误", 401: "请先登录", 403: "无权操作", 404: "找不到页面或工单", 405: "不支持的操作",
    409: "操作冲突", 413: "内容过大", 422: "输入有误",
}


def _is_api(request: Request) -> bool:
    path = request.url.path
    return path.startswith(("/api/", "/docs", "/redoc", "/openapi", "/healthz", "/open311/"))


def _error_page(request: Request, status: int, message: str, code: str) -> HTMLResponse:
    from jiesu.core.db import get_sessionmaker
    from jiesu.web.common import page_principal

    principal = None
    session = get_sessionmaker()()
    try:
        principal = page_principal(request, session)
    except Exception:
        principal = None
    finally:
        session.rollback()
        session.close()
    response = render(
        request, "error.html", principal, status_code=status,
        heading=HEADINGS.get(status, "出错了"), message=message, code=code,
    )
    return response


def install_web(app: FastAPI) -> None:
    """Add the pages to the app; wrap the JSON error handlers so pages get HTML."""
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(router)
    json_handlers: dict[Any, Any] = dict(app.exception_handlers)

    async def login_required(request: Request, exc: Exception) -> Response:
        if request.headers.get("hx-request"):
            # htmx follows HX-Redirect with a full page load
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        target = request.url.path
        return redirect(f"/login?next={target}" if request.method == "GET" else "/login")

    def wrap(kind: Any, message_of: Any, status_of: Any, code_of: Any) -> None:
        json_handler = json_handlers.get(kind)

        async def handle(request: Request, exc: Exception) -> Response:
            if _is_api(request) and json_handler is not None:
                result: Response = await json_handler(request, exc)
                return result
            page = _error_page(request, status_of(exc), message_of(exc), code_of(exc))
            if page.status_code == 405:  # as the API does: every method of the path
                page.headers["Allow"] = allowed_methods(request)
            return page

        app.add_exception_handler(kind, handle)

    wrap(DomainError, lambda e: e.message, lambda e: e.status_code, lambda e: e.code)
    wrap(RequestValidationError, lambda e: "请求参数有误，请检查后重试", lambda e: 422,
         lambda e: "invalid_input")
    wrap(StarletteHTTPException, lambda e: HEADINGS.get(e.status_code, "出错了"),
         lambda e: e.status_code, lambda e: f"http_{e.status_code}")
    app.add_exception_handler(LoginRequired, login_required)

    async def server_error(request: Request, exc: Exception) -> Response:
        # Logged with its traceback for the operators; the person sees a plain message.
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        if _is_api(request):
            return JSONResponse(error_body("internal_error", "服务器内部错误"), status_code=500)
        return HTMLResponse(
            "<!doctype html><html lang='zh-CN'><meta charset='utf-8'><title>出错了</title>"
            "<link rel='stylesheet' href='/static/app.css'><main id='main'><section class='card'>"
            "<h1>系统出错了</h1><p>服务器内部错误，请稍后重试；问题已记录。</p>"
            "<p><a href='/'>返回首页</a></p></section></main></html>",
            status_code=500,
        )

    app.add_exception_handler(Exception, server_error)
