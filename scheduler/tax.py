"""Tax step: ERP invoices and short payments against the tax system's certificates, findings queued.

Optional in the cycle (`CycleDeps.tax`); `arbridge tax check` runs it on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import structlog

from arbridge.connectors.errors import ConnectorError
from arbridge.connectors.tax_base import TaxSystem
from arbridge.domain.records import Customer, Invoice
from arbridge.domain.review import ReviewReason, ReviewStatus
from arbridge.domain.tax import TaxCertificate, TaxFinding
from arbridge.review import NewReviewItem, open_many
from arbridge.scheduler._health import connector_failed, connector_ok
from arbridge.scheduler._summary import RunSummary
from arbridge.scheduler._tax_upload import upload_folder
from arbridge.store import Store, StoreConflictError, reviews
from arbridge.store import tax as tax_cache
from arbridge.taxcheck import (
    ShortPayment,
    by_customer,
    check_invoices,
    exemption_claim,
    expiring,
    missing_customers,
)

log = structlog.get_logger("arbridge.tax")
Clock = Callable[[], datetime]
_ACTIVE = [ReviewStatus.OPEN.value, ReviewStatus.ASSIGNED.value]
FULL_REFRESH = timedelta(days=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class TaxCheckDeps:
    """The tax system and the knobs of the tax step."""

    system: TaxSystem
    expiry_warning_days: int = 30
    uploads: Path | None = None


def run_tax_step(
    store: Store,
    deps: TaxCheckDeps,
    snapshot: tuple[Sequence[Customer], Sequence[Invoice]],
    summary: RunSummary,
    clock: Clock,
) -> list[TaxFinding]:
    """Upload dropped certificates, check invoices and payments, and queue what was found.

    A tax system that cannot be reached is recorded like any other connector failure;
    the rest of the cycle is unaffected. Invoices without tax fields (e.g. from a stored
    snapshot, which does not keep them) are not judged.

    Returns:
        Every finding of this run (already-queued ones included).
    """
    try:
        return _run(store, deps, snapshot, summary, clock)
    except StoreConflictError:  # another daemon sharing the store did the same just now
        log.info("tax_step_taken", connector=deps.system.name)
        return []


def _run(
    store: Store,
    deps: TaxCheckDeps,
    snapshot: tuple[Sequence[Customer], Sequence[Invoice]],
    summary: RunSummary,
    clock: Clock,
) -> list[TaxFinding]:
    system = deps.system
    try:
        if deps.uploads is not None:
            upload_folder(store, system, deps.uploads, summary, clock)
        codes, certificates = pull(store, system, clock)
    except ConnectorError as exc:
        connector_failed(store, system.name, str(exc), summary, clock, role="tax")
        return []
    connector_ok(store, system.name, clock, role="tax")
    findings = find(
        store,
        snapshot,
        tax_codes=codes,
        certificates=certificates,
        expiry_warning_days=deps.expiry_warning_days,
        clock=clock,
    )
    queue_findings(store, findings, summary, clock)
    return findings


def pull(store: Store, system: TaxSystem, clock: Clock) -> tuple[list[str], list[TaxCertificate]]:
    """Customer codes and certificates: changes since the last pull, merged into the cache.

    Once a day the pull is full and replaces the cache, so records deleted in the tax
    system (which an incremental pull cannot see) drop out.

    Raises:
        ConnectorError: the tax system could not be read; the cache is unchanged.
    """
    started = clock()
    with store.transaction() as session:
        since, last_full = tax_cache.cursors(session, system.name)
    full = since is None or last_full is None or started - last_full >= FULL_REFRESH
    modified_since = None if full else since
    customers = list(system.list_customers(modified_since))
    certificates = list(system.list_certificates(modified_since))
    with store.transaction() as session:
        tax_cache.save_pull(
            session,
            system.name,
            customers=customers,
            certificates=certificates,
            started=started,
            full=full,
        )
        codes = tax_cache.customer_codes(session, system.name)
        cached = tax_cache.certificates(session, system.name)
    log.info(
        "tax_pulled",
        connector=system.name,
        full=full,
        customers=len(customers),
        certificates=len(certificates),
    )
    return codes, cached


def find(
    store: Store,
    snapshot: tuple[Sequence[Customer], Sequence[Invoice]],
    *,
    tax_codes: Sequence[str],
    certificates: Sequence[TaxCertificate],
    expiry_warning_days: int,
    clock: Clock,
) -> list[TaxFinding]:
    """Every tax finding on this snapshot (pure checks; reads short payments from the queue)."""
    customers, invoices = snapshot
    grouped = by_customer(certificates)
    findings = missing_customers(customers, invoices, tax_codes)
    findings += check_invoices(invoices, grouped)
    findings += expiring(certificates, today=clock().date(), within_days=expiry_warning_days)
    by_id = {inv.invoice_id: inv for inv in invoices}
    for payment in short_payments(store):
        claim = exemption_claim(payment, by_id, grouped)
        if claim is not None:
            findings.append(claim)
    return findings


def short_payments(store: Store) -> list[ShortPayment]:
    """Open short-payment review items, as payments naming their invoices."""
    with store.transaction() as session:
        wanted = reviews.ReviewFilter(statuses=_ACTIVE, reason=ReviewReason.SHORT_PAYMENT.value)
        rows = reviews.list_items(session, wanted, limit=100_000)
    payments = []
    for row, _bank_id in rows:
        if row.amount is None or not row.suggestions:
            continue
        ids = tuple(str(i) for i in row.suggestions[0].get("invoice_ids", ()))
        payments.append(
            ShortPayment(subject=f"review:{row.id}", amount=row.amount, invoice_ids=ids)
        )
    return payments


def queue_findings(
    store: Store, findings: Sequence[TaxFinding], summary: RunSummary, clock: Clock
) -> int:
    """Open one `tax_certificate` review item per finding not queued before; how many were new."""
    if not findings:
        return 0
    now = clock()
    with store.transaction() as session:
        opened = open_many(session, [item_for(f) for f in findings], now=now)
    new = 0
    for finding, item_id in zip(findings, opened, strict=True):
        if item_id is not None:
            new += 1
            log.info(
                "review_item_opened", item_id=item_id, reason="tax_certificate", key=finding.key
            )
    summary.add("queued", new)
    summary.add("tax_findings", len(findings))
    return new


def item_for(finding: TaxFinding) -> NewReviewItem:
    """The review item of a finding: the message says what, the suggestion what to do."""
    return NewReviewItem(
        dedupe_key=finding.key,
        reason=ReviewReason.TAX_CERTIFICATE.value,
        message=f"{finding.message}. Suggested: {finding.suggestion}",
        amount=finding.amount,
        customer_id=finding.customer_id,
        suggestions=(
            {
                "invoice_ids": list(finding.invoice_ids),
                "customer_id": finding.customer_id,
                "explanation": finding.suggestion,
                "confidence": 0.0,
                "tax_flag": finding.flag.value,
                "certificate_id": finding.certificate_id,
            },
        ),
    )
