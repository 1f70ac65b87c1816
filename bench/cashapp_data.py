"""A synthetic AR dataset in the contract layout with the answer a careful clerk would give.

`generate(folder, lines=..., seed=...)` writes DATA/erp/*.csv, DATA/bank/statement.csv
and DATA/truth.csv. Each truth row names the line's case, whether a clerk would apply it
without asking (`apply`), and the allocations they would make as
`invoice:cash:adjustment:reason` separated by spaces (credit rows have an empty invoice).
Typing slips, shortened names and EDI remittance come from `bench.cashapp_cases`. A payment
that one invoice and a combination of others both equal is not applied without asking.
"""

from __future__ import annotations

import csv
import itertools
import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from bench import cashapp_cases
from bench.cashapp_formats import WRITERS
from bench.cashapp_model import Inv, Line, full
from bench.cashapp_names import STRANGERS, as_bank_writes, company_names

CENT = Decimal("0.01")
TODAY = date(2026, 11, 20)
STYLES = ("INV-{:05d}", "{:06d}", "SI/2026/{:05d}", "A{:07d}", "INV{:04d}")
CASES = {
    "exact_ref": 22,
    "mangled_ref": 14,
    "multi_listed": 7,
    "multi_partly_listed": 3,
    "multi_unlisted": 5,
    "amount_only": 10,
    "partial": 4,
    "discount": 6,
    "discount_late": 1.5,
    "bank_fee": 4,
    "overpayment": 2,
    "parent_pays": 4,
    "non_customer": 4,
    "duplicate": 2,
    "lookalike": 2,
    "unidentifiable": 3,
    **cashapp_cases.CASES,
}
NON_AR = (
    "INTEREST PAYMENT",
    "INTEREST CREDIT OCT",
    "BOOK TRANSFER FROM SAVINGS",
    "TRANSFER FROM ACCT 4471",
    "VENDOR REFUND OFFICE DEPOT",
    "IRS TREAS 310 TAX REF",
    "REVERSAL OF FEE",
    "CASHBACK REWARD",
)


class _World:
    def __init__(self, rng: random.Random, customers: int) -> None:
        self.rng = rng
        self.style = rng.choice(STYLES)
        self.names = company_names(rng, customers)
        self.parent = {c: rng.randrange(c) for c in range(1, customers) if rng.random() < 0.1}
        self.terms = [
            rng.choice(("NET30", "NET30", "NET45", "2/10 NET30", "1/15 NET45"))
            for _ in range(customers)
        ]
        self.invoices: list[Inv] = []
        self.ids: set[str] = set()
        self.free: dict[int, list[Inv]] = {}
        for c in range(customers):
            for _ in range(rng.randint(2, 9)):
                self.new_invoice(c)

    def new_invoice(
        self, customer: int, amount: Decimal | None = None, issued: date | None = None
    ) -> Inv:
        n = 1000 + 3 * len(self.invoices) + self.rng.randint(0, 2)
        while self.style.format(n) in self.ids:
            n += 1
        amount = amount or Decimal(self.rng.randint(5_000, 2_500_000)) / 100
        issued = issued or TODAY - timedelta(days=self.rng.randint(5, 70))
        inv = Inv(self.style.format(n), customer, issued, amount, amount, self.terms[customer])
        self.ids.add(inv.invoice_id)
        self.invoices.append(inv)
        self.free.setdefault(customer, []).append(inv)
        return inv

    def take(self, customer: int) -> Inv:
        pool = self.free[customer]
        if not pool:
            inv = self.new_invoice(customer)
            pool.remove(inv)
            return inv
        return pool.pop(self.rng.randrange(len(pool)))

    def family(self, customer: int) -> list[int]:
        return [customer, *(c for c, p in self.parent.items() if p == customer)]

    def payer_text(self, customer: int) -> str:
        return as_bank_writes(self.rng, self.names[customer])


def mangle(rng: random.Random, invoice_id: str) -> str:
    """The invoice number as customers type it."""
    digits = "".join(ch for ch in invoice_id if ch.isdigit())
    short = digits.lstrip("0")
    options = [
        invoice_id.lower(),
        invoice_id.replace("-", " "),
        invoice_id.replace("-", "").replace("/", ""),
        "#" + short,
        short,
        "INV " + short,
        invoice_id.replace("-", " - "),
    ]
    if len(short) >= 4:
        i = rng.randrange(len(short) - 1)
        if short[i] != short[i + 1]:
            options.append(short[:i] + short[i + 1] + short[i] + short[i + 2 :])
    return rng.choice(options)


def _remit(rng: random.Random, refs: list[str]) -> str:
    joined = rng.choice((" ", ", ", " / ", " & ")).join(refs)
    return rng.choice(
        ("PAYMENT {}", "INV {}", "REMIT {}", "ACH CREDIT {}", "{}", "PMT INVOICES {}", "RE: {}")
    ).format(joined)


def _plain(rng: random.Random) -> str:
    return rng.choice(("ACH CREDIT", "PAYMENT", "WIRE IN", "REMITTANCE", "CCD PAYMENT", ""))


def _named(
    w: _World,
    c: int,
    day: date,
    invs: list[Inv],
    *,
    amount: Decimal,
    case: str,
    mangled: bool = False,
    payer: int | None = None,
) -> Line:
    refs = [mangle(w.rng, i.invoice_id) if mangled else i.invoice_id for i in invs]
    text = (w.payer_text(c if payer is None else payer), _remit(w.rng, refs))
    return Line(day, text, amount, case, True, [full(i) for i in invs])


def exact_ref(w: _World, c: int, day: date) -> list[Line]:
    inv = w.take(c)
    return [_named(w, c, day, [inv], amount=inv.open, case="exact_ref")]


def mangled_ref(w: _World, c: int, day: date) -> list[Line]:
    inv = w.take(c)
    return [_named(w, c, day, [inv], amount=inv.open, case="mangled_ref", mangled=True)]


def multi_listed(w: _World, c: int, day: date) -> list[Line]:
    invs = [w.take(c) for _ in range(w.rng.randint(2, 4))]
    total = sum((i.open for i in invs), Decimal(0))
    return [
        _named(w, c, day, invs, amount=total, case="multi_listed", mangled=w.rng.random() < 0.3)
    ]


def multi_partly_listed(w: _World, c: int, day: date) -> list[Line]:
    invs = [w.take(c) for _ in range(w.rng.randint(2, 3))]
    total = sum((i.open for i in invs), Decimal(0))
    line = _named(w, c, day, invs[:1], amount=total, case="multi_partly_listed")
    line.alloc = [full(i) for i in invs]
    return [line]


def multi_unlisted(w: _World, c: int, day: date) -> list[Line]:
    invs = [w.take(c) for _ in range(w.rng.randint(2, 3))]
    total = sum((i.open for i in invs), Decimal(0))
    return [
        Line(
            day,
            (w.payer_text(c), _plain(w.rng)),
            total,
            "multi_unlisted",
            True,
            [full(i) for i in invs],
        )
    ]


def amount_only(w: _World, c: int, day: date) -> list[Line]:
    inv = w.take(c)
    return [Line(day, (w.payer_text(c), _plain(w.rng)), inv.open, "amount_only", True, [full(inv)])]


def partial(w: _World, c: int, day: date) -> list[Line]:
    inv = w.take(c)
    paid = (inv.open * Decimal(w.rng.randint(20, 80)) / 100).quantize(CENT)
    line = _named(w, c, day, [inv], amount=paid, case="partial")
    line.alloc = [(inv.invoice_id, paid, Decimal(0), "")]
    return [line]


def _discount_invoice(
    w: _World, c: int, day: date, days_after: int
) -> tuple[Inv, Decimal, Decimal]:
    inv = w.new_invoice(c, issued=day - timedelta(days=days_after))
    w.free[c].remove(inv)
    inv.terms = w.rng.choice(("2/10 NET30", "1/15 NET45"))
    rate = Decimal("0.02") if inv.terms.startswith("2/") else Decimal("0.01")
    off = (inv.open * rate).quantize(CENT)
    return inv, inv.open - off, off


def discount(w: _World, c: int, day: date) -> list[Line]:
    inv, paid, off = _discount_invoice(w, c, day, w.rng.randint(1, 10))
    line = _named(w, c, day, [inv], amount=paid, case="discount", mangled=w.rng.random() < 0.3)
    line.alloc = [(inv.invoice_id, paid, off, "discount")]
    return [line]


def discount_late(w: _World, c: int, day: date) -> list[Line]:
    inv, paid, _ = _discount_invoice(w, c, day, w.rng.randint(22, 40))
    line = _named(w, c, day, [inv], amount=paid, case="discount_late")
    line.apply = False
    return [line]


def bank_fee(w: _World, c: int, day: date) -> list[Line]:
    inv = w.take(c)
    if inv.open < 300:
        inv = w.new_invoice(c, amount=Decimal(w.rng.randint(30_000, 900_000)) / 100)
        w.free[c].remove(inv)
    fee = w.rng.choice(
        (Decimal("10.00"), Decimal("12.50"), Decimal("15.00"), Decimal("20.00"), Decimal("25.00"))
    )
    line = _named(w, c, day, [inv], amount=inv.open - fee, case="bank_fee")
    line.alloc = [(inv.invoice_id, inv.open - fee, fee, "bank_fee")]
    return [line]


def overpayment(w: _World, c: int, day: date) -> list[Line]:
    inv = w.take(c)
    extra = Decimal(w.rng.randint(100, 4_999)) / 100
    line = _named(w, c, day, [inv], amount=inv.open + extra, case="overpayment")
    line.alloc = [full(inv), ("", extra, Decimal(0), "")]
    return [line]


def parent_pays(w: _World, c: int, day: date) -> list[Line]:
    if c not in w.parent:
        c = w.rng.choice(sorted(w.parent))
    inv = w.take(c)
    return [_named(w, c, day, [inv], amount=inv.open, case="parent_pays", payer=w.parent[c])]


def non_customer(w: _World, c: int, day: date) -> list[Line]:
    amount = Decimal(w.rng.randint(100, 900_000)) / 100
    return [Line(day, ("", w.rng.choice(NON_AR)), amount, "non_customer", False)]


def duplicate(w: _World, c: int, day: date) -> list[Line]:
    inv = w.take(c)
    if w.rng.random() < 0.5:
        inv.open = Decimal(0)  # paid before the ERP export
        line = _named(w, c, day, [inv], amount=inv.amount, case="duplicate")
        line.apply, line.alloc = False, []
        return [line]
    first = _named(w, c, day, [inv], amount=inv.open, case="exact_ref")
    again = Line(
        day + timedelta(days=w.rng.randint(1, 5)), first.text, first.amount, "duplicate", False
    )
    return [first, again]


def lookalike(w: _World, c: int, day: date) -> list[Line]:
    inv = w.take(c)
    w.new_invoice(c, amount=inv.open)
    return [Line(day, (w.payer_text(c), _plain(w.rng)), inv.open, "lookalike", False)]


def unidentifiable(w: _World, c: int, day: date) -> list[Line]:
    amount = Decimal(w.rng.randint(5_000, 2_000_000)) / 100
    return [Line(day, (w.rng.choice(STRANGERS), _plain(w.rng)), amount, "unidentifiable", False)]


MAKERS: dict[str, Callable[[_World, int, date], list[Line]]] = {
    name: cashapp_cases.MAKERS.get(name) or globals()[name] for name in CASES
}
AMOUNT_ONLY = frozenset({"amount_only", "multi_unlisted", "lookalike", *cashapp_cases.NAME_CASES})
MAX_SUBSET = 4


def _combos(opens: list[tuple[str, Decimal]], amount: Decimal) -> list[tuple[str, ...]]:
    found = []
    for size in range(2, min(MAX_SUBSET, len(opens)) + 1):
        for combo in itertools.combinations(opens, size):
            if sum((r for _, r in combo), Decimal(0)) == amount:
                found.append(tuple(i for i, _ in combo))
                if len(found) > 1:
                    return found
    return found


def _settle(w: _World, lines: list[Line]) -> None:
    """Decide what a careful clerk applies, named lines first, then amount-only, by date."""
    remaining = {i.invoice_id: i.open for i in w.invoices}
    owned: dict[int, list[str]] = {}
    for inv in w.invoices:
        owned.setdefault(inv.customer, []).append(inv.invoice_id)
    order = sorted(range(len(lines)), key=lambda k: (lines[k].case in AMOUNT_ONLY, lines[k].day, k))
    for k in order:
        line = lines[k]
        fam = [
            (i, remaining[i])
            for c in w.family(line.customer)
            for i in owned.get(c, ())
            if remaining[i] > 0
        ]
        if line.case in AMOUNT_ONLY:
            same = [i for i, r in fam if r == line.amount]
            others = [(i, r) for i, r in fam if r != line.amount]
            picks = [(i,) for i in same] + _combos(others, line.amount)  # both fit: ask
            line.apply = len(picks) == 1
            if line.case in cashapp_cases.NAME_CASES:
                line.apply = line.apply and cashapp_cases.name_unique(
                    w.names, line.case, line.customer
                )
            line.alloc = [(i, remaining[i], Decimal(0), "") for i in picks[0]] if line.apply else []
        elif line.case == "multi_partly_listed":
            listed = line.alloc[0][0]
            extra = line.amount - remaining[listed]
            rest = [(i, r) for i, r in fam if i != listed]
            picks = [(i,) for i, r in rest if r == extra] or _combos(rest, extra)
            line.apply = len(picks) == 1
            line.alloc = (
                [(listed, remaining[listed], Decimal(0), "")]
                + [(i, remaining[i], Decimal(0), "") for i in picks[0]]
                if line.apply
                else []
            )
        if line.apply:
            for invoice_id, cash, adjustment, _ in line.alloc:
                if invoice_id:
                    remaining[invoice_id] -= cash + adjustment


def generate(folder: Path, *, lines: int, seed: int, fmt: str = "csv") -> None:
    """Write a dataset of about `lines` bank lines in the contract layout, with truth.csv.

    `fmt` is the statement format: `csv` (the contract's), `ofx` (2.x XML) or `camt` (053).
    """
    rng = random.Random(seed)
    world = _World(rng, customers=max(lines // 4, 20))
    weights = list(CASES.values())
    made: list[Line] = []
    while len(made) < lines:
        case = rng.choices(list(CASES), weights)[0]
        customer = rng.randrange(len(world.names))
        day = date(2026, 11, 1) + timedelta(days=rng.randint(0, 18))
        for line in MAKERS[case](world, customer, day):
            line.customer = (
                customer if case != "parent_pays" else world.parent.get(customer, customer)
            )
            made.append(line)
    _settle(world, made)
    _write(folder, world, made, fmt)


def _write(folder: Path, world: _World, made: list[Line], fmt: str) -> None:
    (folder / "erp").mkdir(parents=True)
    (folder / "bank").mkdir()
    with (folder / "erp" / "customers.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["customer_id", "name", "parent_id", "terms", "currency"])
        for c, name in enumerate(world.names):
            parent = f"C{world.parent[c]:05d}" if c in world.parent else ""
            out.writerow([f"C{c:05d}", name, parent, world.terms[c], "USD"])
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
        for inv in world.invoices:
            due = inv.issued + timedelta(days=30)
            out.writerow(
                [
                    inv.invoice_id,
                    f"C{inv.customer:05d}",
                    inv.issued,
                    due,
                    inv.amount,
                    inv.open,
                    "USD",
                    inv.terms,
                    "",
                ]
            )
    rows = [
        (f"TX{n:07d}", line.day, line.text[0], line.text[1], line.amount)
        for n, line in enumerate(made)
    ]
    WRITERS[fmt](folder / "bank", rows)
    with (folder / "truth.csv").open("w", newline="", encoding="utf-8") as th:
        truth = csv.writer(th)
        truth.writerow(["bank_transaction_id", "case", "apply", "allocations"])
        for (tx, *_), line in zip(rows, made, strict=True):
            alloc = " ".join(f"{i}:{c:.2f}:{a:.2f}:{r}" for i, c, a, r in line.alloc)
            truth.writerow([tx, line.case, int(line.apply), alloc])
