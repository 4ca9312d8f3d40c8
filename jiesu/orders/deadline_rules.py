"""Deadline rules as data: the admin-edited table of limits per urgency (and category).

Each row holds the three limits every order carries (sign, first contact, reply), each an
amount and a span (hours, working days, calendar days). Rows are versioned like the
responsibility catalogue: an edit retires the row and adds its successor (`supersedes_id`),
so the limits an order got can always be traced to the row in force at the time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from jiesu.core import clock
from jiesu.core.db import Base
from jiesu.core.errors import Conflict
from jiesu.core.versioned import live_row, replace_row, retire_row, version_history
from jiesu.orders.deadlines import DEFAULT_RULES, DeadlineRule, DeadlineSet, Span, rule_key


class DeadlineRuleRow(Base):
    __tablename__ = "deadline_rules"
    __table_args__ = (Index("ix_deadline_rules_active", "retired_at", "urgency", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    urgency: Mapped[str] = mapped_column(String(20))  # emergency|outage|urgent|ordinary|complex
    category: Mapped[str | None] = mapped_column(String(60), default=None)  # None: any category
    sign_amount: Mapped[int]
    sign_span: Mapped[str] = mapped_column(String(20))
    contact_amount: Mapped[int]
    contact_span: Mapped[str] = mapped_column(String(20))
    reply_amount: Mapped[int]
    reply_span: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(200), default="")
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("deadline_rules.id"), default=None
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[datetime]
    retired_at: Mapped[datetime | None] = mapped_column(default=None)

    def as_set(self) -> DeadlineSet:
        return DeadlineSet(
            DeadlineRule(self.sign_amount, Span(self.sign_span)),
            DeadlineRule(self.contact_amount, Span(self.contact_span)),
            DeadlineRule(self.reply_amount, Span(self.reply_span)),
        )


URGENCY_KEYS = tuple(DEFAULT_RULES)


def active_rules(session: Session) -> Sequence[DeadlineRuleRow]:
    stmt = select(DeadlineRuleRow).where(DeadlineRuleRow.retired_at.is_(None))
    return session.scalars(
        stmt.order_by(DeadlineRuleRow.urgency, DeadlineRuleRow.category, DeadlineRuleRow.id)
    ).all()


def _active(session: Session, urgency: str, category: str | None) -> DeadlineRuleRow | None:
    stmt = select(DeadlineRuleRow).where(
        DeadlineRuleRow.retired_at.is_(None),
        DeadlineRuleRow.urgency == urgency,
        DeadlineRuleRow.category.is_(None)
        if category is None
        else DeadlineRuleRow.category == category,
    )
    # Read while an action is half applied: no autoflush (one UPDATE per action on the order).
    with session.no_autoflush:
        return session.scalars(stmt.order_by(DeadlineRuleRow.id.desc()).limit(1)).first()


def rules_for(
    session: Session,
    urgency: str,
    category: str | None = None,
    *,
    complex_case: bool = False,
    utility: bool = False,
) -> tuple[DeadlineSet, int | None]:
    """The limits for an order and the id of the row they came from (None: built-in default).

    A row for the order's category wins over the urgency-only row; with neither, the
    defaults from domain.md apply.
    """
    key = rule_key(urgency, complex_case=complex_case, utility=utility)
    row = _active(session, key, category) if category else None
    row = row or _active(session, key, None)
    if row is not None:
        return row.as_set(), row.id
    return DEFAULT_RULES[key], None


def add_rule(
    session: Session,
    *,
    urgency: str,
    category: str | None,
    limits: DeadlineSet,
    note: str = "",
    actor_id: int | None = None,
) -> DeadlineRuleRow:
    if _active(session, urgency, category) is not None:
        raise Conflict(
            "该紧急程度和类别已有生效的时限规则，请修改该规则",
            code="deadline_rule_exists",
            details={"urgency": urgency, "category": category},
        )
    row = DeadlineRuleRow(
        urgency=urgency,
        category=category,
        sign_amount=limits.sign.amount,
        sign_span=limits.sign.span.value,
        contact_amount=limits.contact.amount,
        contact_span=limits.contact.span.value,
        reply_amount=limits.reply.amount,
        reply_span=limits.reply.span.value,
        note=note,
        created_by_id=actor_id,
        created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    return row


def _live(session: Session, rule_id: int) -> DeadlineRuleRow:
    return live_row(session, DeadlineRuleRow, rule_id, message="时限规则不存在或已停用",
                    code="deadline_rule_not_found")


def replace_rule(
    session: Session, rule_id: int, *, limits: DeadlineSet, note: str = "",
    actor_id: int | None = None,
) -> DeadlineRuleRow:
    """A new version of a rule: the old row is retired, never edited."""
    return replace_row(session, _live(session, rule_id), lambda old: add_rule(
        session, urgency=old.urgency, category=old.category, limits=limits, note=note,
        actor_id=actor_id,
    ))


def retire_rule(session: Session, rule_id: int) -> DeadlineRuleRow:
    return retire_row(session, _live(session, rule_id))


def history(session: Session, rule_id: int) -> list[DeadlineRuleRow]:
    """The row and every version before it, newest first."""
    return version_history(session, DeadlineRuleRow, rule_id, message="时限规则不存在",
                           code="deadline_rule_not_found")


def seed_defaults(session: Session) -> int:
    """Write the built-in defaults as urgency-only rows, once: a row an admin later retired
    or replaced is not brought back by running `jiesu init` again."""
    added = 0
    for key, limits in DEFAULT_RULES.items():
        ever = select(DeadlineRuleRow.id).where(
            DeadlineRuleRow.urgency == key, DeadlineRuleRow.category.is_(None)
        )
        if session.scalars(ever.limit(1)).first() is None:
            add_rule(session, urgency=key, category=None, limits=limits,
                     note="默认时限（domain.md）")
            added += 1
    return added
