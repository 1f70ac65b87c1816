"""AvaTax REST v2 against respx mocks built from the reference's wire shapes (§4)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime

import httpx
import pytest
import respx
from tenacity import wait_none

from arbridge.connectors.errors import (
    PermanentConnectorError,
    RecordRejectedError,
    TransientConnectorError,
)
from arbridge.connectors.tax import AvaTaxSystem
from arbridge.domain.tax import CertificateUpload, NewTaxCustomer

SANDBOX = "https://sandbox-rest.avatax.com"
COMPANY = f"{SANDBOX}/api/v2/companies/123456"
LICENSE = "s3cr3t-license-key"

CERT_88 = {
    "id": 88,
    "companyId": 123456,
    "signedDate": "2025-01-15",
    "expirationDate": "2028-01-15",
    "filename": "C000000042_CA_resale.pdf",
    "documentExists": True,
    "valid": True,
    "verified": True,
    "exemptPercentage": 0.0,
    "isSingleCertificate": False,
    "exemptionNumber": "SR-FH-123456789",
    "validatedExemptionReason": {"id": 70, "name": "RESALE"},
    "exemptionReason": {"id": 70, "name": "RESALE"},
    "status": "COMPLETE",
    "ecmStatus": "Valid",
    "createdDate": "2025-01-16T18:02:44",
    "modifiedDate": "2025-05-02T11:40:09",
    "pageCount": 1,
    "exposureZone": {
        "id": 5,
        "name": "California",
        "tag": "EZ_US_CA",
        "description": "California",
        "region": "CA",
        "country": "US",
    },
    "exposureZoneName": "California",
    "customers": [
        {
            "id": 5512,
            "companyId": 123456,
            "customerCode": "C000000042",
            "alternateId": "acu:C000000042",
            "name": "Acme Corp",
            "line1": "2000 Main St",
            "city": "Irvine",
            "region": "CA",
            "postalCode": "92614",
            "country": "US",
            "emailAddress": "ap@acme.example",
            "isBill": True,
            "isShip": False,
        }
    ],
}


def _error(
    code: str, message: str, number: int = 0, target: str = "HttpRequest"
) -> dict[str, object]:
    detail = {
        "code": code,
        "number": number,
        "message": message,
        "description": "",
        "faultCode": "Client",
        "helpLink": f"https://developer.avalara.com/avatax/errors/{code}",
        "refersTo": None,
        "severity": "Error",
    }
    return {"error": {"code": code, "message": message, "target": target, "details": [detail]}}


def _system(**kwargs: object) -> AvaTaxSystem:
    options: dict[str, object] = {
        "company_id": 123456,
        "attempts": 3,
        "wait": wait_none(),
        "environment": "sandbox",
    }
    options.update(kwargs)
    return AvaTaxSystem(
        name="avatax",
        account_id="1100012345",
        license_key=LICENSE,
        **options,  # type: ignore[arg-type]  # keyword overrides of a test builder, checked at run time by the record's constructor
    )


@respx.mock
def test_certificates_are_paged_through_next_link_with_customers_and_zone() -> None:
    """Two pages joined by @nextLink; each record becomes a certificate with region and customers."""
    second = {**CERT_88, "id": 89, "status": "PENDING", "exposureZone": None, "customers": []}
    next_link = "/api/v2/companies/123456/certificates?$include=customers&$top=1&$skip=1"
    first_page = respx.get(f"{COMPANY}/certificates", params={"$skip": "0"}).respond(
        json={"@recordsetCount": 2, "value": [CERT_88], "@nextLink": next_link}
    )
    second_page = respx.get(f"{COMPANY}/certificates", params={"$skip": "1"}).respond(
        json={"@recordsetCount": 2, "value": [second]}
    )

    certs = _system().list_certificates()

    assert [c.certificate_id for c in certs] == ["88", "89"]
    first = certs[0]
    assert (first.region, first.country, first.zone_name) == ("CA", "US", "California")
    assert first.customer_codes == ("C000000042",)
    assert (first.signed_date, first.expiration_date) == (date(2025, 1, 15), date(2028, 1, 15))
    assert first.usable
    assert first.exemption_reason == "RESALE"
    assert first.modified_at == datetime(2025, 5, 2, 11, 40, 9, tzinfo=UTC)
    assert not certs[1].usable
    assert certs[1].region is None
    sent = first_page.calls.last.request
    assert sent.url.params["$include"] == "customers"
    assert sent.url.params["$top"] == "1000"
    assert "$filter" not in sent.url.params
    assert second_page.called
    auth = base64.b64encode(f"1100012345:{LICENSE}".encode()).decode()
    assert sent.headers["Authorization"] == f"Basic {auth}"


@respx.mock
def test_incremental_pull_filters_on_modified_date() -> None:
    """A `modified_since` becomes `$filter=modifiedDate gt '…'`, a day early to be safe."""
    route = respx.get(f"{COMPANY}/customers").respond(
        json={"@recordsetCount": 1, "value": [CERT_88["customers"][0]]}  # type: ignore[index]  # CERT_88 is JSON typed as object; the test reads known keys
    )

    customers = _system().list_customers(datetime(2025, 5, 2, 8, 0, tzinfo=UTC))

    assert route.calls.last.request.url.params["$filter"] == "modifiedDate gt '2025-05-01'"
    assert [c.customer_code for c in customers] == ["C000000042"]
    assert customers[0].alternate_id == "acu:C000000042"


@respx.mock
def test_company_id_is_looked_up_once_by_company_code() -> None:
    """Without a company id, `GET /companies?$filter=companyCode eq '…'` finds it, once."""
    lookup = respx.get(f"{SANDBOX}/api/v2/companies").respond(
        json={"@recordsetCount": 1, "value": [{"id": 123456, "companyCode": "DEFAULT"}]}
    )
    respx.get(f"{COMPANY}/customers").respond(json={"@recordsetCount": 0, "value": []})
    system = _system(company_id=None)

    system.list_customers()
    system.list_customers()

    assert lookup.call_count == 1
    assert lookup.calls.last.request.url.params["$filter"] == "companyCode eq 'DEFAULT'"


@pytest.mark.parametrize(
    ("status", "code"),
    [(401, "AuthenticationException"), (403, "AuthorizationException")],
)
@respx.mock
def test_bad_credentials_are_permanent_and_never_echo_the_key(status: int, code: str) -> None:
    """401/403 stop the connector with AvaTax's code; the license key appears nowhere."""
    route = respx.get(f"{COMPANY}/certificates").respond(
        status, json=_error(code, "The user or account could not be authenticated.", 30)
    )

    with pytest.raises(PermanentConnectorError) as caught:
        _system().list_certificates()

    assert route.call_count == 1  # not retried
    assert code in str(caught.value)
    assert LICENSE not in str(caught.value)
    assert LICENSE not in repr(_system())


@respx.mock
def test_unprovisioned_company_is_permanent() -> None:
    """CertificatesNotSetup says certificate storage is not provisioned: a person must act."""
    respx.get(f"{COMPANY}/certificates").respond(
        400, json=_error("CertificatesNotSetup", "Certificates are not set up.", 1205)
    )

    with pytest.raises(PermanentConnectorError, match="not set up"):
        _system().list_certificates()


@respx.mock
def test_429_is_retried_then_succeeds() -> None:
    """A throttled read is retried with backoff and then goes through."""
    route = respx.get(f"{COMPANY}/customers")
    route.side_effect = [
        httpx.Response(429, json=_error("RateLimitExceededError", "Too many requests", 1723)),
        httpx.Response(200, json={"@recordsetCount": 0, "value": []}),
    ]

    assert _system().list_customers() == []
    assert route.call_count == 2


@respx.mock
def test_retry_after_is_honoured_on_429_even_for_a_create() -> None:
    """A 429 was refused before anything happened: the create is retried after Retry-After."""
    slept: list[float] = []
    route = respx.post(f"{COMPANY}/customers")
    route.side_effect = [
        httpx.Response(
            429,
            headers={"Retry-After": "7"},
            json=_error("RateLimitExceededError", "slow down", 1723),
        ),
        httpx.Response(200, json=[{"customerCode": "C1", "name": "One"}]),
    ]
    system = AvaTaxSystem(
        name="avatax", account_id="1", license_key=LICENSE, company_id=123456, sleep=slept.append
    )

    created = system.create_customers([NewTaxCustomer(customer_code="C1", name="One")])

    assert [c.customer_code for c in created] == ["C1"]
    assert slept == [7.0]


@respx.mock
def test_persistent_5xx_becomes_transient_after_the_last_attempt() -> None:
    """Server errors are retried `attempts` times, then reported as transient."""
    route = respx.get(f"{COMPANY}/customers").respond(500, json=_error("ServerError", "oops"))

    with pytest.raises(TransientConnectorError, match="500"):
        _system().list_customers()

    assert route.call_count == 3


@respx.mock
def test_dropped_connection_on_a_read_is_retried() -> None:
    """A transport error on a GET is retried like a 5xx."""
    route = respx.get(f"{COMPANY}/customers")
    route.side_effect = [
        httpx.ConnectError("boom"),
        httpx.Response(200, json={"@recordsetCount": 0, "value": []}),
    ]

    assert _system().list_customers() == []
    assert route.call_count == 2


@respx.mock
def test_validation_error_on_create_rejects_the_record() -> None:
    """ModelStateInvalid (400) on a customer create is this record's problem, not retried."""
    route = respx.post(f"{COMPANY}/customers").respond(
        400, json=_error("ModelStateInvalid", "Field 'name' is required.", target="IncorrectData")
    )

    with pytest.raises(RecordRejectedError, match="ModelStateInvalid"):
        _system().create_customers([NewTaxCustomer(customer_code="C1", name="")])

    assert route.call_count == 1


@respx.mock
def test_5xx_on_a_create_is_not_retried() -> None:
    """Creates have no idempotency key, so a 500 is not retried (it may have been created)."""
    route = respx.post(f"{COMPANY}/customers").respond(500, json=_error("ServerError", "oops"))

    with pytest.raises(TransientConnectorError):
        _system().create_customers([NewTaxCustomer(customer_code="C1", name="One")])

    assert route.call_count == 1


@respx.mock
def test_create_customers_posts_an_array() -> None:
    """Customers are created with one POST whose body is an array of CustomerModel."""
    route = respx.post(f"{COMPANY}/customers").respond(
        200, json=[{"id": 1, "companyId": 123456, "customerCode": "C001", "name": "Acme"}]
    )

    created = _system().create_customers(
        [NewTaxCustomer(customer_code="C001", name="Acme", alternate_id="C001")]
    )

    body = json.loads(route.calls.last.request.content)
    assert body == [
        {"companyId": 123456, "customerCode": "C001", "name": "Acme", "alternateId": "C001"}
    ]
    assert [c.customer_code for c in created] == ["C001"]


@respx.mock
def test_upload_creates_unvalidated_certificate_then_links_the_customer() -> None:
    """The PDF goes base64 in `pdf`, not pre-validated; then the customer link call."""
    create = respx.post(f"{COMPANY}/certificates").respond(
        200, json=[{**CERT_88, "id": 90, "status": "PENDING", "customers": []}]
    )
    link = respx.post(f"{COMPANY}/customers/C000000042/certificates/link").respond(
        200, json={"@recordsetCount": 1, "value": [CERT_88]}
    )
    upload = CertificateUpload(
        customer_code="C000000042",
        filename="resale.pdf",
        content=b"%PDF-1.4 test",
        signed_date=date(2026, 11, 20),
    )

    cert = _system().upload_certificate(upload)

    sent = create.calls.last.request
    assert sent.url.params["$preValidatedExemptionReason"] == "false"
    body = json.loads(sent.content)
    assert len(body) == 1
    assert base64.b64decode(body[0]["pdf"]) == b"%PDF-1.4 test"
    assert body[0]["signedDate"] == "2026-11-20"
    assert "filename" not in body[0]
    assert "pages" not in body[0]
    assert json.loads(link.calls.last.request.content) == {"certificates": [90]}
    assert cert.certificate_id == "90"
    assert cert.customer_codes == ("C000000042",)
    assert not cert.usable  # pending until a person approves it


@respx.mock
def test_link_to_unknown_customer_is_rejected() -> None:
    """EntityNotFoundError (404) on the link rejects the upload."""
    respx.post(f"{COMPANY}/certificates").respond(200, json=[{**CERT_88, "id": 91}])
    respx.post(f"{COMPANY}/customers/C9/certificates/link").respond(
        404, json=_error("EntityNotFoundError", "Customer with code 'C9' not found.", 4)
    )
    upload = CertificateUpload(
        customer_code="C9", filename="x.pdf", content=b"%PDF", signed_date=date(2026, 1, 1)
    )

    with pytest.raises(RecordRejectedError, match="EntityNotFoundError"):
        _system().upload_certificate(upload)


@respx.mock
def test_next_link_to_another_host_is_refused() -> None:
    """Credentials are only ever sent to the configured AvaTax host."""
    respx.get(f"{COMPANY}/customers").respond(
        json={"value": [{"customerCode": "A"}], "@nextLink": "https://evil.example/api/v2/x"}
    )

    with pytest.raises(PermanentConnectorError, match="another host"):
        _system().list_customers()


@respx.mock
def test_malformed_record_names_the_record() -> None:
    """A certificate without its required signedDate stops the pull with a clear error."""
    broken = {k: v for k, v in CERT_88.items() if k != "signedDate"}
    respx.get(f"{COMPANY}/certificates").respond(json={"value": [broken]})

    with pytest.raises(PermanentConnectorError, match="malformed record 88"):
        _system().list_certificates()


def test_production_environment_uses_the_production_host() -> None:
    """environment: production talks to rest.avatax.com."""
    with respx.mock:
        route = respx.get("https://rest.avatax.com/api/v2/companies/123456/customers").respond(
            json={"value": []}
        )
        _system(environment="production").list_customers()

    assert route.called
