"""Cases of issue 20 for the cash-application dataset: typing slips, shortened names, EDI remittance.

- `transposed`: two adjacent digits of a zero-padded number swapped, and the number as
  typed is another customer's invoice (dense numbering); a clerk applies it.
- `transposed_twofit`: two open invoices of the payer each fit with one swap: refused.
- `rail_name`: the payer's name with Group/Holdings dropped and a rail word added
  (`PRAIRIE MECHANICAL CCD`), amount only; applied when exactly one customer fits.
- `abbreviated_name`: every word of the name cut to four letters (`REDW PRAI WHOL`).
- `structured`: an X12 820 remittance (RMR segments) listing invoices, paid amounts and
  discounts that add up; in camt it becomes `RmtInf/Strd` with `RfrdDocAmt`.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from bench.cashapp_model import Inv, Line, full

if TYPE_CHECKING:
    from bench.cashapp_data import _World

CENT = Decimal("0.01")
MIN_WORDS = 2
OPTIONAL = {"Group", "Holdings"}
LEGAL = {"Inc", "Inc.", "LLC", "Corp", "Co", "Ltd", "&", "Sons", "Corporation", "L.L.C.", "Company"}
RAILS = ("CCD", "PPD", "ACH CREDIT", "CTX", "WIRE", "PAYMENT", "REMIT ADV")
RMR_SEGMENT = re.compile(r"RMR\*IV\*([^*]+)\*PI\*([\d.]+)\*([\d.]*)\*([\d.]*)")


def _digits_swapped(rng: random.Random, invoice_id: str) -> str | None:
    """The invoice number with one adjacent pair of its digits swapped, padding kept."""
    spots = [
        i
        for i in range(len(invoice_id) - 1)
        if invoice_id[i].isdigit()
        and invoice_id[i + 1].isdigit()
        and invoice_id[i] != invoice_id[i + 1]
    ]
    if not spots:
        return None
    i = rng.choice(spots)
    return invoice_id[:i] + invoice_id[i + 1] + invoice_id[i] + invoice_id[i + 2 :]


def _with_id(w: _World, customer: int, invoice_id: str) -> Inv:
    inv = w.new_invoice(customer)
    w.free[customer].remove(inv)
    w.ids.discard(inv.invoice_id)
    inv.invoice_id = invoice_id
    w.ids.add(invoice_id)
    return inv


def _other(w: _World, c: int) -> int:
    return (c + 1 + w.rng.randrange(len(w.names) - 1)) % len(w.names)


def transposed(w: _World, c: int, day: date) -> list[Line]:
    inv = w.take(c)
    typed = _digits_swapped(w.rng, inv.invoice_id)
    if typed is None or typed in w.ids:
        return []
    _with_id(w, _other(w, c), typed)  # the number as typed is another customer's invoice
    digits = typed if typed[0].isdigit() else typed.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ-/")
    text = (w.payer_text(c), w.rng.choice(("PAYMENT {}", "INV {}", "{}", "RE {}")).format(digits))
    return [Line(day, text, inv.open, "transposed", True, [full(inv)])]


def transposed_twofit(w: _World, c: int, day: date) -> list[Line]:
    inv = w.take(c)
    typed = _digits_swapped(w.rng, inv.invoice_id)
    if typed is None or typed in w.ids:
        return []
    twin = _digits_swapped(w.rng, typed)
    if twin is None or twin == inv.invoice_id or twin in w.ids:
        return []
    _with_id(w, c, twin).open = inv.open  # a second invoice of the payer that fits as well
    text = (w.payer_text(c), f"PAYMENT {typed}")
    return [Line(day, text, inv.open, "transposed_twofit", False)]


def short_name(name: str) -> str:
    """The name without legal-form and optional words, as the clerk compares names."""
    return " ".join(p for p in name.split() if p not in LEGAL and p not in OPTIONAL).upper()


def rail_name(w: _World, c: int, day: date) -> list[Line]:
    words = w.names[c].split()
    if not OPTIONAL & set(words) or len(short_name(w.names[c]).split()) < MIN_WORDS:
        return []  # one word left (`NORTHSTAR`) names no one company
    inv = w.take(c)
    text = f"{short_name(w.names[c])} {w.rng.choice(RAILS)}"
    return [Line(day, (text, ""), inv.open, "rail_name", True, [full(inv)])]


def abbreviated(name: str) -> str:
    """Every name word cut to four letters: `REDW PRAI WHOL`."""
    return " ".join(p[:4] for p in short_name(name).split())


def abbreviated_name(w: _World, c: int, day: date) -> list[Line]:
    if len(short_name(w.names[c]).split()) < MIN_WORDS:
        return []
    inv = w.take(c)
    text = (abbreviated(w.names[c]), w.rng.choice(("", "ACH CREDIT", "PAYMENT")))
    return [Line(day, text, inv.open, "abbreviated_name", True, [full(inv)])]


def structured(w: _World, c: int, day: date) -> list[Line]:
    invs = [w.take(c) for _ in range(w.rng.randint(1, 3))]
    segments, alloc = [], []
    for inv in invs:
        off = (inv.open * Decimal("0.02")).quantize(CENT) if w.rng.random() < 0.3 else Decimal(0)
        paid = inv.open - off
        segments.append(
            f"RMR*IV*{inv.invoice_id}*PI*{paid:.2f}*{inv.open:.2f}*{off:.2f}~"
            if off
            else f"RMR*IV*{inv.invoice_id}*PI*{paid:.2f}~"
        )
        alloc.append((inv.invoice_id, paid, off, "discount" if off else ""))
    total = sum((a[1] for a in alloc), Decimal(0))
    text = (w.payer_text(c), "CTX " + "".join(segments))
    return [Line(day, text, total, "structured", True, alloc)]


CASES: dict[str, float] = {
    "transposed": 2,
    "transposed_twofit": 0.5,
    "rail_name": 2,
    "abbreviated_name": 1,
    "structured": 2,
}
MAKERS: dict[str, Callable[[_World, int, date], list[Line]]] = {
    "transposed": transposed,
    "transposed_twofit": transposed_twofit,
    "rail_name": rail_name,
    "abbreviated_name": abbreviated_name,
    "structured": structured,
}
NAME_CASES = {"rail_name": short_name, "abbreviated_name": abbreviated}
"""Amount-only cases whose payer a clerk recognises only when no other customer reads the same."""


def name_unique(names: list[str], case: str, customer: int) -> bool:
    """Whether the shortened name reads as this customer alone.

    A name with a further word of its own (`Northwind Furniture West`) does not fit
    `NORT FURN`; one that differs only by words banks drop (Group, Inc) does.
    """
    shorten = NAME_CASES[case]
    mine = shorten(names[customer])
    return sum(1 for n in names if shorten(n) == mine) == 1
