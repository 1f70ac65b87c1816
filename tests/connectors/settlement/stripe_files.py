"""Stripe itemized payout reconciliation reports as Stripe exports them, for tests."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

COLUMNS = (
    "automatic_payout_id",
    "automatic_payout_effective_at",
    "balance_transaction_id",
    "created_utc",
    "created",
    "available_on_utc",
    "available_on",
    "currency",
    "gross",
    "fee",
    "net",
    "reporting_category",
    "source_id",
    "description",
    "customer_facing_amount",
    "customer_facing_currency",
    "regulatory_tag",
    "automatic_payout_effective_at_utc",
    "customer_id",
    "customer_email",
    "customer_name",
    "customer_description",
    "charge_id",
    "payment_intent_id",
    "charge_created_utc",
    "invoice_id",
    "invoice_number",
    "payment_method_type",
    "card_brand",
    "statement_descriptor",
    "payment_metadata[invoice_number]",
    "payment_metadata[order_ref]",
)


def row(
    payout: str, txn: str, gross: str, fee: str, *, category: str = "charge", **extra: str
) -> dict[str, str]:
    """One report row; the net is gross less fee unless given."""
    net = extra.pop("net", None) or str(Decimal(gross) - Decimal(fee))
    values = {
        "automatic_payout_id": payout,
        "automatic_payout_effective_at": extra.pop("effective", "2026-11-03 00:00:00"),
        "balance_transaction_id": txn,
        "created_utc": "2026-11-01 15:04:11",
        "currency": extra.pop("currency", "usd"),
        "gross": gross,
        "fee": fee,
        "net": net,
        "reporting_category": category,
        "source_id": f"ch_{txn[4:]}",
        "charge_id": f"ch_{txn[4:]}",
        "payment_intent_id": f"pi_{txn[4:]}",
        "payment_method_type": "card",
        "card_brand": "visa",
        "statement_descriptor": "ACME SUPPLY",
    }
    values.update(extra)
    return values


def write(path: Path, rows: list[dict[str, str]], columns: tuple[str, ...] = COLUMNS) -> Path:
    """Write a report with these columns, in this order, quoting as Stripe does."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path
