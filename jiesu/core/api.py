"""What every API module shares: the session dependency, commit, and the error handlers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request, routing
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from jiesu.core.db import get_sessionmaker
from jiesu.core.errors import Conflict, DomainError

log = logging.getLogger("jiesu")


async def get_session() -> AsyncIterator[Session]:
    """One session per request, opened and closed on the event loop: making a session does
    no I/O, and a request that committed holds no connection, so only a session still in a
    transaction (an error, a read-only request) goes to a thread to roll back. A sync
    dependency would cost two thread hops on every request."""
    session = get_sessionmaker()()
    try:
        yield session
    finally:
        if session.in_transaction():
            await run_in_threadpool(_roll_back_and_close, session)
        else:
            session.close()


def _roll_back_and_close(session: Session) -> None:
    session.rollback()
    session.close()


SessionDep = Annotated[Session, Depends(get_session)]


def commit(session: Session) -> None:
    """Commit the unit of work; a lost race becomes a 409, never a 500."""
    try:
        session.commit()
    except (StaleDataError, IntegrityError) as exc:
        session.rollback()
        raise Conflict("数据已被他人修改，请刷新后重试", code="version_conflict") from exc


def json_response(model: BaseModel, status_code: int = 200) -> Response:
    """A model the route already built and validated, serialised once. A sync route that
    returns the model instead has FastAPI validate it again against `response_model`, in one
    more thread hop; the busy routes (intake, actions, lists) answer with this instead, and
    keep `response_model` on the decorator for the /docs schema."""
    return Response(model.model_dump_json(), status_code=status_code,
                    media_type="application/json")


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def _clean_errors(errors: Any) -> list[dict[str, Any]]:
    cleaned = []
    for error in errors:
        cleaned.append(
            {
                "loc": [str(part) for part in error.get("loc", ())],
                "msg": str(error.get("msg", "")),
                "type": str(error.get("type", "")),
            }
        )
    return cleaned


HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "not_allowed",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return JSONResponse(exc.as_body(), status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        body = error_body(
            "invalid_input", "输入有误，请检查字段", {"fields": _clean_errors(exc.errors())}
        )
        return JSONResponse(body, status_code=422)

    @app.exception_handler(OperationalError)
    async def database_busy(request: Request, exc: OperationalError) -> JSONResponse:
        # SQLite's single writer: a request that waited out the busy timeout is told to retry
        # (503), not answered as a server bug. Any other operational error stays a 500.
        if "database is locked" not in str(exc.orig):
            raise exc
        log.warning("database busy on %s %s", request.method, request.url.path)
        body = error_body("database_busy", "系统繁忙，请稍后重试")
        return JSONResponse(body, status_code=503, headers={"Retry-After": "1"})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = HTTP_CODES.get(exc.status_code, "http_error")
        headers = exc.headers
        if exc.status_code == 405:
            headers = {**(headers or {}), "Allow": allowed_methods(request)}
        return JSONResponse(
            error_body(code, str(exc.detail)), status_code=exc.status_code, headers=headers
        )


def allowed_methods(request: Request) -> str:
    """Every method some route serves at this path: Starlette's 405 names only the first route
    that matched the path, while FastAPI adds one route per method (GET and POST /orders)."""
    methods: set[str] = set()
    scope = {**request.scope, "method": "__NONE__"}
    for context in routing.iter_route_contexts(request.app.routes):
        route_methods = getattr(context, "methods", None)
        if route_methods and context.matches(scope)[0] is not Match.NONE:
            methods |= set(route_methods)
    return ", ".join(sorted(methods))
