"""Attachments of an order: photos, documents, call recordings.

Files live under `data_dir/attachments` (or `JIESU_ATTACHMENT_DIR`), named by their sha256
(never by the name the user gave: no path tricks, and one copy of a file attached twice).
Each upload is one row here and one `attach` event in the order's history, written in the
caller's transaction. A refused upload (type, size, access, state) leaves neither a row
nor a file behind.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import BigInteger, ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from jiesu.core import clock
from jiesu.core.db import Base
from jiesu.core.errors import DomainError, InvalidInput, NotFound
from jiesu.core.roles import Principal
from jiesu.core.settings import get_settings
from jiesu.orders import schemas as s
from jiesu.orders import service
from jiesu.orders.statemachine import Action

CHUNK = 64 * 1024


class OrderAttachment(Base):
    __tablename__ = "order_attachments"
    __table_args__ = (Index("ix_order_attachments_order", "order_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(80))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    uploaded_at: Mapped[datetime]


class AttachmentTooLarge(DomainError):
    status_code = 413
    code = "attachment_too_large"


class AttachmentTypeNotAllowed(DomainError):
    status_code = 415
    code = "attachment_type_not_allowed"


def _riff(kind: bytes) -> Callable[[bytes], bool]:
    return lambda head: head[:4] == b"RIFF" and head[8:12] == kind


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc .xls .ppt
_ZIP = b"PK\x03\x04"  # .docx .xlsx .pptx
# What the first bytes of each allowed type look like: a file whose content does not match
# the type it claims (a script renamed .jpg) is refused. A type an admin adds to the
# allow-list without an entry here is taken at its word.
SIGNATURES: dict[str, Callable[[bytes], bool]] = {
    "image/jpeg": lambda h: h.startswith(b"\xff\xd8\xff"),
    "image/png": lambda h: h.startswith(b"\x89PNG\r\n\x1a\n"),
    "image/gif": lambda h: h.startswith((b"GIF87a", b"GIF89a")),
    "image/webp": _riff(b"WEBP"),
    "application/pdf": lambda h: h.startswith(b"%PDF-"),
    "application/msword": lambda h: h.startswith(_OLE),
    "application/vnd.ms-excel": lambda h: h.startswith(_OLE),
    "application/vnd.ms-powerpoint": lambda h: h.startswith(_OLE),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
        lambda h: h.startswith(_ZIP),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
        lambda h: h.startswith(_ZIP),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation":
        lambda h: h.startswith(_ZIP),
    "audio/mpeg": lambda h: h.startswith(b"ID3") or (len(h) > 1 and h[0] == 0xFF
                                                     and h[1] & 0xE0 == 0xE0),
    "audio/wav": _riff(b"WAVE"),
    "audio/x-wav": _riff(b"WAVE"),
    "audio/mp4": lambda h: h[4:8] == b"ftyp",
    "audio/x-m4a": lambda h: h[4:8] == b"ftyp",
    "audio/amr": lambda h: h.startswith(b"#!AMR"),
    "audio/ogg": lambda h: h.startswith(b"OggS"),
    "audio/aac": lambda h: h.startswith(b"ADIF") or (len(h) > 1 and h[0] == 0xFF
                                                     and h[1] & 0xF6 == 0xF0),
}
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    stream: BinaryIO


def storage_root() -> Path:
    settings = get_settings()
    return settings.attachment_dir or settings.data_dir / "attachments"


def path_of(row: OrderAttachment) -> Path:
    return storage_root() / row.storage_key


def clean_filename(name: str) -> str:
    """The name shown and offered on download: its last path part, no control characters."""
    base = re.split(r"[/\\]", name or "")[-1]
    base = _UNSAFE.sub("", base).strip().strip(".")
    if not base:
        raise InvalidInput("附件缺少文件名", code="missing_fields",
                           details={"missing": ["filename"]})
    stem, dot, ext = base.rpartition(".")
    if len(base) > 255:  # keep the extension, shorten the name
        base = f"{stem[: 250 - len(ext)]}.{ext}" if dot and len(ext) < 16 else base[:255]
    return base


def content_type_of(declared: str | None, filename: str) -> str:
    """The declared type; browsers send octet-stream for what they do not know, so then the
    file name's extension decides."""
    kind = (declared or "").split(";")[0].strip().lower()
    if not kind or kind == "application/octet-stream":
        kind = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return kind


def _refuse_type(kind: str, reason: str) -> AttachmentTypeNotAllowed:
    return AttachmentTypeNotAllowed(
        reason, details={"content_type": kind,
                         "allowed": list(get_settings().attachment_types)},
    )


def _spool(stream: BinaryIO, limit: int) -> tuple[Path, int, str, bytes]:
    """Copy the upload into a temporary file beside the store, hashing as it goes; stop
    (and remove it) as soon as it passes the limit."""
    root = storage_root()
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".upload-{uuid.uuid4().hex}"
    digest, size, head = hashlib.sha256(), 0, b""
    try:
        with tmp.open("wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise AttachmentTooLarge(
                        f"附件超过大小上限（{limit // (1024 * 1024) or 1} MB）",
                        details={"max_bytes": limit},
                    )
                if len(head) < 64:
                    head += chunk[: 64 - len(head)]
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp, size, digest.hexdigest(), head


def _store(tmp: Path, key: str) -> None:
    final = storage_root() / key
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists():  # the same bytes are already stored
        tmp.unlink(missing_ok=True)
    else:
        os.replace(tmp, final)


def add(
    session: Session, principal: Principal, order_id: int, upload: Upload,
    *, version: int | None = None,
) -> OrderAttachment:
    """Store one file for an order and record it as an `attach` event."""
    service.get_order(session, principal, order_id)  # another unit's order: 404 before all
    settings = get_settings()
    filename = clean_filename(upload.filename)
    kind = content_type_of(upload.content_type, filename)
    if kind not in settings.attachment_types:
        raise _refuse_type(kind, "不支持该类型的附件（支持图片、PDF、Office 文档和录音）")
    tmp, size, sha, head = _spool(upload.stream, settings.attachment_max_bytes)
    try:
        if size == 0:
            raise InvalidInput("附件是空文件", code="attachment_empty")
        check = SIGNATURES.get(kind)
        if check is not None and not check(head):
            raise _refuse_type(kind, "附件内容与其文件类型不符")
        key = f"{sha[:2]}/{sha}"
        # A savepoint: the row goes again if the event is refused (state, role, version).
        with session.begin_nested():
            row = OrderAttachment(
                order_id=order_id, filename=filename, content_type=kind, size=size,
                sha256=sha, storage_key=key, uploaded_by_id=principal.user_id,
                uploaded_at=clock.now(),
            )
            session.add(row)
            session.flush()
            payload = s.Attach(version=version, filename=filename, attachment_id=row.id,
                               content_type=kind, size=size, sha256=sha)
            service.act(session, principal, order_id, Action.attach, payload)
        _store(tmp, key)
    finally:
        tmp.unlink(missing_ok=True)
    return row


def list_for(session: Session, principal: Principal, order_id: int) -> Sequence[OrderAttachment]:
    service.get_order(session, principal, order_id)
    return of_order(session, order_id)


def of_order(session: Session, order_id: int) -> Sequence[OrderAttachment]:
    stmt = select(OrderAttachment).where(OrderAttachment.order_id == order_id)
    return session.scalars(stmt.order_by(OrderAttachment.id)).all()


def get(session: Session, principal: Principal, attachment_id: int) -> OrderAttachment:
    """An attachment is visible exactly when its order is; otherwise it does not exist."""
    row = session.get(OrderAttachment, attachment_id)
    missing = NotFound("附件不存在或无权查看", code="attachment_not_found")
    if row is None:
        raise missing
    try:
        service.get_order(session, principal, row.order_id)
    except NotFound as exc:
        raise missing from exc
    if not path_of(row).is_file():
        raise NotFound("附件文件已丢失，请联系管理员", code="attachment_file_missing")
    return row
