"""Acumatica wire shapes: `{"value": ...}` wrappers, HttpError bodies, Payment bodies.

Shapes follow ../shared/reference/erp-and-tax-apis.md §1 (Default/24.200.001).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import httpx

from arbridge.connectors.base import ErpCapability, adjustment_kind
from arbridge.connectors.erp._http import HttpFailure, Verdict, classify_status
from arbridge.connectors.erp._http.client import retry_after_seconds
from arbridge.connectors.erp._http.reference import legacy_reference, memo, reference
from arbridge.domain.records import Allocation, Application, Customer, Invoice

NOT_FOUND = "NoEntitySatisfiesTheCondition"
LOGIN_LIMIT = "API Login Limit"
BAD_LOGIN = "Invalid credentials"
PAYMENT_REF_LEN = 30
"""Our reference in `PaymentRef` (the field holds more; 30 leaves room) [unconfirmed limit]."""
LEGACY_REF_LEN = 16
DESCRIPTION_LEN = 255


def value(record: dict[str, Any], field: str) -> Any:
    """The value inside a field wrapper; None for `{}` or a missing field."""
    wrapper = record.get(field)
    return wrapper.get("value") if isinstance(wrapper, dict) else None


def wrap(fields: dict[str, Any]) -> dict[str, Any]:
    """Plain values -> `{"Field": {"value": v}}`."""
    return {k: {"value": v} for k, v in fields.items()}


def field_errors(record: dict[str, Any]) -> str:
    """The `error` strings a 422 puts inside field wrappers, as one line."""
    found = []
    for name, wrapper in record.items():
        if isinstance(wrapper, dict) and wrapper.get("error"):
            found.append(f"{name}: {wrapper['error']}")
        elif isinstance(wrapper, list):
            found.extend(
                f"{name}: {e}"
                for row in wrapper
                if isinstance(row, dict)
                if (e := field_errors(row))
            )
    return "; ".join(found)


def map_error(response: httpx.Response) -> HttpFailure:
    """HttpError / 422 entity bodies -> verdict; the "no entity" 500 is a rejection, not a retry."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    kind = str(body.get("exceptionType", ""))
    message = str(body.get("exceptionMessage") or body.get("message") or response.reason_phrase)
    verdict = classify_status(response.status_code)
    if response.status_code == 422:  # noqa: PLR2004
        message = field_errors(body) or message
    elif NOT_FOUND in kind:
        verdict = Verdict.REJECTED
    elif LOGIN_LIMIT in message:
        verdict = Verdict.TRANSIENT
    elif BAD_LOGIN in message:
        verdict = Verdict.PERMANENT
    code = kind.rsplit(".", 1)[-1]
    return HttpFailure(verdict, response.status_code, code, message, retry_after_seconds(response))


def money(raw: Any) -> Decimal:
    """A DecimalValue as money (0 when empty)."""
    return Decimal(str(raw)) if raw is not None else Decimal("0.00")


def day(raw: Any) -> date:
    """A DateTimeValue's calendar date."""
    return datetime.fromisoformat(str(raw)).date()


CONTACT_FIELDS = "Email,MainContact/Email,MainContact/Phone1"
"""The contact details of a Customer: its own Email, else its main contact's."""


def customer(record: dict[str, Any], currency: str) -> Customer:
    """A Customer record (with `MainContact` expanded, for the email and phone)."""
    contact = record.get("MainContact") or {}
    return Customer(
        customer_id=str(value(record, "CustomerID")),
        name=str(value(record, "CustomerName") or value(record, "CustomerID")),
        parent_id=value(record, "ParentRecord") or None,
        terms=str(value(record, "Terms") or ""),
        currency=str(value(record, "CurrencyID") or currency),
        email=_text(value(contact, "Email")) or _text(value(record, "Email")),
        phone=_text(value(contact, "Phone1")),
    )


def _text(raw: Any) -> str | None:
    text = str(raw or "").strip()
    return text or None


def invoice(record: dict[str, Any], currency: str, rep_field: str | None = None) -> Invoice:
    """An Invoice record; only an Open one has a balance to pay.

    `rep_field` (`View.Field`) names the `$custom` field that holds the salesperson.
    """
    balance = money(value(record, "Balance"))
    return Invoice(
        invoice_id=str(value(record, "ReferenceNbr")),
        customer_id=str(value(record, "Customer")),
        invoice_date=day(value(record, "Date")),
        due_date=day(value(record, "DueDate") or value(record, "Date")),
        amount=money(value(record, "Amount")),
        open_amount=balance if value(record, "Status") == "Open" else Decimal("0.00"),
        currency=currency,
        terms=str(value(record, "Terms") or ""),
        po_number=value(record, "CustomerOrder") or None,
        order_ref=project(record),
        sales_rep=custom(record, rep_field) if rep_field else None,
    )


def custom(record: dict[str, Any], path: str) -> str | None:
    """A `$custom` field's text (`custom.<View>.<Field>.value`), None when empty."""
    view, _, name = path.partition(".")
    views = record.get("custom") or {}
    found = (views.get(view) or {}).get(name) or {}
    text = str(found.get("value") or "").strip() if isinstance(found, dict) else ""
    return text or None


NON_PROJECT = "X"
"""Acumatica's project code of a document that belongs to no project."""


def project(record: dict[str, Any]) -> str | None:
    """The invoice's `Project` (ties a deposit to its final invoice); None for the non-project `X`."""
    code = str(value(record, "Project") or "").strip()
    return code if code and code != NON_PROJECT else None


INVOICE_FIELDS = "Type,ReferenceNbr,Customer,Date,DueDate,Amount,Balance,Status,Terms,CustomerOrder,Project,LastModifiedDateTime"


def payment_ref(idempotency_key: str) -> str:
    """Our key in `PaymentRef`: the bank transaction id's tail + 8 hex (see `_http.reference`)."""
    return reference(idempotency_key, PAYMENT_REF_LEN)


def legacy_payment_ref(idempotency_key: str) -> str:
    """The reference written before bank ids were shown (still searched)."""
    return legacy_reference(idempotency_key, LEGACY_REF_LEN)


def reason_code(
    allocation: Allocation, default: str | None, by_deduction: Mapping[str, str]
) -> str | None:
    """The WriteOffReasonCode for an allocation's deduction code (its own, else the default)."""
    code = (allocation.adjustment_reason or "").strip().lower()
    return by_deduction.get(code, default)


def document(
    allocation: Allocation,
    write_off_reason: str | None,
    by_deduction: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """One `DocumentsToApply` row, with a cash discount or a write-off when the allocation has one."""
    row = wrap(
        {
            "DocType": "Invoice",
            "ReferenceNbr": allocation.invoice_id,
            "AmountPaid": allocation.amount,
        }
    )
    kind = adjustment_kind(allocation)
    if kind is ErpCapability.DISCOUNT:
        row["CashDiscountTaken"] = {"value": allocation.adjustment}
    elif kind is ErpCapability.WRITE_OFF:
        row["BalanceWriteOff"] = {"value": allocation.adjustment}
        reason = reason_code(allocation, write_off_reason, by_deduction or {})
        if reason:
            row["WriteOffReasonCode"] = {"value": reason}
    return row


def payment_body(
    application: Application,
    *,
    method: str,
    cash_account: str,
    write_off_reason: str | None,
    reasons: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A Payment with its documents to apply; the amount no document takes stays unapplied."""
    body = wrap(
        {
            "Type": "Payment",
            "CustomerID": application.customer_id,
            "PaymentMethod": method,
            "CashAccount": cash_account,
            "PaymentRef": payment_ref(application.idempotency_key),
            "ApplicationDate": f"{application.booked_on.isoformat()}T00:00:00",
            "PaymentAmount": application.amount,
            "Hold": False,
            "Description": memo(application.idempotency_key, application.evidence, DESCRIPTION_LEN),
        }
    )
    body["DocumentsToApply"] = [
        document(a, write_off_reason, reasons)
        for a in application.allocations
        if a.invoice_id is not None
    ]
    return body
