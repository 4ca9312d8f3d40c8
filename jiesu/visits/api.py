"""Thin routes over the return-visit service (回访员, 督办)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from jiesu.core.api import SessionDep, commit
from jiesu.core.privacy import mask_phone
from jiesu.units.auth import CurrentPrincipal
from jiesu.visits import schemas as s
from jiesu.visits import service

router = APIRouter(prefix="/api/v1/visits", tags=["visits"])


def _item(due: service.DueOrder) -> s.QueueItem:
    order = due.order
    assert order.replied_at is not None
    return s.QueueItem(
        order_id=order.id, number=order.number, title=order.title, category=order.category,
        lead_unit_id=order.lead_unit_id, lead_unit_name=due.unit_name,
        reply_outcome=order.reply_outcome, reply_text=order.reply_text,
        replied_at=order.replied_at, due_at=due.due_at, attempts=order.visit_attempts,
        reopen_count=order.reopen_count, citizen_name=order.citizen_name,
        citizen_phone=mask_phone(order.citizen_phone),
    )


@router.get("/queue", response_model=s.VisitQueue)
def visit_queue(
    session: SessionDep,
    principal: CurrentPrincipal,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> s.VisitQueue:
    """待回访：已答复且到期的工单，答复最早的在前；免回访的只计数。"""
    page = service.queue(session, principal, offset=offset, limit=limit)
    return s.VisitQueue(data=[_item(d) for d in page.calls], count=page.count,
                        skippable=page.skippable)


@router.post("/skip-due", response_model=s.SkipSummary)
def skip_due(session: SessionDep, principal: CurrentPrincipal) -> s.SkipSummary:
    """免回访办结：到期的匿名、要求不回访、未抽中的工单。"""
    closed = service.close_skipped(session, principal)
    commit(session)
    counts: dict[str, int] = {}
    for reason in closed.values():
        counts[reason] = counts.get(reason, 0) + 1
    return s.SkipSummary(closed=counts, order_ids=sorted(closed))


@router.get("/reviews", response_model=s.ReviewList)
def list_reviews(session: SessionDep, principal: CurrentPrincipal) -> s.ReviewList:
    """待督办审核：依法无法解决的答复，回访未解决或不满意。"""
    rows = service.pending_reviews(session, principal)
    return s.ReviewList(data=[s.ReviewPublic.model_validate(r) for r in rows], count=len(rows))


@router.post("/reviews/{order_id}", response_model=s.ReviewPublic)
def decide_review(
    session: SessionDep,
    principal: CurrentPrincipal,
    order_id: Annotated[int, Path(ge=1)],
    body: s.ReviewDecision,
) -> s.ReviewPublic:
    """督办审核：同意解释办结，或退回承办单位重办。"""
    _, review = service.decide_review(session, principal, order_id, body.agree, body.reason)
    result = s.ReviewPublic.model_validate(review)
    commit(session)
    return result


@router.post("/{order_id}", response_model=s.VisitResult)
def record_visit(
    session: SessionDep,
    principal: CurrentPrincipal,
    order_id: Annotated[int, Path(ge=1)],
    body: s.VisitCreate,
) -> s.VisitResult:
    """记录一次回访：未接通计次（满 N 次无法联系办结）；接通后按是否解决、满意度办结或重办。"""
    order, outcome = service.record_visit(session, principal, order_id, body)
    result = s.VisitResult(order_id=order.id, outcome=outcome, state=order.state,
                           attempts=order.visit_attempts, lead_unit_id=order.lead_unit_id)
    commit(session)
    return result
