"""Payment terms such as `2/10 NET30`: the early-payment discount and its window."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

_DISCOUNT = re.compile(
    r"(?P<rate>\d+(?:\.\d+)?)\s*%?\s*/\s*(?P<days>\d+)(?:\s*,?\s*N(?:ET)?\s*(?P<net>\d+))?"
)
_NET = re.compile(r"N(?:ET)?\s*(?P<net>\d+)")


@dataclass(frozen=True, slots=True)
class Terms:
    """Parsed terms: `rate` is a fraction (0.02), `days` the discount window."""

    rate: Decimal
    days: int
    net_days: int | None


@lru_cache(maxsize=1024)
def parse_terms(text: str) -> Terms | None:
    """The discount in a terms text, or None when it grants none.

    >>> parse_terms("2/10 NET30")
    Terms(rate=Decimal('0.02'), days=10, net_days=30)
    >>> parse_terms("NET30") is None
    True
    """
    match = _DISCOUNT.search(text.upper())
    if match is None:
        return None
    rate = Decimal(match["rate"]) / 100
    if not 0 < rate < 1:
        return None
    net = match["net"]
    return Terms(rate=rate, days=int(match["days"]), net_days=int(net) if net else None)
