"""Tell a statement's format from its content, not only its name."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path

from arbridge.connectors.bank._bom import from_utf16


class StatementFormat(StrEnum):
    """Statement formats arbridge knows of."""

    CSV = "csv"
    OFX = "ofx"
    CAMT = "camt"
    BAI2 = "bai2"
    MT940 = "mt940"
    NORMA43 = "norma43"
    UNKNOWN = "unknown"


_OFX = re.compile(rb"OFXHEADER\s*:|<\?OFX[\s>]|<OFX[\s>]")
_CAMT = re.compile(rb"CAMT\.05[0-9]|<BKTOCSTMR")
_MT940 = re.compile(rb"^(\{1:|:20:|:25:)|\n:20:|\{4:\s*\n?:20:|\n:61:", re.M)
_MT940_TAGS = re.compile(rb"(?:^|[\r\n])[ \t]*:(20|25|28C?|60[FM]|62[FM]|61|86):")
_MT940_FIRST = re.compile(rb":(?:\d\d[A-Z]?|NS):")  # a file that starts with an MT940 tag
_NORMA43 = re.compile(rb"11\d{30}[12]\d{14}\d{3}")
_CSV_SUFFIXES = {".csv", ".txt", ".tsv"}


def detect_format(path: Path, head: bytes) -> StatementFormat:
    """Guess the format of a statement from its first bytes (and, last, its suffix).

    Args:
        path: the file, for its suffix.
        head: the first few kilobytes of the file.

    Returns:
        The detected format, UNKNOWN when nothing fits.
    """
    head = from_utf16(head, partial=True)
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n\x00").upper()
    if _OFX.search(text):
        return StatementFormat.OFX
    if text.startswith(b"<"):
        return StatementFormat.CAMT if _CAMT.search(text) else StatementFormat.UNKNOWN
    found = _text_format(text)
    if found is not None:
        return found
    first = text.split(b"\n", 1)[0]
    separated = b"\x00" not in first and any(sep in first for sep in (b",", b";", b"\t"))
    if path.suffix.lower() in _CSV_SUFFIXES or separated:  # NUL: UTF-16 without a BOM, not CSV
        return StatementFormat.CSV
    return StatementFormat.UNKNOWN


def _text_format(text: bytes) -> StatementFormat | None:
    """BAI2, MT940 (two or more of its tags at line starts) or Norma 43, from text."""
    if re.match(rb"01,[^,\r\n]*,[^,\r\n]*,\d{6},", text):
        return StatementFormat.BAI2
    if (
        _MT940.search(text)
        or _MT940_FIRST.match(text)
        or len({m.group(1) for m in _MT940_TAGS.finditer(text)}) > 1
    ):
        return StatementFormat.MT940
    if _NORMA43.match(text):
        return StatementFormat.NORMA43
    return None
