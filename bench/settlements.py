"""Benchmark: a month of card payouts (charges, refunds, disputes) through one cycle.

Usage: .venv/bin/python -m bench.settlements [--charges 100000] [--payouts 30]

Writes the quickstart layout with a Stripe itemized payout report and one bank credit per
payout, runs one cycle in a child process (its wall time and peak RSS are the product's,
not this script's), then scores applications.csv against the truth: the share of
placeable charges applied to exactly their invoice with exactly their net and fee, and
how many allocations went wrong.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from bench.datasets import CONTRACT_CONFIG

DAY = datetime.now(UTC).date() - timedelta(days=1)
COLUMNS = [
    "automatic_payout_id",
    "automatic_payout_effective_at",
    "balance_transaction_id",
    "created_utc",
    "currency",
    "gross",
    "fee",
    "net",
    "reporting_category",
    "description",
    "customer_name",
    "customer_email",
    "charge_id",
    "payment_metadata[invoice_number]",
]
SETTLEMENTS = "  settlements:\n    - name: stripe\n      kind: stripe_report\n      path: {data}/settlements\n"


@dataclass(frozen=True, slots=True)
class Truth:
    """What a careful clerk applies for a charge: its invoice, net and fee."""

    invoice_id: str
    net: Decimal
    fee: Decimal


def generate(data: Path, charges: int, payouts: int, seed: int) -> dict[tuple[str, str], Truth]:
    """Write the data set; return the placeable charges' truth by (bank id, invoice id)."""
    rng = random.Random(seed)
    for folder in ("erp", "bank", "settlements"):
        (data / folder).mkdir(parents=True)
    customers = max(charges // 20, 10)
    with (data / "erp" / "customers.csv").open("w", encoding="utf-8") as fh:
        fh.write("customer_id,name,parent_id,terms,currency\n")
        fh.writelines(f"C{c:06d},Shopper {c:06d} LLC,,NET30,USD\n" for c in range(customers))
    truth: dict[tuple[str, str], Truth] = {}
    report = csv.writer(
        (data / "settlements" / "report.csv").open("w", newline="", encoding="utf-8")
    )
    report.writerow(COLUMNS)
    nets: dict[str, Decimal] = {}
    with (data / "erp" / "invoices.csv").open("w", encoding="utf-8") as inv:
        inv.write(
            "invoice_id,customer_id,invoice_date,due_date,amount,open_amount,currency,terms,po_number\n"
        )
        for n in range(charges):
            payout = f"po_{n % payouts:04d}"
            bank_id = f"TX{n % payouts:04d}"
            c = rng.randrange(customers)
            gross = Decimal(rng.randint(500, 250_000)) / 100
            fee = (gross * Decimal("0.029") + Decimal("0.30")).quantize(Decimal("0.01"))
            invoice = f"INV-{n:07d}"
            inv.write(
                f"{invoice},C{c:06d},{DAY - timedelta(days=5)},{DAY + timedelta(days=25)},{gross},{gross},USD,NET30,\n"
            )
            kind = rng.random()
            category, ref, text = "charge", invoice, ""
            if kind < 0.02:  # a refund of an earlier sale: not cash for an invoice
                category, gross, fee, ref = "refund", -gross, Decimal("0.00"), ""
            elif kind < 0.025:
                category, gross, fee, ref = "dispute", -gross, Decimal("15.00"), ""
            elif kind < 0.08:  # the invoice only in the description, as a shop types it
                ref, text = "", f"Payment for inv {n}"
            if category == "charge":
                truth[bank_id, invoice] = Truth(invoice, gross - fee, fee)
            net = gross - fee
            nets[payout] = nets.get(payout, Decimal("0.00")) + net
            report.writerow(
                [
                    payout,
                    f"{DAY} 00:00:00",
                    f"txn_{n:08d}",
                    f"{DAY} 12:00:00",
                    "usd",
                    gross,
                    fee,
                    net,
                    category,
                    text,
                    f"Shopper {c:06d} LLC",
                    "",
                    f"ch_{n:08d}",
                    ref,
                ]
            )
    with (data / "bank" / "statement.csv").open("w", encoding="utf-8") as fh:
        fh.write("Date,Description,Amount,Transaction ID\n")
        fh.writelines(
            f"{DAY:%m/%d/%Y},STRIPE TRANSFER,{net},TX{p[3:]}\n" for p, net in sorted(nets.items())
        )
    (data / "arbridge.yaml").write_text(
        CONTRACT_CONFIG.format(data=data) + SETTLEMENTS.format(data=data), encoding="utf-8"
    )
    return truth


def child(data: Path) -> None:
    """One cycle, as the daemon runs it; prints seconds and peak RSS."""
    from arbridge.app import build_app  # noqa: PLC0415 - the child alone needs the product
    from arbridge.app.logs import configure_logging  # noqa: PLC0415
    from arbridge.config import load_settings  # noqa: PLC0415
    from arbridge.scheduler import run_cycle  # noqa: PLC0415

    configure_logging("warning")
    started = time.perf_counter()
    run_cycle(build_app(load_settings(data / "arbridge.yaml")).cycle_deps())
    seconds = time.perf_counter() - started
    print(f"{seconds:.3f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")


def score(data: Path, truth: dict[tuple[str, str], Truth]) -> tuple[int, int]:
    """(charges applied exactly right, allocations that are wrong)."""
    right = wrong = 0
    with (data / "out" / "applications.csv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            t = truth.get((row["bank_transaction_id"], row["invoice_id"]))
            if t is not None and (Decimal(row["amount"]), Decimal(row["adjustment"])) == (
                t.net,
                t.fee,
            ):
                right += 1
            else:
                wrong += 1
    return right, wrong


def main() -> None:
    """Generate, run, score, print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--charges", type=int, default=100_000)
    parser.add_argument("--payouts", type=int, default=30)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        truth = generate(data, args.charges, args.payouts, args.seed)
        out = subprocess.run(
            [sys.executable, "-m", "bench.settlements", "--child", str(data)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        right, wrong = score(data, truth)
    seconds, rss = float(out[0]), float(out[1])
    print(f"charges: {args.charges:,} in {args.payouts} payouts; placeable: {len(truth):,}")
    print(
        f"cycle: {seconds:.2f} s ({args.charges / seconds:,.0f} charges/s); peak RSS {rss:,.0f} MiB"
    )
    print(
        f"applied exactly right: {right:,} ({right / max(len(truth), 1):.2%} of placeable); wrong: {wrong}"
    )


if __name__ == "__main__":
    main()
