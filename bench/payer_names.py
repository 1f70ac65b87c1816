"""Benchmark: payer names on look-alike customer lists, customers recognised vs strangers taken.

Usage: .venv/bin/python -m bench.payer_names [--customers 100 500 2000] [--seed 1]

Customer names are drawn from a small vocabulary (`bench.cashapp_names`), so many share
words (several `X Supply`, `X Supply West`). For each list size: the bank text of each
customer's name as a bank writes it (cut, abbreviated, vowels dropped, suffix left out)
and of as many other companies of the same vocabulary that are not customers (no name with
the same words is on the books). Prints the share of customers recognised as themselves,
recognised as another customer, and strangers taken for a customer. A stranger whose name
differs from a customer's by one common word only (`Granite Chemicals` for Granite
Chemicals West) is counted as taken although a clerk might accept it.
"""

from __future__ import annotations

import argparse
import random
from datetime import date
from decimal import Decimal

from arbridge.domain.records import BankLine, Customer
from arbridge.matching import MatchSettings
from arbridge.matching.names import name_words
from arbridge.matching.payers import PayerIndex
from arbridge.matching.settings import PayerHints
from bench.cashapp_names import as_bank_writes, company_names


def _line(text: str) -> BankLine:
    return BankLine(
        account="op",
        bank_id="T",
        booked_on=date(2026, 11, 2),
        amount=Decimal("100.00"),
        currency="USD",
        description=text,
    )


def run(size: int, seed: int) -> str:
    rng = random.Random(seed)
    names = company_names(rng, size * 2)
    customers = {f"C{i}": Customer(customer_id=f"C{i}", name=n) for i, n in enumerate(names[:size])}
    on_books = {name_words(n) for n in names[:size]}
    strangers = [n for n in names[size:] if name_words(n) not in on_books]
    index, settings = PayerIndex(customers, PayerHints()), MatchSettings()
    right = wrong = 0
    for customer_id, customer in customers.items():
        found = index.identify(_line(as_bank_writes(rng, customer.name)), settings)
        right += found is not None and found.customer_id == customer_id
        wrong += found is not None and found.customer_id != customer_id
    taken = sum(
        index.identify(_line(as_bank_writes(rng, n)), settings) is not None for n in strangers
    )
    return (
        f"{size:>6,} customers: recognised {right / size:6.1%}, as another customer "
        f"{wrong / size:5.1%}; strangers taken {taken:>5,} / {len(strangers):,} "
        f"= {taken / max(len(strangers), 1):5.1%}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, nargs="+", default=[100, 500, 2000])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    for size in args.customers:
        print(run(size, args.seed), flush=True)


if __name__ == "__main__":
    main()
