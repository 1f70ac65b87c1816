"""Every case of CONTRACT.md §5, one table row each: outcome, allocations and explanation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from arbridge.domain.records import Proposal, ProposalOutcome
from arbridge.domain.review import ReviewReason
from arbridge.matching import match_lines
from tests.matching.books import context, line

Alloc = tuple[str | None, str, str, str | None]  # invoice, cash, adjustment, reason


@dataclass(frozen=True)
class Case:
    name: str
    description: str
    amount: str
    allocations: tuple[Alloc, ...] = ()
    reason: ReviewReason | None = None
    says: str = ""
    suggested: tuple[str, ...] | None = None
    on: date = date(2026, 11, 6)


def a(invoice: str | None, cash: str, adjustment: str = "0.00", reason: str | None = None) -> Alloc:
    return (invoice, cash, adjustment, reason)


CASES = [
    Case(
        "exact reference",
        "ACME INDUSTRIAL SUPPLY PAYMENT INV-0042",
        "1000.00",
        (a("INV-0042", "1000.00"),),
        says="invoice INV-0042 named in the text; amount equals the open amount",
    ),
    Case(
        "lowercase and spaced",
        "acme industrial supply inv 42",
        "1000.00",
        (a("INV-0042", "1000.00"),),
        says="INV-0042 (as INV 42)",
    ),
    Case(
        "hash, zeros and prefix dropped",
        "ACME IND SUPPLY #42",
        "1000.00",
        (a("INV-0042", "1000.00"),),
        says="INV-0042 (as 42)",
    ),
    Case(
        "dashes inside the number",
        "ACME INDUSTRIAL SUPPLY INV 00-42",
        "1000.00",
        (a("INV-0042", "1000.00"),),
    ),
    Case(
        "two digits transposed",
        "DELTA HARBOR LOGISTICS INV 3030",
        "1234.56",
        (a("INV-3003", "1234.56"),),
        says="INV-3003 (as 3030, two digits swapped)",
    ),
    Case(
        "PO number instead of invoice",
        "ACME INDUSTRIAL SUPPLY PO 7781",
        "1000.00",
        (a("INV-0042", "1000.00"),),
        says="by its PO number",
    ),
    Case(
        "several invoices listed",
        "ACME INDUSTRIAL SUPPLY INV-0042 INV-0043",
        "1250.00",
        (a("INV-0042", "1000.00"), a("INV-0043", "250.00")),
        says="invoices INV-0042, INV-0043 named",
    ),
    Case(
        "several invoices, one not listed",
        "ACME INDUSTRIAL SUPPLY INV-0042",
        "1480.50",
        (a("INV-0042", "1000.00"), a("INV-0044", "480.50")),
        says="equals the open amount of INV-0044 (not named)",
    ),
    Case(
        "amount only from a known payer",
        "DELTA HARBOR LOGISTICS ACH",
        "1234.56",
        (a("INV-3003", "1234.56"),),
        says="INV-3003 is the payer's only open invoice of this amount",
    ),
    Case(
        "subset without numbers",
        "JOHNSON AND SONS",
        "1028.00",
        (a("INV-5001", "812.34"), a("INV-5003", "215.66")),
        says="open amounts of INV-5001, INV-5003 add up to the payment",
    ),
    Case(
        "partial payment of a named invoice",
        "ACME INDUSTRIAL SUPPLY INV-0044",
        "400.00",
        (a("INV-0044", "400.00"),),
        says="part payment: 400.00 of 480.50 open, 80.50 stays open",
    ),
    Case(
        "partly paid invoice paid off",
        "ACME INDUSTRIAL SUPPLY INV-0050",
        "1500.00",
        (a("INV-0050", "1500.00"),),
    ),
    Case(
        "discount within terms",
        "BRIGHTWATER FOODS INV-1100",
        "1960.00",
        (a("INV-1100", "1960.00", "40.00", "discount"),),
        on=date(2026, 11, 8),
        says="amount equals the open amount less 2% discount, paid on day 7",
    ),
    Case(
        "discount without a number",
        "BRIGHTWATER FOODS",
        "1960.00",
        (a("INV-1100", "1960.00", "40.00", "discount"),),
        on=date(2026, 11, 8),
    ),
    Case(
        "discount after the window",
        "BRIGHTWATER FOODS INV-1101",
        "490.00",
        reason=ReviewReason.SHORT_PAYMENT,
        says="after the 10-day discount window",
        suggested=("INV-1101",),
        on=date(2026, 11, 8),
    ),
    Case(
        "bank fee deducted",
        "ACME INDUSTRIAL SUPPLY INV-0043",
        "235.00",
        (a("INV-0043", "235.00", "15.00", "bank_fee"),),
        says="less a 15.00 bank fee",
    ),
    Case(
        "overpayment",
        "EVERGREEN OUTFITTERS INV-2001",
        "500.00",
        (a("INV-2001", "430.00"), a(None, "70.00")),
        says="exceeds the open amount by 70.00, left as unapplied credit",
    ),
    Case(
        "parent pays a subsidiary's invoice",
        "NORTHWESTERN PRECISION MANUFACTURING INV-2001",
        "430.00",
        (a("INV-2001", "430.00"),),
        says="payer C300 Northwestern Precision Manufacturing Group",
    ),
    Case(
        "parent pays its own and a subsidiary's, no numbers",
        "NORTHWESTERN PRECISION MFG GRP",
        "1330.00",
        (a("INV-2002", "900.00"), a("INV-2001", "430.00")),
    ),
    Case(
        "name truncated by the bank",
        "NORTHWESTERN PRECISION MANUFACTUR INV 2002",
        "900.00",
        (a("INV-2002", "900.00"),),
    ),
    Case(
        "vowels dropped",
        "BRGHTWTR FDS INV-1100",
        "2000.00",
        (a("INV-1100", "2000.00"),),
        on=date(2026, 11, 20),
    ),
    Case(
        "reference identifies an unknown payer",
        "ONLINE BANKING PMT INV-0043",
        "250.00",
        (a("INV-0043", "250.00"),),
        says="payer identified by the invoice numbers as C100",
    ),
    Case(
        "non-customer credit",
        "INTEREST PAYMENT",
        "3.12",
        reason=ReviewReason.NON_AR_CREDIT,
        says="not customer cash: 'INTEREST'",
    ),
    Case(
        "own transfer", "BOOK TRANSFER FROM SAVINGS", "5000.00", reason=ReviewReason.NON_AR_CREDIT
    ),
    Case(
        "second payment of a paid invoice",
        "ACME INDUSTRIAL SUPPLY INV-0998",
        "640.00",
        reason=ReviewReason.DUPLICATE_PAYMENT,
        says="INV-0998 already paid in full",
        suggested=("INV-0998",),
    ),
    Case(
        "look-alike invoices of equal amount",
        "DELTA HARBOR LOGISTICS ACH CREDIT",
        "760.00",
        reason=ReviewReason.LOOKALIKE_INVOICES,
        says="fits INV-3001 or INV-3002 equally: not guessing",
        suggested=("INV-3001", "INV-3002"),
    ),
    Case(
        "unidentifiable payer",
        "WIRE REF 88231 XYZ HOLDINGS",
        "312.40",
        reason=ReviewReason.UNIDENTIFIED_PAYER,
        says="payer not recognised",
        suggested=(),
    ),
    Case(
        "look-alike customer names",
        "ACME INDUSTRIAL",
        "250.00",
        reason=ReviewReason.UNIDENTIFIED_PAYER,
        suggested=("INV-0043",),
    ),
    Case(
        "another customer's invoice named",
        "DELTA HARBOR LOGISTICS INV-0043",
        "250.00",
        reason=ReviewReason.NO_MATCH,
        says="belongs to C100 Acme Industrial Supply Inc",
    ),
    Case(
        "short of several named invoices",
        "ACME INDUSTRIAL SUPPLY INV-0042 INV-0043",
        "1100.00",
        reason=ReviewReason.SHORT_PAYMENT,
        says="open 1250.00, paid 1100.00",
    ),
    Case(
        "short by exactly the tax",
        "JOHNSON AND SONS INV-5004",
        "1400.00",
        reason=ReviewReason.SHORT_PAYMENT,
        says="short by exactly the tax (100.00), a tax-exemption claim?",
        suggested=("INV-5004",),
    ),
    Case(
        "known payer, nothing fits",
        "JOHNSON AND SONS",
        "77.77",
        reason=ReviewReason.NO_MATCH,
        says="no open invoice or combination",
    ),
]


def _decide(case: Case) -> Proposal:
    [proposal] = match_lines([line(case.description, case.amount, on=case.on)], context())
    return proposal


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Case) -> None:
    proposal = _decide(case)

    assert case.says in proposal.explanation
    if case.reason is None:
        assert proposal.outcome is ProposalOutcome.APPLY, proposal.explanation
        got = tuple(
            (x.invoice_id, str(x.amount), str(x.adjustment), x.adjustment_reason)
            for x in proposal.allocations
        )
        assert got == case.allocations
        assert sum(x.amount for x in proposal.allocations) == Decimal(case.amount)
    else:
        assert proposal.outcome is ProposalOutcome.REVIEW
        assert proposal.reason is case.reason, proposal.explanation
        assert not proposal.allocations
    if case.suggested is not None:
        ids = tuple(i for s in proposal.suggestions for i in s.invoice_ids)
        assert ids == case.suggested
