"""Benchmark: the pure tax checks over a large ERP snapshot and certificate set.

Usage: .venv/bin/python -m bench.tax_checks [--invoices 200000] [--customers 5000]

Prints invoices checked per second and how many findings each flag produced.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from arbridge.domain.records import Customer, Invoice
from arbridge.domain.tax import TaxCertificate
from arbridge.taxcheck import by_customer, check_invoices, expiring, missing_customers

REGIONS = ("CA", "NV", "TX", "NY", "WA", "FL")


def _dataset(invoices: int, customers: int, rng: random.Random):
    custs = [Customer(customer_id=f"C{n:06d}", name=f"Customer {n}") for n in range(customers)]
    certs = [
        TaxCertificate(
            certificate_id=str(n),
            customer_codes=(c.customer_id,),
            signed_date=date(2025, 1, 1),
            expiration_date=date(2026, 1, 1) + timedelta(days=rng.randint(0, 700)),
            region=rng.choice(REGIONS),
        )
        for n, c in enumerate(custs)
        if rng.random() < 0.4
    ]
    invs = []
    for n in range(invoices):
        amount = Decimal(rng.randint(1000, 500000)) / 100
        tax = (
            Decimal(0)
            if rng.random() < 0.3
            else (amount * Decimal("0.0825")).quantize(Decimal("0.01"))
        )
        day = date(2026, 1, 1) + timedelta(days=rng.randint(0, 320))
        invs.append(
            Invoice(
                invoice_id=f"INV-{n:07d}",
                customer_id=rng.choice(custs).customer_id,
                invoice_date=day,
                due_date=day,
                amount=amount + tax,
                open_amount=amount + tax,
                tax_amount=tax,
                ship_to_region=rng.choice(REGIONS),
            )
        )
    return custs, invs, certs


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--invoices", type=int, default=200_000)
    parser.add_argument("--customers", type=int, default=5_000)
    args = parser.parse_args()
    customers, invoices, certs = _dataset(args.invoices, args.customers, random.Random(1))
    started = time.perf_counter()
    grouped = by_customer(certs)
    findings = check_invoices(invoices, grouped)
    findings += expiring(certs, today=date(2026, 11, 23), within_days=30)
    findings += missing_customers(customers, invoices, [c.customer_id for c in customers[::2]])
    elapsed = time.perf_counter() - started
    print(f"{len(invoices)} invoices, {len(customers)} customers, {len(certs)} certificates")
    print(f"checked in {elapsed:.2f}s: {len(invoices) / elapsed:,.0f} invoices/s")
    for flag, count in sorted(Counter(f.flag.value for f in findings).items()):
        print(f"  {flag}: {count}")


if __name__ == "__main__":
    main()
