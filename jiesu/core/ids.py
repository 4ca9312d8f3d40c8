"""Database ids and other integers at the API boundary.

An id past the integer columns (PostgreSQL `integer`) is bad input, answered 422 like any other,
never a driver overflow answered 500. Use `DbId` in bodies, `PathId`/`QueryId` in routes, and
`Offset` for paging: the bounds are in the OpenAPI document, so generated clients know them.
Every other integer is held to what a 64-bit integer (PostgreSQL `bigint`, SQLite) can store:
`MAX_INT`, checked for every route by core.guards even where a route forgot its alias.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import Field

MAX_ID = 2**31 - 1
MAX_INT = 2**63 - 1
MIN_INT = -(2**63)

DbId = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
Offset = Annotated[int, Query(ge=0, le=MAX_INT, description="跳过的条数")]
