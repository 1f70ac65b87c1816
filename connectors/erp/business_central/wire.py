"""Business Central wire shapes: error bodies, entities -> records, payment lines.

Shapes follow ../shared/reference/erp-and-tax-apis.md §2 (API v2.0).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import httpx

from arbridge.connectors.erp._http import HttpFailure, Verdict, classify_status
from arbridge.connectors.erp._http.client import retry_after_seconds
from arbridge.connectors.erp._http.reference import legacy_reference, memo, reference
from arbridge.connectors.errors import ConnectorError
from arbridge.domain.records import Customer, Invoice

CODE_VERDICTS: dict[str, Verdict] = {
    "Authentication_InvalidCredentials": Verdict.PERMANENT,
    "BadRequest_InvalidToken": Verdict.REJECTED,
    "BadRequest_NotFound": Verdict.REJECTED,
    "BadRequest_ResourceNotFound": Verdict.REJECTED,
    "BadRequest_MethodNotAllowed": Verdict.PERMANENT,
    "Internal_RecordNotFound": Verdict.REJECTED,
    "Internal_EntityWithSameKeyExists": Verdict.REJECTED,
    "Internal_InvalidTableRelation": Verdict.REJECTED,
    "Request_EntityChanged": Verdict.TRANSIENT,
}
"""Error codes whose meaning beats the HTTP status; prefixes are in `PREFIX_VERDICTS`."""

PREFIX_VERDICTS: dict[str, Verdict] = {
    "Authorization_": Verdict.PERMANENT,
    "Application_": Verdict.REJECTED,
}

EXTERNAL_DOC_LEN = 35
"""`externalDocumentNumber` is Code[35]: the bank-traceable reference."""
DOCUMENT_LEN = 20
"""`documentNumber` is Code[20]: our key's hash, searched in the journal and the G/L."""
DESCRIPTION_LEN = 100


def map_error(response: httpx.Response) -> HttpFailure:
    """`{"error": {"code", "message"}}` -> verdict, by code first, then by status."""
    code, message = "", response.reason_phrase or "error"
    try:
        error = response.json().get("error") or {}
        code, message = str(error.get("code", "")), str(error.get("message", message))
    except (ValueError, AttributeError):
        pass
    verdict = CODE_VERDICTS.get(code)
    if verdict is None:
        verdict = next((v for p, v in PREFIX_VERDICTS.items() if code.startswith(p)), None)
    if response.status_code in (429, 503, 504, 408) or verdict is None:  # throttles win
        verdict = classify_status(response.status_code)
    return HttpFailure(verdict, response.status_code, code, message, retry_after_seconds(response))


def money(value: Any) -> Decimal:
    """A JSON number (parsed as Decimal) as money."""
    return Decimal(str(value))


def customer(entity: dict[str, Any], currency: str) -> Customer:
    """A `customers` entity as a record."""
    return Customer(
        customer_id=str(entity["number"]),
        name=str(entity.get("displayName") or entity["number"]),
        currency=str(entity.get("currencyCode") or currency),
        email=str(entity.get("email") or "").strip() or None,
        phone=str(entity.get("phoneNumber") or "").strip() or None,
    )


def invoice(entity: dict[str, Any], currency: str) -> Invoice:
    """A `salesInvoices` entity; only an Open invoice has anything left to pay."""
    remaining = money(entity.get("remainingAmount", 0))
    return Invoice(
        invoice_id=str(entity["number"]),
        customer_id=str(entity["customerNumber"]),
        invoice_date=date.fromisoformat(entity["invoiceDate"]),
        due_date=date.fromisoformat(entity["dueDate"]),
        amount=money(entity["totalAmountIncludingTax"]),
        open_amount=remaining if entity.get("status") == "Open" else Decimal("0.00"),
        currency=str(entity.get("currencyCode") or currency),
        po_number=entity.get("customerPurchaseOrderReference") or None,
        sales_rep=str(entity.get("salesperson") or "").strip() or None,
        order_ref=str(entity.get("orderNumber") or "").strip() or None,
    )


INVOICE_FIELDS = (
    "id,number,customerNumber,invoiceDate,dueDate,totalAmountIncludingTax,remainingAmount,"
    "currencyCode,status,customerPurchaseOrderReference,lastModifiedDateTime,"
    "salesperson,orderNumber"
)


def document_number(idempotency_key: str) -> str:
    """Our dedupe key in BC's 20-character `documentNumber`: 'AB' + 18 hex of a hash.

    Also what `externalDocumentNumber` held before bank ids were shown there, so lines
    written by earlier versions are found by the same look-up.
    """
    return legacy_reference(idempotency_key, DOCUMENT_LEN)


def external_document_number(idempotency_key: str) -> str:
    """The bank transaction id's tail + 8 hex of the key's hash (see `_http.reference`)."""
    return reference(idempotency_key, EXTERNAL_DOC_LEN)


def description(idempotency_key: str, evidence: str) -> str:
    """The line's description: full bank id and evidence, cut at a word within 100 characters."""
    return memo(idempotency_key, evidence, DESCRIPTION_LEN)


def batch_failure(connector: str, body: Any) -> ConnectorError | None:
    """The first failed operation of a `$batch` answer as an error, or None if all succeeded."""
    for answer in (body or {}).get("responses", []):
        status = int(answer.get("status", 500))
        if status >= 300:  # noqa: PLR2004
            response = httpx.Response(
                status, json=answer.get("body") or {}, headers=answer.get("headers") or {}
            )
            return map_error(response).to_error(connector)
    return None


def quote(value: str) -> str:
    """An OData string literal."""
    return "'" + value.replace("'", "''") + "'"
