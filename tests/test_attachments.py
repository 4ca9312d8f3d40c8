"""Rules of order attachments: an allow-list of types checked against the content, a size
limit, the order's own visibility, one `attach` event per file, files stored by sha256, and
nothing written (row, event or file) when an upload is refused."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jiesu.core.settings import get_settings
from jiesu.orders.attachments import OrderAttachment
from jiesu.orders.models import OrderEvent
from tests.conftest import auth_headers
from tests.factories import HAIDIAN_BALIZHUANG, dispatched, new_order
from tests.rules_support import snapshot

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
PDF = b"%PDF-1.7\n" + "事发现场说明".encode() * 50


@pytest.fixture(autouse=True)
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(get_settings(), "attachment_dir", tmp_path / "attachments")
    yield tmp_path / "attachments"


def upload(client: TestClient, session: Session, username: str, order_id: int, name: str,
           data: bytes, content_type: str, **fields: Any) -> Any:
    return client.post(f"/api/v1/orders/{order_id}/attachments",
                       files={"file": (name, data, content_type)}, data=fields,
                       headers=auth_headers(session, username))


def stored_files(store: Path) -> list[Path]:
    return sorted(p for p in store.rglob("*") if p.is_file()) if store.exists() else []


def attachment_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(OrderAttachment)) or 0


def assert_nothing_written(session: Session, order_id: int, before: dict[str, Any],
                           rows: int, store: Path) -> None:
    assert snapshot(session, order_id) == before
    assert attachment_count(session) == rows
    assert stored_files(store) == []


def test_attachment_of_a_type_not_on_the_allow_list_is_refused(
    client: TestClient, session: Session, store: Path
) -> None:
    order = dispatched(session)
    before, rows = snapshot(session, order.id), attachment_count(session)
    answer = upload(client, session, "street", order.id, "run.sh", b"#!/bin/sh\nrm -rf /\n",
                    "application/x-sh")
    assert answer.status_code == 415, answer.text
    assert answer.json()["error"]["code"] == "attachment_type_not_allowed"
    assert "image/png" in answer.json()["error"]["details"]["allowed"]
    assert_nothing_written(session, order.id, before, rows, store)


def test_attachment_whose_content_is_not_the_type_it_claims_is_refused(
    client: TestClient, session: Session, store: Path
) -> None:
    order = dispatched(session)
    before, rows = snapshot(session, order.id), attachment_count(session)
    answer = upload(client, session, "street", order.id, "photo.png", b"<html><script>x</script>",
                    "image/png")
    assert answer.status_code == 415, answer.text
    assert answer.json()["error"]["code"] == "attachment_type_not_allowed"
    assert_nothing_written(session, order.id, before, rows, store)


def test_attachment_over_the_size_limit_is_refused(
    client: TestClient, session: Session, store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "attachment_max_bytes", 1000)
    order = dispatched(session)
    before, rows = snapshot(session, order.id), attachment_count(session)
    answer = upload(client, session, "street", order.id, "big.png", PNG, "image/png")
    assert answer.status_code == 413, answer.text
    assert answer.json()["error"]["code"] == "attachment_too_large"
    assert answer.json()["error"]["details"]["max_bytes"] == 1000
    assert_nothing_written(session, order.id, before, rows, store)
    # The announced body alone is enough to refuse, before anything is read.
    far_too_big = PNG * 200
    answer = upload(client, session, "street", order.id, "big.png", far_too_big, "image/png")
    assert answer.json()["error"]["code"] == "attachment_too_large"
    assert_nothing_written(session, order.id, before, rows, store)


def test_attachment_at_the_size_limit_is_accepted(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "attachment_max_bytes", len(PNG))
    order = dispatched(session)
    answer = upload(client, session, "street", order.id, "limit.png", PNG, "image/png")
    assert answer.status_code == 201, answer.text


def test_another_units_handler_gets_404_for_the_order_attachments(
    client: TestClient, session: Session, store: Path
) -> None:
    order = dispatched(session)
    added = upload(client, session, "street", order.id, "现场.png", PNG, "image/png")
    assert added.status_code == 201, added.text
    attachment_id = added.json()["id"]
    other = auth_headers(session, "haidian")  # 海淀区八里庄街道: not this order's unit
    for path in (f"/api/v1/attachments/{attachment_id}",
                 f"/api/v1/orders/{order.id}/attachments"):
        answer = client.get(path, headers=other)
        assert answer.status_code == 404, (path, answer.text)
        assert PNG not in answer.content and "现场" not in answer.text
    before = snapshot(session, order.id)
    refused = upload(client, session, "haidian", order.id, "x.png", PNG, "image/png")
    assert refused.status_code == 404
    assert snapshot(session, order.id) == before
    # Their own order's attachments are theirs to read.
    theirs = dispatched(session, HAIDIAN_BALIZHUANG)
    assert upload(client, session, "haidian", theirs.id, "y.png", PNG, "image/png").status_code \
        == 201


def test_upload_appends_an_attach_event_to_the_history(
    client: TestClient, session: Session
) -> None:
    order = dispatched(session)
    answer = upload(client, session, "street", order.id, "整改通知.pdf", PDF, "application/pdf")
    assert answer.status_code == 201, answer.text
    body = answer.json()
    events = list(session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id)
                                  .order_by(OrderEvent.seq)))
    last = events[-1]
    assert last.action == "attach"
    assert last.from_state == last.to_state == "dispatched"  # attaching changes no state
    assert last.payload["filename"] == "整改通知.pdf"
    assert last.payload["attachment_id"] == body["id"]
    assert last.payload["sha256"] == hashlib.sha256(PDF).hexdigest()
    detail = client.get(f"/api/v1/orders/{order.id}", headers=auth_headers(session, "supervisor"))
    assert detail.json()["events"][-1]["action_label"] == "上传附件"


def test_download_returns_the_same_bytes(client: TestClient, session: Session) -> None:
    order = new_order(session)
    added = upload(client, session, "agent", order.id, "录音.mp3", b"ID3\x04" + PNG,
                   "audio/mpeg")
    assert added.status_code == 201, added.text
    listed = client.get(f"/api/v1/orders/{order.id}/attachments",
                        headers=auth_headers(session, "dispatcher"))
    assert [a["filename"] for a in listed.json()["data"]] == ["录音.mp3"]
    got = client.get(listed.json()["data"][0]["url"], headers=auth_headers(session, "dispatcher"))
    assert got.status_code == 200
    assert got.content == b"ID3\x04" + PNG
    assert got.headers["content-type"].startswith("audio/mpeg")
    assert got.headers["content-disposition"].startswith("attachment")
    assert got.headers["x-content-type-options"] == "nosniff"


def test_file_is_stored_by_its_sha256_never_by_the_name_given(
    client: TestClient, session: Session, store: Path
) -> None:
    order = dispatched(session)
    answer = upload(client, session, "street", order.id, "../../etc/passwd.png", PNG,
                    "image/png")
    assert answer.status_code == 201, answer.text
    assert answer.json()["filename"] == "passwd.png"
    sha = hashlib.sha256(PNG).hexdigest()
    assert stored_files(store) == [store / sha[:2] / sha]
    # The same bytes attached again: a second row and event, still one file.
    again = upload(client, session, "street", order.id, "again.png", PNG, "image/png")
    assert again.status_code == 201
    assert stored_files(store) == [store / sha[:2] / sha]


def test_browser_octet_stream_is_judged_by_the_file_extension(
    client: TestClient, session: Session
) -> None:
    order = dispatched(session)
    answer = upload(client, session, "street", order.id, "scan.pdf", PDF,
                    "application/octet-stream")
    assert answer.status_code == 201, answer.text
    assert answer.json()["content_type"] == "application/pdf"


def test_a_role_not_in_the_table_cannot_attach(
    client: TestClient, session: Session, store: Path
) -> None:
    order = dispatched(session)
    before, rows = snapshot(session, order.id), attachment_count(session)
    answer = upload(client, session, "admin", order.id, "a.png", PNG, "image/png")
    assert answer.status_code in (403, 404)
    assert_nothing_written(session, order.id, before, rows, store)


def test_upload_without_a_file_is_refused_with_the_error_shape(
    client: TestClient, session: Session
) -> None:
    order = dispatched(session)
    headers = auth_headers(session, "street")
    answer = client.post(f"/api/v1/orders/{order.id}/attachments", json={"file": "x"},
                         headers=headers)
    assert answer.status_code == 422
    assert answer.json()["error"]["details"]["missing"] == ["file"]
    answer = client.post(f"/api/v1/orders/{order.id}/attachments", data={"other": "1"},
                         files={"other_file": ("a.png", PNG, "image/png")}, headers=headers)
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "missing_fields"


def test_a_stale_version_is_a_conflict_and_writes_nothing(
    client: TestClient, session: Session, store: Path
) -> None:
    order = dispatched(session)
    before, rows = snapshot(session, order.id), attachment_count(session)
    answer = upload(client, session, "street", order.id, "a.png", PNG, "image/png",
                    version=str(order.version - 1))
    assert answer.status_code == 409, answer.text
    assert answer.json()["error"]["code"] == "version_conflict"
    assert_nothing_written(session, order.id, before, rows, store)
