"""The key -> ids index behind invoice numbers and amounts."""

from __future__ import annotations

from decimal import Decimal

from arbridge.matching.postings import Postings


def test_ids_come_back_in_the_order_added_each_once() -> None:
    index: Postings[str] = Postings()
    for key, item in [("42", "INV-42"), ("42", "SI-42"), ("42", "INV-42"), ("7", "INV-7")]:
        index.add(key, item)
    assert index.get("42") == ("INV-42", "SI-42")
    assert index.get("7") == ("INV-7",)
    assert index.get("8") == ()
    assert "42" in index
    assert "8" not in index


def test_equal_amounts_written_differently_share_a_key() -> None:
    index: Postings[Decimal] = Postings()
    index.add(Decimal("100.0"), "A")
    index.add(Decimal("100.00"), "B")
    assert index.get(Decimal("100")) == ("A", "B")
