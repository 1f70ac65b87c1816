"""Records of the commission report: cash that reached an invoice, the invoice's terms, a line.

The store reads `CashEvent`s and `InvoiceTerms`; the pure `arbridge.commissions` package
turns them into `CommissionLine`s; a closed period keeps its lines as they were.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class CashEvent:
    """Cash applied to (or, with `reverses_id`, taken back from) one invoice in the ERP.

    `cash` is positive in both cases; a reversal's lines come out negative. `correction` is
    set on a reversal and on the re-application that follows it: those happen when a clerk
    corrects, not when the bank booked the line.
    """

    application_id: int
    bank_id: str
    booked_on: date
    recorded_on: date
    invoice_id: str
    customer_id: str
    cash: Decimal
    reverses_id: int | None = None
    correction: bool = False
    lands_on: date | None = None
    """Set when the event's own day is in a closed period: the open day it counts on instead."""

    @property
    def occurred_on(self) -> date:
        """The event's own day: the booking, or for a correction the day it was made."""
        if self.correction and self.recorded_on > self.booked_on:
            return self.recorded_on
        return self.booked_on

    @property
    def effective_on(self) -> date:
        """The day the event counts for in a report."""
        return self.lands_on or self.occurred_on


@dataclass(frozen=True, slots=True, kw_only=True)
class InvoiceTerms:
    """What commissions and deposits need of an invoice, kept after the ERP stops listing it."""

    invoice_id: str
    customer_id: str
    sales_rep: str | None
    amount: Decimal
    kind: str | None = None
    approved: bool | None = None
    tax_amount: Decimal | None = None
    freight_amount: Decimal | None = None
    invoice_date: date | None = None
    open_amount: Decimal | None = None
    order_ref: str | None = None
    retainage_pct: Decimal | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CommissionLine:
    """One row of the report: a rep's share of one cash event, at one rate.

    `basis` is the part of `cash_amount` commission is paid on (less tax and freight where
    the plan says so); `commission` = `basis` x `rate`, rounded half-up to cents. A line
    that claws back names the application it undoes in `reverses_id`.
    """

    sales_rep: str
    invoice_id: str
    customer_id: str
    bank_id: str
    booked_on: date
    effective_on: date
    application_id: int
    cash_amount: Decimal
    basis: Decimal
    rate: Decimal
    commission: Decimal
    reverses_id: int | None = None
