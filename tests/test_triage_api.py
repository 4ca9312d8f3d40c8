"""Triage through the API, and intake keeping triage's proposal beside the final choice."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from jiesu.orders import suggest
from tests.conftest import auth_headers
from tests.factories import WANGJING, new_order, step, unit
from tests.messages import statements

GAS = "朝阳区望京街道花家地西里三区5号楼楼道里有很浓的燃气味，担心漏气。"


def test_triage_names_place_urgency_and_the_rule_that_fired(
    client: TestClient, session: Session
) -> None:
    response = client.post("/api/v1/triage", json={"text": GAS},
                           headers=auth_headers(session, "agent"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["place"]["street_code"] == WANGJING
    assert body["urgency"]["level"] == "urgent"
    assert body["unit"]["lead"]["code"] == "util.gas"
    assert body["unit"]["rule_id"]  # the database catalogue rule that fired


def test_triage_is_refused_to_unit_handlers(client: TestClient, session: Session) -> None:
    response = client.post("/api/v1/triage", json={"text": GAS},
                           headers=auth_headers(session, "street"))
    assert response.status_code == 403


def test_intake_stores_suggestion_and_agreement_is_counted(
    client: TestClient, session: Session
) -> None:
    order = new_order(session, text=GAS, street_code=None, district_code=None)
    assert order.suggestion is not None
    assert order.suggested_unit_code == "util.gas"
    assert order.street_code == WANGJING  # filled from the suggestion: the agent gave none
    step(session, "dispatcher", order, "dispatch", lead_unit_id=unit(session, "util.gas").id)
    other = new_order(session, text=GAS)
    step(session, "dispatcher", other, "dispatch", lead_unit_id=unit(session, WANGJING).id)
    session.flush()
    stats = client.get("/api/v1/triage/agreement", headers=auth_headers(session, "supervisor"))
    body = stats.json()
    assert body["with_suggestion"] >= 2
    assert body["unit_agreed"] >= 1 and body["unit_agreed"] < body["with_suggestion"]


def test_an_unchanged_catalogue_costs_triage_one_query(session: Session) -> None:
    suggest.engine_for(session)
    with statements(session) as sent:
        suggest.engine_for(session)
    assert len(sent) == 1


def test_health_says_when_the_triage_engine_is_ready(client: TestClient) -> None:
    from jiesu.triage import service as triage_service

    loaded = triage_service.get_engine()
    triage_service.set_engine(None)
    try:
        assert client.get("/healthz").json()["triage"] == "loading"
    finally:
        triage_service.set_engine(loaded)
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["triage"] == "ready"
