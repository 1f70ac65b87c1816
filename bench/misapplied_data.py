"""Books where people posted a share of the bank lines by hand, some of them wrong.

Writes the contract layout (CONTRACT.md §1 and §6): customers, invoices (open amounts net
of everything recorded), one bank statement, and payments.csv. Hand-posted lines are
recorded right, or wrong in one way: another customer, another invoice, two digits of the
amount swapped, recorded twice, or their invoice paid a second time by another recording.
References are typed as clerks type them: the bank id (in varying case and spacing), the
check number, or nothing. Payments with no bank line (cash, other accounts, old history)
fill payments.csv up to `--payments`.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from bench.cashapp_names import as_bank_writes, company_names

WRONG_KINDS = ("customer", "invoice", "transposed", "twice", "paid_twice")
START = date(2026, 11, 2)


@dataclass
class Truth:
    """What the generator did: the hand-posted lines and the wrong ones among them."""

    hand_posted: set[str] = field(default_factory=set)
    wrong: dict[str, str] = field(default_factory=dict)
    untouched: set[str] = field(default_factory=set)


@dataclass
class _Books:
    rng: random.Random
    customers: list[tuple[str, str]]
    invoices: dict[str, list[object]] = field(default_factory=dict)  # id -> row
    paid: dict[str, Decimal] = field(default_factory=dict)
    lines: list[list[str]] = field(default_factory=list)
    payments: list[list[str]] = field(default_factory=list)
    truth: Truth = field(default_factory=Truth)

    def invoice(self, customer: str, amount: Decimal) -> str:
        number = f"INV-{100000 + len(self.invoices)}"
        issued = START - timedelta(days=self.rng.randint(10, 60))
        self.invoices[number] = [number, customer, issued, issued + timedelta(days=30), amount]
        return number

    def pay(
        self, pid: str, customer: str, allocations: list[tuple[str, Decimal]], **kw: str
    ) -> None:
        for invoice_id, amount in allocations:
            self.payments.append(
                [
                    pid,
                    customer,
                    invoice_id,
                    f"{amount:.2f}",
                    kw["on"],
                    kw.get("ref", ""),
                    kw.get("memo", ""),
                ]
            )
            if invoice_id:
                self.paid[invoice_id] = self.paid.get(invoice_id, Decimal(0)) + amount


def _amount(rng: random.Random) -> Decimal:
    if rng.random() < 0.2:
        return Decimal(rng.randint(2, 200) * 50)
    return Decimal(rng.randint(10_000, 2_000_000)) / 100


def _swapped(amount: Decimal) -> Decimal | None:
    """The amount with its last two differing neighbouring digits swapped (no leading zero)."""
    text = f"{amount:.2f}"
    for i in range(len(text) - 2, -1, -1):
        a, b = text[i], text[i + 1]
        if a.isdigit() and b.isdigit() and a != b and not (i == 0 and b == "0"):
            return Decimal(text[:i] + b + a + text[i + 2 :])
    return None


def _typed_reference(rng: random.Random, bank_id: str, check: str | None) -> str:
    roll = rng.random()
    if roll < 0.45:
        return rng.choice(
            [
                bank_id,
                bank_id.lower(),
                f"{bank_id[:3]} {bank_id[3:]}",
                f"ref {bank_id}",
                f"{bank_id[:5]}-{bank_id[5:]}",
            ]
        )
    if roll < 0.6 and check:
        return rng.choice([check, f"CHK {check}", f"#{check}", f"check no {int(check)}"])
    return ""


def _line(b: _Books, n: int, customer: int) -> tuple[str, str, Decimal, str, str | None, date]:
    cid, name = b.customers[customer]
    amount = _amount(b.rng)
    invoice = b.invoice(cid, amount)
    day = START + timedelta(days=b.rng.randint(0, 25))
    bank_id = f"FT{n:08d}"
    check = f"{b.rng.randint(1000, 99999):05d}" if b.rng.random() < 0.3 else None
    text = as_bank_writes(b.rng, name)
    if b.rng.random() < 0.75:
        text += f" {invoice}"
    if check:
        text += f" CHECK {check}"
    b.lines.append([day.strftime("%m/%d/%Y"), text, f"{amount:.2f}", bank_id])
    return bank_id, cid, amount, invoice, check, day


def _hand_post(
    b: _Books, line: tuple[str, str, Decimal, str, str | None, date], kind: str | None
) -> None:
    bank_id, cid, amount, invoice, check, day = line
    rng = b.rng
    on = (day + timedelta(days=rng.randint(-3, 7))).isoformat()
    ref = _typed_reference(rng, bank_id, check)
    memo = rng.choice(["", "", "payment", "thank you", f"remit {invoice}"])
    pid = f"PMT-{len(b.payments) + 1:07d}"
    if kind == "transposed" and _swapped(amount) is None:
        kind = "invoice"
    if kind == "invoice" and " INV-" not in b.lines[-1][1]:
        kind = "customer"
    b.truth.hand_posted.add(bank_id)
    if kind is not None:
        b.truth.wrong[bank_id] = kind
    if kind == "customer":
        other = rng.choice([c for c, _ in b.customers[:50] if c != cid])
        b.pay(pid, other, [(b.invoice(other, amount), amount)], on=on, ref=ref, memo=memo)
    elif kind == "invoice":
        b.pay(pid, cid, [(b.invoice(cid, amount), amount)], on=on, ref=ref, memo=memo)
    elif kind == "transposed":
        b.pay(pid, cid, [(invoice, _swapped(amount) or amount)], on=on, ref=ref, memo=memo)
    elif kind == "twice":
        ref = ref or bank_id
        b.pay(pid, cid, [(invoice, amount)], on=on, ref=ref, memo=memo)
        b.pay(pid + "D", cid, [(invoice, amount)], on=on, ref=ref, memo="entered again")
    else:
        b.pay(pid, cid, [(invoice, amount)], on=on, ref=ref, memo=memo)
        if kind == "paid_twice":
            b.pay(pid + "C", cid, [(invoice, amount)], on=on, ref="cash", memo="counter payment")


def generate(
    folder: Path,
    *,
    lines: int,
    payments: int,
    seed: int,
    orphans: int | None = None,
    hand_share: float = 0.4,
    wrong_share: float = 0.2,
) -> Truth:
    """Write the books into `folder` (erp/, bank/) and return what is true about them.

    `orphans` payments (default a tenth of `lines`) are dated this month with no bank line
    (cash, another account); the rest of `payments` is last year's history.
    """
    rng = random.Random(seed)
    names = company_names(rng, max(50, lines // 4))
    b = _Books(rng=rng, customers=[(f"C{i:05d}", n) for i, n in enumerate(names)])
    for n in range(lines):
        made = _line(b, n, rng.randrange(len(b.customers)))
        if rng.random() < hand_share:
            kind = rng.choice(WRONG_KINDS) if rng.random() < wrong_share else None
            _hand_post(b, made, kind)
        else:
            b.truth.untouched.add(made[0])
    _history(b, payments - len(b.payments), lines // 10 if orphans is None else orphans)
    _write(folder, b)
    return b.truth


def _history(b: _Books, count: int, orphans: int) -> None:
    """Payments with no bank line here: months old, or cash and other accounts this month."""
    for n in range(max(count, 0)):
        cid = b.customers[b.rng.randrange(len(b.customers))][0]
        amount = _amount(b.rng)
        recent = n < orphans
        on = (
            START + timedelta(days=b.rng.randint(0, 25))
            if recent
            else date(2025, 1, 1) + timedelta(days=n % 300)
        )
        invoice = b.invoice(cid, amount)
        b.pay(
            f"OLD-{n:07d}",
            cid,
            [(invoice, amount)],
            on=on.isoformat(),
            memo="cash" if recent else "",
        )


def _write(folder: Path, b: _Books) -> None:
    (folder / "erp").mkdir(parents=True, exist_ok=True)
    (folder / "bank").mkdir(parents=True, exist_ok=True)
    with (folder / "erp" / "customers.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["customer_id", "name", "parent_id", "terms", "currency"])
        out.writerows([cid, name, "", "NET30", "USD"] for cid, name in b.customers)
    with (folder / "erp" / "invoices.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(
            [
                "invoice_id",
                "customer_id",
                "invoice_date",
                "due_date",
                "amount",
                "open_amount",
                "currency",
                "terms",
                "po_number",
            ]
        )
        for number, cid, issued, due, amount in b.invoices.values():
            assert isinstance(amount, Decimal)
            left = max(amount - b.paid.get(str(number), Decimal(0)), Decimal(0))
            out.writerow(
                [number, cid, issued, due, f"{amount:.2f}", f"{left:.2f}", "USD", "NET30", ""]
            )
    with (folder / "erp" / "payments.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(
            ["payment_id", "customer_id", "invoice_id", "amount", "date", "reference", "memo"]
        )
        out.writerows(b.payments)
    with (folder / "bank" / "statement.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["Date", "Description", "Amount", "Transaction ID"])
        out.writerows(b.lines)
