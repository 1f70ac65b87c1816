"""Which cash is a deposit, where it goes, and when its final invoice takes it (pure rules)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from arbridge.deposits.final import report, steps
from arbridge.deposits.recognise import DepositRules, recognise, says_deposit
from arbridge.domain.deposits import HeldCash
from arbridge.domain.records import (
    Allocation,
    BankLine,
    Invoice,
    Proposal,
    ProposalOutcome,
)
from arbridge.domain.review import ReviewReason

DAY = date(2026, 10, 5)


def _inv(
    number: str,
    amount: str,
    *,
    kind: str | None = None,
    order: str | None = "SO-7",
    customer: str = "C1",
    day: date = date(2026, 10, 1),
    open_amount: str | None = None,
) -> Invoice:
    return Invoice(
        invoice_id=number,
        customer_id=customer,
        invoice_date=day,
        due_date=day,
        amount=Decimal(amount),
        open_amount=Decimal(open_amount if open_amount is not None else amount),
        kind=kind,
        order_ref=order,
    )


def _line(text: str, amount: str = "500.00") -> BankLine:
    return BankLine(
        account="op",
        bank_id="T1",
        booked_on=DAY,
        amount=Decimal(amount),
        currency="USD",
        description=text,
    )


def _review(line: BankLine, customer: str | None = "C1") -> Proposal:
    return Proposal(
        line=line,
        outcome=ProposalOutcome.REVIEW,
        explanation="no invoice matches",
        customer_id=customer,
        reason=ReviewReason.NO_MATCH,
    )


def _apply(line: BankLine, invoice: str) -> Proposal:
    return Proposal(
        line=line,
        outcome=ProposalOutcome.APPLY,
        explanation="engine",
        customer_id="C1",
        allocations=(Allocation(invoice_id=invoice, customer_id="C1", amount=line.amount),),
    )


def _one(
    p: Proposal, invoices: list[Invoice], on_receipt: str = "apply"
) -> tuple[Proposal, dict[tuple[str, str], str]]:
    out, held = recognise([p], invoices, DepositRules(on_receipt=on_receipt))
    return out[0], held


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("WIRE DOWN PAYMENT SO-7", True),
        ("Retainer for PRJ 9", True),
        ("DEPOSITS REVERSAL", False),
        ("PREPAYMENTS", False),
        ("deposit", True),
    ],
)
def test_deposit_words_are_whole_words_in_any_case(text: str, expected: bool) -> None:
    assert says_deposit(text, DepositRules().words) is expected


def test_a_deposit_naming_its_order_pays_the_orders_deposit_invoice() -> None:
    books = [_inv("DP1", "500.00", kind="deposit"), _inv("INV9", "500.00", order=None)]

    new, held = _one(_review(_line("DEPOSIT SO 7")), books)

    assert new.outcome is ProposalOutcome.APPLY
    assert [(a.invoice_id, a.amount) for a in new.allocations] == [("DP1", Decimal("500.00"))]
    assert held == {}


def test_hold_mode_holds_it_for_the_order_even_with_a_deposit_invoice() -> None:
    new, held = _one(
        _review(_line("DEPOSIT SO-7")), [_inv("DP1", "500.00", kind="deposit")], "hold"
    )

    assert (new.outcome, new.reason) == (ProposalOutcome.REVIEW, ReviewReason.DEPOSIT_RECEIVED)
    assert held == {("op", "T1"): "SO-7"}


def test_an_order_named_without_a_deposit_invoice_is_held_and_names_the_payer() -> None:
    books = [_inv("PB1", "9000.00", kind="progress", customer="C2")]

    new, held = _one(_review(_line("RETAINER SO-7"), customer=None), books)

    assert (new.reason, new.customer_id) == (ReviewReason.DEPOSIT_RECEIVED, "C2")
    assert held == {("op", "T1"): "SO-7"}


def test_the_amount_of_the_agreed_deposit_alone_is_enough_from_a_known_payer() -> None:
    books = [
        _inv("DP1", "500.00", kind="deposit"),
        _inv("DP2", "800.00", kind="deposit", order="SO-8"),
    ]

    _new, held = _one(_review(_line("ACME ACH")), books, "hold")
    assert held == {("op", "T1"): "SO-7"}
    other, none = _one(_review(_line("ACME ACH", "650.00")), books, "hold")
    assert other.reason is ReviewReason.NO_MATCH
    assert none == {}


def test_the_engines_application_to_an_ordinary_invoice_stands() -> None:
    books = [_inv("DP1", "500.00", kind="deposit"), _inv("INV9", "500.00")]
    engine = _apply(_line("DEPOSIT SO-7 INV9"), "INV9")

    new, held = _one(engine, books, "hold")

    assert new is engine
    assert held == {}


def test_an_order_of_two_customers_is_not_guessed_without_a_payer() -> None:
    books = [
        _inv("PB1", "900.00", kind="progress"),
        _inv("PB2", "900.00", kind="progress", customer="C2"),
    ]

    new, held = _one(_review(_line("DEPOSIT SO-7"), customer=None), books)

    assert new.reason is ReviewReason.NO_MATCH
    assert held == {}


def _held(item: int, amount: str = "500.00", order: str = "SO-7") -> HeldCash:
    return HeldCash(
        item_id=item,
        customer_id="C1",
        order_ref=order,
        amount=Decimal(amount),
        bank_id=f"T{item}",
        booked_on=DAY,
    )


def test_one_deposit_and_one_final_invoice_that_takes_it_is_applied() -> None:
    books = [
        _inv("PB1", "1200.00", day=date(2026, 9, 1)),  # before the deposit, no kind: not final
        _inv("F1", "4000.00", day=date(2026, 11, 20)),
        _inv("F9", "4000.00", customer="C2", day=date(2026, 11, 20)),
    ]

    [step] = steps([_held(1)], books)

    assert (step.item_id, step.invoice_id) == (1, "F1")


@pytest.mark.parametrize(
    ("held", "books", "words"),
    [
        ([_held(1), _held(2)], [_inv("F1", "4000.00", kind="final")], "2 deposits"),
        (
            [_held(1)],
            [_inv("F1", "4000.00", kind="final"), _inv("F2", "900.00", kind="completion")],
            "2 final invoices",
        ),
        ([_held(1)], [_inv("F1", "300.00", kind="final")], "more than the 300.00"),
    ],
)
def test_anything_else_is_a_choice_for_a_person_saying_why(
    held: list[HeldCash], books: list[Invoice], words: str
) -> None:
    found = steps(held, books)

    assert found
    assert all(s.invoice_id is None and words in s.why for s in found)


def test_no_final_invoice_yet_means_nothing_to_do_and_the_report_ages_the_cash() -> None:
    assert steps([_held(1)], [_inv("DP1", "500.00", kind="deposit")]) == []

    rows = report([_held(1)], date(2026, 11, 30), wait_days=30)
    assert [(r.status, r.age_days, r.bank_id) for r in rows] == [("overdue", 56, "T1")]
    assert report([_held(1)], date(2026, 10, 1), wait_days=30) == []
