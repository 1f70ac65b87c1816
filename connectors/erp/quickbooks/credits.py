"""QuickBooks Online: discounts and write-offs as CreditMemos linked in the same Payment.

QuickBooks has no adjustment field on a Payment. An allocation with an adjustment is
booked as (reference §3.5): a `CreditMemo` for the adjustment (one sales line on the
configured discount or write-off item), then the Payment links the invoice for
amount + adjustment and the CreditMemo for the adjustment, so `TotalAmt` stays the cash
received and the invoice closes.

Exactly once: the memo's `DocNumber` (21 characters, searchable) is derived from the
idempotency key and the invoice, so a retry finds the memo instead of creating a second;
the POST carries a `requestid` from the same pair, so a lost answer is replayed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from arbridge.connectors.base import ErpCapability, adjustment_kind
from arbridge.connectors.erp._http.gateway import in_groups
from arbridge.connectors.erp._http.reference import memo
from arbridge.connectors.erp.quickbooks import wire
from arbridge.domain.records import Allocation, Application

DOC_NUMBER_LEN = 21
"""`DocNumber` holds 21 characters."""

Call = Callable[..., dict[str, Any]]
Query = Callable[[str, str], Iterator[dict[str, Any]]]


@dataclass(frozen=True)
class AdjustmentItems:
    """The QuickBooks items (their `Id`) a credit memo line books discounts and write-offs on."""

    discount_item: str | None = None
    write_off_item: str | None = None

    def capabilities(self) -> frozenset[ErpCapability]:
        """DISCOUNT and WRITE_OFF, each only when its item is configured."""
        found = set()
        if self.discount_item:
            found.add(ErpCapability.DISCOUNT)
        if self.write_off_item:
            found.add(ErpCapability.WRITE_OFF)
        return frozenset(found)

    def item_for(self, allocation: Allocation) -> str:
        """The item of this allocation's adjustment (the flow refused it if not configured)."""
        kind = adjustment_kind(allocation)
        item = self.discount_item if kind is ErpCapability.DISCOUNT else self.write_off_item
        assert item, "an adjustment without a configured item is refused before posting"
        return item


def adjusted(application: Application) -> list[Allocation]:
    """The allocations that carry an adjustment (each needs its own credit memo)."""
    return [a for a in application.allocations if a.invoice_id is not None and a.adjustment]


def doc_number(idempotency_key: str, invoice_id: str) -> str:
    """The memo's `DocNumber`: "ABCM" + hash of key and invoice (deterministic)."""
    return wire.digest("ABCM", f"{idempotency_key}|{invoice_id}", DOC_NUMBER_LEN)


def memo_body(
    application: Application, allocation: Allocation, items: AdjustmentItems
) -> dict[str, Any]:
    """One CreditMemo for the allocation's adjustment: one sales line on the item."""
    amount = allocation.adjustment
    reason = allocation.adjustment_reason or "adjustment"
    detail = {"ItemRef": {"value": items.item_for(allocation)}, "Qty": 1, "UnitPrice": amount}
    note = f"{reason} on invoice {allocation.invoice_id}; {application.evidence}"
    return {
        "CustomerRef": {"value": application.customer_id},
        "TxnDate": application.booked_on.isoformat(),
        "DocNumber": doc_number(application.idempotency_key, str(allocation.invoice_id)),
        "PrivateNote": memo(application.idempotency_key, note, wire.PRIVATE_NOTE_LEN),
        "Line": [
            {
                "Amount": amount,
                "DetailType": "SalesItemLineDetail",
                "SalesItemLineDetail": detail,
                "Description": f"{reason} {allocation.invoice_id}",
            }
        ],
    }


def find_memos(query: Query, applications: Sequence[Application]) -> dict[str, str]:
    """`DocNumber` -> `Id` of our credit memos already in QuickBooks for these applications."""
    wanted = sorted(
        doc_number(a.idempotency_key, str(x.invoice_id)) for a in applications for x in adjusted(a)
    )
    found: dict[str, str] = {}
    for group in in_groups(wanted, 60):
        listing = ", ".join(wire.quote(n) for n in group)
        for row in query("CreditMemo", f"WHERE DocNumber IN ({listing})"):
            found[str(row["DocNumber"])] = str(row["Id"])
    return found


def ensure_memos(
    call: Call, application: Application, memos: dict[str, str], items: AdjustmentItems
) -> dict[str, str]:
    """Invoice number -> memo `Id` for each adjusted allocation, creating those not yet there."""
    ids: dict[str, str] = {}
    for allocation in adjusted(application):
        invoice = str(allocation.invoice_id)
        number = doc_number(application.idempotency_key, invoice)
        if number not in memos:
            request_id = wire.digest("cm-", f"{application.idempotency_key}|{invoice}", 50)
            body = memo_body(application, allocation, items)
            answer = call("POST", "creditmemo", params={"requestid": request_id}, json=body)
            memos[number] = str(answer["CreditMemo"]["Id"])
        ids[invoice] = memos[number]
    return ids


def memo_lines(application: Application, memo_ids: dict[str, str]) -> list[dict[str, Any]]:
    """The Payment lines that link each credit memo for its adjustment."""
    return [
        {
            "Amount": a.adjustment,
            "LinkedTxn": [{"TxnId": memo_ids[str(a.invoice_id)], "TxnType": "CreditMemo"}],
        }
        for a in adjusted(application)
    ]


def negative_adjustment(application: Application) -> str | None:
    """Why a credit memo cannot book this application's adjustments (a negative one), or None."""
    for allocation in adjusted(application):
        if allocation.adjustment < Decimal(0):
            return (
                f"invoice {allocation.invoice_id}: a negative adjustment "
                f"({allocation.adjustment}) cannot be booked as a QuickBooks credit memo"
            )
    return None
