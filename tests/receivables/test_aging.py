"""Aging: buckets by days past due (or since invoicing), per customer and in total."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from arbridge.receivables import Basis, Buckets, OpenItem, age_items

AS_OF = date(2026, 11, 30)


def _item(n: int, customer: str, days_past_due: int, amount: str, *, issued: int = 30) -> OpenItem:
    due = AS_OF - timedelta(days=days_past_due)
    return OpenItem(f"INV-{n}", customer, due - timedelta(days=issued), due, Decimal(amount))


def test_default_labels_are_the_contract_columns() -> None:
    assert Buckets().labels == (
        "current",
        "days_1_30",
        "days_31_60",
        "days_61_90",
        "days_over_90",
    )


@pytest.mark.parametrize(
    ("days", "label"),
    [
        (-5, "current"),
        (0, "current"),  # due today: not yet past due
        (1, "days_1_30"),
        (30, "days_1_30"),
        (31, "days_31_60"),
        (60, "days_31_60"),
        (61, "days_61_90"),
        (90, "days_61_90"),
        (91, "days_over_90"),
        (400, "days_over_90"),
    ],
)
def test_bucket_edges(days: int, label: str) -> None:
    report = age_items([_item(1, "C1", days, "10.00")], AS_OF, names={})

    amounts = dict(zip(report.labels, report.rows[0].amounts, strict=True))
    assert amounts[label] == Decimal("10.00")
    assert sum(amounts.values()) == Decimal("10.00")


def test_rows_per_customer_sorted_with_names_and_a_total() -> None:
    items = [
        _item(1, "C2", 5, "100.00"),
        _item(2, "C1", -3, "40.10"),
        _item(3, "C2", 45, "60.00"),
        _item(4, "C1", 100, "0.00"),  # nothing open: not counted
        _item(5, "C3", 100, "0.00"),  # a customer with nothing open has no row
    ]
    report = age_items(items, AS_OF, names={"C1": "Acme", "C2": "Bolt"})

    assert [(r.customer_id, r.customer_name) for r in report.rows] == [
        ("C1", "Acme"),
        ("C2", "Bolt"),
    ]
    assert report.rows[0].amounts == tuple(Decimal(v) for v in ("40.10", "0", "0", "0", "0"))
    assert report.rows[1].total == Decimal("160.00")
    assert report.total.customer_id == "TOTAL"
    assert report.total.amounts == tuple(Decimal(v) for v in ("40.10", "100.00", "60.00", "0", "0"))


def test_invoice_date_basis_counts_from_the_invoice() -> None:
    item = _item(1, "C1", -10, "75.00", issued=45)  # not due for 10 days, issued 35 days ago
    by_due = age_items([item], AS_OF, names={})
    by_invoice = age_items([item], AS_OF, names={}, basis=Basis.INVOICE_DATE)

    assert by_due.total.amounts[0] == Decimal("75.00")
    assert by_invoice.total.amounts[2] == Decimal("75.00")  # 35 days: 31-60


def test_custom_buckets_name_their_columns() -> None:
    spec = Buckets((15, 45))
    report = age_items([_item(1, "C1", 20, "5.00")], AS_OF, names={}, buckets=spec)

    assert report.labels == ("current", "days_1_15", "days_16_45", "days_over_45")
    assert report.total.amounts == (Decimal(0), Decimal(0), Decimal("5.00"), Decimal(0))


@pytest.mark.parametrize("bounds", [(), (0, 30), (60, 30), (30, 30)])
def test_bad_bounds_are_refused(bounds: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match="bound"):
        Buckets(bounds)


def _independent(items: list[OpenItem]) -> dict[str, list[Decimal]]:
    """Buckets the plain way, one if-chain per item."""
    out: dict[str, list[Decimal]] = {}
    for it in items:
        if it.open_amount == 0:
            continue
        late = (AS_OF - it.due_date).days
        if late <= 0:
            k = 0
        elif late <= 30:
            k = 1
        elif late <= 60:
            k = 2
        elif late <= 90:
            k = 3
        else:
            k = 4
        out.setdefault(it.customer_id, [Decimal(0)] * 5)[k] += it.open_amount
    return out


def test_matches_an_independent_computation_to_the_cent() -> None:
    rng = random.Random(7)
    items = [
        _item(
            n,
            f"C{rng.randint(1, 40):03d}",
            rng.randint(-60, 200),
            f"{rng.randint(0, 500_000) / 100:.2f}",
        )
        for n in range(3000)
    ]
    report = age_items(items, AS_OF, names={})
    expected = _independent(items)

    assert {r.customer_id: list(r.amounts) for r in report.rows} == expected
    columns = list(zip(*expected.values(), strict=True))
    assert list(report.total.amounts) == [sum(c, Decimal(0)) for c in columns]
