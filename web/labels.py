"""Plain words for the codes a clerk would otherwise see."""

from __future__ import annotations

import re

from arbridge.domain.review import ReviewReason

_PATH = re.compile(r"(?:[A-Za-z]:)?(?:[/\\][^\s/\\:'\"<>,;]+)+[/\\]([^\s/\\:'\"<>,;]+)")

REASONS: dict[str, str] = {
    ReviewReason.UNIDENTIFIED_PAYER: "Payer not recognised",
    ReviewReason.NO_MATCH: "No invoice matches",
    ReviewReason.LOOKALIKE_INVOICES: "Two or more invoices look alike",
    ReviewReason.SHORT_PAYMENT: "Paid less than the invoice",
    ReviewReason.OVERPAYMENT: "Paid more than the invoice",
    ReviewReason.DUPLICATE_PAYMENT: "Looks like a duplicate payment",
    ReviewReason.NON_AR_CREDIT: "Not customer cash?",
    ReviewReason.SUSPECTED_MISAPPLICATION: "Possibly applied to the wrong invoice",
    ReviewReason.TAX_CERTIFICATE: "Tax certificate to check",
    ReviewReason.QUARANTINED_FILE: "Bank file could not be read",
    ReviewReason.CONNECTOR_DOWN: "A connection is down",
    ReviewReason.POSTING_REJECTED: "The ERP refused a posting",
    ReviewReason.POLICY_HOLD: "Held by a policy",
    ReviewReason.BELOW_CONFIDENCE: "Not sure enough to apply",
    ReviewReason.PAYOUT_EXCEPTION: "Card payout: refunds, disputes or charges to place",
    ReviewReason.PAYOUT_NOT_DEPOSITED: "Card payout not in the bank yet",
    ReviewReason.DEPOSIT_HELD: "Deposit waiting for its final invoice",
    ReviewReason.DEPOSIT_RECEIVED: "Deposit received, held for the order's final invoice",
    ReviewReason.DEPOSIT_FINAL_CHOICE: "Deposit: choose the final invoice it goes to",
    ReviewReason.POSSIBLY_POSTED: "Maybe already posted in the ERP",
    ReviewReason.RETURNED_PAYMENT: "A payment came back (NSF or returned item)",
    ReviewReason.UNAPPLIED_CASH: "Cash on account that pays open invoices",
    ReviewReason.LEDGER_MISMATCH: "Our ledger and the ERP disagree",
}

STATUSES: dict[str, str] = {
    "open": "Open",
    "assigned": "Assigned",
    "resolved": "Resolved",
    "dismissed": "Dismissed",
}


def reason_label(code: str) -> str:
    """The plain words for a reason code (the code itself if it is new)."""
    return REASONS.get(code, code.replace("_", " ").capitalize())


def without_paths(text: str) -> str:
    """`text` with each absolute file path cut to its file name (no server layout on a page)."""
    return _PATH.sub(r"\1", text)
