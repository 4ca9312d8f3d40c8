"""Settle a call on the spot with a standard answer (直接办结).

One call of the agent's: the call is taken (orders.service.intake, the line carried), closed
at once through the state machine's `answer_on_call` row with the version's answer, and the
version used is recorded (kb_uses, and the event's payload). Nothing is dispatched, so no
unit is counted for it (insights.first_call, docs/decisions/0020).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from jiesu.core.errors import Conflict
from jiesu.core.roles import Principal
from jiesu.lines import knowledge_link as kb
from jiesu.orders import schemas as os_
from jiesu.orders import service as orders
from jiesu.orders.models import Order, RequestType
from jiesu.orders.statemachine import Action


def settle_on_call(session: Session, principal: Principal, data: os_.OrderCreate,
                   version_id: int, *, at: datetime | None = None) -> tuple[Order, bool]:
    """Returns (order, created); a repeated client key returns the first call untouched.
    `at` dates the closing (an import or the demo; the call's own time is data.received_at)."""
    version = kb.version(session, version_id)
    current = kb.in_force(session, version.article_id)
    if current is None or current.id != version.id:
        # Checked before anything is written: a stale screen never settles with an old answer.
        raise Conflict("该答复口径当前不在有效期内，请刷新后重新选择",
                       code="kb_version_not_in_force", details={"version_id": version_id,
                                "current_version_id": current.id if current else None})
    # A consultation, in the answer's category unless the agent chose one; closed in this
    # same step, so there is nothing for triage to propose to a dispatcher.
    call = data.model_copy(update={"type": RequestType.consultation,
                                   "category": data.category or version.category[:60]})
    order, created = orders.intake(session, principal, call, triage=False)
    if not created:
        return order, False
    orders.act(session, principal, order.id, Action.answer_on_call, os_.AnswerOnCall(
        answer=version.answer, knowledge_id=version.article_id,
        knowledge_version_id=version.id), at=at)
    kb.record_use(session, principal, version.id, order_id=order.id, line_id=order.line_id)
    return order, True
