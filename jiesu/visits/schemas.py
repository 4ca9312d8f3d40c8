"""Request and response shapes of the return-visit API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from jiesu.orders.models import Satisfaction

Outcome = Literal["attempt", "unreachable", "closed", "reopened", "explain_pending"]
SkipReason = Literal["anonymous", "no_callback", "not_sampled"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class VisitCreate(Strict):
    """One call: either the citizen was not reached, or they answered both questions."""

    reached: bool = True
    solved: bool | None = None
    satisfaction: Satisfaction | None = None
    comment: str = Field(default="", max_length=2_000)
    note: str = Field(default="", max_length=2_000, description="未接通时的情况，如“无人接听”")
    version: int | None = Field(default=None, description="乐观锁：工单当前版本号")

    @model_validator(mode="after")
    def _answers(self) -> VisitCreate:
        if self.reached and (self.solved is None or self.satisfaction is None):
            raise ValueError("接通后须记录是否解决（solved）和满意度（satisfaction）")
        return self


class VisitResult(BaseModel):
    order_id: int
    outcome: Outcome
    state: str
    attempts: int
    lead_unit_id: int | None


class QueueItem(BaseModel):
    order_id: int
    number: str | None
    title: str
    category: str | None
    lead_unit_id: int | None
    lead_unit_name: str | None
    reply_outcome: str | None
    reply_text: str | None
    replied_at: datetime
    due_at: datetime
    attempts: int
    reopen_count: int
    citizen_name: str
    citizen_phone: str | None  # masked; GET /orders/{id}/citizen reveals it (logged)


class VisitQueue(BaseModel):
    data: list[QueueItem]
    count: int
    skippable: dict[str, int]  # due orders that will be closed without a call, by reason


class SkipSummary(BaseModel):
    closed: dict[str, int]
    order_ids: list[int]


class ReviewDecision(Strict):
    agree: bool = Field(description="true：同意按依法无法解决解释办结；false：退回重办")
    reason: str = Field(min_length=1, max_length=2_000)


class ReviewPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    order_id: int
    round: int
    solved: bool
    satisfaction: str
    comment: str
    requested_at: datetime
    decided_at: datetime | None
    decision: str | None
    decision_reason: str


class ReviewList(BaseModel):
    data: list[ReviewPublic]
    count: int
