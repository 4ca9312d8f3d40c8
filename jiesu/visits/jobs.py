"""Periodic return-visit work for the worker.

`close_skipped_visits` closes due orders that get no call (anonymous, no call-back, not
sampled) so they leave the queue. It is idempotent: an order already closed is no longer due.
It acts as a named centre user (JIESU_VISIT_JOB_USER, a visitor or supervisor account) so the
events say who closed them. Suggested schedule: every 15 minutes.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.core.errors import InvalidInput
from jiesu.units.models import User
from jiesu.units.service import principal_for
from jiesu.visits import service
from jiesu.visits.rules import get_visit_rules


def close_skipped_visits(session: Session, username: str | None = None) -> int:
    name = username or get_visit_rules().job_user
    user = session.scalars(select(User).where(User.username == name, User.active)).first()
    if user is None:
        raise InvalidInput(f"回访任务用户不存在：{name}", code="visit_job_user_missing")
    return len(service.close_skipped(session, principal_for(session, user)))
