"""One typed settings object, read from the environment (JIESU_*)."""

from __future__ import annotations

from datetime import time
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET_KEY = "jiesu-demo-secret-change-me"
DEMO_PASSWORD = "jiesu-demo"


class Mode(StrEnum):
    demo = "demo"
    development = "development"
    production = "production"


class InsecureConfiguration(RuntimeError):
    """Raised at start-up when production would run with a default secret."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JIESU_", env_file=".env", extra="ignore")

    mode: Mode = Mode.demo
    data_dir: Path = Path("var")
    database_url: str = ""
    # How long a write on SQLite waits for the single writer's lock before it fails with
    # database_busy (the API's 503, the command line's error).
    sqlite_busy_timeout_ms: int = 10_000
    secret_key: str = DEFAULT_SECRET_KEY
    token_ttl_seconds: int = 12 * 3600
    session_ttl_seconds: int = 8 * 3600
    # A citizen's text longer than this is refused: no real call note is this long.
    max_text_length: int = 20_000
    page_size_max: int = 200
    # Roles that must call the citizen and therefore may read the full phone number.
    unmasked_phone_roles: tuple[str, ...] = ("handler", "visitor")
    # Roles whose order exports carry the full number (each exported number is logged): the
    # return-visit staff call back from their list; everyone else exports it masked.
    export_unmasked_phone_roles: tuple[str, ...] = ("visitor",)
    visit_max_attempts: int = 3
    # Run triage at intake and keep its proposal on the order.
    triage_at_intake: bool = True
    # ... after the intake commits, in a worker (outbox topic "triage"), so the agent's
    # request never waits for the model: for peaks on PostgreSQL with `jiesu worker` running.
    triage_deferred: bool = False
    shared_data_dir: Path = Field(default=Path("../shared/data"))
    # Calls of the demo's epidemic special line (jiesu/lines/demo.py; 0: no line).
    demo_line_calls: int = Field(default=8_300, ge=0, le=200_000)
    timezone: str = "Asia/Shanghai"
    # Deadlines, reminders and escalation (jiesu/orders/jobs.py); figures from practice.
    office_close: time = time(23, 59, 59)  # a day-based deadline ends at this local time
    remind_at_fraction: float = Field(default=0.75, gt=0, lt=1)
    urge_after_hours: float = Field(default=0, ge=0)  # 催办 this long after a deadline passed
    supervise_after_hours: float = Field(default=24, ge=0)  # 督办 this long after it passed
    district_notify_after_hours: float = Field(default=0, ge=0)
    # Outbox delivery and the SMS/WeChat webhook gateway.
    outbox_lease_seconds: int = Field(default=60, ge=1)
    outbox_max_attempts: int = Field(default=5, ge=1)
    outbox_backoff_seconds: float = Field(default=30, ge=0)
    webhook_url: str = ""
    webhook_timeout_seconds: float = Field(default=10, gt=0)
    worker_interval_seconds: float = Field(default=60, gt=0)
    # Order attachments (orders/attachments.py): photos, documents, call recordings.
    attachment_dir: Path | None = None  # default: data_dir / "attachments"
    attachment_max_bytes: int = Field(default=20 * 1024 * 1024, ge=1)
    attachment_types: tuple[str, ...] = (
        "image/jpeg", "image/png", "image/gif", "image/webp",
        "application/pdf",
        "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "audio/mpeg", "audio/wav", "audio/x-wav", "audio/mp4", "audio/x-m4a", "audio/amr",
        "audio/ogg", "audio/aac",
    )

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'jiesu.db').resolve()}"

    @property
    def is_demo(self) -> bool:
        return self.mode is Mode.demo

    def check_secure(self) -> None:
        """Refuse to run outside demo mode with the shipped default secret."""
        if not self.is_demo and self.secret_key == DEFAULT_SECRET_KEY:
            raise InsecureConfiguration(
                "JIESU_SECRET_KEY must be set to a private value outside demo mode"
            )
        if not self.is_demo and len(self.secret_key) < 32:
            raise InsecureConfiguration("JIESU_SECRET_KEY must be at least 32 characters")


@lru_cache
def get_settings() -> Settings:
    return Settings()
