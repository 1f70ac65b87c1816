"""Recognising incoming cash that is a deposit, and deciding where it goes. Pure.

A line is a deposit when its text says so ("deposit", "down payment", "retainer", ...)
and names an order or project the ERP knows, or when its amount is exactly what an unpaid
deposit document of the payer asks for (the agreed deposit). It is then applied to that
document (`on_receipt: apply`, where there is one that takes it), or held for the order's
final invoice: the line becomes a `deposit_received` review item that the cycle applies to
the final invoice once there is exactly one that fits (`arbridge.deposits.final`).
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from arbridge.deposits.held import is_deposit
from arbridge.domain.money import format_money
from arbridge.domain.records import Allocation, Invoice, Proposal, ProposalOutcome, Suggestion
from arbridge.domain.review import ReviewReason

WORDS = ("deposit", "down payment", "downpayment", "down pmt", "prepayment", "retainer")
APPLY, HOLD = "apply", "hold"
MIN_REF = 3
"""Order refs shorter than this (once spaces and dashes are gone) are not looked for in text."""
_NON_ALNUM = re.compile(r"[^0-9A-Z]")


@dataclass(frozen=True, slots=True, kw_only=True)
class DepositRules:
    """Where deposit cash goes, and how it is recognised.

    `on_receipt`: `apply` pays the deposit document where there is one, `hold` always
    holds the cash for the order's final invoice. `words` mark a deposit in the bank text.
    `wait_days`: how long a paid deposit may wait for its final invoice.
    """

    on_receipt: str = APPLY
    words: tuple[str, ...] = WORDS
    wait_days: int = 30
    """A deposit with no final invoice after this many days is overdue (a review item)."""


@dataclass(frozen=True, slots=True)
class _Orders:
    """The ERP's orders: which customers have an order ref, and their deposit documents."""

    by_token: dict[str, set[tuple[str, str]]]
    documents: dict[str, list[Invoice]]  # customer -> open deposit documents

    @classmethod
    def of(cls, invoices: Iterable[Invoice]) -> _Orders:
        by_token: dict[str, set[tuple[str, str]]] = {}
        documents: dict[str, list[Invoice]] = {}
        for inv in invoices:
            if inv.order_ref and len(_norm(inv.order_ref)) >= MIN_REF:
                by_token.setdefault(_norm(inv.order_ref), set()).add(
                    (inv.customer_id, inv.order_ref)
                )
            if is_deposit(inv.kind) and inv.is_open:
                documents.setdefault(inv.customer_id, []).append(inv)
        return cls(by_token=by_token, documents=documents)


def _norm(text: str) -> str:
    return _NON_ALNUM.sub("", text.upper())


def _tokens(text: str) -> set[str]:
    words = [_norm(w) for w in text.split()]
    words = [w for w in words if w]
    return set(words) | {a + b for a, b in itertools.pairwise(words)}


def says_deposit(text: str, words: Sequence[str]) -> bool:
    """Whether the bank text uses one of the deposit words (whole words, any case)."""
    low = " ".join(text.lower().split())
    return any(re.search(rf"\b{re.escape(w.lower())}\b", low) for w in words)


def recognise(
    proposals: Sequence[Proposal], invoices: Sequence[Invoice], rules: DepositRules
) -> tuple[list[Proposal], dict[tuple[str, str], str]]:
    """The proposals with deposits applied to their document or held for their order.

    Returns:
        The proposals (others unchanged), and (bank account, bank id) -> order ref of each
        line now held for its final invoice.
    """
    orders = _Orders.of(invoices)
    out: list[Proposal] = []
    held: dict[tuple[str, str], str] = {}
    for p in proposals:
        found = _one(p, orders, rules) if p.line.is_credit else None
        if found is None:
            out.append(p)
            continue
        new, order = found
        if new.reason is ReviewReason.DEPOSIT_RECEIVED:
            held[p.line.account, p.line.bank_id] = order
        out.append(new)
    return out, held


def _one(p: Proposal, orders: _Orders, rules: DepositRules) -> tuple[Proposal, str] | None:
    line = p.line
    named = _named_order(p, orders) if says_deposit(line.description, rules.words) else None
    if named is not None:
        customer, order = named
        docs = [
            d for d in orders.documents.get(customer, []) if d.order_ref == order
        ]  # its deposit documents
    else:
        docs = [
            d for d in orders.documents.get(p.customer_id or "", []) if d.open_amount == line.amount
        ]
        if len(docs) != 1:
            return None
        customer, order = docs[0].customer_id, docs[0].order_ref or ""
    if not _may_override(p, docs):
        return None
    fits = [d for d in docs if d.open_amount >= line.amount]
    if fits and (rules.on_receipt == APPLY or not order):
        applied = _apply(p, fits[0], customer) if len(fits) == 1 else None
        return None if applied is None else (applied, order)
    return (_hold(p, customer, order, docs), order) if order else None


def _named_order(p: Proposal, orders: _Orders) -> tuple[str, str] | None:
    found: set[tuple[str, str]] = set()
    for token in _tokens(p.line.description) | {_norm(r) for r in p.line.references}:
        found |= orders.by_token.get(token, set())
    if p.customer_id is not None:
        found = {f for f in found if f[0] == p.customer_id}
    return next(iter(found)) if len(found) == 1 else None


def _may_override(p: Proposal, docs: Sequence[Invoice]) -> bool:
    """The engine's own APPLY stands unless it only paid deposit documents or left credit."""
    if p.outcome is not ProposalOutcome.APPLY:
        return True
    ids = {d.invoice_id for d in docs}
    return all(a.invoice_id is None or a.invoice_id in ids for a in p.allocations)


def _apply(p: Proposal, doc: Invoice, customer: str) -> Proposal | None:
    if (
        p.outcome is ProposalOutcome.APPLY
        and len(p.allocations) == 1
        and p.allocations[0].invoice_id == doc.invoice_id
    ):
        return None  # the engine already did exactly this
    why = f"deposit for {doc.order_ref or 'the order'}: applied to deposit invoice {doc.invoice_id}"
    return dataclasses.replace(
        p,
        outcome=ProposalOutcome.APPLY,
        explanation=why,
        confidence=max(p.confidence, 0.95),
        customer_id=customer,
        allocations=(
            Allocation(invoice_id=doc.invoice_id, customer_id=customer, amount=p.line.amount),
        ),
        reason=None,
        suggestions=(),
    )


def _hold(p: Proposal, customer: str, order: str, docs: Sequence[Invoice]) -> Proposal:
    amount = format_money(p.line.amount)
    why = f"deposit of {amount} for order {order}: held until the order's final invoice"
    if docs:
        why += f" (deposit invoice {docs[0].invoice_id} stays open: deposits are held)"
    return dataclasses.replace(
        p,
        outcome=ProposalOutcome.REVIEW,
        reason=ReviewReason.DEPOSIT_RECEIVED,
        explanation=why,
        customer_id=customer,
        allocations=(),
        suggestions=(
            Suggestion(
                invoice_ids=tuple(d.invoice_id for d in docs),
                customer_id=customer,
                explanation=f"held for {order} until its final invoice",
                confidence=0.0,
            ),
        ),
    )
