"""Imports every ORM model so metadata (Alembic, tests) sees the whole schema."""

from jiesu.calendar.models import CalendarDay, CalendarYear
from jiesu.core.db import Base
from jiesu.core.outbox import OutboxMessage
from jiesu.core.privacy import PhoneReadLog
from jiesu.hotspots.models import HotspotCluster, HotspotMember, HotspotRule, JointCase
from jiesu.insights import models as insights_models  # noqa: F401  (rate indexes)
from jiesu.knowledge.models import (
    Article,
    ArticleEvent,
    ArticleUse,
    ArticleVersion,
    Synonym,
    ZeroResultSearch,
)
from jiesu.lines.models import Line, LineAgent, LineArticle, LineCategory
from jiesu.notify.models import Notification
from jiesu.open311.models import ApiClient, Open311Request
from jiesu.orders.attachments import OrderAttachment
from jiesu.orders.deadline_rules import DeadlineRuleRow
from jiesu.orders.deadline_watches import DeadlineWatch
from jiesu.orders.models import Case, Order, OrderAssignment, OrderEvent, Praise
from jiesu.units.models import CatalogueRule, Unit, User
from jiesu.units.place_aliases import PlaceAlias
from jiesu.visits.models import VisitReview

__all__ = [
    "ApiClient",
    "Article",
    "ArticleEvent",
    "ArticleUse",
    "ArticleVersion",
    "Base",
    "CalendarDay",
    "CalendarYear",
    "Case",
    "CatalogueRule",
    "DeadlineRuleRow",
    "DeadlineWatch",
    "HotspotCluster",
    "HotspotMember",
    "HotspotRule",
    "JointCase",
    "Line",
    "LineAgent",
    "LineArticle",
    "LineCategory",
    "Notification",
    "Open311Request",
    "Order",
    "OrderAssignment",
    "OrderAttachment",
    "OrderEvent",
    "OutboxMessage",
    "PhoneReadLog",
    "PlaceAlias",
    "Praise",
    "Synonym",
    "Unit",
    "User",
    "VisitReview",
    "ZeroResultSearch",
]
