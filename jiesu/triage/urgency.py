"""Urgency: emergency (transfer to 110/119/120/122), urgent or ordinary.

Rules are data (``data/urgency_rules.csv``: id, level, pattern, reason, transfer,
season) and are tried in file order; emergencies come first. A rule with
``season=heating`` applies only in Beijing's heating season, 15 Nov – 15 Mar.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Literal

from jiesu.triage._data import data_path

Level = Literal["emergency", "urgent", "ordinary"]
LEVELS: tuple[Level, ...] = ("emergency", "urgent", "ordinary")
LEVEL_NAMES = {"emergency": "紧急警情（转警）", "urgent": "加急", "ordinary": "一般"}


@dataclass(frozen=True)
class UrgencyRule:
    id: str
    level: Level
    pattern: re.Pattern[str]
    reason: str
    transfer: str = ""
    season: str = ""


@dataclass(frozen=True)
class RuleHit:
    rule_id: str
    level: Level
    reason: str
    words: list[str]
    transfer: str = ""


@dataclass(frozen=True)
class Urgency:
    level: Level
    rule_id: str | None = None
    reason: str = ""
    transfer_to: str | None = None
    matched_words: list[str] = field(default_factory=list)
    hits: list[RuleHit] = field(default_factory=list)

    @property
    def not_accepted(self) -> bool:
        """An emergency is not a 12345 case: it is transferred to the police/fire/ambulance line."""
        return self.level == "emergency"


def in_heating_season(day: date) -> bool:
    """Beijing's statutory heating season: 15 November to 15 March (inclusive)."""
    return (day.month, day.day) >= (11, 15) or (day.month, day.day) <= (3, 15)


def parse_rules(rows: Iterable[dict[str, str]]) -> list[UrgencyRule]:
    rules = []
    for r in rows:
        level = (r.get("level") or "").strip()
        if level not in ("emergency", "urgent"):
            raise ValueError(f"紧急程度规则 {r.get('id')} 的级别无效：{level}")
        rules.append(
            UrgencyRule(
                id=r["id"].strip(),
                level=level,  # type: ignore[arg-type]
                pattern=re.compile(r["pattern"].strip()),
                reason=r.get("reason", "").strip(),
                transfer=(r.get("transfer") or "").strip(),
                season=(r.get("season") or "").strip(),
            )
        )
    return rules


@lru_cache(maxsize=1)
def default_rules() -> tuple[UrgencyRule, ...]:
    path = data_path("urgency_rules.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        return tuple(parse_rules(csv.DictReader(fh)))


def assess(
    text: str,
    now: datetime | date | None = None,
    rules: Sequence[UrgencyRule] | None = None,
) -> Urgency:
    """The most severe matching rule decides; every hit is listed with its words."""
    day = (now.date() if isinstance(now, datetime) else now) if now else date.today()
    heating = in_heating_season(day)
    hits: list[RuleHit] = []
    for rule in rules if rules is not None else default_rules():
        if rule.season == "heating" and not heating:
            continue
        words = [m.group() for m in rule.pattern.finditer(text or "")]
        if words:
            hits.append(RuleHit(rule.id, rule.level, rule.reason, words, rule.transfer))
    if not hits:
        return Urgency(level="ordinary")
    top = min(hits, key=lambda h: LEVELS.index(h.level))
    return Urgency(
        level=top.level,
        rule_id=top.rule_id,
        reason=top.reason,
        transfer_to=top.transfer or None,
        matched_words=top.words,
        hits=hits,
    )
