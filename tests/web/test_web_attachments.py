"""Attachments on the order page (real app and database, no browser): the list with download
links, the upload form behind CSRF, and a refused file explained on the page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jiesu.core.settings import get_settings
from jiesu.orders.attachments import OrderAttachment
from tests.factories import dispatched
from tests.web.test_web_rules import csrf, login

PNG = b"\x89PNG\r\n\x1a\n" + b"page upload" * 20


@pytest.fixture(autouse=True)
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(get_settings(), "attachment_dir", tmp_path)
    yield tmp_path


def test_order_page_uploads_and_lists_attachments_with_download_links(
    client: TestClient, session: Session
) -> None:
    order = dispatched(session)
    login(client, "street")
    page = client.get(f"/orders/{order.id}")
    assert 'enctype="multipart/form-data"' in page.text and "暂无附件" in page.text
    token = csrf(client, f"/orders/{order.id}")
    answer = client.post(f"/orders/{order.id}/attachments", data={"csrf_token": token},
                         files={"file": ("门口垃圾.png", PNG, "image/png")},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text[:500]
    page = client.get(answer.headers["location"])
    assert "附件已上传" in page.text and "门口垃圾.png" in page.text
    row = session.scalars(select(OrderAttachment).where(OrderAttachment.order_id == order.id)).one()
    assert f'href="/api/v1/attachments/{row.id}"' in page.text
    # The link works with the page's session cookie and gives the same bytes back.
    assert client.get(f"/api/v1/attachments/{row.id}").content == PNG
    assert "上传附件" in page.text  # the timeline shows the event


def test_page_upload_without_csrf_token_is_refused(client: TestClient, session: Session) -> None:
    order = dispatched(session)
    login(client, "street")
    answer = client.post(f"/orders/{order.id}/attachments",
                         files={"file": ("a.png", PNG, "image/png")})
    assert answer.status_code == 403
    assert session.scalar(select(func.count()).select_from(OrderAttachment)) == 0


def test_page_upload_of_a_refused_type_says_why_next_to_the_field(
    client: TestClient, session: Session
) -> None:
    order = dispatched(session)
    login(client, "street")
    token = csrf(client, f"/orders/{order.id}")
    answer = client.post(f"/orders/{order.id}/attachments", data={"csrf_token": token},
                         files={"file": ("a.exe", b"MZ\x90\x00", "application/x-msdownload")})
    assert answer.status_code == 415
    assert 'id="attach-file-err"' in answer.text and "不支持该类型的附件" in answer.text
    assert session.scalar(select(func.count()).select_from(OrderAttachment)) == 0


def test_district_reads_attachments_but_gets_no_upload_form(
    client: TestClient, session: Session
) -> None:
    order = dispatched(session)
    login(client, "district")
    page = client.get(f"/orders/{order.id}")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' not in page.text
