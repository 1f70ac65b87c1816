"""Processor payouts: which bank credit is which payout, and which invoice each charge paid.

A payout reaches the bank as one net credit. It is that payout when the amount and
currency agree, the bank booked it within a few days of the payout's effective date, and
no other open payout fits as well (the payout or trace id in the bank text settles a tie).
Each charge is then placed on its invoice by the same engine and the same refusal to
guess as any bank line: the charge is put to the engine as a payment of its gross amount,
with the invoice reference and the customer's name as remittance. A placed charge becomes
cash = net and adjustment = fee (`processor_fee`), so a payout of placed charges applies
exactly its bank line. Refunds, disputes, fees and charges that cannot be placed are left
for a person, listed with why.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from arbridge.domain.records import ZERO, Allocation, BankLine, Proposal, ProposalOutcome
from arbridge.domain.settlements import Payout, SettlementCategory, SettlementItem
from arbridge.matching.engine import MatchContext, match_lines
from arbridge.matching.settings import MatchSettings

PROCESSOR_FEE = "processor_fee"
CENT = Decimal("0.01")
EARLIEST = timedelta(days=3)
"""A bank may book a payout this long before the processor's effective date (time zones, float)."""
LATEST = timedelta(days=7)
"""...and this long after it (weekends, holidays, slow banks)."""


def is_processor_line(line: BankLine, descriptors: Sequence[str]) -> bool:
    """Whether a credit's text names the processor (`STRIPE TRANSFER`, `SHOPIFY PAYOUT`)."""
    text = f"{line.description} {line.payer_name or ''}".upper()
    return line.is_credit and any(
        re.search(rf"\b{re.escape(d.upper())}\b", text) for d in descriptors
    )


def find_payout(line: BankLine, payouts: Sequence[Payout]) -> tuple[Payout | None, str]:
    """The one open payout this credit is, or None with why not."""
    fits = [
        p
        for p in payouts
        if p.currency == line.currency
        and p.net == line.amount
        and p.effective_on - EARLIEST <= line.booked_on <= p.effective_on + LATEST
    ]
    if len(fits) > 1:
        text = f"{line.description} {' '.join(line.references)}".upper()
        named = [
            p
            for p in fits
            if p.payout_id.upper() in text or (p.trace_id and p.trace_id.upper() in text)
        ]
        fits = named if len(named) == 1 else fits
    if len(fits) == 1:
        return fits[0], ""
    if fits:
        ids = ", ".join(p.payout_id for p in fits)
        return None, f"{len(fits)} payouts of {line.amount} fit this deposit ({ids}); none is named"
    return None, f"no reported payout of {line.amount} {line.currency} around {line.booked_on}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Leftover:
    """A transaction of a payout that was not applied, and why."""

    item: SettlementItem
    why: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PayoutPlacement:
    """What to do with one payout's deposit: allocations to apply and what is left for review."""

    line: BankLine
    payout: Payout
    allocations: tuple[Allocation, ...]
    leftovers: tuple[Leftover, ...] = field(default=())

    @property
    def netted(self) -> Decimal:
        """What the processor took out of the deposit: refunds, disputes, fees (as a positive sum)."""
        return -sum((i.net for i in self.payout.items if i.net < 0), ZERO)

    @property
    def cash(self) -> Decimal:
        """The cash the allocations apply."""
        return sum((a.amount for a in self.allocations), ZERO)

    def explanation(self) -> str:
        """The placement in words: what was applied, and each transaction left over."""
        head = (
            f"{self.payout.processor} payout {self.payout.payout_id}: "
            f"{len(self.payout.items) - len(self.leftovers)} of {len(self.payout.items)} transactions "
            f"applied ({self.cash} cash)"
        )
        rest = "; ".join(
            f"{x.item.item_id} {x.item.category.value} {x.item.net}: {x.why}"
            for x in self.leftovers
        )
        return f"{head}; left for review: {rest}" if rest else head


def place_payouts(
    deposits: Sequence[tuple[BankLine, Payout]], context: MatchContext, settings: MatchSettings
) -> list[PayoutPlacement]:
    """Place every charge of every deposited payout on its invoice, in one pass of the engine.

    One pass means one ledger: an invoice paid by a charge of one payout counts as paid
    for the charges of the others, exactly as for bank lines.
    """
    charges = [
        (line, payout, item)
        for line, payout in deposits
        for item in payout.items
        if item.category is SettlementCategory.CHARGE and item.gross > 0
    ]
    exact = ExactIndex(context, settings)
    placed: dict[tuple[str, str], list[Allocation]] = {}
    rest = []
    for line, payout, item in charges:
        hit = exact.take(item)
        if hit is None:
            rest.append((line, payout, item))
        else:
            placed.setdefault((payout.processor, payout.payout_id), []).append(hit)
    probes = [_probe(line, payout, item) for line, payout, item in rest]
    verdicts = {p.line.bank_id: p for p in match_lines(probes, exact.remaining(), settings)}
    missed: dict[tuple[str, str], list[Leftover]] = {}
    for (_line, payout, item), probe in zip(rest, probes, strict=True):
        key = (payout.processor, payout.payout_id)
        allocations, why = _charge_allocations(item, verdicts[probe.bank_id])
        if allocations:
            placed.setdefault(key, []).extend(allocations)
        else:
            missed.setdefault(key, []).append(Leftover(item=item, why=why))
    return [_placement(line, payout, placed, missed) for line, payout in deposits]


class ExactIndex:
    """The certain case first: a charge that names an open invoice exactly and pays it in full.

    No engine is needed to place it: the reference is the invoice's own id, the gross is
    exactly what is open, the customer's name (when the processor gives one) is the
    invoice customer's, and no auto-posting rule of the settings would hold it. Anything
    less goes to the engine, with what was taken here already counted as paid.
    """

    def __init__(self, context: MatchContext, settings: MatchSettings) -> None:
        self._context = context
        self._settings = settings
        self._open = {i.invoice_id.upper(): i for i in context.invoices if i.is_open}
        self._taken: dict[str, Decimal] = {}

    def take(self, item: SettlementItem) -> Allocation | None:
        """The charge's allocation if it is certain, after which its invoice counts as paid."""
        invoice = self._open.get(item.reference.strip().upper())
        if (
            invoice is None
            or invoice.invoice_id in self._taken
            or invoice.open_amount != item.gross
        ):
            return None
        if not self._same_customer(item, invoice.customer_id) or not self._may_post(
            item, invoice.customer_id
        ):
            return None
        self._taken[invoice.invoice_id] = item.gross
        return Allocation(
            invoice_id=invoice.invoice_id,
            customer_id=invoice.customer_id,
            amount=item.net,
            adjustment=item.fee,
            adjustment_reason=PROCESSOR_FEE if item.fee else None,
        )

    def remaining(self) -> MatchContext:
        """The context with the invoices taken here paid."""
        if not self._taken:
            return self._context
        invoices = [
            dataclasses.replace(i, open_amount=i.open_amount - self._taken[i.invoice_id])
            if i.invoice_id in self._taken
            else i
            for i in self._context.invoices
        ]
        return dataclasses.replace(self._context, invoices=invoices)

    def _same_customer(self, item: SettlementItem, customer_id: str) -> bool:
        if not item.customer_name.strip():
            return True
        customer = self._context.customers.get(customer_id)
        return customer is not None and _folded(customer.name) == _folded(item.customer_name)

    def _may_post(self, item: SettlementItem, customer_id: str) -> bool:
        s = self._settings
        override = s.customers.get(customer_id)
        known = self._context.hints.known_payers
        first_time = s.review_first_time_payers and known is not None and customer_id not in known
        over_limit = s.max_auto_amount is not None and item.gross > s.max_auto_amount
        return override is None and not first_time and not over_limit


def _folded(name: str) -> str:
    return " ".join(name.casefold().split())


def _probe(line: BankLine, payout: Payout, item: SettlementItem) -> BankLine:
    """A charge put to the engine as if the customer had paid its gross amount by bank."""
    text = " ".join(t for t in (item.reference, item.description) if t)
    return BankLine(
        account=line.account,
        bank_id=f"{payout.processor}:{payout.payout_id}:{item.item_id}",
        booked_on=line.booked_on,
        amount=item.gross,
        currency=item.currency,
        description=text or item.customer_name,
        payer_name=item.customer_name or None,
        references=(item.reference,) if item.reference else (),
    )


def _charge_allocations(item: SettlementItem, verdict: Proposal) -> tuple[list[Allocation], str]:
    """The charge as cash (net) and fee per invoice, or no allocations and why."""
    if verdict.outcome is not ProposalOutcome.APPLY:
        return [], verdict.explanation
    exact = sum((a.amount for a in verdict.allocations), ZERO) == item.gross
    if not exact or any(a.invoice_id is None or a.adjustment for a in verdict.allocations):
        return (
            [],
            f"the engine would not place {item.gross} on invoices exactly: {verdict.explanation}",
        )
    out: list[Allocation] = []
    fee_left = item.fee
    for n, a in enumerate(verdict.allocations, start=1):
        last = n == len(verdict.allocations)
        fee = fee_left if last else (item.fee * a.amount / item.gross).quantize(CENT)
        fee_left -= fee
        out.append(
            Allocation(
                invoice_id=a.invoice_id,
                customer_id=a.customer_id,
                amount=a.amount - fee,
                adjustment=fee,
                adjustment_reason=PROCESSOR_FEE if fee else None,
            )
        )
    return out, ""


def _placement(
    line: BankLine,
    payout: Payout,
    placed: dict[tuple[str, str], list[Allocation]],
    missed: dict[tuple[str, str], list[Leftover]],
) -> PayoutPlacement:
    key = (payout.processor, payout.payout_id)
    others = [
        Leftover(item=i, why=_why_not_a_charge(i))
        for i in payout.items
        if i.category is not SettlementCategory.CHARGE or i.gross <= 0
    ]
    return PayoutPlacement(
        line=line,
        payout=payout,
        allocations=_merged(placed.get(key, [])),
        leftovers=(*missed.get(key, []), *others),
    )


def _why_not_a_charge(item: SettlementItem) -> str:
    reasons = {
        SettlementCategory.REFUND: "a refund to the customer: book it against its credit memo",
        SettlementCategory.DISPUTE: "a dispute (chargeback): the customer's bank took the money back",
        SettlementCategory.FEE: "a processor fee outside any charge: book it to the fee account",
        SettlementCategory.ADJUSTMENT: "a processor adjustment: check it against the processor's notice",
    }
    return reasons.get(
        item.category, f"a {item.category.value} transaction: not cash for an invoice"
    )


def _merged(allocations: list[Allocation]) -> tuple[Allocation, ...]:
    """One allocation per invoice (two charges of one invoice add up)."""
    by_invoice: dict[str | None, Allocation] = {}
    for a in allocations:
        known = by_invoice.get(a.invoice_id)
        if known is None:
            by_invoice[a.invoice_id] = a
            continue
        fee = known.adjustment + a.adjustment
        by_invoice[a.invoice_id] = Allocation(
            invoice_id=a.invoice_id,
            customer_id=a.customer_id,
            amount=known.amount + a.amount,
            adjustment=fee,
            adjustment_reason=PROCESSOR_FEE if fee else None,
        )
    return tuple(by_invoice.values())
