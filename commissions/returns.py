"""Returned payments: which bank debit is an NSF or returned item, and which payment it undoes.

Pure. A returned item is a debit whose text says so (`NSF`, `RETURNED ITEM`, `ACH RETURN`,
...). It returns the applied payment of the same account and amount booked up to
`WINDOW_DAYS` before it; where several fit, the one whose bank id or a reference the
debit's text repeats; else none (a person picks).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from arbridge.domain.records import BankLine

WINDOW_DAYS = 90
_RETURN = re.compile(
    r"\b(?:NSF|NON[- ]?SUFFICIENT FUNDS|INSUFFICIENT FUNDS|RETURNED (?:ITEM|CHECK|CHEQUE|"
    r"DEPOSIT|PAYMENT)|RETURN(?:ED)? DEPOSITED ITEM|DEPOSITED ITEM RETURNED|RETURN ITEM|"
    r"ITEM RETURNED|CHECK RETURNED|ACH RETURN|CHARGEBACK)\b",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[A-Z0-9][A-Z0-9-]{3,}")
MIN_TOKEN = 4


@dataclass(frozen=True, slots=True, kw_only=True)
class Paid:
    """An applied incoming payment a returned item may undo."""

    application_id: int
    bank_id: str
    booked_on: date
    amount: Decimal
    description: str


def is_return(line: BankLine) -> bool:
    """Whether the line is a debit that returns a payment (NSF, returned item)."""
    return line.amount < 0 and bool(_RETURN.search(line.description))


def _tokens(text: str) -> set[str]:
    words = {t.replace("-", "") for t in _TOKEN.findall(_RETURN.sub(" ", text.upper()))}
    return {w for w in words if len(w) >= MIN_TOKEN and any(c.isdigit() for c in w)}


def candidates(debit: BankLine, paid: Sequence[Paid]) -> list[Paid]:
    """The payments the debit may return: same amount, booked in the window before it."""
    since = debit.booked_on - timedelta(days=WINDOW_DAYS)
    return [
        p for p in paid if p.amount == -debit.amount and since <= p.booked_on <= debit.booked_on
    ]


def returned(debit: BankLine, paid: Sequence[Paid]) -> Paid | None:
    """The one payment the debit returns, or None when none or several fit."""
    found = candidates(debit, paid)
    if len(found) > 1:
        said = _tokens(debit.description)
        found = [p for p in found if _norm(p.bank_id) in said or _tokens(p.description) & said]
    return found[0] if len(found) == 1 else None


def _norm(text: str) -> str:
    return text.upper().replace("-", "")
