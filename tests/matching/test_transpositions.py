"""Adjacent digits swapped inside zero-padded numbers, where the number as typed exists too."""

from __future__ import annotations

from decimal import Decimal

import pytest

from arbridge.domain.records import Customer, Invoice, Proposal, ProposalOutcome
from arbridge.domain.review import ReviewReason
from arbridge.matching import MatchContext, match_lines
from tests.matching.books import _inv, line

CUSTOMERS = [
    Customer(customer_id="C1", name="Prairie Mechanical Group"),
    Customer(customer_id="C2", name="Harbor Textiles Inc"),
    Customer(customer_id="C3", name="Quantum Paper LLC"),
]


def _run(description: str, amount: str, invoices: list[Invoice]) -> Proposal:
    context = MatchContext(customers={c.customer_id: c for c in CUSTOMERS}, invoices=invoices)
    [proposal] = match_lines([line(description, amount)], context)
    return proposal


def _paid(proposal: Proposal) -> list[tuple[str | None, Decimal]]:
    return [(a.invoice_id, a.amount) for a in proposal.allocations]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("024029", "INV-020429"),
        ("020395", "INV-020935"),
        ("022366", "INV-022636"),
        ("021139", "INV-021319"),
        ("203459", "INV-023459"),
        ("204936", "INV-024936"),
    ],
)
def test_swapped_number_of_another_customers_invoice_is_read_back(typed: str, meant: str) -> None:
    """The number as typed is another customer's invoice; the payer's own one fits swapped."""
    invoices = [
        _inv(meant, "C1", "1500.00"),
        _inv("INV-" + typed, "C2", "720.00"),
    ]
    proposal = _run(f"PRAIRIE MECHANICAL GROUP {typed}", "1500.00", invoices)

    assert proposal.outcome is ProposalOutcome.APPLY, proposal.explanation
    assert _paid(proposal) == [(meant, Decimal("1500.00"))]
    assert "two digits swapped" in proposal.explanation


def test_leading_pair_swapped_in_a_padded_number_without_a_clash() -> None:
    proposal = _run("PRAIRIE MECHANICAL GROUP 203459", "99.00", [_inv("INV-023459", "C1", "99.00")])
    assert _paid(proposal) == [("INV-023459", Decimal("99.00"))]


def test_two_invoices_of_the_payer_that_fit_swapped_are_refused() -> None:
    invoices = [
        _inv("INV-020429", "C1", "1500.00"),
        _inv("INV-024209", "C1", "1500.00"),
        _inv("INV-024029", "C2", "720.00"),
    ]
    proposal = _run("PRAIRIE MECHANICAL GROUP 024029", "1500.00", invoices)

    assert proposal.outcome is ProposalOutcome.REVIEW
    assert proposal.allocations == ()


def test_unknown_payer_with_the_amount_agreeing_takes_the_swapped_invoice() -> None:
    """Payer not recognised: the swap is accepted only because the amount agrees exactly."""
    invoices = [_inv("INV-020429", "C1", "1500.00"), _inv("INV-024029", "C2", "720.00")]

    agreeing = _run("ACH DEPOSIT 024029", "1500.00", invoices)
    differing = _run("ACH DEPOSIT 024029", "1499.00", invoices)

    assert _paid(agreeing) == [("INV-020429", Decimal("1500.00"))]
    assert differing.outcome is ProposalOutcome.REVIEW


def test_unknown_payer_two_customers_fitting_swapped_is_refused() -> None:
    invoices = [
        _inv("INV-020429", "C1", "1500.00"),
        _inv("INV-024209", "C3", "1500.00"),
        _inv("INV-024029", "C2", "720.00"),
    ]
    proposal = _run("ACH DEPOSIT 024029", "1500.00", invoices)
    assert proposal.outcome is ProposalOutcome.REVIEW


def test_own_number_read_swapped_only_when_the_amount_decides() -> None:
    """The payer's own invoice is named but cannot be the amount; a swapped one equals it."""
    invoices = [_inv("INV-006520", "C1", "6734.98"), _inv("INV-006502", "C1", "8045.98")]

    swapped = _run("PRAIRIE MECHANICAL GROUP 6520", "8045.98", invoices)
    as_typed = _run("PRAIRIE MECHANICAL GROUP 6520", "6734.98", invoices)

    assert _paid(swapped) == [("INV-006502", Decimal("8045.98"))]
    assert _paid(as_typed) == [("INV-006520", Decimal("6734.98"))]


def test_a_number_that_fits_as_typed_is_not_swapped() -> None:
    invoices = [_inv("INV-020429", "C1", "1500.00"), _inv("INV-024029", "C1", "720.00")]
    proposal = _run("PRAIRIE MECHANICAL GROUP 024029", "720.00", invoices)
    assert _paid(proposal) == [("INV-024029", Decimal("720.00"))]


def test_review_reason_names_the_payer_when_only_a_swapped_number_names_it() -> None:
    """A part payment by a mistyped number and no name: too little evidence to apply."""
    invoices = [_inv("INV-020429", "C1", "1500.00")]
    proposal = _run("ACH DEPOSIT 024029", "700.00", invoices)

    assert proposal.outcome is ProposalOutcome.REVIEW
    assert proposal.reason is ReviewReason.UNIDENTIFIED_PAYER


def test_swap_in_either_group_of_a_two_part_number_is_a_lookalike() -> None:
    """`SI/2026/12089` is SI/2026/21089 or SI/2206/12089, one swap each: not told apart."""
    invoices = [_inv("SI/2206/12089", "C1", "500.00"), _inv("SI/2026/21089", "C1", "500.00")]
    proposal = _run("PRAIRIE MECHANICAL GROUP PAYMENT SI/2026/12089", "500.00", invoices)

    assert proposal.outcome is ProposalOutcome.REVIEW
    assert proposal.reason is ReviewReason.LOOKALIKE_INVOICES
