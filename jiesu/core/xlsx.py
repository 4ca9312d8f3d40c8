"""A streaming XLSX writer: one worksheet of header + rows, written as it is read.

openpyxl builds a workbook in memory (or, write-only, in temporary files) before anything can
be sent; an export of a million orders must instead go out as it is produced. An .xlsx file is
a zip of a few XML parts: the fixed parts are written first, then the sheet's rows are deflated
into the zip entry batch by batch and each batch's compressed bytes are handed on. Memory stays
at one batch whatever the row count. Cells are inline strings or numbers (no shared-string
table, no styles), which Excel, LibreOffice, WPS and openpyxl all read.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from xml.sax.saxutils import escape

# The most rows one worksheet holds (Excel's limit), the header included.
MAX_ROWS = 1_048_576
Cell = str | int | float | None
# Characters XML 1.0 cannot carry at all.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_OOXML = "http://schemas.openxmlformats.org"
_SHEETML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CONTENT_TYPES = (
    f'{_XML_HEAD}<Types xmlns="{_OOXML}/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_SHEETML}.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    f'ContentType="{_SHEETML}.worksheet+xml"/>'
    "</Types>"
)


def _relationship(kind: str, target: str) -> str:
    return (
        f'{_XML_HEAD}<Relationships xmlns="{_OOXML}/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_OOXML}/officeDocument/2006/relationships/{kind}" '
        f'Target="{target}"/></Relationships>'
    )


_RELS = _relationship("officeDocument", "xl/workbook.xml")
_WORKBOOK_RELS = _relationship("worksheet", "worksheets/sheet1.xml")
_NS = (f'xmlns="{_OOXML}/spreadsheetml/2006/main" '
       f'xmlns:r="{_OOXML}/officeDocument/2006/relationships"')


def _workbook(sheet: str) -> str:
    return (
        f"{_XML_HEAD}<workbook {_NS}><sheets>"
        f'<sheet name="{escape(sheet, {chr(34): "&quot;"})}" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>"
    )


class _Sink(io.RawIOBase):
    """A write-only, unseekable file that keeps what was written until it is drained."""

    def __init__(self) -> None:
        super().__init__()
        self._buffer = bytearray()
        self._written = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._buffer += data
        self._written += len(data)
        return len(data)

    def tell(self) -> int:
        return self._written

    def drain(self) -> bytes:
        out = bytes(self._buffer)
        self._buffer.clear()
        return out


def _cell(value: Cell) -> str:
    if value is None or value == "":
        return "<c/>"
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int | float):
        return f"<c><v>{value}</v></c>"
    text = escape(_ILLEGAL.sub("", value))
    return f'<c t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _row(number: int, values: Sequence[Cell]) -> str:
    return f'<row r="{number}">{"".join(_cell(v) for v in values)}</row>'


def stream_xlsx(
    header: Sequence[str], batches: Iterable[Sequence[Sequence[Cell]]], *, sheet: str = "Sheet1"
) -> Iterator[bytes]:
    """The workbook's bytes, one chunk per batch of rows; rows past MAX_ROWS are left out."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        book.writestr("[Content_Types].xml", _CONTENT_TYPES)
        book.writestr("_rels/.rels", _RELS)
        book.writestr("xl/workbook.xml", _workbook(sheet))
        book.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(
                f"{_XML_HEAD}<worksheet {_NS}><sheetData>{_row(1, header)}".encode()
            )
            number = 1
            for batch in batches:
                lines = []
                for values in batch:
                    if number >= MAX_ROWS:
                        break
                    number += 1
                    lines.append(_row(number, values))
                part.write("".join(lines).encode())
                chunk = sink.drain()
                if chunk:
                    yield chunk
                if number >= MAX_ROWS:
                    break
            part.write(b"</sheetData></worksheet>")
    yield sink.drain()
