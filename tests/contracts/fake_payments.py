"""Payments recorded by people in each ERP, served in each vendor's documented wire shape.

The same three payments everywhere: PAY-A (check CHK-55821, 750.00 to INV-1001 and 250.00
to INV-1002), PAY-B (100.00 left on account, recorded a day later), and one that arbridge
itself posted (its `AB…` reference), which no reader may return. Shapes follow
/work/shared/reference/erp-and-tax-apis.md (QuickBooks §3.5/§3.12, Acumatica §1.6/§1.7,
Business Central §2.5/§2.6).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from urllib.parse import unquote

import httpx
import respx

OWN_SHORT = "AB0123456789abcd"  # QuickBooks / Acumatica: AB + 14 hex
OWN_LONG = "AB0123456789abcdef01"  # Business Central: AB + 18 hex
CUSTOMER = "58"
FIRST_STAMP = "2026-11-03T08:15:02-07:00"
SECOND_STAMP = "2026-11-04T09:00:00-07:00"

QBO_BASE = "https://quickbooks.api.intuit.com/v3/company/9341453000000001/"
QBO_TOKEN = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"
ACU_SITE = "https://erp.example.com/AcumaticaERP"
ACU_BASE = f"{ACU_SITE}/entity/Default/24.200.001/"
BC_BASE = "https://api.businesscentral.dynamics.com/v2.0/tenant-1/Production/api/v2.0/"
BC_TOKEN = "https://login.microsoftonline.com/tenant-1/oauth2/v2.0/token"
BC_COMPANY = f"{BC_BASE}companies(9b2c0000-0000-0000-0000-000000000001)"
BC_JOURNAL = "4d5e6f70-1a2b-ef11-9f89-6045bde9c1a2"


def _json(body: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=body)


def _name_value(name: str, value: str) -> dict[str, Any]:
    return {
        "name": "{http://schema.intuit.com/finance/v3}NameValue",
        "declaredType": "com.intuit.schema.finance.v3.NameValue",
        "scope": "javax.xml.bind.JAXBElement$GlobalScope",
        "value": {"Name": name, "Value": value},
        "nil": False,
        "globalScope": True,
        "typeSubstituted": False,
    }


QBO_PAYMENTS = [
    {
        "CustomerRef": {"value": CUSTOMER, "name": "Acme Corp"},
        "TotalAmt": 1000.0,
        "UnappliedAmt": 0,
        "Id": "1215",
        "SyncToken": "0",
        "MetaData": {"CreateTime": FIRST_STAMP, "LastUpdatedTime": FIRST_STAMP},
        "TxnDate": "2026-11-03",
        "PaymentRefNum": "CHK-55821",
        "PrivateNote": "Lockbox",
        "Line": [
            {
                "Amount": 750.0,
                "LinkedTxn": [{"TxnId": "1042", "TxnType": "Invoice"}],
                "LineEx": {
                    "any": [
                        _name_value("txnId", "1042"),
                        _name_value("txnReferenceNumber", "INV-1001"),
                    ]
                },
            },
            {
                "Amount": 250.0,
                "LinkedTxn": [{"TxnId": "1047", "TxnType": "Invoice"}],
                "LineEx": {"any": []},
            },
        ],
    },
    {
        "CustomerRef": {"value": CUSTOMER, "name": "Acme Corp"},
        "TotalAmt": 100.0,
        "UnappliedAmt": 100.0,
        "Id": "1216",
        "SyncToken": "0",
        "MetaData": {"CreateTime": SECOND_STAMP, "LastUpdatedTime": SECOND_STAMP},
        "TxnDate": "2026-11-04",
        "Line": [],
    },
    {
        "CustomerRef": {"value": CUSTOMER},
        "TotalAmt": 500.0,
        "UnappliedAmt": 0,
        "Id": "1217",
        "MetaData": {"LastUpdatedTime": FIRST_STAMP},
        "TxnDate": "2026-11-03",
        "PaymentRefNum": OWN_SHORT,
        "Line": [{"Amount": 500.0, "LinkedTxn": [{"TxnId": "1050", "TxnType": "Invoice"}]}],
    },
]


def install_qbo(router: respx.MockRouter) -> None:
    """Token and query routes of a QuickBooks company holding QBO_PAYMENTS."""
    router.post(QBO_TOKEN).mock(
        return_value=_json(
            {
                "access_token": "at-1",
                "refresh_token": "rt-1",
                "expires_in": 3600,
                "token_type": "bearer",
            }
        )
    )
    router.get(f"{QBO_BASE}query").mock(side_effect=_qbo_query)


def _qbo_query(request: httpx.Request) -> httpx.Response:
    text = request.url.params["query"]
    if "FROM Invoice" in text:
        ids = re.findall(r"'(\d+)'", text)
        names = {"1042": "INV-1001", "1047": "INV-1002", "1050": "INV-1003"}
        rows = [{"Id": i, "DocNumber": names[i]} for i in ids if i in names]
        return _json({"QueryResponse": {"Invoice": rows}, "time": FIRST_STAMP})
    after = re.search(r"LastUpdatedTime > '([^']+)'", text)
    rows = QBO_PAYMENTS
    if after:
        since = datetime.fromisoformat(after.group(1))
        rows = [
            p
            for p in rows
            if datetime.fromisoformat(str(p["MetaData"]["LastUpdatedTime"])) > since  # type: ignore[index]  # wire JSON is typed as object; the fake reads the vendor's known keys
        ]
    return _json({"QueryResponse": {"Payment": rows} if rows else {}, "time": FIRST_STAMP})


def _v(value: Any) -> dict[str, Any]:
    return {"value": value}


ACU_PAYMENTS = [
    {
        "id": "8e1b6f52-0a2c-f011-8a70-000d3a9c1b20",
        "rowNumber": 1,
        "Type": _v("Payment"),
        "ReferenceNbr": _v("000123"),
        "CustomerID": _v(CUSTOMER),
        "ApplicationDate": _v("2026-11-03T00:00:00+00:00"),
        "PaymentAmount": _v(1000.0),
        "PaymentRef": _v("CHK-55821"),
        "Description": _v("Lockbox"),
        "Status": _v("Closed"),
        "LastModifiedDateTime": _v("2026-11-03T15:02:11.53+00:00"),
        "ApplicationHistory": [
            {
                "DisplayDocType": _v("Invoice"),
                "DisplayRefNbr": _v("INV-1001"),
                "AmountPaid": _v(750.0),
            },
            {
                "DisplayDocType": _v("Invoice"),
                "DisplayRefNbr": _v("INV-1002"),
                "AmountPaid": _v(250.0),
            },
        ],
        "DocumentsToApply": [],
        "custom": {},
    },
    {
        "Type": _v("Payment"),
        "ReferenceNbr": _v("000124"),
        "CustomerID": _v(CUSTOMER),
        "ApplicationDate": _v("2026-11-04T00:00:00+00:00"),
        "PaymentAmount": _v(100.0),
        "PaymentRef": {},
        "Description": {},
        "Status": _v("Open"),
        "LastModifiedDateTime": _v("2026-11-04T16:00:00+00:00"),
        "ApplicationHistory": [],
        "DocumentsToApply": [],
    },
    {
        "Type": _v("Payment"),
        "ReferenceNbr": _v("000125"),
        "CustomerID": _v(CUSTOMER),
        "ApplicationDate": _v("2026-11-03T00:00:00+00:00"),
        "PaymentAmount": _v(500.0),
        "PaymentRef": _v(OWN_SHORT),
        "Status": _v("Closed"),
        "LastModifiedDateTime": _v("2026-11-03T15:02:11.53+00:00"),
        "ApplicationHistory": [{"DisplayRefNbr": _v("INV-1003"), "AmountPaid": _v(500.0)}],
    },
    {
        "Type": _v("Voided Payment"),
        "ReferenceNbr": _v("000126"),
        "CustomerID": _v(CUSTOMER),
        "ApplicationDate": _v("2026-11-03T00:00:00+00:00"),
        "PaymentAmount": _v(70.0),
        "Status": _v("Closed"),
        "LastModifiedDateTime": _v("2026-11-03T15:02:11.53+00:00"),
    },
]


def install_acumatica(router: respx.MockRouter) -> None:
    """Login, logout and Payment list routes of a tenant holding ACU_PAYMENTS."""
    router.post(f"{ACU_SITE}/entity/auth/login").mock(return_value=httpx.Response(204))
    router.post(f"{ACU_SITE}/entity/auth/logout").mock(return_value=httpx.Response(204))
    router.get(f"{ACU_BASE}Payment").mock(side_effect=_acu_payments)


def _acu_payments(request: httpx.Request) -> httpx.Response:
    params = request.url.params
    assert "ApplicationHistory" in params["$expand"]
    rows = ACU_PAYMENTS
    found = re.search(r"datetimeoffset'([^']+)'", unquote(params.get("$filter", "")))
    if found:
        since = found.group(1)
        rows = [r for r in rows if str(r["LastModifiedDateTime"]["value"]) > since]  # type: ignore[index]  # wire JSON is typed as object; the fake reads the vendor's known keys
    skip, top = int(params.get("$skip", "0")), int(params.get("$top", "500"))
    return httpx.Response(200, content=json.dumps(rows[skip : skip + top]).encode())


def _bc_line(
    number: int, document: str, amount: float, invoice: str, external: str
) -> dict[str, Any]:
    return {
        "@odata.etag": 'W/"JzIwOzE0NTUyOTk4NjI2MDM0MjMxMzAyMTswMDsn"',
        "id": f"c7a1d0b2-3f4e-ef11-9f89-00000000{number:04d}",
        "journalId": BC_JOURNAL,
        "journalDisplayName": "CASHRCPT",
        "lineNumber": number,
        "customerId": "f3a5738a-44e3-ea11-bb43-000d3a2feca1",
        "customerNumber": CUSTOMER,
        "postingDate": "2026-11-03" if document != "PMT-9" else "2026-11-04",
        "documentNumber": document,
        "externalDocumentNumber": external,
        "amount": amount,
        "appliesToInvoiceId": "00000000-0000-0000-0000-000000000000",
        "appliesToInvoiceNumber": invoice,
        "description": "Lockbox" if document == "PMT-55821" else "",
        "comment": "",
        "lastModifiedDateTime": "2026-11-03T15:02:11.537Z",
    }


BC_LINES = [
    _bc_line(10000, "PMT-55821", -750.00, "INV-1001", "CHK-55821"),
    _bc_line(20000, "PMT-55821", -250.00, "INV-1002", "CHK-55821"),
    _bc_line(30000, "PMT-9", -100.00, "", ""),
    _bc_line(40000, "G00042", -500.00, "INV-1003", OWN_LONG),
]


def install_bc(router: respx.MockRouter) -> None:
    """Token, company, journal and journal-line routes of a company holding BC_LINES."""
    router.post(BC_TOKEN).mock(
        return_value=_json({"token_type": "Bearer", "expires_in": 3599, "access_token": "at-1"})
    )
    router.get(f"{BC_BASE}companies").mock(
        return_value=_json(
            {
                "value": [
                    {
                        "id": "9b2c0000-0000-0000-0000-000000000001",
                        "name": "CRONUS",
                        "displayName": "CRONUS",
                    }
                ]
            }
        )
    )
    router.get(f"{BC_COMPANY}/customerPaymentJournals").mock(
        return_value=_json(
            {"value": [{"id": BC_JOURNAL, "code": "CASHRCPT", "displayName": "Cash receipts"}]}
        )
    )
    router.get(f"{BC_COMPANY}/customerPaymentJournals({BC_JOURNAL})/customerPayments").mock(
        side_effect=_bc_lines
    )


def _bc_lines(request: httpx.Request) -> httpx.Response:
    if "$skiptoken" in str(request.url):
        return _json({"value": BC_LINES[2:]})
    nxt = f"{BC_COMPANY}/customerPaymentJournals({BC_JOURNAL})/customerPayments?$skiptoken=2"
    return _json({"value": BC_LINES[:2], "@odata.nextLink": nxt})
