"""Invoice and PO numbers in free remittance text, however mangled, checked against an index.

A reference is found when a run of words in the text, compared without case,
spaces, dashes or `#`, is an invoice number; or when its digits, leading zeros
and prefix dropped, are the digits of one; or when swapping two adjacent digits
makes them so (a typing slip, marked `transposed` and trusted less), zero
padding kept as typed (`203459` for 023459). A number that names an invoice
also carries the invoices it would name with two digits swapped, for when the
one it names cannot be the payer's.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from arbridge.domain.records import Invoice
from arbridge.matching.postings import Postings

_WORD = re.compile(r"[A-Z0-9]+")
_NOT_DIGIT = re.compile(r"\D+")
_DIGIT_GROUP = re.compile(r"\d+")
_PREFIX = re.compile(r"[A-Z]*")
_JOINER = re.compile(r"[\s\-#/.:_]{0,3}")
_MAX_SPAN = 3
_MIN_BARE_DIGITS = 3
_MIN_TRANSPOSE_DIGITS = 4
_MIN_GROUPS = 2
_MARKERS = frozenset(
    {"INV", "INVS", "INVOICE", "INVOICES", "IN", "NO", "NR", "NUM", "REF", "BILL", "DOC"}
)


class RefHow(StrEnum):
    """How a reference was recognised, best first."""

    EXACT = "exact"
    NORMALISED = "normalised"
    PO = "po"
    TRANSPOSED = "transposed"


@dataclass(frozen=True, slots=True)
class RefHit:
    """Text that names one or more invoices (several when it cannot tell them apart)."""

    text: str
    invoice_ids: tuple[str, ...]
    how: RefHow
    alternatives: tuple[str, ...] = ()
    """Invoices the number names with two adjacent digits swapped (it may be mistyped)."""


def extract_tokens(text: str) -> frozenset[str]:
    """Every alphanumeric word of the text, upper-cased.

    >>> sorted(extract_tokens("Pmt inv-1001, INV-1002."))
    ['1001', '1002', 'INV', 'PMT']
    """
    return frozenset(_WORD.findall(text.upper()))


def normalise_document_id(value: str) -> str:
    """How document ids are compared: upper-case, surrounding blanks dropped."""
    return value.strip().upper()


def compact(value: str) -> str:
    """Upper-case letters and digits only: `inv-0042` -> `INV0042`."""
    return "".join(_WORD.findall(value.upper()))


def digits_key(value: str) -> str:
    """The digits of a value without leading zeros (empty when it has none)."""
    return _NOT_DIGIT.sub("", value).lstrip("0")


def transpositions(digits: str) -> Iterable[str]:
    """The digits with one adjacent pair swapped, each way it changes them."""
    for i in range(len(digits) - 1):
        if digits[i] != digits[i + 1]:
            yield digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]


class ReferenceIndex:
    """Invoices indexed by their number (compact and digits) and by PO number."""

    def __init__(self, invoices: Sequence[Invoice]) -> None:
        self._compact: Postings[str] = Postings()
        self._digits = _Digits()
        self._po: Postings[str] = Postings()
        self._prefixes: set[str] = set(_MARKERS)
        for inv in invoices:
            self._add_invoice(inv)

    def put(self, old: Invoice | None, new: Invoice) -> None:
        """Index `new` in place of `old` (its earlier version, None if it is new)."""
        if old is not None and (old.invoice_id, old.po_number) == (new.invoice_id, new.po_number):
            return
        if old is not None:
            for index, key in self._keys(old):
                index.discard(key, old.invoice_id)
        self._add_invoice(new)

    def _keys(self, inv: Invoice) -> Iterable[tuple[Postings[str] | _Digits, str]]:
        """Where `_add_invoice` files the invoice."""
        upper = inv.invoice_id.upper()
        plain = upper.replace("-", "")
        yield self._compact, plain if plain.isalnum() and plain.isascii() else compact(upper)
        groups = _DIGIT_GROUP.findall(upper)
        yield self._digits, "".join(groups).lstrip("0")
        if len(groups) > 1:
            yield self._digits, groups[-1].lstrip("0")
        if inv.po_number:
            yield self._po, compact(inv.po_number)
            yield self._po, digits_key(inv.po_number)

    def _add_invoice(self, inv: Invoice) -> None:
        upper = inv.invoice_id.upper()
        prefix = _PREFIX.match(upper)
        if prefix and prefix.group(0):
            self._prefixes.add(prefix.group(0))
        plain = upper.replace("-", "")  # the usual INV-0042, without the regular expression
        joined = plain if plain.isalnum() and plain.isascii() else "".join(_WORD.findall(upper))
        if joined:
            self._compact.add(joined, inv.invoice_id)
        groups = _DIGIT_GROUP.findall(upper)
        key = "".join(groups).lstrip("0")
        if key:
            self._digits.add(key, inv.invoice_id)
        last = groups[-1].lstrip("0") if len(groups) > 1 else ""
        if len(last) >= _MIN_BARE_DIGITS and last != key:
            self._digits.add(last, inv.invoice_id)
        if inv.po_number:
            po = compact(inv.po_number)
            if po:
                self._po.add(po, inv.invoice_id)
            po_digits = digits_key(inv.po_number)
            if len(po_digits) >= _MIN_TRANSPOSE_DIGITS:
                self._po.add(po_digits, inv.invoice_id)

    def find(self, text: str, extra: Sequence[str] = ()) -> list[RefHit]:
        """Every reference in `text` (and in structured `extra` references), in order."""
        hits: list[RefHit] = []
        seen: set[tuple[str, ...]] = set()
        for chunk in (text, *extra):
            for hit in self._scan(chunk.upper()):
                if hit.invoice_ids not in seen:
                    seen.add(hit.invoice_ids)
                    hits.append(hit)
        return hits

    def _scan(self, text: str) -> Iterable[RefHit]:
        words = list(_WORD.finditer(text))
        digits = [not w.group(0).isalpha() for w in words]  # [A-Z0-9]+: not alpha = a digit
        i = 0
        while i < len(words):
            if not digits[i] and words[i].group(0) not in self._prefixes:
                i += 1  # a number starts with digits or a known prefix
                continue
            for span in range(min(_MAX_SPAN, len(words) - i), 0, -1):
                run = words[i : i + span]
                if not any(digits[i : i + span]) or not _joinable(text, run):
                    continue
                hit = self._lookup(text, run, exact_only=span > 1)
                if hit is not None:
                    yield hit
                    i += span
                    break
            else:
                i += 1

    def _lookup(self, text: str, run: list[re.Match[str]], *, exact_only: bool) -> RefHit | None:
        raw = text[run[0].start() : run[-1].end()]
        joined = "".join(m.group(0) for m in run)
        ids = self._compact.get(joined) if not joined.isalpha() else ()
        if ids:
            how = RefHow.EXACT if any(raw == i.upper() for i in ids) else RefHow.NORMALISED
            return RefHit(raw, tuple(ids), how, self._swapped(joined, ids))
        digits = self._number(text, run, joined)
        if not digits:
            return None
        for index, how in ((self._digits, RefHow.NORMALISED), (self._po, RefHow.PO)):
            ids = index.get(digits) or (index.get(joined) if how is RefHow.PO else ())
            if ids:
                alternatives = self._swapped(joined, ids) if how is RefHow.NORMALISED else ()
                return RefHit(raw, tuple(ids), how, alternatives)
        groups = [len(g) for m in run for g in _DIGIT_GROUP.findall(m.group(0))]
        if exact_only and len(groups) < _MIN_GROUPS:
            return None
        found = self._swapped(joined, ())
        if exact_only:  # `SI 2026 12089`: only numbers written in the same groups
            found = tuple(i for i in found if [len(g) for g in _DIGIT_GROUP.findall(i)] == groups)
        return RefHit(raw, found, RefHow.TRANSPOSED) if found else None

    def _swapped(self, joined: str, named: Sequence[str]) -> tuple[str, ...]:
        """Invoices other than `named` that the number names with two adjacent digits swapped.

        The digits are swapped as written, zero padding kept (`203459` for 023459),
        and without the padding (`3030` for INV-3003).
        """
        written = _NOT_DIGIT.sub("", joined)
        if len(written.lstrip("0")) < _MIN_TRANSPOSE_DIGITS:
            return ()
        found: set[str] = set()
        for swapped in transpositions(written):
            for invoice_id in self._digits.get(swapped.lstrip("0")):
                if not swapped.startswith("0") or _padded(invoice_id) == swapped:
                    found.add(invoice_id)
        for swapped in transpositions(written.lstrip("0")):
            found.update(self._digits.get(swapped))
        return tuple(sorted(found - set(named)))

    def _number(self, text: str, run: list[re.Match[str]], joined: str) -> str:
        """The digits of a run that reads as a document number (known prefix or `#`), else ''."""
        digits = digits_key(joined)
        letters = _PREFIX.match(joined)
        prefix = letters.group(0) if letters else ""
        if not digits or not joined[len(prefix) :].isdigit():
            return ""  # letters after digits (`12ABC`, `INV 12 AB`) are no document number
        if prefix and prefix not in self._prefixes:
            return ""
        hashed = run[0].start() > 0 and text[run[0].start() - 1] == "#"
        if len(digits) < _MIN_BARE_DIGITS and not (prefix or hashed):
            return ""
        return digits


class _Digits:
    """Postings by digits without leading zeros, each held as the number it is.

    A million invoice numbers' digits held as int take half the memory of strings.
    Only a plain ASCII run of digits without a leading zero is turned into a number, so
    a key finds exactly what the same string would.
    """

    __slots__ = ("_by",)

    def __init__(self) -> None:
        self._by: Postings[int | str] = Postings()

    def add(self, key: str, item: str) -> None:
        self._by.add(_number(key), item)

    def discard(self, key: str, item: str) -> None:
        self._by.discard(_number(key), item)

    def get(self, key: str) -> tuple[str, ...]:
        return self._by.get(_number(key))


def _number(key: str) -> int | str:
    if key.isascii() and key.isdigit() and key[0] != "0":
        return int(key)
    return key


def _padded(invoice_id: str) -> str:
    """The digits of an invoice number, leading zeros kept: `INV-023459` -> `023459`."""
    return "".join(_DIGIT_GROUP.findall(invoice_id))


def _joinable(text: str, run: list[re.Match[str]]) -> bool:
    """Whether words are close enough to be one number (`INV 10-05`), not a sentence."""
    for left, right in itertools.pairwise(run):
        if not _JOINER.fullmatch(text, left.end(), right.start()):
            return False
    return True
