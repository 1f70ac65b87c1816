"""Evidence combined into one confidence, single-versus-combination look-alikes, honest labels."""

from __future__ import annotations

from decimal import Decimal

from arbridge.domain.records import ProposalOutcome
from arbridge.domain.review import ReviewReason
from arbridge.matching import MatchContext, MatchSettings, match_lines
from tests.matching.books import CUSTOMERS, INVOICES, _inv, context, line


def test_part_payment_by_exact_number_and_resembling_name_is_applied() -> None:
    """DELTA LOGISTICS is not sure enough alone, INV-3003 alone is not; together they are."""
    [proposal] = match_lines([line("DELTA LOGISTICS INV-3003", "500.00")], context())

    assert proposal.outcome is ProposalOutcome.APPLY, proposal.explanation
    assert [(a.invoice_id, a.amount) for a in proposal.allocations] == [
        ("INV-3003", Decimal("500.00"))
    ]
    assert "name resembles" in proposal.explanation


def test_part_payment_by_exact_number_without_any_name_goes_to_review() -> None:
    [proposal] = match_lines([line("ACH DEPOSIT INV-3003", "500.00")], context())

    assert proposal.outcome is ProposalOutcome.REVIEW
    assert proposal.reason is ReviewReason.UNIDENTIFIED_PAYER
    assert proposal.suggestions[0].invoice_ids == ("INV-3003",)


def test_exact_number_and_exact_amount_need_no_name() -> None:
    [proposal] = match_lines([line("ACH DEPOSIT INV-3003", "1234.56")], context())
    assert proposal.outcome is ProposalOutcome.APPLY


def test_single_invoice_equal_to_a_combination_of_others_is_flagged() -> None:
    """315.66 is INV-5005 alone, and INV-5002 + INV-5003 together: a person decides."""
    books = MatchContext(
        customers={c.customer_id: c for c in CUSTOMERS},
        invoices=[*INVOICES, _inv("INV-5005", "C500", "315.66")],
    )
    [both] = match_lines([line("JOHNSON AND SONS", "315.66")], books)
    [single] = match_lines([line("JOHNSON AND SONS", "1500.00")], books)

    assert both.outcome is ProposalOutcome.REVIEW
    assert both.reason is ReviewReason.LOOKALIKE_INVOICES
    assert "INV-5005 or INV-5002, INV-5003" in both.explanation
    assert {s.invoice_ids for s in both.suggestions} == {("INV-5005",), ("INV-5002", "INV-5003")}
    assert single.outcome is ProposalOutcome.APPLY


def test_single_invoice_named_in_the_text_beats_the_combination() -> None:
    books = MatchContext(
        customers={c.customer_id: c for c in CUSTOMERS},
        invoices=[*INVOICES, _inv("INV-5005", "C500", "315.66")],
    )
    [proposal] = match_lines([line("JOHNSON AND SONS INV-5005", "315.66")], books)
    assert [a.invoice_id for a in proposal.allocations] == ["INV-5005"]


def test_confidence_hold_on_a_discount_is_labelled_below_confidence() -> None:
    settings = MatchSettings(min_confidence=0.98)
    [proposal] = match_lines([line("BRIGHTWATER FOODS INV-1100", "1960.00")], context(), settings)

    assert proposal.outcome is ProposalOutcome.REVIEW
    assert proposal.reason is ReviewReason.BELOW_CONFIDENCE
    assert proposal.suggestions[0].invoice_ids == ("INV-1100",)
    assert "discount" in proposal.suggestions[0].explanation
