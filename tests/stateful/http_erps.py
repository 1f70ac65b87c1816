"""The HTTP ERPs in the money machine: each vendor's fake behind respx, faults on the wire.

The fake keeps its own ledger (journal lines and G/L, Payments, payments with their
documents); `held` reads it back as records under the store's keys, checking I5 on the
way: every posting carries a reference that is a form of a key the store holds, and no
key is posted twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from pathlib import Path

import httpx
import respx

from arbridge.connectors.base import ErpGateway, PostedRecord
from arbridge.connectors.erp import acumatica, business_central, quickbooks
from arbridge.connectors.erp._http import FileRefreshTokenStore, RateLimiter
from arbridge.connectors.erp._http.posted import ReferenceIndex, bank_line_of
from arbridge.connectors.erp.acumatica import wire as acumatica_wire
from arbridge.connectors.erp.business_central import wire as bc_wire
from arbridge.connectors.erp.quickbooks import wire as qbo_wire
from arbridge.domain.records import Customer, Invoice
from bench.erp_fakes import fake_acumatica, fake_bc, fake_qbo
from bench.erp_fakes.fault import LOSE, TIMEOUT
from tests.contracts.harness import NO_RETRY_SLEEP

HTTP_KINDS = ("business_central", "quickbooks", "acumatica")
FAULTS = ("429", "503", "timeout", "lost")
"""429 and 503 answers, no answer (nothing done), an answer lost after the ERP acted."""
OPERATIONS = {
    "business_central": ("batch", "lines", "gl_entries", "invoices", "journal_lines"),
    "quickbooks": ("payment", "batch", "query"),
    "acumatica": ("put", "release", "find", "invoices"),
}
"""The fakes' operations a fault is aimed at: the writes and the reads around them."""
WRITES = {
    "business_central": ("batch", "delete_line"),
    "quickbooks": ("payment", "batch"),
    "acumatica": ("put", "release"),
}
"""The calls that move money: an answer lost there is the fault exactly-once is about."""

Fake = fake_bc.FakeBusinessCentral | fake_qbo.FakeQuickBooks | fake_acumatica.FakeAcumatica


class HttpErp:
    """One vendor's fake, mounted on respx for the life of an example."""

    def __init__(self, kind: str, root: Path, customers: dict[str, str]) -> None:
        self.kind, self.root = kind, root
        people = [Customer(customer_id=c, name=n) for c, n in customers.items()]
        self.fake: Fake
        if kind == "business_central":
            self.fake = fake_bc.FakeBusinessCentral(people, [])
        elif kind == "quickbooks":
            self.fake = fake_qbo.FakeQuickBooks(people, [])
        else:
            self.fake = fake_acumatica.FakeAcumatica(people, [])
        self.router = respx.mock(assert_all_called=False)
        self.router.start()
        self.fake.install(self.router)
        if isinstance(self.fake, fake_qbo.FakeQuickBooks):
            (root / "qbo.token").write_text(self.fake.refresh_token, encoding="utf-8")

    def close(self) -> None:
        """Unmount the fake."""
        self.router.stop()

    def gateway(self, name: str) -> ErpGateway:
        """A gateway built afresh (a restart): new HTTP client, token read from its file."""
        common = {"retry": NO_RETRY_SLEEP, "limiter": RateLimiter(())}
        if self.kind == "business_central":
            return business_central.build(
                name=name,
                tenant="tenant-1",
                environment="Production",
                company="CRONUS",
                client_id="app-1",
                client_secret="s3cret-value",
                write_offs=business_central.WriteOffPlan(
                    default=business_central.WriteOffTarget("ARWO", "8620")
                ),
                corrections=business_central.CorrectionSettings(),
                **common,  # type: ignore[arg-type]  # retry and limiter, typed by build
            )
        if self.kind == "quickbooks":
            return quickbooks.build(
                name=name,
                realm_id=fake_qbo.REALM,
                client_id="client-1",
                client_secret="qbo-s3cret",
                tokens=FileRefreshTokenStore(self.root / "qbo.token", connector=name),
                **common,  # type: ignore[arg-type]  # retry and limiter, typed by build
            )
        return acumatica.build(
            name=name,
            site=fake_acumatica.SITE,
            endpoint_version="24.200.001",
            username="apiuser",
            password="acu-s3cret",
            company="MyTenant",
            payment_method="CHECK",
            cash_account="10200",
            write_off_reason="WO",
            sleep=lambda _s: None,
            **common,  # type: ignore[arg-type]  # retry and limiter, typed by build
        )

    def add_invoice(self, invoice: Invoice) -> None:
        """A new open invoice in the ERP."""
        self.fake.add_invoice(invoice)

    def fault(self, operation: str, kind: str, times: int) -> None:
        """Queue `times` faults of one kind on the fake's next calls of `operation`."""
        answer: httpx.Response | str = {"timeout": TIMEOUT, "lost": LOSE}.get(kind, "")
        if not answer:
            answer = self._error(int(kind))
        self.fake.faults.add(operation, *([answer] * times))

    def lose_next_write(self) -> None:
        """The ERP acts on the next write, and its answer is lost."""
        for operation in WRITES[self.kind]:
            self.fake.faults.add(operation, LOSE)

    def _error(self, status: int) -> httpx.Response:
        text = "Too Many Requests" if status == 429 else "Service Unavailable"
        if isinstance(self.fake, fake_bc.FakeBusinessCentral):
            return fake_bc.error(status, "TooManyRequests" if status == 429 else "Unknown", text)
        if isinstance(self.fake, fake_qbo.FakeQuickBooks):
            return fake_qbo.fault(status, str(status), text, kind="SystemFault")
        return fake_acumatica.http_error(status, text)

    def clear_faults(self) -> None:
        """No more faults."""
        self.fake.faults.queued.clear()

    def finance_posts(self) -> None:
        """Business Central: finance posts the journal (elsewhere: nothing to do)."""
        if isinstance(self.fake, fake_bc.FakeBusinessCentral):
            self.fake.finance_posts()

    def held(self, keys: Collection[str]) -> list[PostedRecord]:
        """The fake's own ledger under the store's keys (I5 checked on the way)."""
        index = self._index(keys)
        twice = [ref for ref, n in Counter(self._documents()).items() if n > 1]
        assert not twice, f"posted twice in the ERP: {twice}"
        records = []
        for reference, _memo, invoice, cash, adjustment in self.fake.held():
            key = index.by_reference.get(reference)
            assert key is not None, f"I5: the ERP holds {reference}, no key of the store's"
            account, bank_id = bank_line_of(key)
            records.append(
                PostedRecord(
                    key=key,
                    bank_account=account,
                    bank_id=bank_id,
                    invoice_id=invoice,
                    amount=cash,
                    adjustment=adjustment,
                )
            )
        return records

    def _index(self, keys: Collection[str]) -> ReferenceIndex:
        if self.kind == "business_central":
            return ReferenceIndex.of(keys, bc_wire.document_number)
        if self.kind == "quickbooks":
            return ReferenceIndex.of(keys, qbo_wire.payment_ref, qbo_wire.legacy_payment_ref)
        return ReferenceIndex.of(
            keys, acumatica_wire.payment_ref, acumatica_wire.legacy_payment_ref
        )

    def _documents(self) -> list[object]:
        """One entry per payment document the ERP holds (BC: per document and invoice)."""
        fake = self.fake
        if isinstance(fake, fake_bc.FakeBusinessCentral):
            return list(fake.ledger())
        if isinstance(fake, fake_qbo.FakeQuickBooks):
            return [
                p["PaymentRefNum"] for p in fake.payments.values() if p["Line"] or p["TotalAmt"]
            ]
        return [
            p["PaymentRef"]["value"]
            for p in fake.payments.values()
            if p["Status"]["value"] != "Voided"
        ]
