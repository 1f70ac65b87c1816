"""Money is Decimal, never float: parsing, rounding and formatting in one place."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


def as_money(value: Decimal | int | str) -> Decimal:
    """Round a value to cents (half up, as accounting does).

    Args:
        value: a Decimal, an int or a decimal string. Never a float.

    Returns:
        The value quantized to two places.

    Raises:
        TypeError: if given a float, which would already have lost precision.
    """
    if isinstance(value, float):
        raise TypeError("money must never be a float")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


_PLAIN = re.compile(r"-?\d+(?:\.\d+)?")


def parse_money(text: str, *, decimal_sep: str = ".", thousands_sep: str | None = None) -> Decimal:
    """Parse an amount as banks and ERPs write it.

    Accepts a leading sign, a trailing minus, parentheses for negatives, a
    currency symbol and the given separators. `1,000` with a `.` decimal
    separator and no thousands separator configured is rejected rather than
    read as 1.000: a silent 1000x error is worse than a stop.

    Args:
        text: the raw text.
        decimal_sep: the decimal separator used in the file.
        thousands_sep: the grouping separator, if the file uses one.

    Returns:
        The exact Decimal value (not rounded).

    Raises:
        ValueError: the text is not an amount.
    """
    if decimal_sep == "." and _PLAIN.fullmatch(text):  # the common case, fast
        return Decimal(text)
    raw = text.strip().replace("\u00a0", "").replace(" ", "")
    negative = False
    if raw.startswith("(") and raw.endswith(")"):
        negative, raw = True, raw[1:-1]
    if raw.endswith("-"):
        negative, raw = not negative, raw[:-1]
    raw = raw.lstrip("$€£")
    if raw.startswith(("-", "+")):
        negative ^= raw[0] == "-"
        raw = raw[1:]
    raw = raw.lstrip("$€£")
    if thousands_sep:
        raw = raw.replace(thousands_sep, "")
    other_sep = "," if decimal_sep == "." else "."
    if other_sep in raw:
        raise ValueError(f"unexpected {other_sep!r} in amount {text!r}")
    raw = raw.replace(decimal_sep, ".")
    if not raw or not all(ch.isdigit() or ch == "." for ch in raw):
        raise ValueError(f"not an amount: {text!r}")
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:  # e.g. "1.2.3"
        raise ValueError(f"not an amount: {text!r}") from exc
    return -value if negative else value


def format_money(value: Decimal) -> str:
    """Format an amount with exactly two decimal places, no grouping."""
    return f"{as_money(value):.2f}"
