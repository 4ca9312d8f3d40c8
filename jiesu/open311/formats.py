"""GeoReport v2 on the wire: JSON or XML by the path's extension, Open311's own error list,
and a route class that answers every refusal of an /open311 route in that format (bad
input included: FastAPI's and pydantic's validation errors become 400s, never 422s)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Coroutine, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import ValidationError

from jiesu.core import clock
from jiesu.core.errors import DomainError

Format = Literal["json", "xml"]
# Nested lists in XML: the element each item of a list gets.
ITEM_OF = {"attributes": "attribute", "values": "value"}
XML_TYPE = "text/xml; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"


def format_of(request: Request) -> Format:
    return "xml" if request.url.path.endswith(".xml") else "json"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return w3c(value)
    return str(value)


def w3c(value: datetime) -> str:
    """W3C datetime in the centre's zone, e.g. 2026-11-02T10:00:00+08:00."""
    return clock.local(value).isoformat(timespec="seconds")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return w3c(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _fill(parent: ET.Element, data: Mapping[str, Any]) -> None:
    for key, value in data.items():
        child = ET.SubElement(parent, key)
        if isinstance(value, list):
            for item in value:
                _fill(ET.SubElement(child, ITEM_OF[key]), item)
        else:
            child.text = _text(value)


def render(fmt: Format, data: Sequence[Mapping[str, Any]] | Mapping[str, Any], *,
           root: str, item: str | None = None, status_code: int = 200) -> Response:
    """A list of rows (`item` elements under `root`) or one object (`root` itself)."""
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False, default=_json_default)
        return Response(body, status_code=status_code, media_type=JSON_TYPE)
    element = ET.Element(root)
    if isinstance(data, Mapping):
        _fill(element, data)
    else:
        for row in data:
            _fill(ET.SubElement(element, item or "item"), row)
    xml = ET.tostring(element, encoding="utf-8", xml_declaration=True)
    return Response(xml, status_code=status_code, media_type=XML_TYPE)


def error_response(fmt: Format, status_code: int, description: str) -> Response:
    return render(fmt, [{"code": status_code, "description": description}], root="errors",
                  item="error", status_code=status_code)


# Open311 names three refusals: 400 (bad or missing input), 403 (api key), 404 (not found).
OPEN311_STATUS = {401: 403, 422: 400}


def _fields(errors: Sequence[Any]) -> str:
    parts = []
    for error in errors:
        loc = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path")]
        parts.append(f"{'.'.join(loc) or '请求'}: {error.get('msg', '')}")
    return "输入有误：" + "；".join(parts)


Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class Open311Route(APIRoute):
    def get_route_handler(self) -> Handler:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            fmt = format_of(request)
            try:
                return await original(request)
            except RequestValidationError as exc:
                return error_response(fmt, 400, _fields(exc.errors()))
            except ValidationError as exc:
                return error_response(fmt, 400, _fields(exc.errors()))
            except DomainError as exc:
                status = OPEN311_STATUS.get(exc.status_code, exc.status_code)
                return error_response(fmt, status, exc.message)

        return handler
