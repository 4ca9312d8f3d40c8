"""Database ids at the API boundary.

An id past the integer columns (PostgreSQL `integer`) is bad input, answered 422 like any other,
never a driver overflow answered 500. Use `DbId` in bodies, `PathId`/`QueryId` in routes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import Field

MAX_ID = 2**31 - 1

DbId = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
