"""`arbridge audit`: arbridge's ledger held against the ERP's, finding what the invariants forbid.

Findings (each one line a person can act on):

- `line_over_applied`: a bank line has more than one live application in the store, or
  the ERP holds more cash from it than the line's amount (I1, I3);
- `invoice_over_applied`: the ERP holds more against an invoice than it had open, or
  more from arbridge's keys than the invoice's amount (I2);
- `refused_but_posted`: an outbox entry marked rejected or withdrawn whose key the ERP
  holds (money that reached the ERP recorded as not sent);
- `unknown_posting`: the ERP holds a posting under an arbridge key the store does not know;
- `sent_but_missing`: the store says sent, the ERP holds nothing under that key (lost).

The daemon runs it once a day (`audit_if_due`); findings become review items
(`ledger_mismatch`) and the metric `arbridge_ledger_findings`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import structlog

from arbridge.connectors.base import ErpGateway, OwnPostings, PostedLedger, PostedRecord
from arbridge.domain.records import ZERO
from arbridge.domain.review import ReviewReason
from arbridge.review import NewReviewItem, open_many
from arbridge.store import Store, audit, cursors
from arbridge.store.audit import Entry

log = structlog.get_logger("arbridge.audit")
AUDIT_STREAM = "audit"


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One thing wrong between the two ledgers."""

    kind: str
    subject: str
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditReport:
    """What the audit compared and found."""

    findings: list[Finding]
    applications: int
    erp_records: int | None  # None: the ERP connector cannot list its postings

    def render(self) -> list[str]:
        """The report as lines of text."""
        held = "not listable" if self.erp_records is None else f"{self.erp_records} ERP record(s)"
        head = f"audited {self.applications} application(s) against {held}"
        if not self.findings:
            return [head, "clean: nothing over-applied, nothing lost, nothing posted twice"]
        lines = [head, f"{len(self.findings)} finding(s):"]
        lines += [f"  {f.kind:<21} {f.subject:<28} {f.message}" for f in self.findings]
        return lines


def run_audit(store: Store, gateway: ErpGateway) -> AuditReport:
    """Compare the store's applications with what the ERP holds under arbridge's keys.

    Raises:
        ConnectorError: the ERP could not be read.
    """
    with store.transaction() as session:
        known = audit.entries(session, gateway.name)
        lines = audit.line_amounts(session)
    findings = _store_findings(known)
    if not isinstance(gateway, PostedLedger):
        return AuditReport(findings=findings, applications=len(known), erp_records=None)
    if isinstance(gateway, OwnPostings):  # the ERP keeps hashes: tie them to the store's keys
        records = list(gateway.own_postings({e.key for e in known}))
    else:
        records = list(gateway.find_posted())
    with store.transaction() as session:  # only the invoices the records name: a book is large
        named = (r.invoice_id for r in records if r.invoice_id)
        invoices = audit.invoice_amounts(session, gateway.name, named)
    findings += _erp_findings(known, records, lines, invoices)
    for invoice, over in sorted(gateway.overdrawn_invoices().items()):
        findings.append(
            Finding(
                kind="invoice_over_applied",
                subject=invoice,
                message=f"the ERP holds {over} more against it than it had open",
            )
        )
    return AuditReport(findings=findings, applications=len(known), erp_records=len(records))


def _store_findings(known: Sequence[Entry]) -> list[Finding]:
    live: dict[int, list[Entry]] = {}
    for e in known:
        if not e.is_reversal and (e.ended is None or e.ended == "duplicate"):
            live.setdefault(e.bank_line_id, []).append(e)
    return [
        Finding(
            kind="line_over_applied",
            subject=f"{many[0].bank_account}:{many[0].bank_id}",
            message=f"{len(many)} live applications: {', '.join(e.key for e in many)}",
        )
        for many in live.values()
        if len(many) > 1
    ]


def _erp_findings(
    known: Sequence[Entry],
    records: Sequence[PostedRecord],
    lines: dict[tuple[str, str], Decimal],
    invoices: dict[str, Decimal],
) -> list[Finding]:
    by_key = {e.key: e for e in known}
    held = {r.key for r in records if r.key}
    findings = [
        Finding(
            kind="refused_but_posted",
            subject=e.key,
            message=f"the outbox says {e.status}, but the ERP holds it",
        )
        for e in known
        if e.status in ("rejected", "withdrawn") and e.key in held and not e.is_reversal
    ]
    findings += [
        Finding(
            kind="unknown_posting",
            subject=key,
            message="the ERP holds a posting under this arbridge key; the store has no record",
        )
        for key in sorted(held - set(by_key))
    ]
    unkeyed = {(r.bank_id) for r in records if not r.key}
    findings += [
        Finding(
            kind="sent_but_missing",
            subject=e.key,
            message="the outbox says sent, but the ERP holds nothing under this key",
        )
        for e in known
        if e.status == "sent"
        and e.ended is None
        and not e.is_reversal
        and e.key not in held
        and e.bank_id not in unkeyed
    ]
    return findings + _over_applied(records, lines, invoices)


def _over_applied(
    records: Sequence[PostedRecord],
    lines: dict[tuple[str, str], Decimal],
    invoices: dict[str, Decimal],
) -> list[Finding]:
    cash: dict[tuple[str, str], Decimal] = {}
    closing: dict[str, Decimal] = {}
    for r in records:
        if r.bank_account:
            line = (r.bank_account, r.bank_id)
            cash[line] = cash.get(line, ZERO) + r.amount
        if r.invoice_id:
            closing[r.invoice_id] = closing.get(r.invoice_id, ZERO) + r.amount + r.adjustment
    findings = [
        Finding(
            kind="line_over_applied",
            subject=f"{account}:{bank_id}",
            message=f"the ERP holds {total} of cash from a line of {lines[account, bank_id]}",
        )
        for (account, bank_id), total in sorted(cash.items())
        if (account, bank_id) in lines and total > lines[account, bank_id]
    ]
    findings += [
        Finding(
            kind="invoice_over_applied",
            subject=invoice,
            message=f"the ERP holds {total} applied by arbridge to an invoice of {invoices[invoice]}",
        )
        for invoice, total in sorted(closing.items())
        if invoice in invoices and total > invoices[invoice]
    ]
    return findings


def record_findings(store: Store, report: AuditReport, now: datetime) -> int:
    """Open a `ledger_mismatch` review item per finding (once each); returns how many are new."""
    items = [
        NewReviewItem(
            dedupe_key=f"audit:{f.kind}:{f.subject}",
            reason=ReviewReason.LEDGER_MISMATCH.value,
            message=f"audit: {f.subject}: {f.message}",
        )
        for f in report.findings
    ]
    with store.transaction() as session:
        opened = open_many(session, items, now=now)
    return sum(1 for i in opened if i is not None)


def audit_if_due(
    store: Store,
    gateway: ErpGateway,
    *,
    every: timedelta,
    clock: Callable[[], datetime],
) -> AuditReport | None:
    """Run the audit when the last one (kept as a cursor in the store) is `every` old."""
    now = clock()
    with store.transaction() as session:
        last = cursors.load_cursor(session, gateway.name, AUDIT_STREAM)
    if last is not None and now - datetime.fromisoformat(last) < every:
        return None
    report = run_audit(store, gateway)
    new = record_findings(store, report, now)
    with store.transaction() as session:
        cursors.save_cursor(session, gateway.name, AUDIT_STREAM, now.isoformat(), now)
    log.info("ledger_audited", findings=len(report.findings), new_items=new)
    return report
