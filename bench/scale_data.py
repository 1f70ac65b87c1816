"""The scale bench's backlog: a large ERP export and bank lines spread over many accounts.

Files are written directly (no domain objects), so a million invoices take seconds.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

BANK_PROFILE = """\
      csv:
        date: {column: Date, format: "%m/%d/%Y"}
        amount: {column: Amount}
        description: {columns: [Description]}
        transaction_id: {column: Transaction ID}
"""


def account_name(k: int) -> str:
    """The bank connector (and folder) of account number `k`."""
    return f"acct{k:02d}"


def write_backlog(
    data: Path, *, invoices: int, lines: int, accounts: int, customers: int, seed: int = 11
) -> None:
    """customers.csv, invoices.csv and one statement per account folder under `data`.

    Three lines in four pay one distinct invoice in full and name it; the fourth names
    nothing (review). Each invoice is paid at most once, so the outcome does not depend
    on which daemon decides which line first.
    """
    rng = random.Random(seed)
    (data / "erp").mkdir(parents=True)
    with (data / "erp" / "customers.csv").open("w", encoding="utf-8") as fh:
        fh.write("customer_id,name,parent_id,terms,currency\n")
        fh.writelines(f"C{c:06d},Customer {c} Inc,,NET30,USD\n" for c in range(customers))
    amounts = [f"{rng.randint(1000, 999999) / 100:.2f}" for _ in range(invoices)]
    days = [date(2026, 9, 1) + timedelta(days=d) for d in range(60)]
    dues = [d + timedelta(days=30) for d in days]
    with (data / "erp" / "invoices.csv").open("w", encoding="utf-8") as fh:
        fh.write(
            "invoice_id,customer_id,invoice_date,due_date,amount,open_amount,currency,terms,po_number\n"
        )
        fh.writelines(
            f"INV-{i:07d},C{i % customers:06d},{days[i % 60]},{dues[i % 60]},{a},{a},USD,NET30,\n"
            for i, a in enumerate(amounts)
        )
    paid = rng.sample(range(invoices), lines)
    for k in range(accounts):
        folder = data / "bank" / account_name(k)
        folder.mkdir(parents=True)
        with (folder / "statement.csv").open("w", encoding="utf-8") as fh:
            fh.write("Date,Description,Amount,Transaction ID\n")
            for n in range(k, lines, accounts):
                i = paid[n]
                text = f"CUSTOMER {i % customers} PAYMENT INV-{i:07d}" if n % 4 else f"WIRE {n}"
                fh.write(f"11/{1 + n % 28:02d}/2026,{text},{amounts[i]},TX{n:08d}\n")


def write_config(data: Path, url: str, *, accounts: int, claim_batch: int) -> Path:
    """arbridge.yaml: a shared PostgreSQL store, one folder connector per account, the csv ERP."""
    banks = "".join(
        f"    - name: {account_name(k)}\n      kind: folder\n"
        f"      path: {data}/bank/{account_name(k)}\n" + BANK_PROFILE
        for k in range(accounts)
    )
    text = (
        f"store:\n  url: {url}\n  shared: true\n  claim_seconds: 120\n  claim_batch: {claim_batch}\n"
        f"connectors:\n  bank:\n{banks}"
        f"  erp:\n    name: books\n    kind: csv\n"
        f"    customers: {data}/erp/customers.csv\n    invoices: {data}/erp/invoices.csv\n"
        f"    applications: {data}/out/applications.csv\n"
        "schedule:\n  interval_seconds: 1\nlogging:\n  format: json\n"
    )
    config = data / "arbridge.yaml"
    config.write_text(text, encoding="utf-8")
    return config
