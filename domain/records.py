"""Frozen records that cross layer boundaries. Money is Decimal; times are aware."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from arbridge.domain.review import ReviewReason

ZERO = Decimal("0.00")


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")


def _require_decimal(value: object, name: str) -> None:
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be a Decimal, got {type(value).__name__}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Customer:
    """A customer account in the ERP."""

    customer_id: str
    name: str
    parent_id: str | None = None
    terms: str = ""
    currency: str = "USD"
    email: str | None = None
    """Where the ERP says to write (None: the ERP has no address; see the ar contacts)."""
    phone: str | None = None
    language: str | None = None
    """Two-letter language code of the customer's letters, where the ERP or file gives one."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Invoice:
    """An ERP invoice as last seen; `open_amount` is what is still owed.

    `tax_amount` and `ship_to_region` are known only where the ERP reports them
    (None = unknown, which is not the same as a zero tax amount).
    """

    invoice_id: str
    customer_id: str
    invoice_date: date
    due_date: date
    amount: Decimal
    open_amount: Decimal
    currency: str = "USD"
    terms: str = ""
    po_number: str | None = None
    tax_amount: Decimal | None = None
    ship_to_region: str | None = None
    sales_rep: str | None = None
    """Who is credited with the sale: one rep code, or `R1=0.6;R2=0.4` for a split."""
    kind: str | None = None
    """The invoice's type where the ERP tells it (e.g. `service`, `deposit`); None = ordinary."""
    approved: bool | None = None
    """The ERP's or export's approval mark; None where it carries none."""
    freight_amount: Decimal | None = None
    order_ref: str | None = None
    """The order or project the invoice bills (ties deposits and progress bills to the final)."""
    retainage_pct: Decimal | None = None
    """Percent of the invoice the contract lets the customer hold back until completion."""

    def __post_init__(self) -> None:
        _require_decimal(self.amount, "amount")
        _require_decimal(self.open_amount, "open_amount")
        if self.tax_amount is not None:
            _require_decimal(self.tax_amount, "tax_amount")
        if self.freight_amount is not None:
            _require_decimal(self.freight_amount, "freight_amount")

    @property
    def is_open(self) -> bool:
        """Whether anything is still owed on the invoice."""
        return self.open_amount > 0


@dataclass(frozen=True, slots=True, kw_only=True)
class BankLine:
    """One booked bank transaction, normalised from any statement format.

    `account` is the bank source's name; (`account`, `bank_id`) identifies the line.
    """

    account: str
    bank_id: str
    booked_on: date
    amount: Decimal
    currency: str
    description: str
    payer_name: str | None = None
    payer_account: str | None = None
    references: tuple[str, ...] = ()
    source_file: str | None = None
    source_line: int | None = None

    def __post_init__(self) -> None:
        _require_decimal(self.amount, "amount")

    @property
    def is_credit(self) -> bool:
        """Whether this is incoming cash (the only kind cash application looks at)."""
        return self.amount > 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Allocation:
    """Part of a payment applied to one invoice, or (invoice_id None) left as credit."""

    invoice_id: str | None
    customer_id: str
    amount: Decimal
    adjustment: Decimal = ZERO
    adjustment_reason: str | None = None

    def __post_init__(self) -> None:
        _require_decimal(self.amount, "amount")
        _require_decimal(self.adjustment, "adjustment")


@dataclass(frozen=True, slots=True, kw_only=True)
class Application:
    """A payment to post to the ERP: one bank line applied to one or more invoices.

    `idempotency_key` is stable for the same decision, so posting it twice is a no-op.
    """

    idempotency_key: str
    bank_account: str
    bank_id: str
    customer_id: str
    booked_on: date
    amount: Decimal
    allocations: tuple[Allocation, ...]
    evidence: str = ""

    def __post_init__(self) -> None:
        _require_decimal(self.amount, "amount")
        total = sum((a.amount for a in self.allocations), ZERO)
        if total != self.amount:
            raise ValueError(f"allocations sum to {total}, payment is {self.amount}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Suggestion:
    """A candidate a person may accept: invoices with amounts, and why."""

    invoice_ids: tuple[str, ...]
    customer_id: str | None
    explanation: str
    confidence: float = 0.0


class ProposalOutcome(StrEnum):
    """What the engine wants done with a bank line."""

    APPLY = "apply"
    REVIEW = "review"
    IGNORE = "ignore"


@dataclass(frozen=True, slots=True, kw_only=True)
class Proposal:
    """The engine's verdict on one bank line, with its reasons in words."""

    line: BankLine
    outcome: ProposalOutcome
    explanation: str
    confidence: float = 0.0
    customer_id: str | None = None
    allocations: tuple[Allocation, ...] = ()
    reason: ReviewReason | None = None
    suggestions: tuple[Suggestion, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.outcome is ProposalOutcome.APPLY and not self.allocations:
            raise ValueError("an APPLY proposal needs allocations")
        if self.outcome is ProposalOutcome.REVIEW and self.reason is None:
            raise ValueError("a REVIEW proposal needs a reason")


def require_aware(value: datetime, name: str = "timestamp") -> datetime:
    """Return `value` if it is timezone-aware, else raise ValueError."""
    _require_aware(value, name)
    return value
