"""Check each payment recorded in the ERP against the bank line it records.

The same evidence the engine uses (payer, named invoices, amounts) judges what a person
recorded: another customer than the payer, other invoices than the remittance names
(or none while it names some), more or less than the line's amount, an invoice paid
twice. Each contradicted line becomes a `suspected_misapplication` proposal whose
suggestion is what the engine would have applied instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from arbridge.domain.money import format_money
from arbridge.domain.posted import PostedPayment
from arbridge.domain.records import ZERO, BankLine, Invoice, Proposal
from arbridge.matching.backtest import PostedRow, replay_invoices
from arbridge.matching.context import Books
from arbridge.matching.engine import MatchContext, decide
from arbridge.matching.ledger import Ledger
from arbridge.matching.misapplied import finding_with, kinds_of_contradictions
from arbridge.matching.plans import listed

CONFIDENCE = {
    "other_customer": 0.95,
    "recorded_twice": 0.95,
    "other_invoices": 0.9,
    "amount": 0.85,
    "paid_twice": 0.85,
    "left_on_account": 0.8,
}
"""How sure each kind of finding is: a finding is as sure as its strongest evidence."""

Recording = tuple[str, str, Decimal]
"""(who: an ERP payment id or a bank line, invoice id, amount applied) for every recording."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Misapplication:
    """A line whose recording in the ERP is contradicted, and the payments that record it."""

    key: int
    payment_ids: tuple[str, ...]
    proposal: Proposal
    kinds: tuple[str, ...] = ()
    """What is wrong (keys of `CONFIDENCE`)."""

    @property
    def confidence(self) -> float:
        """How sure the finding is (that of its surest kind)."""
        return max((CONFIDENCE[k] for k in self.kinds), default=1.0)


def paid_twice(
    invoices: Iterable[Invoice], recordings: Iterable[Recording]
) -> dict[str, list[str]]:
    """Invoices recorded as paid by more than one payment for more than their amount, with who paid."""
    amounts = {inv.invoice_id: inv.amount for inv in invoices}
    who: dict[str, set[str]] = {}
    totals: dict[str, Decimal] = {}
    for label, invoice_id, amount in recordings:
        if invoice_id in amounts:
            who.setdefault(invoice_id, set()).add(label)
            totals[invoice_id] = totals.get(invoice_id, ZERO) + amount
    return {
        i: sorted(labels) for i, labels in who.items() if len(labels) > 1 and totals[i] > amounts[i]
    }


def check_recordings(
    groups: Mapping[int, tuple[BankLine, Sequence[PostedPayment]]],
    context: MatchContext,
    books: Books,
    recordings: Iterable[Recording],
) -> list[Misapplication]:
    """The lines (by key) whose recording in the ERP their bank line contradicts.

    Args:
        groups: key -> (bank line, the ERP payments linked to it).
        context: customers and invoices as the ERP reports them now.
        books: the shared indexes over `context` (`erp_links.books_for`); its ledger is not used.
        recordings: every application the ERP holds (payments and arbridge's own postings).
    """
    rows = [
        PostedRow(bank_id=line.bank_id, invoice_id=a.invoice_id, amount=a.amount)
        for line, payments in groups.values()
        for p in payments
        for a in p.allocations
    ]
    books = replace(
        books, ledger=Ledger(context.customers, replay_invoices(context.invoices, rows))
    )
    twice = paid_twice(context.invoices, recordings)
    flagged: list[tuple[int, BankLine, Sequence[PostedPayment], list[tuple[str, str]]]] = []
    for key, (line, payments) in sorted(groups.items(), key=lambda g: g[1][0].booked_on):
        applied = dict.fromkeys(
            i for p in payments for i in p.invoice_ids if i in books.ledger.by_id
        )
        problems = _amount_problem(line, payments) + kinds_of_contradictions(
            line, list(applied), sorted({p.customer_id for p in payments}), books, twice
        )
        if problems:
            flagged.append((key, line, payments, problems))
    engine = {(p.line.account, p.line.bank_id): p for p in _engine(flagged, books)}
    return [
        Misapplication(
            key=key,
            payment_ids=tuple(p.payment_id for p in payments),
            proposal=finding_with(
                line,
                [_recorded(payments), *(text for _, text in problems)],
                engine[line.account, line.bank_id],
            ),
            kinds=tuple(dict.fromkeys(kind for kind, _ in problems)),
        )
        for key, line, payments, problems in flagged
    ]


def _engine(
    flagged: Sequence[tuple[int, BankLine, Sequence[PostedPayment], list[tuple[str, str]]]],
    books: Books,
) -> list[Proposal]:
    """What the engine would have done with the lines, their recordings put back (as match_lines)."""
    lines = sorted((f[1] for f in flagged), key=lambda ln: (ln.booked_on, ln.account, ln.bank_id))
    found = [(line, books.refs.find(line.description, line.references)) for line in lines]
    ordered = [item for item in found if item[1]] + [item for item in found if not item[1]]
    return [decide(line, hits, books) for line, hits in ordered]


def _recorded(payments: Sequence[PostedPayment]) -> str:
    parts = []
    for p in payments:
        applied = listed(list(p.invoice_ids)) or "on account"
        parts.append(
            f"ERP payment {p.payment_id} ({p.customer_id}, {format_money(p.amount)}: {applied})"
        )
    return "recorded as " + ", ".join(parts)


def _amount_problem(line: BankLine, payments: Sequence[PostedPayment]) -> list[tuple[str, str]]:
    total = sum((p.amount for p in payments), ZERO)
    if total == line.amount:
        return []
    if len(payments) > 1 and all(p.amount == line.amount for p in payments):
        twice = f"the payment of {format_money(line.amount)} is recorded {len(payments)} times"
        return [("recorded_twice", twice)]
    more = "more" if total > line.amount else "less"
    text = f"{format_money(total)} recorded, {more} than the {format_money(line.amount)} received"
    return [("amount", text)]
