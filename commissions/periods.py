"""Commission periods are calendar months; a closed one never changes again.

An event whose own day falls in a closed month (a late correction, a payment recorded
after the close) lands on the first day of the next open month, and is paid there.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date

_PERIOD = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


def period_of(day: date) -> str:
    """The month a day belongs to, as `YYYY-MM`."""
    return f"{day.year:04d}-{day.month:02d}"


def parse_period(text: str) -> tuple[date, date]:
    """The first and last day of a `YYYY-MM` period.

    Raises:
        ValueError: the text is not a month.
    """
    match = _PERIOD.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"period {text!r} is not a month (YYYY-MM)")
    first = date(int(match[1]), int(match[2]), 1)
    return first, last_day(first)


def next_month(day: date) -> date:
    """The first day of the month after `day`'s."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def last_day(day: date) -> date:
    """The last day of `day`'s month."""
    return date.fromordinal(next_month(day).toordinal() - 1)


def landing_day(day: date, closed: Collection[str]) -> date:
    """`day`, or the first day of the first open month after it when its month is closed."""
    while period_of(day) in closed:
        day = next_month(day)
    return day
