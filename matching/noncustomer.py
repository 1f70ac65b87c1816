"""Credits that are not customer cash: interest, own transfers, refunds, reversals."""

from __future__ import annotations

import re

_NON_AR = re.compile(
    r"\b(?:INTEREST|INT\s+PAID|INT\s+CREDIT|DIVIDEND|"
    r"(?:BOOK|INTERNAL|ACCOUNT|ACCT|OWN)\s+(?:TRANSFER|TRF|XFER)|"
    r"(?:TRANSFER|TRF|XFER)\s+FROM\s+(?:ACCT|ACCOUNT|SAVINGS|CHECKING|X+\d*)|SWEEP|"
    r"REFUND|REBATE|REVERSAL|CHARGEBACK|RETURNED\s+ITEM|FEE\s+REVERSAL|"
    r"LOAN\s+(?:PROCEEDS|ADVANCE|DISBURSEMENT)|IRS\s+TREAS|TAX\s+REF|CASHBACK)\b"
)


def non_ar_reason(text: str) -> str | None:
    """The words that mark a credit as not customer cash, or None.

    >>> non_ar_reason("INTEREST PAYMENT")
    'INTEREST'
    >>> non_ar_reason("ACME SUPPLY PAYMENT") is None
    True
    """
    match = _NON_AR.search(text.upper())
    return None if match is None else " ".join(match.group(0).split())
