"""Certificate PDFs dropped in `<uploads>/<customer code>/` go to the tax system, once each.

Each upload opens a review item: the certificate is filed unapproved, and a person
completes its zone and dates and approves it in the tax system. A file is known by
its content hash (the review item's dedupe key), so renaming it does not upload it
again. If the process dies between the upload and the item, the next run uploads the
file a second time: the tax system has no idempotency key for certificates.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import structlog

from arbridge.connectors.errors import RecordRejectedError
from arbridge.connectors.tax_base import TaxSystem
from arbridge.domain.review import ReviewReason
from arbridge.domain.tax import CertificateUpload, TaxFlag
from arbridge.review import NewReviewItem, open_item
from arbridge.scheduler._summary import RunSummary
from arbridge.store import Store, reviews

log = structlog.get_logger("arbridge.tax")
Clock = Callable[[], datetime]


def upload_folder(
    store: Store, system: TaxSystem, folder: Path, summary: RunSummary, clock: Clock
) -> int:
    """Upload every new PDF under `folder`; returns how many were uploaded.

    Raises:
        ConnectorError: the tax system failed for a reason other than refusing one file.
    """
    uploaded = 0
    for code, pdf in _pdfs(folder):
        content = pdf.read_bytes()
        digest = hashlib.sha256(content).hexdigest()
        done_key = f"tax:{TaxFlag.CERTIFICATE_UPLOADED.value}:{digest}"
        rejected_key = f"tax:upload_rejected:{digest}"
        with store.transaction() as session:
            if reviews.existing_keys(session, [done_key, rejected_key]):
                continue
        signed = datetime.fromtimestamp(pdf.stat().st_mtime, UTC).date()
        upload = CertificateUpload(
            customer_code=code, filename=pdf.name, content=content, signed_date=signed
        )
        try:
            cert = system.upload_certificate(upload)
        except RecordRejectedError as exc:
            _record(store, rejected_key, code, f"certificate {pdf} was refused: {exc}", clock)
            summary.error(f"tax upload {pdf.name}: {exc}", kind="tax_upload")
            continue
        uploaded += 1
        message = (
            f"certificate {pdf.name} uploaded for {code} as certificate {cert.certificate_id} "
            f"(signed date set to {signed.isoformat()}, the file's date). Suggested: complete "
            "its exposure zone, dates and reason in the tax system and approve it there"
        )
        if _record(store, done_key, code, message, clock):
            summary.add("queued")
        log.info("tax_certificate_uploaded", customer=code, file=pdf.name, id=cert.certificate_id)
    summary.add("tax_uploads", uploaded)
    return uploaded


def _pdfs(folder: Path) -> Iterator[tuple[str, Path]]:
    """(customer code, PDF) for each PDF one level down, in name order."""
    if not folder.is_dir():
        return
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        for pdf in sorted(sub.iterdir()):
            if pdf.is_file() and pdf.suffix.lower() == ".pdf":
                yield sub.name, pdf


def _record(store: Store, key: str, code: str, message: str, clock: Clock) -> bool:
    item = NewReviewItem(
        dedupe_key=key,
        reason=ReviewReason.TAX_CERTIFICATE.value,
        message=message,
        customer_id=code,
    )
    now = clock()
    with store.transaction() as session:
        return open_item(session, item, now=now) is not None
