"""One guard in front of every route: input that a database cannot hold is refused with 422.

Two kinds of input pass Pydantic and then break in the driver, differently on each database:
- integers past 64 bits (`?offset=10000000000000000000`): SQLite raises OverflowError,
  PostgreSQL "bigint out of range" — both were 500s;
- NUL and the other C0 control characters, and lone UTF-16 surrogates, in any text:
  SQLite stores them, PostgreSQL refuses NUL in `text` (500) and no driver can encode a lone
  surrogate — so the two databases answered differently.

The guard is an app-wide dependency (`FastAPI(dependencies=[GUARD])`), so every route, a new
one included, gets it without remembering to. It reads the query and path parameters (names
and values), the JSON body FastAPI has already parsed, and url-encoded forms (pages); tab,
newline and carriage return stay allowed. Integers are bounded only where the route declares
an integer, so a text search for a long number is still a text search. Routes declare their
own, tighter bounds as well (core.ids), which the OpenAPI document shows.
"""

from __future__ import annotations

import re
import types
from collections.abc import Iterator
from typing import Any, Union, get_args, get_origin

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from jiesu.core.ids import MAX_INT, MIN_INT

# C0 controls but \t \n \r, and the surrogate range: what PostgreSQL or UTF-8 cannot hold.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
FORBIDDEN_MESSAGE = "不能包含控制字符（如 NUL）或无效的 Unicode 字符"
RANGE_MESSAGE = f"整数超出范围（{MIN_INT} 至 {MAX_INT}）"

_INT_PARAMS: dict[int, frozenset[str]] = {}  # route id -> names of its integer parameters


def has_forbidden(text: str) -> bool:
    return FORBIDDEN.search(text) is not None


def _error(loc: tuple[str | int, ...], msg: str, kind: str) -> dict[str, Any]:
    return {"loc": loc, "msg": msg, "type": kind}


def _is_int(annotation: Any) -> bool:
    if annotation is int:
        return True
    if get_origin(annotation) in (Union, types.UnionType):
        return any(_is_int(arg) for arg in get_args(annotation))
    if get_origin(annotation) in (list, tuple, set, frozenset):
        return any(_is_int(arg) for arg in get_args(annotation))
    return False


def _int_params(dependant: Dependant) -> Iterator[str]:
    for field in (*dependant.query_params, *dependant.path_params):
        if _is_int(field.field_info.annotation):
            yield field.alias
    for sub in dependant.dependencies:
        yield from _int_params(sub)


def int_params(route: APIRoute) -> frozenset[str]:
    key = id(route)
    if key not in _INT_PARAMS:
        _INT_PARAMS[key] = frozenset(_int_params(route.dependant))
    return _INT_PARAMS[key]


def _out_of_range(text: str) -> bool:
    text = text.strip()
    digits = text.lstrip("+-")
    if not digits.isdigit() or len(digits) < 19:  # 18 digits always fit; quick path
        return False
    try:
        value = int(text)
    except ValueError:
        return False
    return not MIN_INT <= value <= MAX_INT


def _walk(value: Any, loc: tuple[str | int, ...]) -> Iterator[dict[str, Any]]:
    """Every string and integer of a parsed JSON body that no database column can hold."""
    if isinstance(value, str):
        if has_forbidden(value):
            yield _error(loc, FORBIDDEN_MESSAGE, "forbidden_character")
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not MIN_INT <= value <= MAX_INT:
            yield _error(loc, RANGE_MESSAGE, "int_out_of_range")
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and has_forbidden(key):
                yield _error((*loc, key), FORBIDDEN_MESSAGE, "forbidden_character")
            yield from _walk(item, (*loc, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, (*loc, index))


def _parameter_errors(request: Request) -> Iterator[dict[str, Any]]:
    route = request.scope.get("route")
    ints = int_params(route) if isinstance(route, APIRoute) else frozenset()
    for kind, items in (("query", request.query_params.multi_items()),
                        ("path", list(request.path_params.items()))):
        for name, raw in items:
            text = str(raw)
            if has_forbidden(name) or has_forbidden(text):
                yield _error((kind, name), FORBIDDEN_MESSAGE, "forbidden_character")
            elif name in ints and _out_of_range(text):
                yield _error((kind, name), RANGE_MESSAGE, "int_out_of_range")


async def _body_errors(request: Request) -> list[dict[str, Any]]:
    parsed = request.__dict__.get("_json")  # what FastAPI already read for a JSON body
    if parsed is not None:
        return list(_walk(parsed, ("body",)))
    content_type = request.headers.get("content-type", "")
    if request.method in ("POST", "PUT", "PATCH") and content_type.startswith(
        "application/x-www-form-urlencoded"
    ):
        form = await request.form()  # cached on the request: the page reads the same one
        return [
            _error(("body", name), FORBIDDEN_MESSAGE, "forbidden_character")
            for name, value in form.multi_items()
            if has_forbidden(name) or (isinstance(value, str) and has_forbidden(value))
        ]
    return []


async def guard_input(request: Request) -> None:
    errors = [*_parameter_errors(request), *await _body_errors(request)]
    if errors:
        raise RequestValidationError(errors)


GUARD = Depends(guard_input)
