"""A commission plan: which rate a rep earns on an invoice, and on what part of the cash."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from arbridge.domain.commissions import InvoiceTerms
from arbridge.domain.errors import ArbridgeError
from arbridge.domain.money import as_money


class PlanError(ArbridgeError):
    """An invoice's rep split is malformed (shares that do not add up, a part without a rep)."""


@dataclass(frozen=True, slots=True)
class Tier:
    """A rate that holds while the rep's cash in the period stays below `up_to` (None: above all)."""

    rate: Decimal
    up_to: Decimal | None = None


Rate = Decimal | tuple[Tier, ...]
"""A flat rate, or tiers on the rep's cumulative cash in the period (marginal, like brackets)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """Rates by precedence: invoice kind, then customer, then the rep, then `tiers`, then default.

    `approved_only` leaves out invoices marked not approved (an invoice without a mark
    counts). `exclude_tax` / `exclude_freight` pay on the cash less the invoice's tax and
    freight share, pro rata, where the invoice carries them.
    """

    default_rate: Decimal | None = None
    reps: Mapping[str, Rate] = field(default_factory=dict)
    tiers: tuple[Tier, ...] = ()
    customers: Mapping[str, Decimal] = field(default_factory=dict)
    invoice_kinds: Mapping[str, Decimal] = field(default_factory=dict)
    approved_only: bool = False
    exclude_tax: bool = False
    exclude_freight: bool = False

    def rate_for(self, rep: str, terms: InvoiceTerms) -> Rate | None:
        """The flat rate or the tiers that price `rep`'s share of `terms`' cash; None: no rule."""
        if terms.kind is not None and terms.kind in self.invoice_kinds:
            return self.invoice_kinds[terms.kind]
        if terms.customer_id in self.customers:
            return self.customers[terms.customer_id]
        if rep in self.reps:
            return self.reps[rep]
        if self.tiers:
            return self.tiers
        return self.default_rate

    def counts(self, terms: InvoiceTerms) -> bool:
        """Whether cash on this invoice earns commission at all."""
        return not (self.approved_only and terms.approved is False)

    def basis(self, cash: Decimal, terms: InvoiceTerms) -> Decimal:
        """The part of `cash` commission is paid on: less tax and freight, pro rata."""
        excluded = Decimal(0)
        if self.exclude_tax and terms.tax_amount:
            excluded += terms.tax_amount
        if self.exclude_freight and terms.freight_amount:
            excluded += terms.freight_amount
        if not excluded or terms.amount <= 0:
            return cash
        share = max(terms.amount - excluded, Decimal(0)) / terms.amount
        return as_money(cash * share)


def rep_shares(terms: InvoiceTerms) -> list[tuple[str, Decimal]]:
    """The reps credited on an invoice and their shares, which add up to 1.

    `R-EAST` is one rep; `R-EAST=0.6;R-WEST=0.4` (or `=60%`) splits the credit; reps
    listed without shares (`R-EAST;R-WEST`) share equally.
    """
    parts = [p.strip() for p in (terms.sales_rep or "").split(";") if p.strip()]
    if not parts:
        return []
    if len(parts) == 1 and "=" not in parts[0]:
        return [(parts[0], Decimal(1))]
    if not any("=" in p for p in parts):
        return [(p, Decimal(1) / len(parts)) for p in parts]
    shares = [_share(p, terms) for p in parts]
    if sum(s for _, s in shares) != 1:
        raise PlanError(f"invoice {terms.invoice_id}: sales_rep shares do not add up to 1")
    return shares


def _share(part: str, terms: InvoiceTerms) -> tuple[str, Decimal]:
    rep, _, text = part.partition("=")
    percent = text.strip().endswith("%")
    try:
        share = Decimal(text.strip().rstrip("%"))
    except ArithmeticError:
        share = Decimal(-1)
    share = share / 100 if percent else share
    if not rep.strip() or not Decimal(0) < share <= 1:
        raise PlanError(f"invoice {terms.invoice_id}: sales_rep part {part!r} is not REP=SHARE")
    return rep.strip(), share
