"""UTF-16 statements (Windows "Unicode" exports) announced by a byte-order mark."""

from __future__ import annotations

import codecs

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def from_utf16(raw: bytes, *, partial: bool = False) -> bytes:
    """The bytes as UTF-8 when they start with a UTF-16 byte-order mark, else unchanged.

    Args:
        raw: a file's bytes, or (`partial`) its first bytes, which may end mid-character.
        partial: drop an incomplete last character instead of failing.

    Raises:
        UnicodeDecodeError: not valid UTF-16 after all (only when not `partial`).
    """
    if not raw.startswith(_UTF16_BOMS):
        return raw
    return raw.decode("utf-16", "ignore" if partial else "strict").encode("utf-8")
