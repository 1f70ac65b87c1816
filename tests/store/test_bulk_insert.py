"""Bulk inserts (COPY on PostgreSQL) store every kind of value as the ORM would."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal

from domain.records import BankLine
from store import Store, bank

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_imported_lines_read_back_exactly(store: Store) -> None:
    lines = [
        BankLine(account="op", bank_id="TX1", booked_on=date(2026, 11, 2),
                 amount=Decimal("-1234.5678"), currency="EUR", description='comma, "quote"\ttab',
                 payer_name=None, payer_account="DE89 3704", references=("INV-1", "PO 7"),
                 source_line=2),
        BankLine(account="op", bank_id="TX2", booked_on=date(2026, 11, 3), amount=Decimal("0.10"),
                 currency="USD", description="back\\slash\nnewline", references=(), source_line=3),
    ]  # fmt: skip

    with store.transaction() as session:
        row = bank.import_file(session, source="op", path="/in/a.csv", name="a.csv", sha256="ab",
                               lines=lines, now=NOW)  # fmt: skip
        ids = bank.pending_lines(session)
        loaded = [line for _, line in bank.load_lines(session, list(ids.values()))]

    assert row.new_line_count == 2
    assert [(ln.account, ln.bank_id) for ln in loaded] == [("op", "TX1"), ("op", "TX2")]
    expected = [dataclasses.replace(ln, source_file="/in/a.csv") for ln in lines]
    assert loaded == expected
