"""Money parsing: the silent 1000x errors and sign conventions banks use."""

from __future__ import annotations

from decimal import Decimal

import pytest

from arbridge.domain.money import as_money, format_money, parse_money


@pytest.mark.parametrize(
    ("text", "kwargs", "expected"),
    [
        ("1250.00", {}, "1250.00"),
        ("-25", {}, "-25.00"),
        ("(70.49)", {}, "-70.49"),
        ("70.49-", {}, "-70.49"),
        ("1,234.56", {"thousands_sep": ","}, "1234.56"),
        ("1.234,56", {"decimal_sep": ",", "thousands_sep": "."}, "1234.56"),
        ("1 234,56", {"decimal_sep": ",", "thousands_sep": " "}, "1234.56"),
        ("$1,000.00", {"thousands_sep": ","}, "1000.00"),
    ],
)
def test_parse_money_reads_bank_conventions(
    text: str, kwargs: dict[str, str], expected: str
) -> None:
    assert parse_money(text, **kwargs) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "abc", "1,000", "12.3.4", "1e5", "NaN"])
def test_parse_money_rejects_ambiguous_or_garbage(text: str) -> None:
    with pytest.raises(ValueError, match="amount"):
        parse_money(text)


def test_as_money_rejects_float() -> None:
    with pytest.raises(TypeError):
        as_money(1.1)  # type: ignore[arg-type]  # passing a float is the point of the test


def test_format_money_keeps_two_places() -> None:
    assert format_money(Decimal("1250")) == "1250.00"
    assert format_money(Decimal("-0.5")) == "-0.50"
