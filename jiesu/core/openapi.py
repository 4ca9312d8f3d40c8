"""The OpenAPI document tells every answer an /api/ operation may give, not only 200 and 422.

FastAPI lists the success response and its own 422 shape (`{"detail": [...]}`), while jiesu
answers every refusal with one shape (`{"error": {"code", "message", "details"}}`, core/api.py)
and status 400, 401, 403, 404, 409, 422 or 503 (SQLite busy). Generated clients and schemathesis
read this document, so each /api/ operation declares all of them with the shape; a multipart
upload also 413 and 415. The document is built once, on the first request for it.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    code: str = Field(description="稳定的错误代码，如 order_not_found、transition_not_allowed")
    message: str = Field(description="给人看的说明（简体中文）")
    details: dict[str, Any] = Field(description="机器可读的补充信息（字段错误等）")


class ErrorBody(BaseModel):
    error: ErrorDetail


ERROR_STATUSES: dict[int, str] = {
    400: "请求无效",
    401: "未登录或令牌无效",
    403: "当前角色或单位无权执行",
    404: "不存在或无权查看",
    409: "状态或版本冲突（工单状态不允许、已被他人修改）",
    422: "输入有误（字段、范围、控制字符）",
    503: "系统繁忙，请稍后重试（Retry-After）",
}
UPLOAD_STATUSES: dict[int, str] = {413: "文件过大", 415: "文件类型不支持"}
_REF = "#/components/schemas/{model}"
_METHODS = frozenset({"get", "put", "post", "delete", "patch"})


CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def downloads(*media_types: str, description: str = "文件下载") -> dict[int | str, Any]:
    """`responses=` for a route that answers 200 with a file: its content types are declared,
    so a client (and schemathesis) knows a CSV is a promised answer, not a surprise."""
    return {200: {"description": description, "content": {m: {} for m in media_types}}}


def _error_response(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}}


def _is_upload(operation: dict[str, Any]) -> bool:
    content = operation.get("requestBody", {}).get("content", {})
    return "multipart/form-data" in content


def _drop_default_422(item: dict[str, Any]) -> None:
    """Routes outside /api/ that declare their own 400 (Open311's error list) turn bad input
    into that 400: FastAPI's default 422 (`{"detail": [...]}`) is never sent there."""
    for method, operation in item.items():
        responses = operation.get("responses", {}) if method in _METHODS else {}
        default = json.dumps(responses.get("422", {}))
        if "400" in responses and "HTTPValidationError" in default:
            del responses["422"]


def add_error_responses(schema: dict[str, Any]) -> dict[str, Any]:
    """Declare the error answers on every /api/ operation of an OpenAPI document (in place)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(ErrorBody.model_json_schema(ref_template=_REF).pop("$defs", {}))
    components["ErrorBody"] = ErrorBody.model_json_schema(ref_template=_REF)
    components["ErrorBody"].pop("$defs", None)
    for path, item in schema.get("paths", {}).items():
        if not path.startswith("/api/"):
            _drop_default_422(item)
            continue
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            responses = operation.setdefault("responses", {})
            statuses = dict(ERROR_STATUSES)
            if _is_upload(operation):
                statuses.update(UPLOAD_STATUSES)
            for status, description in statuses.items():
                # FastAPI's own 422 describes `{"detail": [...]}`, which jiesu never sends.
                responses[str(status)] = _error_response(description)
    if "/HTTPValidationError" not in json.dumps(schema["paths"]):
        components.pop("HTTPValidationError", None)  # FastAPI's 422 shape, replaced above
        components.pop("ValidationError", None)
    return schema


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_error_responses(get_openapi(
                title=app.title, version=app.version, description=app.description,
                routes=app.routes, tags=app.openapi_tags, servers=app.servers,
            ))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
