"""The worklist chases past-due money nobody has sent yet, largest and oldest first."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from arbridge.receivables import OpenItem
from arbridge.receivables.worklist import CustomerFacts, build_worklist, weight_of

AS_OF = date(2026, 11, 30)


def _item(invoice: str, customer: str, late: int, amount: str) -> OpenItem:
    due = AS_OF - timedelta(days=late)
    return OpenItem(invoice, customer, due - timedelta(days=30), due, Decimal(amount))


ITEMS = [
    _item("I1", "C1", 10, "1000.00"),
    _item("I2", "C1", 40, "500.00"),
    _item("I3", "C2", 5, "200.00"),
    _item("I4", "C3", -3, "900.00"),  # not due yet: no row
    _item("I5", "C4", 60, "300.00"),
]


def test_rows_for_past_due_customers_by_priority() -> None:
    rows = build_worklist(ITEMS, AS_OF, {})

    assert [r.customer_id for r in rows] == ["C1", "C4", "C2"]
    c1 = rows[0]
    assert (c1.past_due, c1.oldest_days, c1.to_chase) == (
        Decimal("1500.00"),
        40,
        Decimal("1500.00"),
    )
    assert c1.priority == Decimal("60000.00")  # 1500 x 40 days x weight 1
    assert not c1.held


def test_cash_in_flight_holds_a_customer_whose_money_has_arrived() -> None:
    facts = {"C4": CustomerFacts(in_flight=Decimal("300.00"))}
    rows = {r.customer_id: r for r in build_worklist(ITEMS, AS_OF, facts)}

    assert rows["C4"].holds == ("cash in flight",)
    assert rows["C4"].to_chase == Decimal("0.00")
    assert build_worklist(ITEMS, AS_OF, facts)[-1].customer_id == "C4"  # held ones last


def test_part_of_the_money_in_flight_leaves_the_rest_to_chase() -> None:
    facts = {"C1": CustomerFacts(in_flight=Decimal("1000.00"))}
    (c1,) = [r for r in build_worklist(ITEMS, AS_OF, facts) if r.customer_id == "C1"]

    assert (c1.to_chase, c1.held) == (Decimal("500.00"), False)


def test_promises_disputes_and_opt_outs_hold() -> None:
    facts = {
        "C1": CustomerFacts(promised=Decimal("100.00")),
        "C2": CustomerFacts(disputed=frozenset({"I3"})),
        "C4": CustomerFacts(opted_out=True),
    }
    rows = {r.customer_id: r for r in build_worklist(ITEMS, AS_OF, facts)}

    assert rows["C1"].holds == ("promise open",)
    assert rows["C2"].holds == ("in dispute",)
    assert rows["C2"].disputed == Decimal("200.00")
    assert rows["C4"].holds == ("opted out",)


def test_a_customer_who_pays_late_weighs_more() -> None:
    assert weight_of(None) == 1
    assert weight_of(Decimal(-5)) == 1
    assert weight_of(Decimal(15)) == Decimal("1.50")
    facts = {"C2": CustomerFacts(average_days_late=Decimal(900))}  # weight 31

    rows = build_worklist(ITEMS, AS_OF, facts)
    assert [r.customer_id for r in rows] == ["C1", "C2", "C4"]  # C2 overtakes C4 (18000)
    assert rows[1].priority == Decimal("31000.00")  # 200 x 5 days x 31
