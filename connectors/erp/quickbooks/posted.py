"""QuickBooks Online: the Payments carrying arbridge's `PaymentRefNum`, for `arbridge audit`.

Read-only queries. One record per Payment line linked to an Invoice (the invoice's
`DocNumber`, the line's `Amount`), plus one without invoice for what the Payment leaves
unapplied (`TotalAmt` less its lines). A voided Payment (amount 0, no lines) holds
nothing. Keys are tied back by hash (the keys the caller knows) or from `PrivateNote`,
which ends with `[<key>]`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
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
from arbridge.connectors.erp.quickbooks import wire

GROUP = 60
"""Values per `IN (…)` list."""


class QuickBooksPostedLedger:
    """The PostedLedger role of the QuickBooks gateway (mixed into it; reads only)."""

    def _query(self, entity: str, where: str = "", order: str = "") -> Iterator[dict[str, Any]]:
        raise NotImplementedError

    def _payments(self, references: Sequence[str]) -> Iterator[dict[str, Any]]:
        raise NotImplementedError

    def find_posted(self, keys: Collection[str] | None = None) -> Sequence[PostedRecord]:
        """What QuickBooks holds under these keys; every key its notes name when None."""
        if keys is None:
            return self.own_postings(())
        index = ReferenceIndex.of(keys, wire.payment_ref, wire.legacy_payment_ref)
        payments = list(self._payments(sorted(index.by_reference)))
        return wanted(self._records(index, payments, check_own=False), keys)

    def own_postings(self, known: Collection[str]) -> Sequence[PostedRecord]:
        """Every Payment with arbridge's reference, tied to `known` keys first."""
        index = ReferenceIndex.of(known, wire.payment_ref, wire.legacy_payment_ref)
        return self._records(index, list(self._query("Payment")), check_own=True)

    def overdrawn_invoices(self) -> Mapping[str, Decimal]:
        """Invoices whose `Balance` went below zero (QuickBooks itself refuses most of these)."""
        rows = self._query("Invoice", "WHERE Balance < '0'")
        return over_by({}, {wire.invoice_number(r): wire.money(r.get("Balance", 0)) for r in rows})

    def _records(
        self, index: ReferenceIndex, payments: list[dict[str, Any]], *, check_own: bool
    ) -> list[PostedRecord]:
        numbers = self._invoice_numbers(payments)
        records: list[PostedRecord] = []
        for payment in payments:
            reference = str(payment.get("PaymentRefNum") or "")
            note = str(payment.get("PrivateNote") or "")
            key = index.key_of(reference, note)
            if key is None and (not check_own or not looks_own(reference, note)):
                continue
            records += _lines(key, reference, payment, numbers)
        return records

    def _invoice_numbers(self, payments: list[dict[str, Any]]) -> dict[str, str]:
        """QuickBooks invoice `Id` -> `DocNumber`, for the invoices these Payments link."""
        ids = sorted({str(t["TxnId"]) for p in payments for t in _linked(p)})
        found: dict[str, str] = {}
        for group in in_groups(ids, GROUP):
            listing = ", ".join(wire.quote(i) for i in group)
            for row in self._query("Invoice", f"WHERE Id IN ({listing})"):
                if str(row["Id"]) in group:
                    found[str(row["Id"])] = wire.invoice_number(row)
        return found


def _linked(payment: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for line in payment.get("Line") or ():
        for linked in line.get("LinkedTxn") or ():
            if linked.get("TxnType") == "Invoice":
                yield linked


def _lines(
    key: str | None, reference: str, payment: dict[str, Any], numbers: dict[str, str]
) -> list[PostedRecord]:
    """A Payment's lines as records, and what it leaves unapplied."""
    payment_id = str(payment.get("Id") or "")
    credit = sum((amount for _t, amount in _linked_lines(payment, "CreditMemo")), Decimal(0))
    records = []
    for txn_id, line_amount in _linked_lines(payment, "Invoice"):
        adjustment = min(credit, line_amount)
        credit -= adjustment
        records.append(
            record(
                key,
                reference,
                invoice_id=numbers.get(txn_id, txn_id),
                amount=line_amount - adjustment,
                adjustment=adjustment,
                erp_reference=payment_id,
            )
        )
    applied = sum((r.amount for r in records), Decimal(0))
    unapplied = wire.money(payment.get("TotalAmt", 0)) - applied
    if unapplied > 0:
        records.append(
            record(key, reference, invoice_id=None, amount=unapplied, erp_reference=payment_id)
        )
    return [r for r in records if r.amount > 0 or r.adjustment > 0]


def _linked_lines(payment: dict[str, Any], txn_type: str) -> Iterator[tuple[str, Decimal]]:
    """(TxnId, Amount) of the Payment's lines linked to a `txn_type` (Invoice, CreditMemo).

    Credit memos (arbridge's discounts and write-offs) are read as the adjustment of the
    invoice lines, in line order: each invoice still closes its line's `Amount`, and the
    cash is the Payment's `TotalAmt`.
    """
    for line in payment.get("Line") or ():
        for linked in (line.get("LinkedTxn") or ())[:1]:
            if linked.get("TxnType") == txn_type:
                yield str(linked["TxnId"]), wire.money(line.get("Amount", 0))
