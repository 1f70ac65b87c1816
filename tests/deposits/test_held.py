"""Deposits waiting for their final invoice, retainage waiting for completion (pure rules)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from arbridge.deposits import held, is_deposit
from arbridge.domain.commissions import InvoiceTerms

AS_OF = date(2026, 12, 31)


def _inv(
    number: str,
    kind: str | None,
    amount: str,
    open_amount: str,
    *,
    order: str | None = "SO-1",
    day: date = date(2026, 11, 1),
    customer: str = "C1",
    retainage: str | None = None,
) -> InvoiceTerms:
    return InvoiceTerms(
        invoice_id=number,
        customer_id=customer,
        sales_rep=None,
        amount=Decimal(amount),
        open_amount=Decimal(open_amount),
        kind=kind,
        order_ref=order,
        invoice_date=day,
        retainage_pct=None if retainage is None else Decimal(retainage),
    )


def _status(*invoices: InvoiceTerms, wait_days: int = 30) -> dict[str, tuple[str, str, str]]:
    return {
        r.invoice_id: (r.status, str(r.held), r.final_invoice_id)
        for r in held(invoices, AS_OF, wait_days)
    }


@pytest.mark.parametrize(
    "kind", ["deposit", "Down Payment", "down-payment", "PREPAYMENT", "retainer"]
)
def test_deposit_kinds_are_recognised_whatever_their_spelling(kind: str) -> None:
    assert is_deposit(kind)


def test_a_paid_deposit_without_a_final_invoice_waits_then_is_overdue() -> None:
    recent = _inv("D1", "deposit", "500.00", "0.00", day=date(2026, 12, 15))
    old = _inv("D2", "deposit", "800.00", "300.00", order="SO-2")

    assert _status(recent, old) == {
        "D1": ("waiting", "500.00", ""),
        "D2": ("overdue", "500.00", ""),  # 61 days, part paid
    }


def test_one_final_invoice_of_the_same_customer_and_order_is_named_for_the_deposit() -> None:
    rows = _status(
        _inv("D1", "deposit", "500.00", "0.00"),
        _inv("F1", "final", "2000.00", "2000.00", day=date(2026, 12, 20)),
        _inv("F9", "final", "900.00", "900.00", customer="C2"),  # another customer's SO-1
    )

    assert rows == {"D1": ("final_invoiced", "500.00", "F1")}


def test_two_final_invoices_leave_the_choice_to_a_person() -> None:
    rows = _status(
        _inv("D1", "deposit", "500.00", "0.00"),
        _inv("F1", "final", "2000.00", "2000.00"),
        _inv("F2", "completion", "300.00", "300.00"),
    )

    assert rows["D1"][0] == "several_finals"


def test_an_unpaid_deposit_and_a_final_invoice_after_the_day_are_not_counted() -> None:
    rows = _status(
        _inv("D1", "deposit", "500.00", "500.00"),
        _inv("D2", "deposit", "500.00", "0.00", order="SO-2"),
        _inv("F2", "final", "2000.00", "2000.00", order="SO-2", day=date(2027, 1, 5)),
    )

    assert rows == {"D2": ("overdue", "500.00", "")}


def test_retainage_left_on_a_progress_bill_is_held_until_a_completion_invoice_bills_it() -> None:
    progress = _inv("P1", "progress", "10000.00", "1000.00", retainage="10")
    partly = _inv("P2", "progress", "5000.00", "2500.00", retainage="10")  # not down to it yet
    paid = _inv("P3", "progress", "5000.00", "0.00", retainage="10")

    assert _status(progress, partly, paid) == {"P1": ("held", "1000.00", "")}
    released = _status(progress, _inv("F1", "completion", "0.00", "0.00"))
    assert released == {"P1": ("release_billed", "1000.00", "F1")}
