"""What an HTTP ERP holds under arbridge's references, turned back into keyed records (audit).

The ERPs store a reference derived from the idempotency key (a hash), never the key
itself, so a posting is tied back to its key in one of two ways:

- by hash: every reference form of every key the caller knows (`ReferenceIndex`);
- by the memo: arbridge's memo ends with `[<key>]` when it fits the field, and a key read
  there counts only if one of its reference forms is the posting's reference.

A posting carrying one of arbridge's references whose key neither way finds is reported
under the reference itself (`bank_account` ""): `arbridge audit` then names it as a
posting the store does not know.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal

from arbridge.connectors.base import PostedRecord

Form = Callable[[str], str]
"""A function from an idempotency key to one of the references the ERP stores for it."""

_IN_MEMO = re.compile(r"\[([^\[\]\s]+)\]\s*$")
_SUFFIX = re.compile(r"(:review\d+\.\d+)?(:(reverse|reapply):\d+)?$")
_LEGACY = re.compile(r"^AB[0-9a-f]{12,18}$")
_CURRENT = re.compile(r"^.+-[0-9a-f]{8}$")


def looks_own(reference: str, memo: str) -> bool:
    """Whether a posting has the shape of arbridge's (its key still has to be found).

    `AB` + hex (the older form), or `<bank id tail>-<8 hex>` with arbridge's memo
    (`bank <id>: ...`): a person's `PMT-20260115` alone is not taken for arbridge's.
    """
    reference = reference.strip()
    if _LEGACY.match(reference):
        return True
    return bool(_CURRENT.match(reference)) and (memo or "").startswith("bank ")


def bank_line_of(key: str) -> tuple[str, str]:
    """(bank account, bank transaction id) named by an idempotency key.

    Keys are `<erp>:<account>:<bank id>` plus, for a clerk's resolution or a correction,
    `:review<N>.<M>` and `:reverse:<n>` / `:reapply:<n>`.
    """
    parts = key.split(":", 2)
    if len(parts) < 3:  # noqa: PLR2004 - erp, account, bank id
        return "", key
    return parts[1], _SUFFIX.sub("", parts[2], count=1)


@dataclass(frozen=True)
class ReferenceIndex:
    """Every reference form of the known keys -> the key; and the forms, to check a memo's key."""

    forms: tuple[Form, ...]
    by_reference: dict[str, str]

    @classmethod
    def of(cls, keys: Collection[str], *forms: Form) -> ReferenceIndex:
        """The index of `keys` under every form."""
        return cls(forms, {form(key): key for key in keys for form in forms})

    def key_of(self, reference: str, memo: str) -> str | None:
        """The key behind a reference: a known key by hash, else the memo's key if it checks out."""
        known = self.by_reference.get(reference)
        if known is not None:
            return known
        found = _IN_MEMO.search(memo or "")
        if found is not None and any(form(found.group(1)) == reference for form in self.forms):
            return found.group(1)
        return None


def record(
    key: str | None,
    reference: str,
    *,
    invoice_id: str | None,
    amount: Decimal,
    adjustment: Decimal = Decimal(0),
    erp_reference: str | None = None,
) -> PostedRecord:
    """One held allocation: under its key, or under the reference when the key is not found."""
    account, bank_id = bank_line_of(key) if key else ("", reference)
    return PostedRecord(
        key=key or reference,
        bank_account=account,
        bank_id=bank_id,
        invoice_id=invoice_id,
        amount=amount,
        adjustment=adjustment,
        erp_reference=erp_reference or reference,
    )


def wanted(records: Sequence[PostedRecord], keys: Collection[str] | None) -> list[PostedRecord]:
    """The records under `keys` (all of them when None)."""
    return [r for r in records if keys is None or r.key in keys]


def over_by(applied: dict[str, Decimal], left: dict[str, Decimal]) -> dict[str, Decimal]:
    """Invoices where what is applied and not yet counted exceeds what is left, by how much."""
    over = {n: applied.get(n, Decimal(0)) - left.get(n, Decimal(0)) for n in {*applied, *left}}
    return {n: amount for n, amount in sorted(over.items()) if amount > 0}
