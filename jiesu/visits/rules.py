"""The return-visit rules as data: when a replied order is due, and which orders are sampled.

Read from the environment (JIESU_VISIT_*); the maximum number of call attempts stays in the
core settings (JIESU_VISIT_MAX_ATTEMPTS) because the order state machine checks it too.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from jiesu.core.clock import CHINA_TZ, local
from jiesu.core.workdays import CHINA, DayCalendar, add_working_days


class VisitRules(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JIESU_VISIT_", env_file=".env", extra="ignore")

    # 0: due as soon as the unit replies; 1: from the next working day (the default).
    delay_working_days: int = Field(default=1, ge=0, le=10)
    # Share of a unit's orders to visit, by unit code; "*" is every other unit. 1.0 = all.
    sample_shares: dict[str, float] = Field(default_factory=dict)
    # Changing the seed draws another sample; keeping it makes the draw reproducible.
    sample_seed: str = "jiesu"
    # The centre account the worker acts as when it closes orders that get no call.
    job_user: str = "visitor"

    def share_for(self, unit_code: str | None) -> float:
        if unit_code is not None and unit_code in self.sample_shares:
            return self.sample_shares[unit_code]
        return self.sample_shares.get("*", 1.0)


@lru_cache
def get_visit_rules() -> VisitRules:
    return VisitRules()


def sample_point(order_id: int, seed: str) -> float:
    """A number in [0, 1) fixed by (seed, order id): the same on every machine and run."""
    digest = hashlib.sha256(f"{seed}:{order_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def is_sampled(order_id: int, share: float, seed: str) -> bool:
    if share >= 1.0:
        return True
    return sample_point(order_id, seed) < share


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=CHINA_TZ)


def due_at(replied_at: datetime, delay: int, calendar: DayCalendar = CHINA) -> datetime:
    """When the visit of an order replied at `replied_at` becomes due."""
    if delay == 0:
        return replied_at
    return _day_start(add_working_days(local(replied_at).date(), delay, calendar))


def due_cutoff(now: datetime, delay: int, calendar: DayCalendar = CHINA) -> datetime:
    """Orders replied before this instant are due now (due_at is monotonic in replied_at)."""
    if delay == 0:
        return now + timedelta(microseconds=1)  # exclusive bound: a reply made now is due
    today = local(now).date()
    day = today - timedelta(days=1)
    while add_working_days(day, delay, calendar) > today:
        day -= timedelta(days=1)
    return _day_start(day + timedelta(days=1))
