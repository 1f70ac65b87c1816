"""Why a person must look at something, and where a review item is in its life."""

from __future__ import annotations

from enum import StrEnum


class ReviewReason(StrEnum):
    """The reason a review item exists. Values are stable: they appear in CSV and URLs."""

    UNIDENTIFIED_PAYER = "unidentified_payer"
    NO_MATCH = "no_match"
    LOOKALIKE_INVOICES = "lookalike_invoices"
    SHORT_PAYMENT = "short_payment"
    OVERPAYMENT = "overpayment"
    DUPLICATE_PAYMENT = "duplicate_payment"
    NON_AR_CREDIT = "non_ar_credit"
    SUSPECTED_MISAPPLICATION = "suspected_misapplication"
    TAX_CERTIFICATE = "tax_certificate"
    QUARANTINED_FILE = "quarantined_file"
    CONNECTOR_DOWN = "connector_down"
    POSTING_REJECTED = "posting_rejected"
    POLICY_HOLD = "policy_hold"
    PAYOUT_EXCEPTION = "payout_exception"
    PAYOUT_NOT_DEPOSITED = "payout_not_deposited"
    BELOW_CONFIDENCE = "below_confidence"
    DEPOSIT_HELD = "deposit_held"
    DEPOSIT_RECEIVED = "deposit_received"
    """Cash recognised as a deposit for an order, held until the order's final invoice."""
    DEPOSIT_FINAL_CHOICE = "deposit_final_choice"
    """A held deposit's order has final invoices, but not one that takes it on its own."""
    POSSIBLY_POSTED = "possibly_posted"
    """The ERP holds a payment that may be this line (several candidates, or cents apart)."""
    RETURNED_PAYMENT = "returned_payment"
    """A bank debit returned a payment (NSF, returned item): reverse it in the ERP, re-bill."""
    LEDGER_MISMATCH = "ledger_mismatch"
    """`arbridge audit` found arbridge's ledger and the ERP's disagreeing."""
    UNAPPLIED_CASH = "unapplied_cash"
    """Money a person left on account in the ERP plainly pays open invoices: apply it."""


class ReviewStatus(StrEnum):
    """Life of a review item: open -> assigned -> resolved or dismissed; reopen allowed."""

    OPEN = "open"
    ASSIGNED = "assigned"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"
