"""Lines whose structured remittance lists invoices with amounts: applied exactly as listed.

The listed amounts must add up to the payment, each number must name exactly one
open invoice, the invoices must belong to one customer (or its family) that the
payer's name does not contradict, and no invoice may receive more than is open
on it. Otherwise the line is decided as any other line naming invoices.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from arbridge.domain.money import format_money
from arbridge.domain.records import ZERO, BankLine, Invoice
from arbridge.matching.amounts import Fit, FitKind, Part
from arbridge.matching.context import Books
from arbridge.matching.payers import PayerMatch
from arbridge.matching.plans import Plan, listed
from arbridge.matching.references import RefHow
from arbridge.matching.remittance import Document

LISTED_CONFIDENCE = 0.99
LISTED_NO_NAME = 0.97
_TRUSTED = frozenset({RefHow.EXACT, RefHow.NORMALISED})


def by_remittance(
    line: BankLine, documents: Sequence[Document], payer: PayerMatch | None, books: Books
) -> Plan | None:
    """Apply the listed invoices and amounts, discounts included, or None to decide otherwise."""
    paid = sum((d.paid or ZERO for d in documents), ZERO)
    if not documents or paid != line.amount:
        return None
    invoices = [_one_invoice(d.reference, books) for d in documents]
    if any(inv is None for inv in invoices):
        return None
    found = [inv for inv in invoices if inv is not None]
    owner = _owner(found, payer, books)
    if owner is None or len({inv.invoice_id for inv in found}) != len(found):
        return None
    parts = [_part(doc, inv, books) for doc, inv in zip(documents, found, strict=True)]
    if any(part is None for part in parts):
        return None
    fit = _fit(tuple(p for p in parts if p is not None), books)
    confidence = LISTED_CONFIDENCE if payer is not None else LISTED_NO_NAME
    who = (
        f"payer {books.ledger.name(owner)} ({payer.how})"
        if payer is not None
        else f"payer identified by the remittance as {books.ledger.name(owner)}"
    )
    note = f"{who}; structured remittance lists {listed(i.invoice_id for i in found)}; {fit.note}"
    return Plan(owner, fit, confidence, note)


def _one_invoice(reference: str, books: Books) -> Invoice | None:
    hits = books.refs.find(reference)
    if len(hits) != 1 or hits[0].how not in _TRUSTED or len(hits[0].invoice_ids) != 1:
        return None
    return books.ledger.by_id[hits[0].invoice_ids[0]]


def _owner(invoices: list[Invoice], payer: PayerMatch | None, books: Books) -> str | None:
    ledger = books.ledger
    owners = {inv.customer_id for inv in invoices}
    if payer is not None:
        ok = all(ledger.related(payer.customer_id, o) for o in owners)
        return payer.customer_id if ok else None
    parents = {
        (ledger.customers[o].parent_id if o in ledger.customers else None) or o for o in owners
    }
    if len(owners) == 1:
        return next(iter(owners))
    if len(parents) == 1 and all(ledger.related(next(iter(parents)), o) for o in owners):
        return next(iter(parents))
    return None


def _part(doc: Document, inv: Invoice, books: Books) -> Part | None:
    cash = doc.paid or ZERO
    discount = doc.discount or ZERO
    left = books.ledger.remaining[inv.invoice_id]
    if cash <= 0 or discount < 0 or cash + discount > left:
        return None
    return Part(inv, cash, discount, "discount" if discount else None)


def _fit(parts: tuple[Part, ...], books: Books) -> Fit:
    discount = sum((p.adjustment for p in parts), ZERO)
    short = [
        p for p in parts if p.cash + p.adjustment < books.ledger.remaining[p.invoice.invoice_id]
    ]
    if short:
        left = sum(
            (books.ledger.remaining[p.invoice.invoice_id] - p.cash - p.adjustment for p in short),
            Decimal(0),
        )
        note = f"paid as listed, {format_money(left)} stays open"
        return Fit(FitKind.PARTIAL, parts, note)
    if discount:
        return Fit(
            FitKind.DISCOUNT, parts, f"paid as listed, {format_money(discount)} discount taken"
        )
    return Fit(FitKind.EXACT, parts, "paid as listed, amounts equal the open amounts")
