"""The payment readers call the hosts the config names, as their gateways do (api_url, token_url)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
import respx

from arbridge.app.erp_gateways import build_payment_reader, erp_hosts
from arbridge.config import BusinessCentralErpSettings, QuickBooksErpSettings
from tests.contracts import fake_payments

BC_API = "https://bc-proxy.example.test/dynamics"
BC_TOKEN = "https://login.example.test/{tenant}/oauth2/v2.0/token"
QBO_API = "https://qbo-proxy.example.test"
QBO_TOKEN = "https://oauth.example.test/oauth2/v1/tokens/bearer"
REALM = "9341453000000001"
COMPANY_ID = "9b2c0000-0000-0000-0000-000000000001"


def _json(body: object) -> httpx.Response:
    return httpx.Response(200, json=body)


def _hosts(router: respx.MockRouter) -> set[str]:
    return {f"{c.request.url.scheme}://{c.request.url.host}" for c in router.calls}


def _doctor_hosts(urls: list[str]) -> set[str]:
    return {re.match(r"https://[^/]+", u).group(0) for u in urls}  # type: ignore[union-attr] # every URL here is https


@pytest.fixture
def secret_env(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("ERP_CLIENT_SECRET", "s3cret-value")
    return "env:ERP_CLIENT_SECRET"


def test_the_business_central_reader_calls_the_configured_hosts(secret_env: str) -> None:
    erp = BusinessCentralErpSettings.model_validate(
        {
            "name": "bc",
            "kind": "business_central",
            "tenant": "tenant-1",
            "company": "CRONUS",
            "client_id": "app-1",
            "client_secret": secret_env,
            "api_url": BC_API,
            "token_url": BC_TOKEN,
            "read_payments": True,
        }
    )
    base = f"{BC_API}/v2.0/tenant-1/Production/api/v2.0/"
    company = f"{base}companies({COMPANY_ID})"
    journal = fake_payments.BC_JOURNAL
    with respx.mock(assert_all_called=True) as router:  # a call to any other host fails
        token = router.post("https://login.example.test/tenant-1/oauth2/v2.0/token").mock(
            return_value=_json({"token_type": "Bearer", "expires_in": 3599, "access_token": "a"})
        )
        router.get(f"{base}companies").mock(
            return_value=_json({"value": [{"id": COMPANY_ID, "name": "CRONUS"}]})
        )
        router.get(f"{company}/customerPaymentJournals").mock(
            return_value=_json({"value": [{"id": journal, "code": "CASHRCPT"}]})
        )
        router.get(f"{company}/customerPaymentJournals({journal})/customerPayments").mock(
            return_value=_json({"value": fake_payments.BC_LINES})
        )
        reader = build_payment_reader(erp)
        assert reader is not None
        batch = reader.fetch_payments_since(None)
        called = _hosts(router)

    assert token.call_count == 1
    assert {p.reference for p in batch.payments} >= {"CHK-55821"}
    assert called == _doctor_hosts(erp_hosts(erp))


def test_the_quickbooks_reader_calls_the_configured_hosts(secret_env: str, tmp_path: Path) -> None:
    tokens = tmp_path / "qbo.token"
    tokens.write_text("rt-0", encoding="utf-8")
    erp = QuickBooksErpSettings.model_validate(
        {
            "name": "qbo",
            "kind": "quickbooks",
            "realm_id": REALM,
            "client_id": "client-1",
            "client_secret": secret_env,
            "refresh_token_file": str(tokens),
            "api_url": QBO_API,
            "token_url": QBO_TOKEN,
            "read_payments": True,
        }
    )
    with respx.mock(assert_all_called=True) as router:  # a call to any other host fails
        token = router.post(QBO_TOKEN).mock(
            return_value=_json(
                {
                    "access_token": "a",
                    "refresh_token": "rt-1",
                    "expires_in": 3600,
                    "token_type": "bearer",
                }
            )
        )
        router.get(f"{QBO_API}/v3/company/{REALM}/query").mock(side_effect=_qbo_query)
        reader = build_payment_reader(erp)
        assert reader is not None
        batch = reader.fetch_payments_since(None)
        called = _hosts(router)

    assert token.call_count == 1
    assert {p.reference for p in batch.payments} >= {"CHK-55821"}
    assert tokens.read_text(encoding="utf-8") == "rt-1"
    assert called == _doctor_hosts(erp_hosts(erp))


def _qbo_query(request: httpx.Request) -> httpx.Response:
    text = request.url.params["query"]
    if "FROM Invoice" in text:
        names = {"1042": "INV-1001", "1047": "INV-1002", "1050": "INV-1003"}
        rows = [
            {"Id": i, "DocNumber": names[i]} for i in re.findall(r"'(\d+)'", text) if i in names
        ]
        return _json({"QueryResponse": {"Invoice": rows}, "time": fake_payments.FIRST_STAMP})
    body = {
        "QueryResponse": {"Payment": fake_payments.QBO_PAYMENTS},
        "time": fake_payments.FIRST_STAMP,
    }
    return _json(body)
