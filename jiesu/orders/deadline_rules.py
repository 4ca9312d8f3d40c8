"""Deadline rules as data: the admin-edited table of limits per urgency (and category).

Each row holds the three limits every order carries (sign, first contact, reply), each an
amount and a span (hours, working days, calendar days). Rows are versioned like the
responsibility catalogue: an edit retires the row and adds its successor (`supersedes_id`),
so the limits an order got can always be traced to the row in force at the time.

A special line may have rows of its own (`line_id`, edited by its supervisor): an order
taken on the line gets them before the centre's rows. A line's row may hold for any urgency
(`ANY`: the epidemic line's "respond within 2 h, handle within 24 h"). Either way the
limits reach the same pure `deadlines.deadline(start, rule, calendar)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from jiesu.core import clock
from jiesu.core.db import Base
from jiesu.core.errors import Conflict, InvalidInput, NotFound
from jiesu.core.versioned import live_row, replace_row, retire_row, version_history
from jiesu.orders.deadlines import DEFAULT_RULES, DeadlineRule, DeadlineSet, Span, rule_key


class DeadlineRuleRow(Base):
    __tablename__ = "deadline_rules"
    __table_args__ = (Index("ix_deadline_rules_active", "retired_at", "urgency", "category"),
                      Index("ix_deadline_rules_line", "line_id", "retired_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    # emergency|outage|urgent|ordinary|complex; on a line's row also ANY ("any")
    urgency: Mapped[str] = mapped_column(String(20))
    category: Mapped[str | None] = mapped_column(String(60), default=None)  # None: any category
    # None: the centre's table; else a special line's own rule (lines.id; orders sit below
    # lines in the layering, so only the column is known here, as orders.line_id).
    line_id: Mapped[int | None] = mapped_column(ForeignKey("lines.id"), default=None)
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
ANY = "any"  # a line's row for every urgency
LINE_URGENCY_KEYS = (ANY, *URGENCY_KEYS)


def _of_line(line_id: int | None) -> Any:
    col = DeadlineRuleRow.line_id
    return col.is_(None) if line_id is None else col == line_id


def active_rules(session: Session, line_id: int | None = None) -> Sequence[DeadlineRuleRow]:
    """The rows in force: the centre's table, or (line_id) one line's own rules."""
    stmt = select(DeadlineRuleRow).where(DeadlineRuleRow.retired_at.is_(None), _of_line(line_id))
    return session.scalars(
        stmt.order_by(DeadlineRuleRow.urgency, DeadlineRuleRow.category, DeadlineRuleRow.id)
    ).all()


def _active(session: Session, urgency: str, category: str | None,
            line_id: int | None = None) -> DeadlineRuleRow | None:
    stmt = select(DeadlineRuleRow).where(
        DeadlineRuleRow.retired_at.is_(None),
        _of_line(line_id),
        DeadlineRuleRow.urgency == urgency,
        DeadlineRuleRow.category.is_(None)
        if category is None
        else DeadlineRuleRow.category == category,
    )
    # Read while an action is half applied: no autoflush (one UPDATE per action on the order).
    with session.no_autoflush:
        return session.scalars(stmt.order_by(DeadlineRuleRow.id.desc()).limit(1)).first()


def pick_line_rule(rows: Sequence[DeadlineRuleRow], key: str,
                   category: str | None) -> DeadlineRuleRow | None:
    """Which of a line's rows applies to an order (pure): its urgency and category, then its
    urgency for any category, then any urgency for its category, then the line's catch-all."""
    wanted: list[tuple[str, str | None]] = [(key, None), (ANY, None)]
    if category:
        wanted = [(key, category), (key, None), (ANY, category), (ANY, None)]
    newest = sorted(rows, key=lambda r: -r.id)
    for urgency, cat in wanted:
        for row in newest:
            if row.urgency == urgency and row.category == cat:
                return row
    return None


def rules_for(
    session: Session,
    urgency: str,
    category: str | None = None,
    *,
    complex_case: bool = False,
    utility: bool = False,
    line_id: int | None = None,
) -> tuple[DeadlineSet, int | None]:
    """The limits for an order and the id of the row they came from (None: built-in default).

    An order taken on a special line gets the line's own rule first (`pick_line_rule`).
    Otherwise a row for the order's category wins over the urgency-only row; with neither,
    the defaults from domain.md apply.
    """
    key = rule_key(urgency, complex_case=complex_case, utility=utility)
    if line_id is not None:
        with session.no_autoflush:
            line_row = pick_line_rule(active_rules(session, line_id), key, category)
        if line_row is not None:
            return line_row.as_set(), line_row.id
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
    line_id: int | None = None,
) -> DeadlineRuleRow:
    if urgency not in (LINE_URGENCY_KEYS if line_id is not None else URGENCY_KEYS):
        raise InvalidInput("紧急程度无效", code="invalid_urgency", details={"urgency": urgency})
    if _active(session, urgency, category, line_id) is not None:
        raise Conflict(
            "该紧急程度和类别已有生效的时限规则，请修改该规则",
            code="deadline_rule_exists",
            details={"urgency": urgency, "category": category, "line_id": line_id},
        )
    row = DeadlineRuleRow(
        urgency=urgency,
        category=category,
        line_id=line_id,
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


def _not_found(rule_id: int, message: str = "时限规则不存在或已停用") -> NotFound:
    return NotFound(message, code="deadline_rule_not_found", details={"rule_id": rule_id})


def _live(session: Session, rule_id: int, line_id: int | None = None) -> DeadlineRuleRow:
    """A row in force of the centre's table, or (line_id) of that line: the centre's routes
    never edit a line's rule, nor a line's routes another line's."""
    row = live_row(session, DeadlineRuleRow, rule_id, message="时限规则不存在或已停用",
                   code="deadline_rule_not_found")
    if row.line_id != line_id:
        raise _not_found(rule_id)
    return row


def replace_rule(
    session: Session, rule_id: int, *, limits: DeadlineSet, note: str = "",
    actor_id: int | None = None, line_id: int | None = None,
) -> DeadlineRuleRow:
    """A new version of a rule: the old row is retired, never edited."""
    return replace_row(session, _live(session, rule_id, line_id), lambda old: add_rule(
        session, urgency=old.urgency, category=old.category, limits=limits, note=note,
        actor_id=actor_id, line_id=old.line_id,
    ))


def retire_rule(session: Session, rule_id: int, line_id: int | None = None) -> DeadlineRuleRow:
    return retire_row(session, _live(session, rule_id, line_id))


def history(session: Session, rule_id: int, line_id: int | None = None) -> list[DeadlineRuleRow]:
    """The row and every version before it, newest first."""
    rows = version_history(session, DeadlineRuleRow, rule_id, message="时限规则不存在",
                           code="deadline_rule_not_found")
    if rows[0].line_id != line_id:
        raise _not_found(rule_id, "时限规则不存在")
    return rows


def seed_defaults(session: Session) -> int:
    """Write the built-in defaults as urgency-only rows, once: a row an admin later retired
    or replaced is not brought back by running `jiesu init` again."""
    added = 0
    for key, limits in DEFAULT_RULES.items():
        ever = select(DeadlineRuleRow.id).where(
            DeadlineRuleRow.urgency == key, DeadlineRuleRow.category.is_(None),
            DeadlineRuleRow.line_id.is_(None),
        )
        if session.scalars(ever.limit(1)).first() is None:
            add_rule(session, urgency=key, category=None, limits=limits,
                     note="默认时限（domain.md）")
            added += 1
    return added
