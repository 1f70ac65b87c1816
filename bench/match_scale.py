"""Benchmark: how the matching engine scales (bank lines = invoices / 10, 20 invoices a customer).

Usage: .venv/bin/python -m bench.match_scale [--invoices 10000 100000 1000000]

Each size runs in its own process so peak memory (max RSS) is its own. Prints, per size,
the time to build the records (not the engine's), the engine's time and lines/s, and the
process's peak resident memory. The engine's CPU time is printed beside its wall time:
on a shared machine the wall time grows with the load, the CPU time much less.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from decimal import Decimal

from arbridge.domain.records import BankLine, Customer, Invoice
from arbridge.matching import MatchContext, match_lines
from bench.cashapp_names import MIDDLE, SUFFIX, as_bank_writes

SYLLABLES = [c + v for c in "BCDFGHKLMNPRSTVWZ" for v in "AEIOU"] + ["TH", "ST", "ER", "AN"]


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def build(invoices: int, seed: int = 11) -> tuple[MatchContext, list[BankLine]]:
    rng = random.Random(seed)
    customers = [
        Customer(
            customer_id=f"C{c:06d}", name=f"{_word(rng)} {rng.choice(MIDDLE)} {rng.choice(SUFFIX)}"
        )
        for c in range(max(invoices // 20, 1))
    ]
    invs = []
    for n in range(invoices):
        amount = Decimal(rng.randint(5_000, 2_500_000)) / 100
        issued = date(2026, 10, 1) + timedelta(days=rng.randint(0, 40))
        invs.append(
            Invoice(
                invoice_id=f"INV-{n:07d}",
                customer_id=customers[n % len(customers)].customer_id,
                invoice_date=issued,
                due_date=issued + timedelta(days=30),
                amount=amount,
                open_amount=amount,
            )
        )
    lines = []
    for k, n in enumerate(rng.sample(range(invoices), max(invoices // 10, 1))):
        inv = invs[n]
        name = as_bank_writes(rng, customers[n % len(customers)].name)
        ref = f" INV {n}" if rng.random() < 0.7 else " ACH CREDIT"
        lines.append(
            BankLine(
                account="op",
                bank_id=f"TX{k}",
                booked_on=date(2026, 11, 10),
                amount=inv.open_amount,
                currency="USD",
                description=name + ref,
            )
        )
    return MatchContext(customers={c.customer_id: c for c in customers}, invoices=invs), lines


def one(invoices: int) -> None:
    started = time.perf_counter()
    context, lines = build(invoices)
    built = time.perf_counter() - started
    started, cpu = time.perf_counter(), time.process_time()
    proposals = match_lines(lines, context)
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    applied = sum(1 for p in proposals if p.outcome.value == "apply")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{invoices:>9,} invoices {len(context.customers):>7,} customers {len(lines):>8,} lines: "
        f"records {built:6.1f} s, engine {took:6.1f} s (CPU {cpu:5.1f} s) = "
        f"{len(lines) / took:7,.0f} lines/s, "
        f"applied {applied / len(lines):.1%}, peak RSS {peak:,.0f} MiB",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--invoices", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(args.invoices[0])
        return
    for size in args.invoices:
        subprocess.run(
            [sys.executable, "-m", "bench.match_scale", "--one", "--invoices", str(size)],
            check=True,
        )


if __name__ == "__main__":
    main()
