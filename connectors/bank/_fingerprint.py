"""Stable ids for bank lines whose bank gives none."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date
from decimal import Decimal


class Fingerprinter:
    """Build ids from (date, amount, text, per-day sequence of identical lines).

    Two identical lines on the same day (two equal coffee-shop payments) get
    sequence 0 and 1, so they stay two lines, while the same line in an
    overlapping statement gets the same id and is deduplicated.
    """

    def __init__(self) -> None:
        self._seen: Counter[tuple[date, Decimal, str]] = Counter()

    def next_id(self, booked_on: date, amount: Decimal, text: str) -> str:
        """Return the fingerprint id for the next line with these values."""
        key = (booked_on, amount, " ".join(text.split()).upper())
        sequence = self._seen[key]
        self._seen[key] += 1
        raw = f"{booked_on.isoformat()}|{amount:f}|{key[2]}|{sequence}"
        return "fp-" + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:20]
