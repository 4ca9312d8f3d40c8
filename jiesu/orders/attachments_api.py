"""Routes for order attachments: upload (multipart), list, download.

The upload reads the form itself so that a body announced larger than the limit is refused
before it is read at all; the service checks the real size again while storing it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict
from starlette.datastructures import UploadFile

from jiesu.core.api import SessionDep, commit
from jiesu.core.errors import InvalidInput
from jiesu.core.ids import PathId
from jiesu.core.openapi import downloads
from jiesu.core.settings import get_settings
from jiesu.orders import attachments
from jiesu.orders.attachments import AttachmentTooLarge, OrderAttachment, Upload
from jiesu.units.auth import CurrentPrincipal

router = APIRouter(prefix="/api/v1", tags=["attachments"])
# Room for the multipart boundaries and the other fields around the file.
FORM_OVERHEAD = 64 * 1024


class AttachmentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    order_id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by_id: int | None
    uploaded_at: datetime
    url: str = ""

    @classmethod
    def of(cls, row: OrderAttachment) -> AttachmentPublic:
        return cls.model_validate(row).model_copy(update={"url": f"/api/v1/attachments/{row.id}"})


class AttachmentList(BaseModel):
    data: list[AttachmentPublic]
    count: int


def refuse_oversized_body(request: Request) -> None:
    limit = get_settings().attachment_max_bytes
    announced = request.headers.get("content-length", "")
    if announced.isdigit() and int(announced) > limit + FORM_OVERHEAD:
        raise AttachmentTooLarge(
            f"附件超过大小上限（{limit // (1024 * 1024) or 1} MB）", details={"max_bytes": limit}
        )


async def read_upload(request: Request) -> tuple[UploadFile, int | None]:
    """The `file` part and the optional `version` field of a multipart upload."""
    refuse_oversized_body(request)
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise InvalidInput("请以 multipart/form-data 上传文件（字段 file）",
                           code="invalid_input", details={"missing": ["file"]})
    form = await request.form(max_files=1, max_fields=20)
    file = form.get("file")
    if not isinstance(file, UploadFile):
        raise InvalidInput("缺少附件文件（字段 file）", code="missing_fields",
                           details={"missing": ["file"]})
    raw = form.get("version")
    version: int | None = None
    if isinstance(raw, str) and raw.strip():
        if not raw.strip().isdigit() or len(raw.strip()) > 9:
            raise InvalidInput("version 须为整数", code="invalid_input")
        version = int(raw)
    return file, version


UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary"},
                           "version": {"type": "integer"}},
        }}},
    }
}


@router.post("/orders/{order_id}/attachments", response_model=AttachmentPublic,
             status_code=201, openapi_extra=UPLOAD_BODY)
async def upload_attachment(
    request: Request, session: SessionDep, principal: CurrentPrincipal, order_id: PathId
) -> AttachmentPublic:
    """上传附件（图片、PDF、Office 文档、录音）；记入工单办理记录。"""
    file, version = await read_upload(request)

    def store() -> AttachmentPublic:  # file and database work off the event loop
        upload = Upload(file.filename or "", file.content_type or "", file.file)
        row = attachments.add(session, principal, order_id, upload, version=version)
        result = AttachmentPublic.of(row)
        commit(session)
        return result

    try:
        return await run_in_threadpool(store)
    finally:
        await file.close()


@router.get("/orders/{order_id}/attachments", response_model=AttachmentList)
def list_attachments(
    session: SessionDep, principal: CurrentPrincipal, order_id: PathId
) -> AttachmentList:
    """工单的附件（与工单同样的查看权限）。"""
    rows = attachments.list_for(session, principal, order_id)
    return AttachmentList(data=[AttachmentPublic.of(r) for r in rows], count=len(rows))


@router.get("/attachments/{attachment_id}", response_class=FileResponse,
            responses=downloads("*/*", description="附件原文件"))
def download_attachment(
    session: SessionDep, principal: CurrentPrincipal, attachment_id: PathId
) -> FileResponse:
    """下载附件（与工单同样的查看权限：看不到工单的单位得到 404）。"""
    row = attachments.get(session, principal, attachment_id)
    return FileResponse(
        attachments.path_of(row), media_type=row.content_type, filename=row.filename,
        # Always a download, never rendered by the browser as the content type claims.
        content_disposition_type="attachment",
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"},
    )
