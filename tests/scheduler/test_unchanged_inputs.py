"""A cycle with nothing new reads nothing again; any change of content is still seen."""

from __future__ import annotations

import csv
import os
from decimal import Decimal
from pathlib import Path

from arbridge.app import build_app
from arbridge.app.erp_gateways import build_erp_gateway
from arbridge.config import load_settings
from arbridge.scheduler import run_cycle
from arbridge.scheduler._summary import RunSummary
from arbridge.store import erp


def _cycle(data: Path) -> RunSummary:
    app = build_app(load_settings(data / "arbridge.yaml"))
    try:
        return run_cycle(app.cycle_deps())
    finally:
        app.store.dispose()


def _settled(data: Path) -> None:
    """Run until the ERP export is what the store holds (the first cycle's rows read back)."""
    _cycle(data)
    _cycle(data)


def _untouched_invoice(data: Path) -> dict[str, str]:
    """An invoice of the export that no application row names."""
    with (data / "out" / "applications.csv").open(encoding="utf-8", newline="") as fh:
        applied = {row["invoice_id"] for row in csv.DictReader(fh)}
    with (data / "erp" / "invoices.csv").open(encoding="utf-8", newline="") as fh:
        return next(r for r in csv.DictReader(fh) if r["invoice_id"] not in applied)


def _stored_open(data: Path, invoice_id: str) -> Decimal:
    app = build_app(load_settings(data / "arbridge.yaml"))
    with app.store.transaction() as session:
        stored = erp.load_snapshot(session, "books")
    app.store.dispose()
    assert stored is not None
    return next(i.open_amount for i in stored[1] if i.invoice_id == invoice_id)


def test_an_idle_cycle_neither_fetches_nor_saves_the_erp_export(
    contract_data_any_store: Path,
) -> None:
    _settled(contract_data_any_store)

    idle = _cycle(contract_data_any_store)

    assert idle.counts["erp_unchanged"] == 1
    assert "erp_fetch" not in idle.seconds
    assert "erp_save" not in idle.seconds
    assert "bank_read" not in idle.seconds


def test_a_change_that_keeps_size_and_mtime_is_still_read(contract_data: Path) -> None:
    _settled(contract_data)
    invoice = _untouched_invoice(contract_data)
    path = contract_data / "erp" / "invoices.csv"
    before = path.stat()
    old = f"{invoice['invoice_id']},{invoice['customer_id']},"
    row = next(
        line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith(old)
    )
    cents = row.split(",")[5]
    lowered = f"{Decimal(cents) - Decimal('0.01'):.2f}"
    assert len(lowered) == len(cents)  # same size: only the content tells
    fields = row.split(",")
    fields[5] = lowered
    path.write_text(path.read_text(encoding="utf-8").replace(row, ",".join(fields)), "utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size

    changed = _cycle(contract_data)

    assert "erp_unchanged" not in changed.counts
    assert _stored_open(contract_data, invoice["invoice_id"]) == Decimal(lowered)


def test_a_new_statement_on_an_unchanged_erp_is_matched_against_it(contract_data: Path) -> None:
    _settled(contract_data)
    invoice = _untouched_invoice(contract_data)
    statement = contract_data / "bank" / "later.csv"
    statement.write_text(
        "Date,Description,Amount,Transaction ID\n"
        f"11/20/2026,PAYMENT {invoice['invoice_id']},{invoice['open_amount']},TX-LATER-1\n",
        encoding="utf-8",
    )

    later = _cycle(contract_data)

    assert later.counts["erp_unchanged"] == 1  # not re-saved: fetched only to match
    assert later.counts["applied"] == 1
    with (contract_data / "out" / "applications.csv").open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["bank_transaction_id"] == "TX-LATER-1"]
    assert [(r["invoice_id"], r["amount"]) for r in rows] == [
        (invoice["invoice_id"], invoice["open_amount"])
    ]


def _fresh_and_stored(data: Path) -> tuple[set[tuple[str, Decimal]], set[tuple[str, Decimal]]]:
    """Open amounts as a full pull reads them now, and as the store holds them."""
    settings = load_settings(data / "arbridge.yaml")
    fresh = {
        (i.invoice_id, i.open_amount)
        for i in build_erp_gateway(settings.connectors.erp).fetch_invoices()
    }
    app = build_app(settings)
    with app.store.transaction() as session:
        stored = erp.load_snapshot(session, "books")
    app.store.dispose()
    assert stored is not None
    return fresh, {(i.invoice_id, i.open_amount) for i in stored[1]}


def test_rows_appended_to_applications_update_only_the_invoices_they_name(
    contract_data_any_store: Path,
) -> None:
    data = contract_data_any_store
    first = _cycle(data)
    assert first.counts["posted"] > 0  # applications.csv grew

    second = _cycle(data)

    assert second.counts["erp_changed_only"] > 0
    assert "invoices_seen" not in second.counts  # no full pull
    fresh, stored = _fresh_and_stored(data)
    assert stored == fresh
    assert _cycle(data).counts["erp_unchanged"] == 1


def test_a_rewritten_applications_file_is_read_in_full(contract_data: Path) -> None:
    _settled(contract_data)
    path = contract_data / "out" / "applications.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]), encoding="utf-8")  # a row taken out, not appended

    again = _cycle(contract_data)

    assert "erp_changed_only" not in again.counts
    assert again.counts["invoices_seen"] > 0
    fresh, stored = _fresh_and_stored(contract_data)
    assert stored == fresh


def test_a_reversal_of_a_recorded_payment_is_never_skipped_as_unchanged(
    contract_data: Path,
) -> None:
    """payment_reversals.csv gives an invoice its money back: the next cycle must see it."""
    _settled(contract_data)
    invoice = _untouched_invoice(contract_data)
    before = _stored_open(contract_data, invoice["invoice_id"])
    (contract_data / "out" / "payment_reversals.csv").write_text(
        "payment_id,invoice_id,customer_id,amount,bank_transaction_id,reversed_at,"
        "idempotency_key\n"
        f"PAY-9,{invoice['invoice_id']},{invoice['customer_id']},-10.00,,"
        "2026-11-30T00:00:00+00:00,k1\n",
        encoding="utf-8",
    )

    again = _cycle(contract_data)

    assert "erp_unchanged" not in again.counts
    assert _stored_open(contract_data, invoice["invoice_id"]) == before + Decimal("10.00")


def test_rows_appended_after_a_reversal_net_the_invoice_as_a_full_read_does(
    contract_data: Path,
) -> None:
    """The appended-rows path gives an invoice the reversals' money back, like a full read."""
    _settled(contract_data)
    invoice = _untouched_invoice(contract_data)
    (contract_data / "out" / "payment_reversals.csv").write_text(
        "payment_id,invoice_id,customer_id,amount,bank_transaction_id,reversed_at,"
        "idempotency_key\n"
        f"PAY-9,{invoice['invoice_id']},{invoice['customer_id']},-10.00,,"
        "2026-11-30T00:00:00+00:00,k1\n",
        encoding="utf-8",
    )
    _cycle(contract_data)  # the reversal: a full read
    path = contract_data / "out" / "applications.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    row = dict.fromkeys(header, "") | {
        "bank_transaction_id": "TX-HAND",
        "invoice_id": invoice["invoice_id"],
        "customer_id": invoice["customer_id"],
        "amount": "4.00",
        "applied_at": "2026-11-30T00:00:00+00:00",
    }
    with path.open("a", encoding="utf-8", newline="") as fh:
        csv.DictWriter(fh, header).writerow(row)

    again = _cycle(contract_data)

    assert again.counts["erp_changed_only"] > 0
    fresh, stored = _fresh_and_stored(contract_data)
    assert stored == fresh
