"""Structured remittance inside the bank data: what the payer's systems, not a person, wrote.

- X12 820 `RMR` segments (US ACH CTX addenda, passed on in BAI2 `88` records, OFX memos
  or camt): `RMR*IV*<invoice>*PI*<paid>*<invoice amount>*<discount>`. The camt reader
  writes `RfrdDocInf/Nb` with its `RfrdDocAmt` in the same form into the line's references.
- ISO 11649 creditor references `RF<check><reference>` (mod 97 checked).
- Belgian structured communications `+++123/4567/89002+++` (mod 97 checked).
- Numeric creditor references with a check digit: Finnish (7-3-1 weights) and Swiss
  QR/ISR (27 digits, recursive mod 10), read without the check digit and the padding.

`read` returns the documents with their amounts, the invoice numbers to look up before
free text, and the text with the segments taken out (their amounts are no numbers to look up).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from arbridge.domain.records import BankLine

_AMOUNT = r"\s*(-?\d+(?:\.\d+)?)?\s*"
RMR = re.compile(
    r"RMR\s*\*\s*(?P<qual>[A-Z0-9]{1,3})\s*\*\s*(?P<ref>[^*~\\\s]+)\s*"
    rf"(?:\*\s*(?P<action>[A-Z]{{0,2}})\s*(?:\*{_AMOUNT}(?:\*{_AMOUNT}(?:\*{_AMOUNT})?)?)?)?[~\\]?",
    re.IGNORECASE,
)
_RF = re.compile(r"\bRF(\d{2})([0-9A-Z]{1,21})\b")
_OGM = re.compile(r"(?:\+\+\+|\*\*\*)\s*(\d{3})\s*/\s*(\d{4})\s*/\s*(\d{5})\s*(?:\+\+\+|\*\*\*)")
_NUMERIC = re.compile(r"^\d{6,27}$")
_QR_LENGTH = 27
_QR_TABLE = (0, 9, 4, 6, 8, 2, 7, 1, 3, 5)
_FI_WEIGHTS = (7, 3, 1)
_REF_QUALIFIERS = frozenset({"IV", "IK", "PO", "CR", "OI", "R7", "ER", "RB"})
"""RMR01 qualifiers that name a document: invoice, PO, credit memo, other invoice..."""


@dataclass(frozen=True, slots=True)
class Document:
    """One document a structured remittance names, with the amounts it gives (None: not given)."""

    reference: str
    paid: Decimal | None = None
    owed: Decimal | None = None
    discount: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Remittance:
    """What the structured parts of a bank line say."""

    documents: tuple[Document, ...]
    references: tuple[str, ...]
    checked: tuple[str, ...]
    """Numeric references read without their check digit: looked up only when nothing else is."""
    text: str

    @property
    def listed(self) -> tuple[Document, ...]:
        """The documents that say how much of the payment each one gets."""
        return tuple(d for d in self.documents if d.paid is not None)


def read(line: BankLine) -> Remittance:
    """The structured remittance of a line: RMR segments and creditor references."""
    documents: list[Document] = []
    references: list[str] = []
    checked: list[str] = []
    for given in line.references:
        found = _segments(given)
        if found:
            documents += found
            continue
        references += [*_creditor_references(given.upper()), given]
        checked += _check_digit_references(given)
    text = line.description
    if "RMR" in text.upper():
        text = RMR.sub(" ", text)
        seen = {d.reference for d in documents}
        documents += [d for d in _segments(line.description) if d.reference not in seen]
    references = [d.reference for d in documents] + references
    references += _creditor_references(text.upper())
    return Remittance(
        tuple(documents), tuple(dict.fromkeys(references)), tuple(dict.fromkeys(checked)), text
    )


def _segments(text: str) -> list[Document]:
    if "RMR" not in text.upper():
        return []
    out = []
    for m in RMR.finditer(text):
        if m.group("qual").upper() not in _REF_QUALIFIERS:
            continue
        amounts = [_money(m.group(k)) for k in (4, 5, 6)]
        out.append(Document(m.group("ref"), *amounts))
    return out


def _money(text: str | None) -> Decimal | None:
    if not text:
        return None
    try:
        return Decimal(text).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


def _creditor_references(text: str) -> Iterable[str]:
    """The creditor's own reference inside RF and Belgian structured references."""
    if "RF" not in text and "++" not in text and "**" not in text:
        return
    for m in _RF.finditer(text):
        if _mod97(m.group(2) + "RF" + m.group(1)) == 1:
            yield m.group(2)
    for m in _OGM.finditer(text):
        digits = "".join(m.groups())
        base, check = int(digits[:10]), int(digits[10:])
        if (base % 97 or 97) == check:
            yield digits[:10].lstrip("0")


def _check_digit_references(given: str) -> Iterable[str]:
    """A Swiss QR/ISR (27 digits) or Finnish creditor reference without check digit and zeros."""
    compact = given.replace(" ", "")
    if not _NUMERIC.match(compact):
        return
    body, check = compact[:-1], int(compact[-1])
    expected = _qr_check(body) if len(compact) == _QR_LENGTH else _fi_check(body)
    if expected == check:
        yield body.lstrip("0")


def _mod97(text: str) -> int:
    """ISO 7064 mod 97-10 of letters (A=10 ... Z=35) and digits."""
    return int("".join(str(int(ch, 36)) for ch in text)) % 97


def _qr_check(digits: str) -> int:
    carry = 0
    for ch in digits:
        carry = _QR_TABLE[(carry + int(ch)) % 10]
    return (10 - carry) % 10


def _fi_check(digits: str) -> int:
    total = sum(int(ch) * _FI_WEIGHTS[i % 3] for i, ch in enumerate(reversed(digits)))
    return (10 - total % 10) % 10
