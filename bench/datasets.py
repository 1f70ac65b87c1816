"""Synthetic datasets in the contract layout (CONTRACT.md §1), for benchmarks and crash tests."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

CONTRACT_CONFIG = """\
store:
  url: sqlite:///{data}/state.db
connectors:
  bank:
    - name: operating
      kind: folder
      path: {data}/bank
      csv:
        date: {{column: Date, format: "%m/%d/%Y"}}
        amount: {{column: Amount}}
        description: {{columns: [Description]}}
        transaction_id: {{column: Transaction ID}}
  erp:
    name: books
    kind: csv
    customers: {data}/erp/customers.csv
    invoices: {data}/erp/invoices.csv
    applications: {data}/out/applications.csv
"""
"""The exact config of CONTRACT.md §2, with `{data}` for the data folder."""

__all__ = ["CONTRACT_CONFIG", "write_dataset", "write_more_lines"]


def write_dataset(data: Path, lines: int, invoices: int, seed: int = 7) -> None:
    """Write customers, invoices and one bank statement; a quarter of the lines name no invoice."""
    rng = random.Random(seed)
    (data / "erp").mkdir(parents=True)
    (data / "bank").mkdir()
    customers = max(invoices // 20, 1)
    with (data / "erp" / "customers.csv").open("w", encoding="utf-8") as fh:
        fh.write("customer_id,name,parent_id,terms,currency\n")
        for c in range(customers):
            fh.write(f"C{c:06d},Customer {c} Inc,,NET30,USD\n")
    amounts = []
    start = date(2026, 9, 1)
    with (data / "erp" / "invoices.csv").open("w", encoding="utf-8") as fh:
        fh.write(
            "invoice_id,customer_id,invoice_date,due_date,amount,open_amount,currency,terms,po_number\n"
        )
        for i in range(invoices):
            amount = f"{rng.randint(1000, 999999) / 100:.2f}"
            amounts.append(amount)
            day = start + timedelta(days=i % 60)
            due = day + timedelta(days=30)
            fh.write(f"INV-{i:07d},C{i % customers:06d},{day},{due},{amount},{amount},USD,NET30,\n")
    with (data / "bank" / "statement.csv").open("w", encoding="utf-8") as fh:
        fh.write("Date,Description,Amount,Transaction ID\n")
        for n in range(lines):
            i = rng.randrange(invoices)
            text = f"CUSTOMER {i % customers} PAYMENT INV-{i:07d}" if n % 4 else f"WIRE {n}"
            fh.write(f"11/{1 + n % 28:02d}/2026,{text},{amounts[i]},TX{n:08d}\n")


def write_more_lines(
    data: Path, lines: int, *, name: str, seed: int = 13, into: Path | None = None
) -> Path:
    """One more statement of `lines` payments of invoices in the export (ids not used before).

    Written to `data/bank`, or to the folder `into` (to be moved into place whole).
    """
    rng = random.Random(seed)
    with (data / "erp" / "invoices.csv").open(encoding="utf-8") as fh:
        next(fh)
        invoices = [row.split(",", 5)[:5] for row in fh]
    path = (into or data / "bank") / name
    with path.open("w", encoding="utf-8") as fh:
        fh.write("Date,Description,Amount,Transaction ID\n")
        for n in range(lines):
            invoice_id, customer_id, _, _, amount = rng.choice(invoices)
            text = f"{customer_id} PAYMENT {invoice_id}" if n % 4 else f"WIRE {name} {n}"
            fh.write(f"11/28/2026,{text},{amount},{name}-{n:08d}\n")
    return path
