"""QuickBooks Online wire shapes: Fault bodies, entities -> records, Payment bodies.

Shapes follow ../shared/reference/erp-and-tax-apis.md §3 (v3, minorversion 75).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx

from arbridge.connectors.erp._http import HttpFailure, Verdict, classify_status
from arbridge.connectors.erp._http.client import retry_after_seconds
from arbridge.connectors.erp._http.reference import legacy_reference, memo, reference
from arbridge.domain.records import Application, Customer, Invoice

MINOR_VERSION = "75"
WAIT_AFTER_429 = 60.0
"""Intuit: wait up to 60 s after a 429 (no Retry-After is promised): the retry cap."""
REQUEST_ID_LEN = 50
BATCH_REQUEST_ID_LEN = 36
"""A `batch` request's requestid holds 36 characters."""

CODE_VERDICTS: dict[str, Verdict] = {
    "120": Verdict.PERMANENT,  # authorization failure
    "3200": Verdict.PERMANENT,  # token expired / authentication failed
    "6190": Verdict.PERMANENT,  # subscription lapsed
    "5010": Verdict.TRANSIENT,  # stale SyncToken: re-read and try again
    "610": Verdict.REJECTED,  # object not found / inactive
    "6140": Verdict.REJECTED,  # duplicate document number
    "6240": Verdict.REJECTED,  # duplicate name
}
TYPE_VERDICTS: dict[str, Verdict] = {
    "validationfault": Verdict.REJECTED,
    "authenticationfault": Verdict.PERMANENT,
    "authentication": Verdict.PERMANENT,
    "authorizationfault": Verdict.PERMANENT,
    "systemfault": Verdict.TRANSIENT,
}


def _lower_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k).lower(): _lower_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lower_keys(v) for v in value]
    return value


def fault(body: Any) -> tuple[str, str, str] | None:
    """(type, code, message) of a `Fault` body (keys matched case-insensitively), else None."""
    found = _lower_keys(body).get("fault") if isinstance(body, dict) else None
    if not isinstance(found, dict):
        return None
    errors = found.get("error") or [{}]
    first = errors[0] if isinstance(errors[0], dict) else {}
    message = str(first.get("detail") or first.get("message") or "fault")
    return str(found.get("type", "")), str(first.get("code", "")), message


def map_error(response: httpx.Response) -> HttpFailure:
    """`{"Fault": {"Error": [...], "type"}}` -> verdict by code, then fault type, then status."""
    try:
        parsed = fault(response.json())
    except ValueError:
        parsed = None
    kind, code, message = parsed or ("", "", response.reason_phrase or "error")
    verdict = CODE_VERDICTS.get(code) or TYPE_VERDICTS.get(kind.lower())
    if response.status_code in (401, 403, 429) or response.status_code >= 500 or verdict is None:  # noqa: PLR2004
        verdict = classify_status(response.status_code)
    return HttpFailure(verdict, response.status_code, code, message, retry_after_seconds(response))


def money(value: Any) -> Decimal:
    """A JSON number as money."""
    return Decimal(str(value))


def ref(entity: dict[str, Any], key: str) -> str | None:
    """The `value` of a `{"value", "name"}` reference field."""
    found = entity.get(key)
    return str(found["value"]) if isinstance(found, dict) and "value" in found else None


def customer(entity: dict[str, Any], currency: str) -> Customer:
    """A `Customer` entity; our customer id is QBO's `Id`."""
    return Customer(
        customer_id=str(entity["Id"]),
        name=str(entity.get("DisplayName") or entity["Id"]),
        parent_id=ref(entity, "ParentRef"),
        currency=ref(entity, "CurrencyRef") or currency,
        email=_nested(entity, "PrimaryEmailAddr", "Address"),
        phone=_nested(entity, "PrimaryPhone", "FreeFormNumber"),
    )


def _nested(entity: dict[str, Any], key: str, inner: str) -> str | None:
    """`entity[key][inner]` as text, None when absent or blank."""
    found = entity.get(key)
    text = str(found.get(inner) or "").strip() if isinstance(found, dict) else ""
    return text or None


def invoice_number(entity: dict[str, Any]) -> str:
    """What customers quote: `DocNumber`, or the `Id` when the invoice has none."""
    return str(entity.get("DocNumber") or entity["Id"])


def custom_field(entity: dict[str, Any], name: str | None) -> str | None:
    """The `StringValue` of the entity's custom field called `name` (case-insensitive)."""
    if not name:
        return None
    for field in entity.get("CustomField") or ():
        if str(field.get("Name", "")).strip().lower() == name.strip().lower():
            return str(field.get("StringValue") or "").strip() or None
    return None


def invoice(entity: dict[str, Any], currency: str, rep_field: str | None = None) -> Invoice:
    """An `Invoice` entity; `Balance` is the open amount; the rep from a custom field."""
    return Invoice(
        invoice_id=invoice_number(entity),
        customer_id=ref(entity, "CustomerRef") or "",
        invoice_date=date.fromisoformat(entity["TxnDate"]),
        due_date=date.fromisoformat(entity.get("DueDate") or entity["TxnDate"]),
        amount=money(entity["TotalAmt"]),
        open_amount=money(entity.get("Balance", 0)),
        currency=ref(entity, "CurrencyRef") or currency,
        sales_rep=custom_field(entity, rep_field),
    )


def updated_at(entity: dict[str, Any]) -> datetime | None:
    """`MetaData.LastUpdatedTime` as an aware UTC datetime."""
    stamp = (entity.get("MetaData") or {}).get("LastUpdatedTime")
    return datetime.fromisoformat(stamp).astimezone(UTC) if stamp else None


def digest(prefix: str, key: str, length: int) -> str:
    """A stable id for our key: prefix + hex of its hash, `length` characters."""
    return prefix + hashlib.sha256(key.encode()).hexdigest()[: length - len(prefix)]


PAYMENT_REF_LEN = 21
"""`PaymentRefNum` holds 21 characters."""
LEGACY_REF_LEN = 16
PRIVATE_NOTE_LEN = 4000


def payment_ref(idempotency_key: str) -> str:
    """Our key in `PaymentRefNum`: the bank transaction id's tail + 8 hex (see `_http.reference`)."""
    return reference(idempotency_key, PAYMENT_REF_LEN)


def legacy_payment_ref(idempotency_key: str) -> str:
    """The reference written before bank ids were shown (still searched)."""
    return legacy_reference(idempotency_key, LEGACY_REF_LEN)


def payment_body(
    application: Application,
    invoice_ids: dict[str, str],
    memo_lines: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One Payment, one LinkedTxn line per invoice; what no line takes stays unapplied.

    An invoice line takes amount + adjustment; `memo_lines` link the credit memos that
    book the adjustments (see `credits`), so `TotalAmt` stays the cash received.
    `PaymentRefNum` carries our key (searchable); `PrivateNote` the full bank id and evidence.
    """
    lines = [
        {
            "Amount": a.amount + a.adjustment,
            "LinkedTxn": [{"TxnId": invoice_ids[a.invoice_id], "TxnType": "Invoice"}],
        }
        for a in application.allocations
        if a.invoice_id is not None
    ] + list(memo_lines or ())
    return {
        "CustomerRef": {"value": application.customer_id},
        "TotalAmt": application.amount,
        "TxnDate": application.booked_on.isoformat(),
        "PaymentRefNum": payment_ref(application.idempotency_key),
        "PrivateNote": memo(application.idempotency_key, application.evidence, PRIVATE_NOTE_LEN),
        "Line": lines,
    }


def quote(value: str) -> str:
    """A query-language string literal."""
    return "'" + value.replace("'", "\\'") + "'"
