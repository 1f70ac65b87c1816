"""Repository of the tax system's customers and certificates, cached between incremental pulls."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from arbridge.domain.tax import TaxCertificate, TaxCustomer
from arbridge.store.tables import SyncCursorRow, TaxRecordRow

CUSTOMER, CERTIFICATE = "customer", "certificate"


def cursors(session: Session, connector: str) -> tuple[datetime | None, datetime | None]:
    """When the last pull, and the last full pull, of this tax system started (None: never)."""
    found = []
    for stream in ("tax", "tax:full"):
        row = session.get(SyncCursorRow, (connector, stream))
        found.append(None if row is None else datetime.fromisoformat(row.value))
    return found[0], found[1]


def save_pull(
    session: Session,
    connector: str,
    *,
    customers: Sequence[TaxCustomer],
    certificates: Sequence[TaxCertificate],
    started: datetime,
    full: bool,
) -> None:
    """Upsert what was pulled (replace everything when `full`) and move the cursor to `started`."""
    if full:
        session.execute(delete(TaxRecordRow).where(col(TaxRecordRow.connector) == connector))
    for c in customers:
        session.merge(_row(connector, CUSTOMER, c.customer_code, _customer_payload(c), started))
    for cert in certificates:
        session.merge(
            _row(connector, CERTIFICATE, cert.certificate_id, _cert_payload(cert), started)
        )
    for stream in ("tax", "tax:full") if full else ("tax",):
        session.merge(
            SyncCursorRow(
                connector=connector, stream=stream, value=started.isoformat(), updated_at=started
            )
        )


def customer_codes(session: Session, connector: str) -> list[str]:
    """Every cached customer code."""
    query = select(TaxRecordRow.key).where(
        TaxRecordRow.connector == connector, TaxRecordRow.kind == CUSTOMER
    )
    return list(session.exec(query))


def certificates(session: Session, connector: str) -> list[TaxCertificate]:
    """Every cached certificate."""
    query = select(TaxRecordRow.payload).where(
        TaxRecordRow.connector == connector, TaxRecordRow.kind == CERTIFICATE
    )
    return [_certificate(p) for p in session.exec(query)]


def _row(
    connector: str, kind: str, key: str, payload: dict[str, Any], now: datetime
) -> TaxRecordRow:
    return TaxRecordRow(connector=connector, kind=kind, key=key, payload=payload, seen_at=now)


def _customer_payload(c: TaxCustomer) -> dict[str, Any]:
    return {"customer_code": c.customer_code, "name": c.name}


def _cert_payload(c: TaxCertificate) -> dict[str, Any]:
    return {
        "certificate_id": c.certificate_id,
        "customer_codes": list(c.customer_codes),
        "signed_date": c.signed_date.isoformat(),
        "expiration_date": c.expiration_date.isoformat() if c.expiration_date else None,
        "region": c.region,
        "country": c.country,
        "zone_name": c.zone_name,
        "status": c.status,
        "valid": c.valid,
        "exemption_number": c.exemption_number,
        "exemption_reason": c.exemption_reason,
        "modified_at": c.modified_at.isoformat() if c.modified_at else None,
    }


def _certificate(p: Mapping[str, Any]) -> TaxCertificate:
    return TaxCertificate(
        certificate_id=p["certificate_id"],
        customer_codes=tuple(p["customer_codes"]),
        signed_date=date.fromisoformat(p["signed_date"]),
        expiration_date=date.fromisoformat(p["expiration_date"]) if p["expiration_date"] else None,
        region=p["region"],
        country=p["country"],
        zone_name=p["zone_name"],
        status=p["status"],
        valid=p["valid"],
        exemption_number=p["exemption_number"],
        exemption_reason=p["exemption_reason"],
        modified_at=datetime.fromisoformat(p["modified_at"]) if p["modified_at"] else None,
    )
