"""Rule: any filtered order list exports to CSV and XLSX, streamed, with places and units by
name and the citizen's phone masked by role (return-visit staff get it whole, logged)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jiesu.core.privacy import PhoneReadLog
from jiesu.orders import export
from jiesu.orders.queries import OrderFilter
from tests.conftest import auth_headers
from tests.factories import HAIDIAN_BALIZHUANG, WANGJING, dispatched, new_order, who

PHONE = "13812345678"


def _csv(response_text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response_text.lstrip("\ufeff"))))


def _orders(session: Session) -> None:
    new_order(session, title="导出：垃圾", category="环境卫生")
    dispatched(session, WANGJING, title="导出：路灯", category="市政设施")
    new_order(session, title="导出：海淀", street_code=HAIDIAN_BALIZHUANG, district_code="110108")
    session.flush()


def test_export_has_the_same_rows_as_the_filtered_list(
    client: TestClient, session: Session
) -> None:
    _orders(session)
    headers = auth_headers(session, "supervisor")
    params = {"street_code": WANGJING, "text": "导出"}
    listed = client.get("/api/v1/orders", params=params, headers=headers).json()
    response = client.get("/api/v1/orders/export", params={**params, "format": "csv"},
                          headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = _csv(response.text)
    assert [r["工单编号"] for r in rows] == [o["number"] for o in listed["data"]]
    assert len(rows) == listed["count"] == 2


def test_export_names_places_and_units_never_codes(client: TestClient, session: Session) -> None:
    _orders(session)
    response = client.get("/api/v1/orders/export",
                          params={"text": "导出：路灯", "format": "csv"},
                          headers=auth_headers(session, "supervisor"))
    (row,) = _csv(response.text)
    assert (row["区"], row["街道乡镇"], row["主办单位"]) == ("朝阳区", "望京街道", "望京街道")
    assert WANGJING not in response.text


def test_export_masks_the_phone_for_roles_that_do_not_call_back(
    client: TestClient, session: Session
) -> None:
    _orders(session)
    response = client.get("/api/v1/orders/export", params={"format": "csv"},
                          headers=auth_headers(session, "supervisor"))
    assert PHONE not in response.text
    assert {r["来电号码"] for r in _csv(response.text)} == {"138****5678"}
    assert session.scalar(select(func.count(PhoneReadLog.id))) == 0


def test_return_visit_staff_export_full_numbers_and_each_is_logged(
    client: TestClient, session: Session
) -> None:
    _orders(session)
    response = client.get("/api/v1/orders/export", params={"format": "csv", "text": "导出"},
                          headers=auth_headers(session, "visitor"))
    assert {r["来电号码"] for r in _csv(response.text)} == {PHONE}
    logged = session.scalars(select(PhoneReadLog).where(PhoneReadLog.purpose == "export")).all()
    assert len(logged) == 3
    assert {entry.user_id for entry in logged} == {who(session, "visitor").user_id}


def test_unit_exports_only_its_own_orders(client: TestClient, session: Session) -> None:
    _orders(session)
    response = client.get("/api/v1/orders/export", params={"format": "csv"},
                          headers=auth_headers(session, "street"))
    titles = {r["标题"] for r in _csv(response.text)}
    assert titles == {"导出：路灯"}


def test_xlsx_export_opens_as_a_workbook_with_the_same_rows(
    client: TestClient, session: Session
) -> None:
    _orders(session)
    response = client.get("/api/v1/orders/export", params={"format": "xlsx", "text": "导出"},
                          headers=auth_headers(session, "supervisor"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = list(sheet.values)
    assert list(values[0]) == export.HEADER
    assert sorted(str(v[4]) for v in values[1:]) == ["导出：垃圾", "导出：海淀", "导出：路灯"]


def test_export_goes_out_batch_by_batch(session: Session, monkeypatch: pytest.MonkeyPatch
                                        ) -> None:
    for n in range(5):
        new_order(session, title=f"分批{n}")
    session.flush()
    monkeypatch.setattr(export, "BATCH", 2)
    f = OrderFilter(text="分批")
    chunks = list(export.stream(session, who(session, "supervisor"), f, fmt="csv"))
    assert len(chunks) == 1 + 3  # the header, then one chunk per batch of two rows
    # XLSX: the fixed parts go out before the rows are read (deflate holds small batches back).
    xlsx = list(export.stream(session, who(session, "supervisor"), f, fmt="xlsx"))
    assert len(xlsx) >= 2
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx))).active
    assert sheet is not None and sheet.max_row == 1 + 5


def test_export_filter_refuses_bad_input(client: TestClient, session: Session) -> None:
    headers = auth_headers(session, "supervisor")
    assert client.get("/api/v1/orders/export", params={"format": "pdf"},
                      headers=headers).status_code == 422
    assert client.get("/api/v1/orders/export", params={"phone": "13%"},
                      headers=headers).status_code == 422


def test_phone_search_matches_a_masked_number_or_its_last_digits(
    client: TestClient, session: Session
) -> None:
    new_order(session, title="号码检索", citizen_phone="13900001234")
    new_order(session, title="号码检索", citizen_phone="13700005678")
    session.flush()
    headers = auth_headers(session, "dispatcher")
    for phone in ("13900001234", "139****1234", "1234"):
        found = client.get("/api/v1/orders", params={"phone": phone, "text": "号码检索"},
                           headers=headers).json()
        assert found["count"] == 1, phone
