"""Pydantic models for ``POST /api/v1/triage`` (the route itself lives in the web package)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from jiesu.triage.routing import Unit
from jiesu.triage.service import Suggestion
from jiesu.triage.urgency import LEVEL_NAMES


class TriageRequest(BaseModel):
    text: str = Field(min_length=1, max_length=20_000, description="来电或留言原文")
    title: str | None = Field(default=None, max_length=500)
    place_text: str | None = Field(default=None, max_length=500, description="来电人所说的地点")
    received_at: datetime | None = Field(default=None, description="受理时间，决定是否在供暖季")
    check_duplicates: bool = True


class CategoryAlternative(BaseModel):
    label: str
    confidence: float


class CategoryOut(BaseModel):
    label: str
    top_level: str | None
    confidence: float
    alternatives: list[CategoryAlternative]
    needs_person: bool
    probability: float | None = None  # before calibration; `confidence` is calibrated


class PlaceEvidenceOut(BaseModel):
    word: str = Field(description="来电记录中的原词")
    name: str = Field(description="匹配到的地名")
    how: str = Field(description="exact 字面 / alias 地标 / homophone 同音 / near_sound 近音")
    role: str = Field(
        description="negated 已否定 / corrected 已更正 / origin 出发地 / home 住址 / problem 事发地"
        " / destination 到达地 / later 事后去的地方"
    )


class PlaceOut(BaseModel):
    district: str | None
    district_code: str | None
    street: str | None
    street_code: str | None
    community: str | None
    community_code: str | None
    matched: list[str]
    confidence: float
    kind: str
    needs_person: bool = False
    evidence: list[PlaceEvidenceOut] = Field(default_factory=list)
    explanation: str = ""


class UrgencyOut(BaseModel):
    level: str
    level_name: str
    rule_id: str | None
    reason: str
    transfer_to: str | None
    matched_words: list[str]
    not_accepted: bool


class UnitRef(BaseModel):
    code: str
    name: str
    kind: str

    @classmethod
    def from_unit(cls, u: Unit) -> UnitRef:
        return cls(code=u.code, name=u.name, kind=u.kind)


class UnitOut(BaseModel):
    rule_id: str | None
    rule_name: str
    lead: UnitRef | None
    assisting: list[UnitRef]
    matched_words: list[str]
    explanation: str


class DuplicateOut(BaseModel):
    id: str
    score: float
    same_street: bool
    days_apart: float | None


class TriageResponse(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    category: CategoryOut | None
    place: PlaceOut
    urgency: UrgencyOut
    unit: UnitOut
    duplicates: list[DuplicateOut]
    needs_person: bool
    model_version: str | None
    timings_ms: dict[str, float]
    explanation: str = ""

    @classmethod
    def from_suggestion(cls, s: Suggestion) -> TriageResponse:
        c, p, u, r = s.category, s.place, s.urgency, s.unit
        return cls(
            category=CategoryOut(
                label=c.label,
                top_level=s.top_category,
                confidence=c.confidence,
                alternatives=[
                    CategoryAlternative(label=a, confidence=v) for a, v in c.alternatives
                ],
                needs_person=c.needs_person,
                probability=c.probability,
            )
            if c is not None
            else None,
            place=PlaceOut(
                district=p.district,
                district_code=p.district_code,
                street=p.street,
                street_code=p.street_code,
                community=p.community,
                community_code=p.community_code,
                matched=list(p.matched),
                confidence=p.confidence,
                kind=p.kind,
                needs_person=p.needs_person,
                evidence=[
                    PlaceEvidenceOut(word=e.word, name=e.name, how=e.how, role=e.role)
                    for e in p.evidence
                ],
                explanation=p.explanation,
            ),
            urgency=UrgencyOut(
                level=u.level,
                level_name=LEVEL_NAMES[u.level],
                rule_id=u.rule_id,
                reason=u.reason,
                transfer_to=u.transfer_to,
                matched_words=list(u.matched_words),
                not_accepted=u.not_accepted,
            ),
            unit=UnitOut(
                rule_id=r.rule_id,
                rule_name=r.rule_name,
                lead=UnitRef.from_unit(r.lead) if r.lead else None,
                assisting=[UnitRef.from_unit(a) for a in r.assisting],
                matched_words=list(r.matched_words),
                explanation=r.explanation,
            ),
            duplicates=[
                DuplicateOut(
                    id=d.id, score=d.score, same_street=d.same_street, days_apart=d.days_apart
                )
                for d in s.duplicates
            ],
            needs_person=s.needs_person,
            explanation=s.explanation,
            model_version=s.model_version,
            timings_ms=s.timings_ms,
        )
