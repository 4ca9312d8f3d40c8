"""A special line's own deadline rules (专线时限): its supervisor sets them, its orders get them.

The rules are rows of the centre's deadline table (orders.deadline_rules) carrying the
line's id, so they are versioned the same way (an edit retires the row and adds its
successor) and reach the same pure `orders.deadlines.deadline(start, rule, calendar)` when an
order taken on the line is dispatched. A line's row holds for any urgency (the default: the
epidemic line's "respond within 2 h, handle within 24 h") or for one; the most specific row
of the line wins, and an order the line has no row for gets the centre's rules.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from jiesu.core.errors import InvalidInput
from jiesu.core.roles import Principal
from jiesu.lines.service import _check_categories, _open_line, ensure_manager, get_line
from jiesu.orders import deadline_rules as rules
from jiesu.orders.deadline_rules import DeadlineRuleRow
from jiesu.orders.deadline_rules_api import DeadlineRuleLimits, LineDeadlineRuleCreate


def check_rules(data: Sequence[LineDeadlineRuleCreate]) -> None:
    """Everything about a batch of new rules that needs no database: known categories, and
    one rule per urgency and category (raises before anything is written)."""
    categories = [r.category for r in data if r.category]
    if categories:
        _check_categories(categories)
    keys = [(r.urgency, r.category) for r in data]
    twice = sorted({f"{u}/{c or '*'}" for u, c in keys if keys.count((u, c)) > 1})
    if twice:
        raise InvalidInput("同一紧急程度和类别只能有一条时限规则", code="deadline_rule_duplicate",
                           details={"rules": twice})


def write_rules(session: Session, principal: Principal, line_id: int,
                data: Sequence[LineDeadlineRuleCreate]) -> list[DeadlineRuleRow]:
    """The rules of a line being opened (create_line has checked them and the line)."""
    return [rules.add_rule(session, urgency=r.urgency, category=r.category, limits=r.as_set(),
                           note=r.note, actor_id=principal.user_id, line_id=line_id)
            for r in data]


def line_rules(session: Session, line_id: int) -> Sequence[DeadlineRuleRow]:
    """The line's rules in force (a closed line's too: its orders keep getting them)."""
    get_line(session, line_id)
    return rules.active_rules(session, line_id)


def add_rule(session: Session, principal: Principal, line_id: int,
             data: LineDeadlineRuleCreate) -> DeadlineRuleRow:
    ensure_manager(principal)
    line = _open_line(session, line_id)
    check_rules([data])
    return write_rules(session, principal, line.id, [data])[0]


def replace_rule(session: Session, principal: Principal, line_id: int, rule_id: int,
                 data: DeadlineRuleLimits) -> DeadlineRuleRow:
    """A new version of one of the line's rules; orders already dispatched keep theirs."""
    ensure_manager(principal)
    line = _open_line(session, line_id)
    return rules.replace_rule(session, rule_id, limits=data.as_set(), note=data.note,
                              actor_id=principal.user_id, line_id=line.id)


def retire_rule(session: Session, principal: Principal, line_id: int,
                rule_id: int) -> DeadlineRuleRow:
    """The line's orders go back to the centre's rules for what this row covered."""
    ensure_manager(principal)
    line = _open_line(session, line_id)
    return rules.retire_rule(session, rule_id, line_id=line.id)


def history(session: Session, line_id: int, rule_id: int) -> list[DeadlineRuleRow]:
    get_line(session, line_id)
    return rules.history(session, rule_id, line_id=line_id)
