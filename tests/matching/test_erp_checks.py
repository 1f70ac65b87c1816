"""Checking a recording made in the ERP against its bank line, with the engine's evidence."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from arbridge.domain.posted import PostedAllocation, PostedPayment
from arbridge.matching import MatchSettings
from arbridge.matching.erp_checks import check_recordings, paid_twice
from arbridge.matching.erp_links import books_for
from tests.matching.books import INVOICES, context, line


def _pay(pid: str, customer: str, *allocs: tuple[str | None, str]) -> PostedPayment:
    return PostedPayment(
        payment_id=pid,
        customer_id=customer,
        paid_on=date(2026, 11, 6),
        allocations=tuple(PostedAllocation(invoice_id=i, amount=Decimal(a)) for i, a in allocs),
    )


def _check(text: str, amount: str, *payments: PostedPayment) -> list[str]:
    books = books_for(context(), MatchSettings())
    recorded = [
        (p.payment_id, a.invoice_id, a.amount)
        for p in payments
        for a in p.allocations
        if a.invoice_id
    ]
    found = check_recordings({1: (line(text, amount), payments)}, context(), books, recorded)
    return [f.proposal.explanation for f in found]


def test_a_right_recording_is_no_finding() -> None:
    assert (
        _check(
            "ACME INDUSTRIAL SUPPLY INV-0043", "250.00", _pay("P1", "C100", ("INV-0043", "250.00"))
        )
        == []
    )


def test_money_left_on_account_while_the_remittance_names_an_invoice_is_a_finding() -> None:
    [why] = _check(
        "ACME INDUSTRIAL SUPPLY INV-0043", "250.00", _pay("P1", "C100", (None, "250.00"))
    )

    assert "the remittance names INV-0043, but no invoice was applied" in why


def test_less_recorded_than_received_is_a_finding_with_the_engines_answer() -> None:
    books = books_for(context(), MatchSettings())
    payment = _pay("P1", "C100", ("INV-0043", "205.00"))
    [found] = check_recordings(
        {1: (line("ACME INDUSTRIAL SUPPLY INV-0043", "250.00"), [payment])},
        context(),
        books,
        [("P1", "INV-0043", Decimal("205.00"))],
    )

    assert "205.00 recorded, less than the 250.00 received" in found.proposal.explanation
    assert found.payment_ids == ("P1",)
    assert found.proposal.suggestions[0].invoice_ids == ("INV-0043",)


def test_an_invoice_is_paid_twice_only_beyond_its_amount() -> None:
    half = Decimal("125.00")
    assert paid_twice(INVOICES, [("P1", "INV-0043", half), ("P2", "INV-0043", half)]) == {}
    assert paid_twice(
        INVOICES, [("P1", "INV-0043", Decimal("250.00")), ("P2", "INV-0043", half)]
    ) == {"INV-0043": ["P1", "P2"]}
