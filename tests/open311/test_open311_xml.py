"""Rule: every XML answer of /open311/v2 is valid against the GeoReport v2 schema written from
the specification (docs/open311-georeport-v2.xsd) and says what its JSON twin says."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.orders.models import Order
from tests.factories import WANGJING, step, unit
from tests.open311.conftest import post, street_lights

V2 = "/open311/v2"
XSD = Path(__file__).resolve().parents[2] / "docs" / "open311-georeport-v2.xsd"


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def _valid(schema: etree.XMLSchema, response: object, status: int = 200) -> etree._Element:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("text/xml")  # type: ignore[attr-defined]
    doc = etree.fromstring(response.content)  # type: ignore[attr-defined]
    schema.assertValid(doc)
    return doc


def test_the_schema_refuses_what_the_specification_does_not_allow(
    schema: etree.XMLSchema,
) -> None:
    bad = [b"<services><service><service_code>x</service_code></service></services>",
           b"<service_requests><request><status>pending</status></request></service_requests>",
           b"<errors><error><code>oops</code><description>x</description></error></errors>"]
    for text in bad:
        assert not schema.validate(etree.fromstring(text)), text


def test_services_in_xml_are_valid_and_match_the_json(
    client: TestClient, schema: etree.XMLSchema
) -> None:
    doc = _valid(schema, client.get(f"{V2}/services.xml"))
    codes = [e.text for e in doc.iter("service_code")]
    assert codes == [r["service_code"] for r in client.get(f"{V2}/services.json").json()]
    definition = _valid(schema, client.get(f"{V2}/services/{street_lights().code}.xml"))
    keys = [e.text for e in definition.iterfind("attributes/attribute/values/value/key")]
    assert "城市公共设施" in keys and "complaint" in keys


def test_requests_in_xml_are_valid_through_their_whole_life(
    client: TestClient, session: Session, api_key: str, schema: etree.XMLSchema
) -> None:
    posted = _valid(schema, post(client, api_key, "xml"), 201)
    number = posted.findtext("request/service_request_id")
    token = posted.findtext("request/token")
    assert number and token
    order = session.scalars(select(Order).where(Order.number == number)).one()
    _valid(schema, client.get(f"{V2}/requests/{number}.xml"))
    step(session, "dispatcher", order, "dispatch", lead_unit_id=unit(session, WANGJING).id)
    step(session, "street", order, "sign")
    step(session, "street", order, "contact", method="phone")
    step(session, "street", order, "reply", outcome="solved", reply="路灯已修复。")
    one = _valid(schema, client.get(f"{V2}/requests/{number}.xml"))
    assert one.findtext("request/status") == "open"
    assert one.findtext("request/status_notes") == "路灯已修复。"
    assert one.findtext("request/agency_responsible") == unit(session, WANGJING).name
    listed = _valid(schema, client.get(f"{V2}/requests.xml", params={"status": "open"}))
    assert [e.text for e in listed.iter("service_request_id")] == [number]
    tokens = _valid(schema, client.get(f"{V2}/tokens/{token}.xml"))
    assert tokens.findtext("request/service_request_id") == number
    coords = _valid(schema, post(client, api_key, "xml", address_string="", lat="39.99",
                                 long="116.47"), 201)
    located = coords.findtext("request/service_request_id")
    row = _valid(schema, client.get(f"{V2}/requests/{located}.xml"))
    assert (row.findtext("request/lat"), row.findtext("request/long")) == ("39.99", "116.47")


def test_errors_in_xml_are_valid_open311_errors(
    client: TestClient, api_key: str, schema: etree.XMLSchema
) -> None:
    for response, status in (
        (client.get(f"{V2}/services/ffffffff.xml"), 404),
        (post(client, "not-a-key", "xml"), 403),
        (post(client, api_key, "xml", service_code=""), 400),
        (client.get(f"{V2}/requests.xml", params={"start_date": "soon"}), 400),
        (client.get(f"{V2}/requests/0.xml"), 404),
    ):
        doc = _valid(schema, response, status)
        assert doc.tag == "errors" and doc.findtext("error/code") == str(status)
