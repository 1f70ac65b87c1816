"""Applications made elsewhere that their bank line contradicts become review proposals."""

from __future__ import annotations

from decimal import Decimal

from arbridge.domain.review import ReviewReason
from arbridge.matching.backtest import PostedRow
from arbridge.matching.misapplied import find_misapplications
from tests.matching.books import context, line


def _row(bank_id: str, invoice_id: str | None, amount: str) -> PostedRow:
    return PostedRow(bank_id=bank_id, invoice_id=invoice_id, amount=Decimal(amount))


def test_consistent_history_gives_no_findings() -> None:
    lines = [line("ACME INDUSTRIAL SUPPLY INV-0042", "1000.00")]
    assert find_misapplications(lines, [_row("TX1", "INV-0042", "1000.00")], context()) == []


def test_invoice_other_than_the_named_one_is_flagged_with_the_correction() -> None:
    lines = [line("ACME INDUSTRIAL SUPPLY INV-0042", "250.00")]

    [finding] = find_misapplications(lines, [_row("TX1", "INV-0043", "250.00")], context())

    assert finding.reason is ReviewReason.SUSPECTED_MISAPPLICATION
    assert "the remittance names INV-0042, but INV-0043 was applied" in finding.explanation
    assert finding.suggestions[0].invoice_ids == ("INV-0042",)


def test_another_customers_invoice_is_flagged() -> None:
    lines = [line("DELTA HARBOR LOGISTICS", "250.00")]

    [finding] = find_misapplications(lines, [_row("TX1", "INV-0043", "250.00")], context())

    assert (
        "INV-0043 belongs to C100 Acme Industrial Supply Inc, but the payer is C400"
        in finding.explanation
    )


def test_more_than_paid_and_twice_are_flagged() -> None:
    lines = [
        line("ACME INDUSTRIAL SUPPLY INV-0043", "250.00", bank_id="TX1"),
        line("ACME INDUSTRIAL SUPPLY INV-0043", "250.00", bank_id="TX2"),
    ]
    history = [
        _row("TX1", "INV-0043", "250.00"),
        _row("TX2", "INV-0043", "250.00"),
        _row("TX2", "INV-0044", "100.00"),
    ]

    findings = {f.line.bank_id: f for f in find_misapplications(lines, history, context())}

    assert "INV-0043 applied more than once (TX1, TX2)" in findings["TX1"].explanation
    assert "350.00 applied but the payment was 250.00" in findings["TX2"].explanation
