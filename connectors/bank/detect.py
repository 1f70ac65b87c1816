"""Tell a statement's format from its content, not only its name."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path


class StatementFormat(StrEnum):
    """Statement formats arbridge knows of."""

    CSV = "csv"
    OFX = "ofx"
    CAMT = "camt"
    BAI2 = "bai2"
    MT940 = "mt940"
    UNKNOWN = "unknown"


def detect_format(path: Path, head: bytes) -> StatementFormat:
    """Guess the format of a statement from its first bytes (and, last, its suffix).

    Args:
        path: the file, for its suffix.
        head: the first few kilobytes of the file.

    Returns:
        The detected format, UNKNOWN when nothing fits.
    """
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").upper()
    if text.startswith(b"OFXHEADER") or b"<OFX>" in text or b"<?OFX" in text:
        return StatementFormat.OFX
    if text.startswith(b"<?XML") or text.startswith(b"<DOCUMENT"):
        return StatementFormat.CAMT if b"CAMT.05" in text else StatementFormat.UNKNOWN
    if text.startswith(b"01,"):
        return StatementFormat.BAI2
    if text.startswith((b":20:", b"{1:")):
        return StatementFormat.MT940
    if path.suffix.lower() in {".csv", ".txt"} or b"," in text.split(b"\n", 1)[0]:
        return StatementFormat.CSV
    return StatementFormat.UNKNOWN
