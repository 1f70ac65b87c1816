"""The file-based ERP of the quickstart contract.

Customers and invoices are read from the ERP's CSV exports; applications are
appended to `applications.csv`, one row per allocation, and never written twice:
a row is identified by (bank account, bank_transaction_id, invoice_id), the account
and the application's idempotency key kept in the sidecar `applications.keys.csv`
(see `_posted`), so a retry after a crash writes only the rows that are missing and
two accounts whose lines share a bank transaction id are both written. Open amounts returned by
`fetch_invoices` already net out the rows in `applications.csv`, as an ERP
would after importing them. Invoices may carry the optional columns
`tax_amount` and `ship_to_region` (read by the tax checks), `sales_rep`, `kind`,
`approved` and `freight_amount` (commissions), `order_ref` (or `project`) and
`retainage_pct` (deposits and retainage).
"""

from __future__ import annotations

import csv
import dataclasses
import fcntl
import io
import os
import sys
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from arbridge.connectors.base import (
    ErpCapability,
    InvoiceBatch,
    PostedRecord,
    PostOutcome,
    PostResult,
)
from arbridge.connectors.erp._csvchanges import (
    Version,
    appended_invoice_ids,
    rows_named,
    version_of,
)
from arbridge.connectors.erp._csvfiles import Row, build_all, load_all
from arbridge.connectors.erp._posted import (
    Key,
    PostedRows,
    append_sidecar,
    keys_path,
    read_ledger,
)
from arbridge.connectors.erp.csv_reversals import PaymentReversals, reversals_path
from arbridge.connectors.errors import (
    CapabilityMissingError,
    ConnectorError,
    PermanentConnectorError,
    TransientConnectorError,
)
from arbridge.domain.errors import BadInputError
from arbridge.domain.money import format_money
from arbridge.domain.records import ZERO, Allocation, Application, Customer, Invoice

CUSTOMER_COLUMNS = ("customer_id", "name", "parent_id", "terms", "currency")
INVOICE_COLUMNS = (
    "invoice_id",
    "customer_id",
    "invoice_date",
    "due_date",
    "amount",
    "open_amount",
    "currency",
    "terms",
    "po_number",
)
APPLICATION_COLUMNS = (
    "bank_transaction_id",
    "invoice_id",
    "customer_id",
    "amount",
    "adjustment",
    "adjustment_reason",
    "applied_at",
)

Clock = Callable[[], datetime]
CAPABILITIES = frozenset(
    {
        ErpCapability.DISCOUNT,
        ErpCapability.WRITE_OFF,
        ErpCapability.UNAPPLIED_CREDIT,
        ErpCapability.BATCH,
        ErpCapability.REVERSE_RECORDED,
    }
)


def _customer(row: Row) -> Customer:
    return Customer(
        customer_id=row.text("customer_id"),
        name=row.text("name"),
        parent_id=row.optional("parent_id"),
        terms=row.optional("terms") or "",
        currency=row.optional("currency") or "USD",
        email=row.optional("email"),
        phone=row.optional("phone"),
        language=row.optional_language("language"),
    )


def _invoice(row: Row) -> Invoice:
    """One invoice; values many rows share (customer, dates, currency, terms) are held once.

    A large export repeats a customer id, a date, `USD` or `NET30` on thousands of rows:
    each row's own copy would cost a large book hundreds of megabytes.
    """
    amount = row.money("amount")
    same = row.values["open_amount"] == row.values["amount"]
    return Invoice(
        invoice_id=row.text("invoice_id"),
        customer_id=sys.intern(row.text("customer_id")),
        invoice_date=_shared(row.date("invoice_date")),
        due_date=_shared(row.date("due_date")),
        amount=amount,
        open_amount=amount if same else row.money("open_amount"),
        currency=sys.intern(row.optional("currency") or "USD"),
        terms=sys.intern(row.optional("terms") or ""),
        po_number=row.optional("po_number"),
        tax_amount=row.optional_money("tax_amount"),
        ship_to_region=_interned(row.optional("ship_to_region")),
        sales_rep=_interned(row.optional("sales_rep")),
        kind=_interned(row.optional("kind")),
        approved=row.optional_flag("approved"),
        freight_amount=row.optional_money("freight_amount"),
        order_ref=row.optional("order_ref") or row.optional("project"),
        retainage_pct=_percent(row, "retainage_pct"),
    )


_DATES: dict[date, date] = {}


def _shared(day: date) -> date:
    """One date object per day (a book spans a few thousand days)."""
    return _DATES.setdefault(day, day)


def _interned(text: str | None) -> str | None:
    return None if text is None else sys.intern(text)


def _percent(row: Row, field: str) -> Decimal | None:
    value = row.optional_money(field)
    if value is not None and not ZERO <= value < MAX_PERCENT:
        raise row.error(field, row.values[field], "is not a percent from 0 to under 100")
    return value


MAX_PERCENT = Decimal(100)


class CsvErpGateway:
    """ERP gateway over CSV exports and an append-only applications file."""

    batch_size = 1000
    """Applications per `post_applications` call: each call is one durable append (two
    fsyncs), and a file has no request size limit, so the push hands over whole batches."""

    def __init__(
        self,
        *,
        name: str,
        customers: Path,
        invoices: Path,
        applications: Path,
        clock: Clock = lambda: datetime.now(UTC),
    ) -> None:
        self._name = name
        self._customers = customers
        self._invoices = invoices
        self._applications = applications
        self._clock = clock
        self._posted = PostedRows(name, applications)
        self._version: Version | None = None
        self._reversals = PaymentReversals(name, reversals_path(applications))

    @property
    def name(self) -> str:
        """The connector's configured name."""
        return self._name

    @property
    def capabilities(self) -> frozenset[ErpCapability]:
        """Adjustments and credit rows are written as they are; nothing is incremental or reversible."""
        return CAPABILITIES

    def fetch_invoices_since(self, cursor: str | None) -> InvoiceBatch:
        """Every invoice (exports are whole files); the cursor stays None."""
        return InvoiceBatch(invoices=self.fetch_invoices(), cursor=None)

    def reverse_application(self, application: Application, erp_reference: str) -> PostResult:
        """Not possible: applications.csv is append-only and read by the ERP's import.

        A negative row would collide with the (bank_transaction_id, invoice_id) dedupe key
        (a re-application to the same invoice would be skipped as already written), and an
        importer or scorer reading the file as the contract describes it (§4) would count the
        undone row as applied. So a correction becomes a `posting_rejected` review item.
        """
        raise CapabilityMissingError(self._name, "the csv ERP cannot reverse an application")

    def source_version(self) -> str:
        """Content hash of the exports, applications.csv and payment_reversals.csv."""
        self._version = version_of(
            self._customers, self._invoices, self._applications, self._reversals.path
        )
        return self._version.text()

    def invoices_changed_since(self, version: str) -> list[Invoice] | None:
        """The invoices whose open amount rows appended since `version` changed; None if more did.

        Call right after `source_version`. Each invoice is built and netted exactly as
        `fetch_invoices` builds it; the others are as they were at `version`.
        """
        since, now = Version.parse(version), self._version
        if since is None or now is None:
            return None
        named = appended_invoice_ids(self._applications, since, now)
        if named is None or not named:
            return None if named is None else []
        try:
            invoices = build_all(rows_named(self._invoices, "invoice_id", named), _invoice)
        except (BadInputError, OSError, UnicodeDecodeError, ValueError):
            return None  # let the full fetch report it
        applied = self._applied()
        return [self._net(inv, applied.get(inv.invoice_id, ZERO)) for inv in invoices]

    def reverse_recorded_payment(self, application: Application, payment_id: str) -> PostResult:
        """Append the reversal of a payment a person recorded to `payment_reversals.csv`, once."""
        at = self._clock().astimezone(UTC).isoformat(timespec="seconds")
        with self._exclusive():
            written = self._reversals.append(application, payment_id, at)
        outcome = PostOutcome.POSTED if written else PostOutcome.ALREADY_POSTED
        return PostResult(outcome=outcome, erp_reference=payment_id)

    def fetch_customers(self) -> Sequence[Customer]:
        """Every customer in the export."""
        return load_all(self._name, self._customers, CUSTOMER_COLUMNS[:2], _customer)

    def fetch_invoices(self) -> Sequence[Invoice]:
        """Every invoice in the export, open amounts net of applications.csv and the reversals."""
        invoices = load_all(self._name, self._invoices, INVOICE_COLUMNS[:6], _invoice)
        applied = self._applied()
        return [self._net(inv, applied.get(inv.invoice_id, ZERO)) for inv in invoices]

    def _applied(self) -> dict[str, Decimal]:
        """What applications.csv takes from each invoice, less what the reversals give back."""
        applied = {invoice: -given for invoice, given in self._reversals.credits().items()}
        for (_, _, invoice_id), value in self._posted_rows().items():
            if invoice_id:
                applied[invoice_id] = applied.get(invoice_id, ZERO) + value
        return applied

    @staticmethod
    def _net(invoice: Invoice, applied: Decimal) -> Invoice:
        if not applied:
            return invoice
        return dataclasses.replace(invoice, open_amount=max(invoice.open_amount - applied, ZERO))

    def post_application(self, application: Application) -> PostResult:
        """Append the application's rows that are not in the file yet.

        The check and the append happen under an exclusive lock on a sidecar file, so
        several arbridge processes sharing this file never write a row twice.
        """
        with self._exclusive():
            return self._post_locked(application)[0]

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        lock_path = self._applications.with_name(self._applications.name + ".lock")
        try:
            lock_path.parent.mkdir(parents=True, exist_ok=True)
            handle = lock_path.open("a")
        except OSError as exc:
            raise TransientConnectorError(
                self._name, f"cannot lock {lock_path}: {exc.strerror}"
            ) from exc
        with handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def post_applications(
        self, applications: Sequence[Application]
    ) -> list[PostResult | ConnectorError]:
        """Append every application's missing rows in one durable write (capability BATCH)."""
        try:
            with self._exclusive():
                return list(self._post_locked(*applications))
        except TransientConnectorError as exc:
            return [exc]

    def _post_locked(self, *applications: Application) -> list[PostResult]:
        posted = self._posted_rows()
        applied_at = self._clock().astimezone(UTC).isoformat(timespec="seconds")
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        results: list[PostResult] = []
        written: dict[Key, Decimal] = {}
        sidecar: list[tuple[int, str, str, str, str]] = []
        line = self._posted.next_line()
        for app in applications:
            rows = [a for a in app.allocations if not _has_row(posted, written, app, a)]
            for a in rows:
                writer.writerow(
                    [
                        app.bank_id,
                        a.invoice_id or "",
                        a.customer_id,
                        format_money(a.amount),
                        format_money(a.adjustment) if a.adjustment else "0",
                        a.adjustment_reason or "",
                        applied_at,
                    ]
                )
                written[app.bank_account, app.bank_id, a.invoice_id or ""] = a.amount + a.adjustment
                sidecar.append(
                    (line, app.bank_account, app.bank_id, a.invoice_id or "", app.idempotency_key)
                )
                line += 1
            outcome = PostOutcome.POSTED if rows else PostOutcome.ALREADY_POSTED
            results.append(PostResult(outcome=outcome, erp_reference=app.bank_id))
        if written:
            self._append(buffer.getvalue())
            self._record_keys(sidecar)
            self._posted.appended(written, {app.idempotency_key for app in applications})
        return results

    def _record_keys(self, records: list[tuple[int, str, str, str, str]]) -> None:
        """Note the rows' accounts and keys; the rows are written whatever happens here."""
        try:
            append_sidecar(keys_path(self._applications), records)
        except OSError:
            self._posted.forget()  # those rows read back without an account: still matched

    def find_posted(self, keys: Collection[str] | None = None) -> Sequence[PostedRecord]:
        """The rows of applications.csv with their accounts and keys (key "" if not kept)."""
        try:
            rows = read_ledger(self._name, self._applications)
        except BadInputError as exc:
            raise PermanentConnectorError(self._name, str(exc)) from exc
        return [
            PostedRecord(
                key=key,
                bank_account=account,
                bank_id=bank_id,
                invoice_id=invoice or None,
                amount=amount,
                adjustment=adjustment,
                erp_reference=bank_id,
            )
            for key, account, bank_id, invoice, amount, adjustment in rows
            if keys is None or key in keys
        ]

    def overdrawn_invoices(self) -> Mapping[str, Decimal]:
        """Invoices whose rows in applications.csv exceed their open amount in the export."""
        applied: dict[str, Decimal] = {}
        for record in self.find_posted():
            if record.invoice_id:
                closing = record.amount + record.adjustment
                applied[record.invoice_id] = applied.get(record.invoice_id, ZERO) + closing

        def over(row: Row) -> tuple[str, Decimal] | None:  # no list of every invoice is kept
            invoice = _invoice(row)
            amount = applied.get(invoice.invoice_id, ZERO) - invoice.open_amount
            return (invoice.invoice_id, amount) if amount > 0 else None

        found = load_all(self._name, self._invoices, INVOICE_COLUMNS[:6], over)
        return dict(f for f in found if f is not None)

    def posted_keys(self) -> frozenset[str]:
        """Idempotency keys of every application whose rows applications.csv holds (audit)."""
        with self._exclusive():
            self._posted_rows()
            return frozenset(self._posted.keys)

    def _append(self, text: str) -> None:
        """Append whole rows durably; a torn last row from a crash is cut off first."""
        path = self._applications
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a+b") as handle:
                size = handle.seek(0, os.SEEK_END)
                if size == 0:
                    handle.write((",".join(APPLICATION_COLUMNS) + "\n").encode("utf-8"))
                else:
                    _drop_torn_tail(handle, size)
                handle.write(text.encode("utf-8"))
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            self._posted.forget()  # re-read on the next call: the file is the truth
            raise TransientConnectorError(
                self._name, f"cannot write {path}: {exc.strerror}"
            ) from exc

    def _posted_rows(self) -> dict[Key, Decimal]:
        """Rows already in applications.csv, keyed by (account, bank id, invoice id)."""
        return self._posted.current()


def _has_row(
    posted: dict[Key, Decimal], written: dict[Key, Decimal], app: Application, a: Allocation
) -> bool:
    """The file (or this write) holds the allocation's row.

    Same account, or an unknown one (a row from before the sidecar) with the same bank
    id, invoice and amount.
    """
    invoice = a.invoice_id or ""
    if (app.bank_account, app.bank_id, invoice) in posted:
        return True
    if (app.bank_account, app.bank_id, invoice) in written:
        return True
    return posted.get(("", app.bank_id, invoice)) == a.amount + a.adjustment


def _drop_torn_tail(handle: io.BufferedRandom, size: int) -> None:
    """If the file does not end in a newline, cut it back to the last complete row."""
    handle.seek(size - 1)
    if handle.read(1) == b"\n":
        return
    handle.seek(0)
    data = handle.read()
    handle.truncate(data.rfind(b"\n") + 1)
    handle.seek(0, os.SEEK_END)
