"""Open311 fixtures: a client app with its api key, and a way to post a request."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from jiesu.open311 import catalog, service
from jiesu.open311.schemas import ApiClientCreate

PHONE = "13812345678"
MASKED = "138****5678"


@pytest.fixture
def api_key(session: Session) -> str:
    _, key = service.issue_client(session, ApiClientCreate(name="城市随手拍"), None)
    return key


def street_lights() -> catalog.Service:
    """城乡建设 › 城市建设和市政管理 (its subcategories include 城市公共设施)."""
    return next(s for s in catalog.services() if s.name == "城市建设和市政管理")


def post(client: TestClient, api_key: str, fmt: str = "json", **fields: Any) -> Any:
    data = {
        "api_key": api_key,
        "service_code": street_lights().code,
        "address_string": "朝阳区望京街道花家地西里三区",
        "description": "花家地西里三区门口路灯不亮已经一周，晚上很黑。",
        "first_name": "先生", "last_name": "张", "phone": PHONE,
        **fields,
    }
    return client.post(f"/open311/v2/requests.{fmt}", data=data)
