"""Turn the raw bytes of an OFX/QFX file into text and find its body.

`ofxparse` trusts the header: `CHARSET:NONE` raises LookupError, an `ENCODING`
such as ISO-8859-1 raises UnboundLocalError, `CHARSET:1252` over a UTF-8 body
garbles names, a header inside `<!-- -->`, a missing header or leading blank
lines stop it. Here the header is only a hint: UTF-8 is tried first (it never
decodes cp1252 text by accident), then the declared charset, then cp1252, then
Latin-1 (which decodes anything).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from arbridge.connectors.bank._bom import from_utf16
from arbridge.connectors.bank._errors import reject

_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_XML_ENCODING = re.compile(rb"<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9_.:-]+)[\"']", re.I)
_SGML_CHARSET = re.compile(rb"^\s*(CHARSET|ENCODING)\s*:\s*([^\r\n]*)", re.I | re.M)
_OFX_START = re.compile(r"<OFX[\s>]", re.I)
_CHARSETS = {"1252": "cp1252", "ISO-8859-1": "latin-1", "8859-1": "latin-1"}


@dataclass(frozen=True, slots=True)
class OfxText:
    """The decoded file: its body from `<OFX>` on, and the line the body starts on."""

    body: str
    first_line: int
    encoding: str


def decode_ofx(path: Path, raw: bytes) -> OfxText:
    """Decode an OFX file whatever its header says, and cut off the header.

    Raises:
        BadInputError: binary content, or no `<OFX>` element at all.
    """
    raw = from_utf16(raw, partial=True).rstrip(
        b"\x00\x1a \t\r\n"
    )  # padding after </OFX> (NUL, Ctrl-Z) is harmless
    if b"\x00" in raw:
        line = raw.count(b"\n", 0, raw.index(b"\x00")) + 1
        raise reject(path, "binary content (NUL byte) in an OFX file", line=line)
    text, encoding = _decode(raw, _declared(raw))
    start = _OFX_START.search(text)
    if start is None:
        raise reject(path, "no <OFX> element: not an OFX statement", field="OFX")
    first_line = text.count("\n", 0, start.start()) + 1
    return OfxText(body=text[start.start() :], first_line=first_line, encoding=encoding)


def _declared(raw: bytes) -> str | None:
    head = _COMMENT.sub(b"", raw[:4096])
    xml = _XML_ENCODING.search(head)
    if xml is not None:
        return xml.group(1).decode("ascii")
    found = None
    for match in _SGML_CHARSET.finditer(head):
        value = match.group(2).decode("ascii", "replace").strip().upper()
        if (match.group(1).upper() == "CHARSET" and value not in {"", "NONE"}) or (
            found is None and value not in {"", "NONE", "USASCII", "UNICODE"}
        ):
            found = _CHARSETS.get(value, value)
    return found


def _decode(raw: bytes, declared: str | None) -> tuple[str, str]:
    raw = raw.removeprefix(codecs.BOM_UTF8)
    for encoding in ("utf-8", declared, "cp1252"):
        if encoding is None:
            continue
        try:
            return raw.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    return raw.decode("latin-1"), "latin-1"
