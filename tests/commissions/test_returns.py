"""Which debit is a returned payment, and which payment it returns (pure rules)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from arbridge.commissions.returns import Paid, is_return, returned
from arbridge.domain.records import BankLine


def _debit(text: str, amount: str = "-500.00", day: date = date(2026, 11, 20)) -> BankLine:
    return BankLine(
        account="op",
        bank_id="D1",
        booked_on=day,
        amount=Decimal(amount),
        currency="USD",
        description=text,
    )


def _paid(app: int, bank_id: str, day: date, text: str = "", amount: str = "500.00") -> Paid:
    return Paid(
        application_id=app, bank_id=bank_id, booked_on=day, amount=Decimal(amount), description=text
    )


@pytest.mark.parametrize(
    ("text", "amount", "expected"),
    [
        ("RETURNED ITEM NSF", "-500.00", True),
        ("Deposited item returned chk 1042", "-500.00", True),
        ("ACH RETURN R01 INSUFFICIENT FUNDS", "-500.00", True),
        ("WIRE FEE", "-500.00", False),
        ("RETURNED ITEM", "500.00", False),  # a credit is no return
    ],
)
def test_a_return_is_a_debit_that_says_so(text: str, amount: str, expected: bool) -> None:
    assert is_return(_debit(text, amount)) is expected


def test_the_one_payment_of_that_amount_in_the_window_is_returned() -> None:
    paid = [
        _paid(1, "T1", date(2026, 11, 2)),
        _paid(2, "T2", date(2026, 11, 3), amount="499.99"),
        _paid(3, "T3", date(2026, 7, 1)),  # more than 90 days before
        _paid(4, "T4", date(2026, 11, 25)),  # after the debit
    ]

    found = returned(_debit("NSF"), paid)

    assert found is not None
    assert found.application_id == 1


def test_of_several_the_one_the_debit_names_is_returned_else_none() -> None:
    paid = [
        _paid(1, "T1", date(2026, 11, 2), "ACME CHK 1042"),
        _paid(2, "T2", date(2026, 11, 3), "ACME CHK 1043"),
    ]

    found = returned(_debit("RETURNED ITEM CHK 1043"), paid)
    assert found is not None
    assert found.application_id == 2
    assert returned(_debit("RETURNED ITEM"), paid) is None
