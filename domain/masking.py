"""Showing account numbers to people without showing them whole."""

from __future__ import annotations

_VISIBLE = 4


def mask_account(number: str | None) -> str:
    """`DE89370400440532013000` -> `••••3000`; short or empty numbers are hidden entirely."""
    if not number:
        return ""
    digits = "".join(number.split())
    if len(digits) <= _VISIBLE * 2:
        return "•" * 4
    return "••••" + digits[-_VISIBLE:]
