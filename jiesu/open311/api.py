"""Thin routes: GeoReport v2 at /open311/v2 (JSON or XML by extension, Open311's own errors),
and the admins' API for client apps at /api/v1/open311/clients."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from jiesu.core import clock
from jiesu.core.api import SessionDep, commit, json_response
from jiesu.core.errors import InvalidInput, NotFound
from jiesu.core.ids import PathId
from jiesu.open311 import catalog, service
from jiesu.open311.formats import Format, Open311Route, error_response, format_of, render
from jiesu.open311.schemas import (
    ApiClientCreate,
    ApiClientIssued,
    ApiClientList,
    ApiClientPublic,
    Open311Error,
    RequestCreate,
)
from jiesu.units.auth import AdminPrincipal

# Every refusal is Open311's error list (formats.py), in the format the request asked for;
# documented with its shape so API checkers and generated clients expect it. These routes
# never answer FastAPI's 422: bad input is Open311's 400 (core/openapi.py drops the 422).
_ERROR_XML = ("<?xml version='1.0' encoding='utf-8'?>\n<errors><error><code>{status}</code>"
              "<description>...</description></error></errors>")
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {
        "description": f"Open311 error list ({meaning}): [{{code: {status}, description}}]",
        "model": list[Open311Error],
        "content": {"text/xml": {"schema": {"type": "string"},
                                 "example": _ERROR_XML.format(status=status)}},
    }
    for status, meaning in ((400, "bad or missing input"), (403, "api_key invalid"),
                            (404, "not found"))
}
router = APIRouter(prefix="/open311/v2", tags=["open311"], route_class=Open311Route,
                   responses=ERRORS)
admin_router = APIRouter(prefix="/api/v1/open311", tags=["open311"])

FORMATS = ("json", "xml")


def _split(name: str) -> tuple[str, Format]:
    """`123.json` → ("123", "json"); no extension is JSON."""
    stem, dot, ext = name.rpartition(".")
    if not dot:
        return name, "json"
    if ext not in FORMATS:
        raise InvalidInput(f"不支持的格式：{ext}（json 或 xml）", code="unsupported_format")
    return stem, "json" if ext == "json" else "xml"


def _list(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _aware(value: datetime | None) -> datetime | None:
    # A date without a zone is the centre's local time.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=clock.CHINA_TZ)
    return value


def _extension(fmt: str) -> Format:
    if fmt not in FORMATS:
        raise NotFound(f"不支持的格式：{fmt}（json 或 xml）", code="unsupported_format")
    return "json" if fmt == "json" else "xml"


@router.get("/services", summary="服务列表（类别目录）", include_in_schema=False)
@router.get("/services.{fmt}", summary="服务列表（类别目录）")
def list_services(fmt: str = "json", jurisdiction_id: str | None = None) -> Response:
    rows = [service.to_service(s) for s in catalog.services()]
    return render(_extension(fmt), rows, root="services", item="service")


@router.get("/services/{name}", summary="服务定义（属性）")
def service_definition(name: str, jurisdiction_id: str | None = None) -> Response:
    code, fmt = _split(name)
    found = catalog.find(code)
    if found is None:
        raise NotFound(f"service_code 不存在：{code}", code="unknown_service")
    return render(fmt, service.to_definition(found), root="service_definition")


@router.post("/requests", summary="提交诉求（需 api_key）", include_in_schema=False,
             status_code=201)
@router.post("/requests.{fmt}", summary="提交诉求（需 api_key）", status_code=201)
async def post_request(request: Request, session: SessionDep, fmt: str = "json") -> Response:
    form_format = _extension(fmt)
    form = await request.form()
    fields: dict[str, object] = {}
    attributes: dict[str, str] = {}
    for key, value in form.multi_items():
        if not isinstance(value, str):
            continue  # an upload: GeoReport v2 sends media as media_url
        if key.startswith("attribute[") and key.endswith("]"):
            attributes[key[10:-1].removesuffix("][")] = value
        else:
            fields[key] = value
    api_key = str(fields.get("api_key") or request.query_params.get("api_key") or "")
    fields["api_key"] = api_key
    body = RequestCreate.model_validate({**fields, "attributes": attributes})
    return await run_in_threadpool(_post_request, session, body, form_format)


def _post_request(session: Session, body: RequestCreate, fmt: Format) -> Response:
    client = service.authenticate(session, body.api_key)
    order, row = service.submit(session, client, body)
    result = [{"service_request_id": order.number, "token": row.token,
               "service_notice": "", "account_id": body.account_id}]
    commit(session)
    return render(fmt, result, root="service_requests", item="request", status_code=201)


@router.get("/requests", summary="查询多条诉求", include_in_schema=False)
@router.get("/requests.{fmt}", summary="查询多条诉求")
def list_requests(
    session: SessionDep,
    fmt: str = "json",
    service_request_id: Annotated[str | None, Query(max_length=20_000)] = None,
    service_code: Annotated[str | None, Query(max_length=2_000)] = None,
    start_date: datetime | None = None,
    end_date: datetime | None = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    jurisdiction_id: str | None = None,
) -> Response:
    f = service.Filter(ids=_list(service_request_id), service_codes=_list(service_code),
                       start=_aware(start_date), end=_aware(end_date), statuses=_list(status))
    rows = [service.to_request(session, row) for row in service.find_requests(session, f)]
    return render(_extension(fmt), rows, root="service_requests", item="request")


@router.get("/requests/{name}", summary="查询一条诉求")
def read_request(session: SessionDep, name: str, jurisdiction_id: str | None = None) -> Response:
    number, fmt = _split(name)
    row = service.get_request(session, number)
    return render(fmt, [service.to_request(session, row)], root="service_requests",
                  item="request")


@router.get("/tokens/{name}", summary="由 token 查询诉求编号")
def read_token(session: SessionDep, name: str, jurisdiction_id: str | None = None) -> Response:
    token, fmt = _split(name)
    order, row, _ = service.by_token(session, token)
    return render(fmt, [{"service_request_id": order.number, "token": row.token}],
                  root="service_requests", item="request")


@router.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "DELETE", "PATCH"],
                  include_in_schema=False)
def not_found(request: Request, rest: str) -> Response:
    return error_response(format_of(request), 404, "找不到该资源")


# ---- the admins' API ----------------------------------------------------------------------

@admin_router.get("/clients", response_model=ApiClientList)
def list_clients(session: SessionDep, principal: AdminPrincipal) -> Response:
    """Open311 客户端应用（仅管理员）。"""
    rows = service.list_clients(session)
    return json_response(ApiClientList(
        data=[ApiClientPublic.model_validate(r) for r in rows], count=len(rows)))


@admin_router.post("/clients", response_model=ApiClientIssued, status_code=201)
def issue_client(session: SessionDep, principal: AdminPrincipal,
                 body: ApiClientCreate) -> Response:
    """签发 api_key：只在此次响应中显示。"""
    client, api_key = service.issue_client(session, body, principal.user_id)
    result = ApiClientIssued.model_validate(
        {**ApiClientPublic.model_validate(client).model_dump(), "api_key": api_key})
    commit(session)
    return json_response(result, 201)


@admin_router.post("/clients/{client_id}/revoke", response_model=ApiClientPublic)
def revoke_client(session: SessionDep, principal: AdminPrincipal, client_id: PathId) -> Response:
    """停用客户端：其 api_key 立即失效，已提交的诉求不受影响。"""
    client = service.revoke_client(session, client_id)
    result = ApiClientPublic.model_validate(client)
    commit(session)
    return json_response(result)
