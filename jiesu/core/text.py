"""Text as people read it: the artefacts spreadsheets leave in exported cells removed on load.

Excel writes a carriage return inside a cell as the OOXML escape ``_x000D_`` (any character as
``_xHHHH_``); tools that read the file as text keep the escape, so messages from the shared
data and from imported sheets carry it. It is decoded where the data enters (the demo loader,
imports, the order schema), never patched in a template.
"""

from __future__ import annotations

import re

_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_ESCAPED_CR_BEFORE_LF = re.compile(r"_x000[dD]_(?=\r?\n)")
_LINE_BREAKS = re.compile(r"\r\n?")
_SPACE_AFTER_BREAK = re.compile(r"\n[ \t\u3000]+")
_MANY_BREAKS = re.compile(r"\n{3,}")


def _decode(match: re.Match[str]) -> str:
    code = int(match.group(1), 16)
    if code in (0x0D, 0x0A):
        return "\n"
    if code == 0x09:
        return "\t"
    if code < 0x20:
        return ""  # other control characters never belong in a citizen's text
    return chr(code)


def clean_spreadsheet_text(text: str) -> str:
    """Decode ``_xHHHH_`` escapes, make every line break ``\\n``, trim the ends.

    ``_x000D_`` followed by a real newline (Excel's CR LF) becomes one line break; the
    indentation spreadsheets leave after a break is dropped; three or more breaks fold to two.
    """
    if "_x" not in text and "\r" not in text:
        return text.strip()
    text = _ESCAPED_CR_BEFORE_LF.sub("", text)
    text = _OOXML_ESCAPE.sub(_decode, text)
    text = _LINE_BREAKS.sub("\n", text)
    text = _SPACE_AFTER_BREAK.sub("\n", text)
    text = _MANY_BREAKS.sub("\n\n", text)
    return text.strip()


# The public message files mask their places: the province as 西地省, cities as A市, districts
# and counties as A3区, K8县, and the province on number plates as 楚. Read as Beijing.
_MASKED_CITY = re.compile(r"(?:西地省|[A-Z]\d*市)")
_MASKED_DISTRICT = re.compile(r"[A-Z]\d*[区县]")
_MASKED_PLATE = re.compile(r"楚(?=[A-Z])")


def localise_masked(text: str, district: str, street: str = "") -> str:
    """The masked places read as the order's own: 北京市, its district and street (A3区 →
    朝阳区望京街道), 京 on plates."""
    text = _MASKED_CITY.sub("北京市", text)
    text = _MASKED_PLATE.sub("京", text)
    return _MASKED_DISTRICT.sub(district + street, text).replace(
        f"{district}{street}市", f"{district}{street}")  # A3区市… (a city's name after it)
