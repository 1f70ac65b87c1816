"""Acumatica: the payments carrying arbridge's `PaymentRef`, for `arbridge audit`.

Read-only. Payments are read with `$expand=DocumentsToApply,ApplicationHistory`; a
released payment's applications are its `ApplicationHistory` rows (`AdjustedRefNbr`,
else `DisplayRefNbr`), an unreleased one's its `DocumentsToApply` rows (`ReferenceNbr`).
One record per row (`AmountPaid`; `CashDiscountTaken` + `BalanceWriteOff` as the
adjustment), plus one without invoice for what `PaymentAmount` leaves unapplied. A
voided payment holds nothing. Keys are tied back by hash (the keys the caller knows) or
from `Description`, which ends with `[<key>]` when it fits in 255 characters.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Any

from arbridge.connectors.base import PostedRecord
from arbridge.connectors.erp._http.gateway import in_groups
from arbridge.connectors.erp._http.posted import (
    ReferenceIndex,
    looks_own,
    over_by,
    record,
    wanted,
)
from arbridge.connectors.erp.acumatica import wire

GROUP = 40
EXPAND = "DocumentsToApply,ApplicationHistory"
EVER = "2000-01-01T00:00:00+00:00"
"""`LastModifiedDateTime gt` this: every invoice (the list call needs a filter)."""


class AcumaticaPostedLedger:
    """The PostedLedger role of the Acumatica gateway (mixed into it; reads only)."""

    def session(self) -> AbstractContextManager[None]:
        """One login for the calls inside (the gateway's)."""
        raise NotImplementedError

    def _get(self, path: str, **params: str) -> Any:
        raise NotImplementedError

    def _list(self, entity: str, **params: str) -> Iterator[dict[str, Any]]:
        raise NotImplementedError

    def find_posted(self, keys: Collection[str] | None = None) -> Sequence[PostedRecord]:
        """What Acumatica holds under these keys; every key its descriptions name when None."""
        if keys is None:
            return self.own_postings(())
        index = ReferenceIndex.of(keys, wire.payment_ref, wire.legacy_payment_ref)
        payments: list[dict[str, Any]] = []
        with self.session():
            for group in in_groups(sorted(index.by_reference), GROUP):
                where = " or ".join(f"PaymentRef eq {_quote(r)}" for r in group)
                payments += self._get("Payment", **{"$filter": where, "$expand": EXPAND})
        return wanted(_records(index, payments, check_own=False), keys)

    def own_postings(self, known: Collection[str]) -> Sequence[PostedRecord]:
        """Every payment with arbridge's reference, tied to `known` keys first."""
        index = ReferenceIndex.of(known, wire.payment_ref, wire.legacy_payment_ref)
        params = {"$filter": "Type eq 'Payment'", "$expand": EXPAND}
        with self.session():
            payments = list(self._list("Payment", **params))
        return _records(index, payments, check_own=True)

    def overdrawn_invoices(self) -> Mapping[str, Decimal]:
        """Invoices whose `Balance` went below zero."""
        where = f"Type eq 'Invoice' and LastModifiedDateTime gt datetimeoffset'{EVER}'"
        with self.session():
            rows = list(
                self._list("Invoice", **{"$filter": where, "$select": "ReferenceNbr,Balance"})
            )
        left = {
            str(wire.value(r, "ReferenceNbr")): wire.money(wire.value(r, "Balance")) for r in rows
        }
        return over_by({}, left)


def _records(
    index: ReferenceIndex, payments: list[dict[str, Any]], *, check_own: bool
) -> list[PostedRecord]:
    records: list[PostedRecord] = []
    for payment in payments:
        if wire.value(payment, "Status") == "Voided":
            continue
        reference = str(wire.value(payment, "PaymentRef") or "")
        description = str(wire.value(payment, "Description") or "")
        key = index.key_of(reference, description)
        if key is None and (not check_own or not looks_own(reference, description)):
            continue
        records += _applications(key, reference, payment)
    return records


def _applications(key: str | None, reference: str, payment: dict[str, Any]) -> list[PostedRecord]:
    """A payment's applied documents as records, and what it leaves unapplied."""
    number = f"{wire.value(payment, 'Type') or 'Payment'}/{wire.value(payment, 'ReferenceNbr')}"
    history = payment.get("ApplicationHistory") or []
    rows = history or payment.get("DocumentsToApply") or []
    fields = ("AdjustedRefNbr", "DisplayRefNbr") if history else ("ReferenceNbr",)
    records = [
        record(
            key,
            reference,
            invoice_id=next((str(v) for f in fields if (v := wire.value(row, f))), None),
            amount=_amount(row, "AmountPaid"),
            adjustment=_amount(row, "CashDiscountTaken") + _amount(row, "BalanceWriteOff"),
            erp_reference=number,
        )
        for row in rows
    ]
    applied = sum((r.amount for r in records), Decimal(0))
    unapplied = _amount(payment, "PaymentAmount") - applied
    if unapplied > 0:
        records.append(
            record(key, reference, invoice_id=None, amount=unapplied, erp_reference=number)
        )
    return [r for r in records if r.amount > 0 or r.adjustment > 0]


def _amount(row: dict[str, Any], field: str) -> Decimal:
    raw = wire.value(row, field)
    return wire.money(raw) if raw not in (None, "") else Decimal(0)


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
