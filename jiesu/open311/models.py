"""The client apps that may post requests (one api key each) and what Open311 adds to an order."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jiesu.core.db import Base


class ApiClient(Base):
    """A client app (a city's reporting app, a FixMyStreet site). Its key is stored only as a
    SHA-256 digest (the key is 32 random bytes: a slow hash adds nothing); revoking keeps the
    row. Requests it posts are taken by its own service user (role agent), so each order's
    intake event names the app."""

    __tablename__ = "open311_clients"
    __table_args__ = (Index("ix_open311_clients_key_digest", "key_digest", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    contact: Mapped[str] = mapped_column(String(200), default="")
    key_prefix: Mapped[str] = mapped_column(String(12))
    key_digest: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)


class Open311Request(Base):
    """One order that came in through Open311: the service it was filed under, where (the
    order has no coordinates of its own), the token, and which client app sent it."""

    __tablename__ = "open311_requests"
    __table_args__ = (
        Index("ix_open311_requests_token", "token", unique=True),
        Index("ix_open311_requests_requested", "requested_at"),
    )

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("open311_clients.id"))
    token: Mapped[str] = mapped_column(String(40))
    service_code: Mapped[str] = mapped_column(String(20))
    requested_at: Mapped[datetime]
    lat: Mapped[float | None] = mapped_column(default=None)
    long: Mapped[float | None] = mapped_column(default=None)
    address_string: Mapped[str] = mapped_column(String(300), default="")
    address_id: Mapped[str] = mapped_column(String(60), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    device_id: Mapped[str] = mapped_column(String(100), default="")
    account_id: Mapped[str] = mapped_column(String(100), default="")
    media_url: Mapped[str] = mapped_column(Text, default="")
