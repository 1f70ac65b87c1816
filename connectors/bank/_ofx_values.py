"""OFX leaf values: amounts and dates as banks really write them."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import lru_cache

from arbridge.domain.money import parse_money

_DATE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})")
_PLAIN = re.compile(r"[-+]?\d{1,15}(?:\.\d{1,6})?")


def ofx_amount(text: str) -> Decimal:
    """Parse an OFX amount: `1,000` is a thousand, `-200,00` two hundred, `(70.49)` negative.

    `ofxparse` reads `1,000` as 1.000 (a silent 1000x error) and raises on
    parentheses. Here the last of `.`/`,` followed by 1-2 digits (or the only
    separator, when not followed by exactly three digits) is the decimal point.

    Raises:
        ValueError: the text is not an amount.
    """
    if _PLAIN.fullmatch(text):  # `-12.50`: nearly every amount, read at once
        return Decimal(text)
    raw = text.strip().replace(" ", "").replace("\u00a0", "")
    dot, comma = raw.rfind("."), raw.rfind(",")
    if dot >= 0 and comma >= 0:
        decimal_sep = "." if dot > comma else ","
    elif comma >= 0:
        grouped = re.fullmatch(r"[-+(]?\d{1,3}(,\d{3})+\)?-?", raw) is not None
        decimal_sep = "." if grouped else ","
    else:
        decimal_sep = "."
    thousands = "," if decimal_sep == "." else "."
    return parse_money(raw, decimal_sep=decimal_sep, thousands_sep=thousands)


def ofx_date(text: str) -> date:
    """The calendar date an OFX datetime names, as the bank wrote it.

    `20240102120000[+10:AEST]` is 2 January: the posting date is the
    statement's own date, never shifted to UTC (which `ofxparse` does, moving
    such lines to the previous day).

    Raises:
        ValueError: not a date.
    """
    return _calendar_date(text[:8] if text[:8].isdigit() else text)


@lru_cache(maxsize=4096)
def _calendar_date(text: str) -> date:
    """A statement has few distinct days: each is parsed once."""
    match = _DATE.match(text)
    if match is None:
        raise ValueError(f"not an OFX date: {text!r}")
    year, month, day = (int(g) for g in match.groups())
    return date(year, month, day)
