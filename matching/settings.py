"""Tolerances, search limits and auto-posting policy of the engine, and what callers learned."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerPolicy:
    """Auto-posting limits for one customer; None leaves the general rule in force."""

    auto_apply: bool | None = None
    max_auto_amount: Decimal | None = None
    min_confidence: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MatchSettings:
    """Tolerances, limits and auto-posting policy.

    Attributes:
        max_suggestions: suggestions kept on a review item.
        min_confidence: proposals below this confidence go to review.
        max_auto_amount: lines above this amount are never applied automatically.
        review_first_time_payers: hold customers never paid before (needs `PayerHints.known_payers`).
        customers: per-customer overrides of the limits above.
        name_threshold: lowest payer-name score (0-1) that identifies a customer.
        name_margin: how far ahead of the runner-up the best name must be.
        bank_fee_tolerance: largest shortfall written off as a bank fee.
        bank_fee_max_share: largest shortfall as a share of the open amount.
        discount_grace_days: days after the discount window still accepted (bank float).
        apply_partial_payments: apply a short payment of one named invoice (else review).
        subset_max_invoices: open invoices of a payer considered by the subset search.
        subset_max_size: most invoices one unlisted payment may cover.
        subset_node_budget: search steps before the subset search gives up (then review).
        misapplied_min_confidence: findings about what people recorded in the ERP (a
            misapplication, unapplied cash to apply) below this confidence are counted, not queued.
    """

    max_suggestions: int = 5
    min_confidence: float = 0.80
    max_auto_amount: Decimal | None = None
    review_first_time_payers: bool = False
    customers: Mapping[str, CustomerPolicy] = field(default_factory=dict)
    name_threshold: float = 0.86
    name_margin: float = 0.06
    bank_fee_tolerance: Decimal = Decimal("30.00")
    bank_fee_max_share: Decimal = Decimal("0.10")
    discount_grace_days: int = 2
    apply_partial_payments: bool = True
    subset_max_invoices: int = 40
    subset_max_size: int = 8
    subset_node_budget: int = 200_000
    misapplied_min_confidence: float = 0.5


@dataclass(frozen=True, slots=True, kw_only=True)
class PayerHints:
    """What earlier cycles and finance staff taught: passed in by the caller, never stored here.

    Attributes:
        accounts: payer bank account (IBAN, account number) -> customer id.
        aliases: payer name as the bank writes it -> customer id.
        known_payers: customers with earlier applications; None when the caller does not know.
    """

    accounts: Mapping[str, str] = field(default_factory=dict)
    aliases: Mapping[str, str] = field(default_factory=dict)
    known_payers: frozenset[str] | None = None
