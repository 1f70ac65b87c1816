"""Avalara AvaTax REST v2: customers and exemption certificates of one company.

Paths and fields follow `shared/reference/erp-and-tax-apis.md` §4.5-4.6 and §4.10.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import httpx
from tenacity.wait import WaitBaseT

from arbridge.connectors.errors import PermanentConnectorError
from arbridge.connectors.tax._avatax_http import BASE_URLS, AvaTaxHttp
from arbridge.domain.tax import CertificateUpload, NewTaxCustomer, TaxCertificate, TaxCustomer

T = TypeVar("T")


class AvaTaxSystem:
    """The certificate functions of AvaTax for one company (by id, or looked up by code)."""

    def __init__(
        self,
        *,
        name: str,
        account_id: str,
        license_key: str,
        environment: str = "sandbox",
        company_id: int | None = None,
        company_code: str = "DEFAULT",
        attempts: int = 4,
        wait: WaitBaseT | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._name = name
        self._company_id = company_id
        self._company_code = company_code
        self._http = AvaTaxHttp(
            name=name,
            base_url=BASE_URLS[environment],
            account_id=account_id,
            license_key=license_key,
            attempts=attempts,
            wait=wait,
            transport=transport,
            sleep=sleep,
        )

    def __repr__(self) -> str:
        return f"AvaTaxSystem(name={self._name!r}, company={self._company_code!r})"

    @property
    def name(self) -> str:
        """The connector's configured name."""
        return self._name

    def close(self) -> None:
        """Close pooled connections."""
        self._http.close()

    def list_customers(self, modified_since: datetime | None = None) -> Sequence[TaxCustomer]:
        """Customers changed after `modified_since` (every customer when None)."""
        path = f"{self._company_path()}/customers"
        return _parsed(self._name, _customer, self._http.pages(path, _since_filter(modified_since)))

    def create_customers(self, customers: Sequence[NewTaxCustomer]) -> Sequence[TaxCustomer]:
        """Create customers (one POST with an array body)."""
        if not customers:
            return []
        company = self._company()
        body = [
            {
                "companyId": company,
                "customerCode": c.customer_code,
                "name": c.name,
                "alternateId": c.alternate_id,
            }
            for c in customers
        ]
        created = self._http.post(f"/api/v2/companies/{company}/customers", body)
        return _parsed(self._name, _customer, _as_list(self._name, created))

    def list_certificates(self, modified_since: datetime | None = None) -> Sequence[TaxCertificate]:
        """Certificates changed after `modified_since`, with their linked customers."""
        params = {"$include": "customers", **_since_filter(modified_since)}
        path = f"{self._company_path()}/certificates"
        return _parsed(self._name, _certificate, self._http.pages(path, params))

    def upload_certificate(self, upload: CertificateUpload) -> TaxCertificate:
        """Create a certificate from the PDF (exemption reason not pre-validated), then link it."""
        company = self._company()
        body = [
            {
                "signedDate": upload.signed_date.isoformat(),
                "exemptPercentage": 0,
                "isSingleCertificate": False,
                "exemptionReason": {"name": upload.exemption_reason},
                "pdf": base64.b64encode(upload.content).decode("ascii"),
            }
        ]
        created = _as_list(
            self._name,
            self._http.post(
                f"/api/v2/companies/{company}/certificates",
                body,
                params={"$preValidatedExemptionReason": "false"},
            ),
        )
        if len(created) != 1 or "id" not in created[0]:
            raise PermanentConnectorError(self._name, "certificate create returned no id")
        cert_id = int(created[0]["id"])
        self._http.post(
            f"/api/v2/companies/{company}/customers/{upload.customer_code}/certificates/link",
            {"certificates": [cert_id]},
        )
        return _certificate({**created[0], "customers": [{"customerCode": upload.customer_code}]})

    def request_certificate(self, customer_code: str, email: str) -> str:
        """Not available: the CertExpress invitation call is not in our wire reference yet."""
        raise PermanentConnectorError(
            self._name,
            "CertExpress invitations are not supported yet (the endpoint is not in the "
            "wire reference); send the invitation from AvaTax for customer " + customer_code,
        )

    def _company_path(self) -> str:
        return f"/api/v2/companies/{self._company()}"

    def _company(self) -> int:
        """The numeric company id, looked up once by company code when not configured."""
        if self._company_id is None:
            params = {"$filter": f"companyCode eq '{self._company_code}'"}
            found = list(self._http.pages("/api/v2/companies", params))
            if not found:
                raise PermanentConnectorError(
                    self._name, f"no AvaTax company with code {self._company_code!r}"
                )
            self._company_id = int(found[0]["id"])
        return self._company_id


def _since_filter(since: datetime | None) -> dict[str, str]:
    """`$filter` on modifiedDate, a day early: re-reading a little is harmless, missing is not."""
    if since is None:
        return {}
    day = (since.astimezone(UTC) - timedelta(days=1)).date()
    return {"$filter": f"modifiedDate gt '{day.isoformat()}'"}


def _parsed(
    name: str, parse: Callable[[dict[str, Any]], T], records: Iterable[dict[str, Any]]
) -> list[T]:
    """Records turned into ours; a malformed one stops the pull, naming the record."""
    out = []
    for raw in records:
        try:
            out.append(parse(raw))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            ident = raw.get("id", raw.get("customerCode", "?")) if isinstance(raw, dict) else "?"
            raise PermanentConnectorError(
                name, f"malformed record {ident}: {type(exc).__name__} {exc}"
            ) from exc
    return out


def _as_list(name: str, body: Any) -> list[dict[str, Any]]:
    if isinstance(body, dict) and isinstance(body.get("value"), list):
        body = body["value"]
    if not isinstance(body, list):
        raise PermanentConnectorError(name, "expected a JSON array in the response")
    return body


def _customer(raw: dict[str, Any]) -> TaxCustomer:
    return TaxCustomer(
        customer_code=str(raw["customerCode"]),
        name=str(raw.get("name") or ""),
        alternate_id=raw.get("alternateId"),
        email=raw.get("emailAddress"),
        modified_at=_datetime(raw.get("modifiedDate")),
    )


def _certificate(raw: dict[str, Any]) -> TaxCertificate:
    zone = raw.get("exposureZone") or {}
    reason = raw.get("exemptionReason") or {}
    return TaxCertificate(
        certificate_id=str(raw["id"]),
        customer_codes=tuple(str(c["customerCode"]) for c in raw.get("customers") or ()),
        signed_date=_date(raw["signedDate"]) or date.min,
        expiration_date=_date(raw.get("expirationDate")),
        region=zone.get("region"),
        country=zone.get("country"),
        zone_name=zone.get("name") or raw.get("exposureZoneName"),
        status=str(raw.get("status") or ""),
        valid=bool(raw.get("valid", False)),
        exemption_number=raw.get("exemptionNumber"),
        exemption_reason=reason.get("name"),
        modified_at=_datetime(raw.get("modifiedDate")),
    )


def _date(value: Any) -> date | None:
    """A date, also from a date-time string (the models type these as dates)."""
    return date.fromisoformat(str(value)[:10]) if value else None


def _datetime(value: Any) -> datetime | None:
    """An aware date-time; AvaTax sends them without an offset, taken as UTC."""
    if not value:
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
