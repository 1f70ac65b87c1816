"""Which bank line each payment already recorded in the ERP is: links with no guessing.

A payment recorded by a person is linked to a bank line only on evidence that leaves one
candidate on both sides:

1. Text: the payment's reference or memo carries the line's bank id (a long one on its
   own; a short one with the amount), or another reference of the line (a check number,
   an end-to-end id) together with the amount, a digit transposition of it, or the
   payer's own customer. Several payments may name one line (recorded twice, or split).
2. Amount: the same amount within a few days, from the customer the line's payer is (or
   its family); or, when neither side has any other candidate, a distinctive amount
   within a tighter window (how a payment posted to the wrong customer is found).
3. A digit transposition of the amount from the payer's customer within the window.

Where the evidence points at more than one candidate, or an amount from the payer within
a few cents, the line is `unsure`: it must be asked about, never posted nor linked.
Payments naming a line that was decided earlier (`decided`) are `settled` on it.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from arbridge.domain.posted import PostedPayment
from arbridge.domain.records import BankLine
from arbridge.matching.context import Books
from arbridge.matching.engine import MatchContext
from arbridge.matching.erp_amounts import (
    AMOUNT_AFTER,
    AMOUNT_BEFORE,
    by_amount,
    distinctive,
    transposed,
)
from arbridge.matching.ledger import Ledger
from arbridge.matching.payers import PayerIndex
from arbridge.matching.references import ReferenceIndex, RefHow
from arbridge.matching.settings import MatchSettings

TEXT_DAYS = 90
"""A payment naming a line is at most this many days from it."""
LONG_ID = 6
"""A bank id this long (letters and digits, with a digit) is specific enough on its own."""
SHORT_REF = 3
"""References and check numbers shorter than this are never compared."""
"""A bank id this long (letters and digits) is specific enough to link on by itself."""

_SPLIT = re.compile(r"[\s,;/|()\[\]]+")
_NOT_WORD = re.compile(r"[^0-9A-Z]")
_CHECK = re.compile(
    r"\b(?:CHECK|CHEQUE|CHK|CK|CHQ)\s*(?:NO\.?|NBR|NUMBER|NUM)?\s*[#:.]?\s*0*(\d{3,})\b"
)
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class LineRef:
    """A line decided in an earlier cycle: only its bank id and account are needed."""

    key: int
    account: str
    bank_id: str
    recorded: bool
    """Whether the line is set aside as recorded in the ERP already (else arbridge decided it)."""


@dataclass(slots=True)
class Links:
    """What the linker found, by line key (the caller's bank line id)."""

    linked: dict[int, list[str]] = field(default_factory=dict)
    """Line -> the payments recording it."""
    how: dict[int, str] = field(default_factory=dict)
    """Line -> the evidence of its link, in words."""
    unsure: dict[int, list[str]] = field(default_factory=dict)
    """Line -> the payments that may record it (ask a person)."""
    settled: dict[str, int] = field(default_factory=dict)
    """Payment -> the line arbridge decided earlier that its reference names."""
    joined: dict[str, int] = field(default_factory=dict)
    """Payment -> the line recorded in the ERP earlier that its reference names (a second recording)."""


def normalise(token: str) -> str:
    """Letters and digits upper-cased; a number without its leading zeros."""
    word = _NOT_WORD.sub("", token.upper())
    return (word.lstrip("0") or "0") if word.isdigit() else word


def payment_tokens(payment: PostedPayment) -> frozenset[str]:
    """The normalised words, neighbouring pairs, whole fields and digit runs of reference and memo."""
    out: set[str] = set()
    for text in (payment.reference, payment.memo):
        if not text.strip():
            continue
        words = [w for w in (normalise(t) for t in _SPLIT.split(text) if t) if w]
        out.add(normalise(text))
        out.update(words)
        out.update(a + b for a, b in itertools.pairwise(words))  # `TX 88231`
        out.update(d.lstrip("0") for d in _DIGITS.findall(text) if len(d.lstrip("0")) >= SHORT_REF)
    out.discard("")
    return frozenset(out)


def line_keys(line: BankLine) -> tuple[str, frozenset[str]]:
    """The line's normalised bank id, and its other references (check numbers and the like)."""
    others = {normalise(r) for r in line.references if r.strip()}
    others.update(m.lstrip("0") for m in _CHECK.findall(line.description.upper()))
    others = {o for o in others if len(o) >= SHORT_REF}
    own = normalise(line.bank_id)
    others.discard(own)
    return own, frozenset(others)


def _strong_id(bank_id: str) -> bool:
    return len(bank_id) >= LONG_ID and any(c.isdigit() for c in bank_id)


def _days(payment: PostedPayment, line: BankLine) -> int:
    return (payment.paid_on - line.booked_on).days


class Linker:
    """The lines, who paid each, and their indexes; collects the links of one run."""

    def __init__(self, lines: Sequence[tuple[int, BankLine]], books: Books) -> None:
        self.books = books
        self.lines = {k: line for k, line in lines if line.is_credit}
        self.payer: dict[int, str | None] = {k: self._payer(line) for k, line in self.lines.items()}
        self.by_id: dict[str, list[int]] = defaultdict(list)
        self.by_other: dict[str, list[int]] = defaultdict(list)
        for k, line in self.lines.items():
            own, others = line_keys(line)
            self.by_id[own].append(k)
            for other in others:
                self.by_other[other].append(k)
        self.by_amount: dict[Decimal, list[int]] = defaultdict(list)
        self.by_payer: dict[str, list[int]] = defaultdict(list)
        for k, line in self.lines.items():
            self.by_amount[line.amount].append(k)
            payer = self.payer[k]
            if payer is not None:
                self.by_payer[payer].append(k)
        self.out = Links()
        self._span: tuple[date, date] | None = None

    def _payer(self, line: BankLine) -> str | None:
        found = self.books.payers.identify(line, self.books.settings)
        if found is not None:
            return found.customer_id
        owners = {
            self.books.ledger.by_id[i].customer_id
            for hit in self.books.refs.find(line.description, line.references)
            if hit.how in (RefHow.EXACT, RefHow.NORMALISED, RefHow.PO)
            for i in hit.invoice_ids
            if i in self.books.ledger.by_id
        }
        return owners.pop() if len(owners) == 1 else None

    def named(self, key: int) -> frozenset[str]:
        """The invoices the line's remittance names without doubt."""
        line = self.lines[key]
        return frozenset(
            i
            for hit in self.books.refs.find(line.description, line.references)
            if hit.how in (RefHow.EXACT, RefHow.NORMALISED, RefHow.PO)
            for i in hit.invoice_ids
        )

    def agrees(self, key: int, payment: PostedPayment) -> bool:
        """Whether the payment's customer is the line's payer or of its family."""
        payer = self.payer[key]
        ledger = self.books.ledger
        if payer is None or payment.customer_id not in ledger.customers:
            return False
        return ledger.related(payer, payment.customer_id) or ledger.related(
            payment.customer_id, payer
        )

    # -- text ---------------------------------------------------------------------------
    def by_text(
        self, payment: PostedPayment, decided: Mapping[str, list[LineRef]]
    ) -> set[int] | None:
        """Lines the payment's text names (None when it names none); settles decided ones."""
        tokens = payment_tokens(payment)
        named: dict[int, str] = {}
        for token in tokens:
            for k in self.by_id.get(token, ()):
                if self._id_fits(payment, k, token, tokens):
                    named[k] = f"the ERP payment's reference names bank id {self.lines[k].bank_id}"
            for k in self.by_other.get(token, ()):
                if k not in named and self._other_fits(payment, k):
                    named[k] = f"the ERP payment's reference names the line's reference {token}"
        if not named:
            earlier = {r for t in tokens if _strong_id(t) for r in decided.get(t, ())}
            if len(earlier) == 1:
                ref = earlier.pop()
                into = self.out.joined if ref.recorded else self.out.settled
                into[payment.payment_id] = ref.key
            return None
        for k, why in named.items():
            self.out.how.setdefault(k, why)
        return set(named)

    def _id_fits(
        self, payment: PostedPayment, key: int, token: str, tokens: frozenset[str]
    ) -> bool:
        line = self.lines[key]
        if abs(_days(payment, line)) > TEXT_DAYS:
            return False
        if _strong_id(token):
            return True
        whole = {normalise(t) for t in (payment.reference, payment.memo) if t.strip()}
        return token in whole and payment.amount == line.amount

    def _other_fits(self, payment: PostedPayment, key: int) -> bool:
        line = self.lines[key]
        if abs(_days(payment, line)) > TEXT_DAYS:
            return False
        return (
            payment.amount == line.amount
            or transposed(payment.amount, line.amount)
            or self.agrees(key, payment)
        )

    # -- amount -------------------------------------------------------------------------
    def near_some_line(self, payment: PostedPayment) -> bool:
        """Whether any line is within the amount window (most old payments are not)."""
        if not self.lines:
            return False
        if self._span is None:
            days = [line.booked_on for line in self.lines.values()]
            self._span = (min(days), max(days))
        first, last = self._span
        return (first - payment.paid_on).days <= AMOUNT_BEFORE and (
            payment.paid_on - last
        ).days <= AMOUNT_AFTER

    def in_window(self, payment: PostedPayment, key: int, before: int, after: int) -> bool:
        """Whether the payment was recorded from `before` days before the line to `after` after."""
        return -before <= _days(payment, self.lines[key]) <= after

    def amount_candidates(self, payment: PostedPayment) -> list[int]:
        """Lines of exactly the payment's amount within the amount window."""
        return [
            k
            for k in self.by_amount.get(payment.amount, ())
            if self.in_window(payment, k, AMOUNT_BEFORE, AMOUNT_AFTER)
        ]


def books_for(context: MatchContext, settings: MatchSettings) -> Books:
    """The indexes over the ERP's books that linking and checking share (built once per cycle)."""
    return Books(
        ledger=Ledger(context.customers, context.invoices),
        refs=ReferenceIndex(context.invoices),
        payers=PayerIndex(context.customers, context.hints),
        settings=settings,
        hints=context.hints,
    )


def link_payments(
    lines: Sequence[tuple[int, BankLine]],
    payments: Iterable[PostedPayment],
    books: Books,
    *,
    decided: Mapping[str, list[LineRef]] | None = None,
) -> Links:
    """Link payments recorded in the ERP to the bank lines (not yet decided) they record.

    Args:
        lines: (key, line) of the lines not decided yet; only credits are considered.
        payments: payments not linked yet (none of arbridge's own postings).
        books: the ERP's customers and invoices (`books_for`), to tell who paid a line.
        decided: lines decided earlier, by normalised bank id (to settle payments naming them).
    """
    linker = Linker(lines, books)
    rest: list[PostedPayment] = []
    for payment in sorted(payments, key=lambda p: p.payment_id):
        if payment.amount <= 0:
            continue
        named = linker.by_text(payment, decided or {})
        if named is None:
            earlier = (
                payment.payment_id in linker.out.settled or payment.payment_id in linker.out.joined
            )
            if not earlier and linker.near_some_line(payment):
                rest.append(payment)
        elif len(named) == 1:
            linker.out.linked.setdefault(named.pop(), []).append(payment.payment_id)
        else:
            for k in named:
                linker.out.unsure.setdefault(k, []).append(payment.payment_id)
    by_amount(linker, rest)
    for k in list(linker.out.unsure):
        if k in linker.out.linked:  # a sure link elsewhere wins: the other candidates stay unlinked
            del linker.out.unsure[k]
    for k in linker.out.linked:
        linker.out.how.setdefault(k, "linked")
    for k in list(linker.out.how):
        if k not in linker.out.linked:
            del linker.out.how[k]
    return linker.out


__all__ = [
    "LineRef",
    "Linker",
    "Links",
    "books_for",
    "distinctive",
    "link_payments",
    "normalise",
    "transposed",
]
