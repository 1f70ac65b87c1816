"""Stable ids for bank lines whose bank gives none."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date
from decimal import Decimal

_CENT = Decimal("0.01")


class Fingerprinter:
    """Build ids from (date, amount, text, per-day sequence of identical lines).

    Two identical lines on the same day (two equal coffee-shop payments) get
    sequence 0 and 1, so they stay two lines, while the same line in an
    overlapping statement gets the same id and is deduplicated. The amount counts
    by value: `100`, `100.0` and `100.00` give one id.
    """

    def __init__(self) -> None:
        self._seen: Counter[tuple[date, Decimal, str]] = Counter()

    def next_id(self, booked_on: date, amount: Decimal, text: str) -> str:
        """Return the fingerprint id for the next line with these values."""
        key = (booked_on, amount, " ".join(text.split()).upper())
        sequence = self._seen[key]
        self._seen[key] += 1
        raw = f"{booked_on.isoformat()}|{_canonical(amount):f}|{key[2]}|{sequence}"
        return "fp-" + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:20]


def _canonical(amount: Decimal) -> Decimal:
    """The amount with two places (as most lines are written), or its significant places."""
    value = amount.normalize()
    exponent = value.as_tuple().exponent
    return value.quantize(_CENT) if isinstance(exponent, int) and exponent >= -2 else value  # noqa: PLR2004 - cents
