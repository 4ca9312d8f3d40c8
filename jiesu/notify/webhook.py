"""The SMS/WeChat gateway driver: POST each notification as JSON to JIESU_WEBHOOK_URL.

The `Idempotency-Key` header is the outbox message id: after a crash the same message may be
posted again, and the gateway drops the repeat. A non-2xx answer or a timeout raises, so the
outbox retries with back-off and finally marks the message `dead`.
"""

from __future__ import annotations

import httpx

from jiesu.core import outbox
from jiesu.core.settings import get_settings


class GatewayError(RuntimeError):
    pass


@outbox.register_external("webhook")
def post_to_gateway(envelope: outbox.Envelope) -> None:
    settings = get_settings()
    if not settings.webhook_url:
        raise GatewayError("JIESU_WEBHOOK_URL is not set")
    response = httpx.post(
        settings.webhook_url,
        json={"id": envelope.id, **envelope.payload},
        headers={"Idempotency-Key": str(envelope.id)},
        timeout=settings.webhook_timeout_seconds,
    )
    if response.status_code >= 300:
        raise GatewayError(f"gateway answered {response.status_code}: {response.text[:200]}")
