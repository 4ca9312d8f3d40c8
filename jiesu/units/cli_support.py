"""What every command that acts for someone shares: the user named by `--as`, and one way to
fail (the API's error body as JSON, exit code 2), so a script reads the same codes from the
command line as from the API."""

from __future__ import annotations

import json
from typing import Any, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.core.errors import DomainError
from jiesu.core.roles import Principal
from jiesu.units.models import User
from jiesu.units.service import principal_for

console = Console()


def fail(exc: DomainError | ValidationError) -> NoReturn:
    if isinstance(exc, ValidationError):
        body: dict[str, Any] = {"error": {"code": "invalid_input", "message": "输入有误",
                                          "details": {"fields": json.loads(exc.json())}}}
    else:
        body = exc.as_body()
    console.print_json(data=body)
    raise typer.Exit(code=2)


def principal_named(session: Session, username: str) -> Principal:
    """The active user `username` as a principal; an unknown or deactivated one ends the
    command with `user_not_found`."""
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None or not user.active:
        console.print_json(data={"error": {"code": "user_not_found",
                                           "message": "用户不存在或已停用",
                                           "details": {"username": username}}})
        raise typer.Exit(code=2)
    return principal_for(session, user)
