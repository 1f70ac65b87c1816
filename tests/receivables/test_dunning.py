"""Dunning stages, and the money that is never dunned."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from arbridge.receivables import OpenItem
from arbridge.receivables.dunning import DEFAULT_STAGES, plan_dunning, stage_of
from arbridge.receivables.worklist import CustomerFacts

AS_OF = date(2026, 11, 30)


def _item(invoice: str, late: int, amount: str, customer: str = "C1") -> OpenItem:
    due = AS_OF - timedelta(days=late)
    return OpenItem(invoice, customer, due - timedelta(days=30), due, Decimal(amount))


@pytest.mark.parametrize(
    ("days", "stage"),
    [
        (-4, None),
        (-3, "reminder"),
        (6, "reminder"),
        (7, "first_notice"),
        (20, "second_notice"),
        (45, "final_notice"),
        (59, "final_notice"),
        (60, "credit_hold"),
        (400, "credit_hold"),
    ],
)
def test_the_stage_reached(days: int, stage: str | None) -> None:
    found = stage_of(days, DEFAULT_STAGES)
    assert (found.name if found else None) == stage


def test_one_notice_per_customer_and_stage_skipping_what_was_sent() -> None:
    items = [
        _item("I1", 8, "10.00"),
        _item("I2", 9, "20.00"),
        _item("I3", 21, "5.00"),
        _item("I4", -10, "1.00"),
    ]
    plan = plan_dunning(items, AS_OF, {}, done={("I2", "first_notice")})

    assert {(n.stage.name, tuple(line.invoice_id for line in n.lines)) for n in plan.notices} == {
        ("first_notice", ("I1",)),
        ("second_notice", ("I3",)),
    }


def test_cash_in_flight_covers_invoices_oldest_first_and_never_in_part() -> None:
    items = [_item("I1", 30, "100.00"), _item("I2", 20, "500.00"), _item("I3", 10, "50.00")]
    facts = {"C1": CustomerFacts(in_flight=Decimal("160.00"))}
    plan = plan_dunning(items, AS_OF, facts)

    assert plan.held == (
        ("C1", "I1", "covered by cash in flight"),
        ("C1", "I3", "covered by cash in flight"),  # the 60.00 left covers it whole
    )
    assert [line.invoice_id for n in plan.notices for line in n.lines] == ["I2"]


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        (CustomerFacts(disputed=frozenset({"I1"})), "in dispute"),
        (CustomerFacts(opted_out=True), "customer opted out"),
        (CustomerFacts(promised=Decimal(1)), "promise or plan open"),
    ],
)
def test_never_dunned(facts: CustomerFacts, reason: str) -> None:
    plan = plan_dunning([_item("I1", 30, "100.00")], AS_OF, {"C1": facts})

    assert plan.notices == ()
    assert plan.held == (("C1", "I1", reason),)
