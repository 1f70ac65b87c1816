"""Pull step: statement files into the store (all or nothing per file), ERP snapshot in."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

import structlog
from apscheduler.triggers.base import BaseTrigger

from arbridge.connectors.base import (
    AppendedSource,
    BankSource,
    ErpCapability,
    ErpGateway,
    StatementFile,
    VersionedSource,
)
from arbridge.connectors.errors import ConnectorError
from arbridge.domain.errors import BadInputError
from arbridge.domain.records import Customer, Invoice
from arbridge.domain.review import ReviewReason
from arbridge.review import NewReviewItem, open_item
from arbridge.scheduler._book import Book, Records
from arbridge.scheduler._due import is_due
from arbridge.scheduler._health import connector_failed, connector_ok
from arbridge.scheduler._summary import RunSummary
from arbridge.store import Store, StoreConflictError, bank, cursors, erp

log = structlog.get_logger("arbridge.cycle")
Clock = Callable[[], datetime]


def pull_bank(
    store: Store,
    sources: Sequence[BankSource],
    summary: RunSummary,
    clock: Clock,
    triggers: Mapping[str, BaseTrigger] | None = None,
) -> None:
    """Import every new statement file of every due source; one failing source never stops the others."""
    for source in sources:
        if not is_due(store, source.name, triggers or {}, clock()):
            continue
        try:
            for file in source.list_files():
                _import_one(store, source, file, summary, clock)
        except ConnectorError as exc:
            connector_failed(store, source.name, str(exc), summary, clock, role="bank")
        except Exception as exc:  # a bug in one connector must not stop the cycle
            log.exception("connector_crashed", connector=source.name)
            error = f"unexpected error: {exc!r}"
            connector_failed(store, source.name, error, summary, clock, role="bank")
        else:
            connector_ok(store, source.name, clock, role="bank")


def _import_one(
    store: Store, source: BankSource, file: StatementFile, summary: RunSummary, clock: Clock
) -> None:
    with store.transaction() as session:
        known = bank.find_file(session, source.name, file.sha256)
    if known is not None:  # read before; a crash may have left it where it was
        summary.add("files_skipped")
        _put_away(source, file, known.status, known.error or "")
        return
    try:
        with summary.timed("bank_read"):
            lines = source.read(file)
    except BadInputError as exc:
        _quarantine(store, source.name, file, str(exc), summary=summary, clock=clock)
        _put_away(source, file, "quarantined", str(exc))
        return
    try:
        with summary.timed("bank_store"), store.transaction() as session:
            row = bank.import_file(
                session,
                source=source.name,
                path=str(file.path),
                name=file.path.name,
                sha256=file.sha256,
                lines=lines,
                now=clock(),
            )
    except StoreConflictError:  # another daemon imported it (or some of its lines) just now
        summary.add("files_skipped")
        log.info("bank_file_taken", connector=source.name, file=str(file.path))
        return
    _put_away(source, file, "imported", "")
    summary.add("files_imported")
    summary.add("lines_new", row.new_line_count)
    summary.add("lines_duplicate", row.line_count - row.new_line_count)
    log.info(
        "bank_file_imported",
        connector=source.name,
        file=str(file.path),
        lines=row.line_count,
        new=row.new_line_count,
    )


def _put_away(source: BankSource, file: StatementFile, status: str, error: str) -> None:
    """Archive or quarantine the file as its source does; a failed move is retried next cycle."""
    try:
        if status == "imported":
            source.archive(file)
        else:
            source.quarantine(file, error)
    except OSError as exc:
        log.warning(
            "bank_file_not_moved", connector=source.name, file=str(file.path), error=str(exc)
        )


def _quarantine(
    store: Store, source: str, file: StatementFile, error: str, *, summary: RunSummary, clock: Clock
) -> None:
    now = clock()
    with store.transaction() as session:
        row = bank.quarantine_file(
            session,
            source=source,
            path=str(file.path),
            name=file.path.name,
            sha256=file.sha256,
            error=error,
            now=now,
        )
        item = NewReviewItem(
            dedupe_key=f"file:{source}:{file.sha256}",
            reason=ReviewReason.QUARANTINED_FILE.value,
            message=f"statement file {file.path.name} was not imported: {error}",
            bank_file_id=row.id,
        )
        opened = open_item(session, item, now=now)
    summary.add("files_quarantined")
    summary.error(f"quarantined {file.path}: {error}", kind="quarantined")
    log.warning("bank_file_quarantined", connector=source, file=str(file.path), error=error)
    if opened is not None:
        summary.add("queued")
        log.info("review_item_opened", item_id=opened, reason=item.reason)


def pull_erp(
    store: Store,
    gateway: ErpGateway,
    summary: RunSummary,
    clock: Clock,
    triggers: Mapping[str, BaseTrigger] | None = None,
    *,
    book: Book | None = None,
) -> Snapshot | None:
    """Fetch customers and invoices and store the snapshot; None if the ERP could not be read.

    When the ERP has a schedule of its own and is not due, the last stored snapshot is
    used instead (with the time it was taken, so applications since can be netted out).
    When the gateway can fingerprint its source (`VersionedSource`) and the fingerprint
    equals the one stored with the last snapshot, nothing is fetched nor saved: the
    records are fetched only if a later step asks for them (an idle cycle never does).
    With a `book` (a daemon's, kept between cycles), records read at the same fingerprint
    are used again, and the invoices the source says changed are put into it.
    """
    if not is_due(store, gateway.name, triggers or {}, clock()):
        with store.transaction() as session:
            stored = erp.load_snapshot(session, gateway.name)
        if stored is not None:
            return Snapshot(customers=stored[0], invoices=stored[1], taken_at=stored[2])
    incremental = ErpCapability.INCREMENTAL in gateway.capabilities
    book = book or Book()  # a throwaway one: nothing is kept after this cycle
    try:
        snapshot = _pull_changes(store, gateway, summary, clock) if incremental else None
        if snapshot is None:
            snapshot = _pull_versioned(store, gateway, summary, clock, book)
        else:
            book.forget()
    except ConnectorError as exc:
        book.forget()
        connector_failed(store, gateway.name, str(exc), summary, clock, role="erp")
        return None
    connector_ok(store, gateway.name, clock, role="erp")
    return snapshot


SOURCE_STREAM = "source"
"""The sync cursor holding the source fingerprint the stored snapshot was fetched at."""


def _pull_versioned(
    store: Store, gateway: ErpGateway, summary: RunSummary, clock: Clock, book: Book
) -> Snapshot:
    """A full pull, skipped when the source's fingerprint says nothing changed."""
    if not isinstance(gateway, VersionedSource):
        return _pull_all(store, gateway, summary, clock, version=None, book=book)
    with summary.timed("erp_version"):
        version = gateway.source_version()  # before fetching: a change after it is seen next time
        with store.transaction() as session:
            stored = cursors.load_cursor(session, gateway.name, SOURCE_STREAM)
    if stored == version:
        summary.add("erp_unchanged")
    elif stored is None:
        return _pull_all(store, gateway, summary, clock, version=version, book=book)
    else:
        changed = _pull_appended(store, gateway, summary, clock, since=stored, version=version)
        if changed is None:
            return _pull_all(store, gateway, summary, clock, version=version, book=book)
        if book.version == stored:
            book.update(version, changed)
    if book.version == version:
        summary.add("erp_book_kept")
        return Snapshot(taken_at=None, book=book)
    book.forget()  # not held beside the records read in its place
    return Snapshot(
        taken_at=None, load=lambda: _fetch(gateway, summary), book=book, version=version
    )


def _pull_appended(
    store: Store,
    gateway: ErpGateway,
    summary: RunSummary,
    clock: Clock,
    *,
    since: str,
    version: str,
) -> list[Invoice] | None:
    """Store only the invoices that changed since the stored fingerprint; None if it cannot tell."""
    if not isinstance(gateway, AppendedSource):
        return None
    with summary.timed("erp_fetch"):
        changed = gateway.invoices_changed_since(since)
    if changed is None:
        return None
    name = gateway.name
    with summary.timed("erp_save"), store.transaction() as session:
        erp.update_invoices(session, name, changed, clock(), fingerprint=version)
        cursors.save_cursor(session, name, SOURCE_STREAM, version, clock())
    summary.add("erp_changed_only", len(changed))
    return list(changed)


def _fetch(gateway: ErpGateway, summary: RunSummary) -> Records:
    with summary.timed("erp_fetch"):
        return list(gateway.fetch_customers()), list(gateway.fetch_invoices())


def _pull_all(
    store: Store,
    gateway: ErpGateway,
    summary: RunSummary,
    clock: Clock,
    *,
    version: str | None,
    book: Book,
) -> Snapshot:
    book.forget()  # before reading: the old records are not held beside the new ones
    customers, invoices = _fetch(gateway, summary)
    with summary.timed("erp_save"), store.transaction() as session:
        erp.save_snapshot(session, gateway.name, customers, invoices, clock(), fingerprint=version)
        if version is not None:  # in the snapshot's transaction: both or neither
            cursors.save_cursor(session, gateway.name, SOURCE_STREAM, version, clock())
    summary.add("invoices_seen", len(invoices))
    book.fill(version, (customers, invoices))
    return Snapshot(taken_at=None, book=book)


def _pull_changes(
    store: Store, gateway: ErpGateway, summary: RunSummary, clock: Clock
) -> Snapshot | None:
    """Fetch only what changed since the stored cursor; None before the first full pull.

    The changes and the new cursor are stored in one transaction, so a crash in
    between re-reads the same changes instead of skipping them.
    """
    with store.transaction() as session:
        cursor = cursors.load_cursor(session, gateway.name, "invoices")
    with summary.timed("erp_fetch"):
        customers = list(gateway.fetch_customers())
        batch = gateway.fetch_invoices_since(cursor)
    with summary.timed("erp_save"), store.transaction() as session:
        if cursor is None:
            erp.save_snapshot(session, gateway.name, customers, batch.invoices, clock())
        else:
            erp.merge_changes(session, gateway.name, customers, batch.invoices, clock())
        if batch.cursor is not None:
            cursors.save_cursor(session, gateway.name, "invoices", batch.cursor, clock())
        stored = erp.load_snapshot(session, gateway.name)
    summary.add("invoices_seen", len(batch.invoices))
    if stored is None:
        return None
    return Snapshot(customers=stored[0], invoices=stored[1], taken_at=None)


class Snapshot:
    """What the ERP says is owed; `taken_at` is set when it comes from an earlier pull.

    The records are given, held by a `book`, or fetched on first use by `load` (at most
    once: a failed fetch raises the same error again, and fills the book when it works).
    """

    __slots__ = ("_book", "_error", "_load", "_records", "_version", "taken_at")

    def __init__(
        self,
        *,
        customers: list[Customer] | None = None,
        invoices: list[Invoice] | None = None,
        taken_at: datetime | None,
        load: Callable[[], Records] | None = None,
        book: Book | None = None,
        version: str | None = None,
    ) -> None:
        given = customers is not None and invoices is not None
        if load is None and book is None and not given:
            raise ValueError("a snapshot needs its records or a way to load them")
        self._records = (customers or [], invoices or []) if given else None
        self._load = load
        self._book = book
        self._version = version
        self._error: Exception | None = None
        self.taken_at = taken_at

    def _fetched(self) -> Records:
        if self._records is not None:
            return self._records
        if self._error is not None:
            raise self._error
        if self._load is None:
            assert self._book is not None
            self._records = self._book.records()
            return self._records
        try:
            records = self._load()
        except Exception as exc:
            self._error = exc
            raise
        if self._book is not None:
            self._book.fill(self._version, records)
        self._records = records
        return records

    @property
    def failed(self) -> bool:
        """Whether fetching the records was tried in this cycle and failed."""
        return self._error is not None

    @property
    def book(self) -> Book | None:
        """The book holding these records and the engine's indexes (fetching them if needed)."""
        if self._book is None:
            return None
        self._fetched()
        return self._book

    @property
    def customers(self) -> list[Customer]:
        """Every customer (fetched now if it was not yet)."""
        return self._fetched()[0]

    @property
    def invoices(self) -> list[Invoice]:
        """Every invoice with its open amount (fetched now if it was not yet)."""
        return self._fetched()[1]
