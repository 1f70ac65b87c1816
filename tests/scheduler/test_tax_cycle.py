"""End to end: csv ERP with taxed invoices + an in-memory tax system -> the expected review items."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from arbridge.app.profiles import csv_profile
from arbridge.config import CsvProfileSettings
from arbridge.connectors.bank import FolderBankSource
from arbridge.connectors.erp import CsvErpGateway
from arbridge.connectors.tax import InMemoryTaxSystem
from arbridge.domain.tax import TaxCertificate, TaxCustomer
from arbridge.review import ReviewQueue
from arbridge.scheduler import CycleDeps, run_cycle
from arbridge.scheduler.tax import TaxCheckDeps
from arbridge.store import Store

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

CUSTOMERS = """\
customer_id,name,parent_id,terms,currency
C001,Acme Industrial Supply Inc,,NET30,USD
C002,Brightwater Foods LLC,,NET30,USD
C003,Cobalt Ridge Mining,,NET30,USD
"""
INVOICES = """\
invoice_id,customer_id,invoice_date,due_date,amount,open_amount,currency,terms,po_number,tax_amount,ship_to_region
INV-1,C001,2026-10-01,2026-10-31,110.00,110.00,USD,NET30,,10.00,CA
INV-2,C002,2026-10-02,2026-11-01,100.00,100.00,USD,NET30,,0.00,CA
INV-3,C001,2026-10-03,2026-11-02,220.00,220.00,USD,NET30,,20.00,CA
INV-4,C003,2026-10-04,2026-11-03,55.00,55.00,USD,NET30,,5.00,NV
INV-5,C002,2026-10-05,2026-11-04,75.00,75.00,USD,NET30,,,
"""
BANK = """\
Date,Description,Amount,Transaction ID
11/10/2026,ACME INDUSTRIAL SUPPLY INV-3,200.00,TX1
"""
CA_CERT = TaxCertificate(
    certificate_id="88",
    customer_codes=("C001",),
    signed_date=date(2026, 1, 1),
    expiration_date=date(2026, 12, 10),
    region="CA",
    country="US",
    zone_name="California",
    exemption_reason="RESALE",
)


@pytest.fixture
def layout(tmp_path: Path) -> Path:
    (tmp_path / "erp").mkdir()
    (tmp_path / "erp" / "customers.csv").write_text(CUSTOMERS, encoding="utf-8")
    (tmp_path / "erp" / "invoices.csv").write_text(INVOICES, encoding="utf-8")
    (tmp_path / "bank").mkdir()
    (tmp_path / "bank" / "nov.csv").write_text(BANK, encoding="utf-8")
    (tmp_path / "uploads" / "C002").mkdir(parents=True)
    (tmp_path / "uploads" / "C002" / "resale-ca.pdf").write_bytes(b"%PDF-1.4 resale")
    (tmp_path / "uploads" / "C002" / "notes.txt").write_text("not a pdf", encoding="utf-8")
    return tmp_path


def _deps(store: Store, data: Path, tax: InMemoryTaxSystem) -> CycleDeps:
    profile = CsvProfileSettings.model_validate(
        {
            "date": {"column": "Date", "format": "%m/%d/%Y"},
            "amount": {"column": "Amount"},
            "description": {"columns": ["Description"]},
            "transaction_id": {"column": "Transaction ID"},
        }
    )
    bank = FolderBankSource(
        name="operating", path=data / "bank", currency="USD", csv_profile=csv_profile(profile)
    )
    erp = CsvErpGateway(
        name="books",
        customers=data / "erp" / "customers.csv",
        invoices=data / "erp" / "invoices.csv",
        applications=data / "out" / "applications.csv",
    )
    return CycleDeps(
        store=store,
        bank_sources=[bank],
        erp=erp,
        clock=lambda: NOW,
        tax=TaxCheckDeps(system=tax, expiry_warning_days=30, uploads=data / "uploads"),
    )


def _tax_system() -> InMemoryTaxSystem:
    customers = [TaxCustomer(customer_code=c) for c in ("C001", "C002")]
    return InMemoryTaxSystem(customers=customers, certificates=[CA_CERT], clock=lambda: NOW)


def _by_flag(store: Store) -> dict[str, list[tuple[str | None, tuple[str, ...], str]]]:
    items = ReviewQueue(store).open_items(reason="tax_certificate")
    grouped: dict[str, list[tuple[str | None, tuple[str, ...], str]]] = {}
    for item in items:
        flag = item.suggestions[0]["tax_flag"] if item.suggestions else "certificate_uploaded"
        grouped.setdefault(flag, []).append(
            (item.customer_id, item.suggested_invoice_ids, item.message)
        )
    return grouped


def test_taxed_invoices_and_short_payment_become_tax_review_items(
    store: Store, layout: Path
) -> None:
    """Every flag fires once on its invoice, customer or certificate; a rerun adds nothing."""
    tax = _tax_system()

    summary = run_cycle(_deps(store, layout, tax))

    assert summary.errors == []
    found = _by_flag(store)
    assert sorted(found) == [
        "certificate_expiring",
        "certificate_uploaded",
        "customer_missing",
        "exempt_without_certificate",
        "exemption_claim",
        "taxed_despite_certificate",
    ]
    assert sorted(ids for _, ids, _ in found["taxed_despite_certificate"]) == [
        ("INV-1",),
        ("INV-3",),
    ]
    assert [(c, ids) for c, ids, _ in found["exempt_without_certificate"]] == [("C002", ("INV-2",))]
    (claim,) = found["exemption_claim"]
    assert claim[:2] == ("C001", ("INV-3",))
    assert "credit memo of 20.00" in claim[2]
    assert [c for c, _, _ in found["customer_missing"]] == ["C003"]
    assert [c for c, _, _ in found["certificate_expiring"]] == ["C001"]
    assert "2026-12-10" in found["certificate_expiring"][0][2]
    assert [c for c, _, _ in found["certificate_uploaded"]] == ["C002"]
    assert [u.filename for u in tax.uploads] == ["resale-ca.pdf"]
    uploaded = [c for c in tax.certificates.values() if c.certificate_id != "88"]
    assert [c.status for c in uploaded] == ["PENDING"]  # never approved by arbridge
    short = ReviewQueue(store).open_items(reason="short_payment")
    assert [i.suggested_invoice_ids for i in short] == [("INV-3",)]

    again = run_cycle(_deps(store, layout, tax))

    assert again.counts["queued"] == 0
    assert len(tax.uploads) == 1


def test_exemption_claim_without_certificate_suggests_requesting_one(
    store: Store, layout: Path
) -> None:
    """With no certificate on file, the short payment's suggestion is to request one."""
    tax = InMemoryTaxSystem(customers=[TaxCustomer(customer_code="C001")], clock=lambda: NOW)

    run_cycle(_deps(store, layout, tax))

    (claim,) = _by_flag(store)["exemption_claim"]
    assert "request one" in claim[2]
    assert "taxed_despite_certificate" not in _by_flag(store)


def test_a_failing_tax_system_is_a_connector_failure_not_a_failed_cycle(
    store: Store, layout: Path
) -> None:
    """The cycle still applies cash and queues a connector_down item for the tax system."""

    class Broken(InMemoryTaxSystem):
        def list_certificates(self, modified_since: datetime | None = None) -> list[TaxCertificate]:
            from arbridge.connectors.errors import PermanentConnectorError

            raise PermanentConnectorError(self.name, "401 AuthenticationException")

    summary = run_cycle(_deps(store, layout, Broken(clock=lambda: NOW)))

    assert any("AuthenticationException" in e for e in summary.errors)
    down = ReviewQueue(store).open_items(reason="connector_down")
    assert [i.message for i in down] == ["connector tax failed: 401 AuthenticationException"]
    assert ReviewQueue(store).open_items(reason="short_payment")  # the rest of the cycle ran
