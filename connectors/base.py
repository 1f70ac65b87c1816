"""The roles every connector plays, documented once here.

Implementations live in `connectors.bank` and `connectors.erp`, one module each,
named qualifier + role (`FolderBankSource`, `CsvErpGateway`, `InMemoryErpGateway`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Protocol, runtime_checkable

from arbridge.connectors.errors import ConnectorError
from arbridge.domain.posted import PostedPayment
from arbridge.domain.records import Allocation, Application, BankLine, Customer, Invoice


@dataclass(frozen=True, slots=True, kw_only=True)
class StatementFile:
    """A statement file found by a bank source, identified by its content hash."""

    source: str
    path: Path
    sha256: str
    size: int


class BankSource(Protocol):
    """Somewhere bank statements arrive (a folder, a feed)."""

    @property
    def name(self) -> str:
        """The source's configured name; also the `account` of its lines."""
        ...

    def list_files(self) -> Iterator[StatementFile]:
        """Yield the statement files waiting to be read, oldest name first.

        Raises:
            PermanentConnectorError: the source itself is unusable (folder missing).
        """
        ...

    def read(self, file: StatementFile) -> Sequence[BankLine]:
        """Parse a whole statement file into bank lines, all or nothing.

        Raises:
            BadInputError: the file is wrong; the error names file, line and field.
        """
        ...

    def archive(self, file: StatementFile) -> None:
        """Put away a file whose lines are stored (a source may keep files where they are)."""
        ...

    def quarantine(self, file: StatementFile, error: str) -> None:
        """Put away a file that could not be read, with a note of why (or keep it in place)."""
        ...


class PostOutcome(StrEnum):
    """What posting an application did."""

    POSTED = "posted"
    ALREADY_POSTED = "already_posted"


@dataclass(frozen=True, slots=True, kw_only=True)
class PostResult:
    """The ERP's answer to a posting."""

    outcome: PostOutcome
    erp_reference: str | None = None


class ErpCapability(StrEnum):
    """Something an ERP gateway can do beyond the basics; what it lacks it declares, never fakes."""

    INCREMENTAL = "incremental"
    """`fetch_invoices_since` returns only what changed since the cursor."""
    DISCOUNT = "discount"
    """Allocations may carry a cash-discount adjustment."""
    WRITE_OFF = "write_off"
    """Allocations may carry a write-off adjustment."""
    UNAPPLIED_CREDIT = "unapplied_credit"
    """Allocations without an invoice are left as unapplied credit on the customer."""
    REVERSE = "reverse"
    """`reverse_application` undoes a posted application (misapplication fixes)."""
    BATCH = "batch"
    """The gateway is also a `BatchPoster`: many applications with shared reads."""
    REVERSE_RECORDED = "reverse_recorded"
    """The gateway is also a `RecordedPaymentReverser`: it undoes a payment a person recorded."""


DISCOUNT_REASONS = frozenset({"discount", "cash_discount", "early_payment_discount"})
"""`Allocation.adjustment_reason` values read as a cash discount; any other reason is a write-off."""


def adjustment_kind(allocation: Allocation) -> ErpCapability | None:
    """Which capability an allocation's adjustment needs: DISCOUNT, WRITE_OFF, or None if it has none."""
    if not allocation.adjustment:
        return None
    reason = (allocation.adjustment_reason or "").strip().lower()
    return ErpCapability.DISCOUNT if reason in DISCOUNT_REASONS else ErpCapability.WRITE_OFF


def needed_capabilities(application: Application) -> frozenset[ErpCapability]:
    """The capabilities posting this application requires of a gateway."""
    needed = {kind for a in application.allocations if (kind := adjustment_kind(a)) is not None}
    if any(a.invoice_id is None for a in application.allocations):
        needed.add(ErpCapability.UNAPPLIED_CREDIT)
    return frozenset(needed)


@dataclass(frozen=True, slots=True, kw_only=True)
class InvoiceBatch:
    """Invoices changed since a cursor, and the cursor to store once they are saved.

    The caller persists `cursor` only after the batch is stored, so a crash in
    between re-reads the same changes instead of losing them.
    """

    invoices: Sequence[Invoice]
    cursor: str | None


@runtime_checkable
class BatchPoster(Protocol):
    """An ERP gateway that posts many applications for fewer requests (capability BATCH)."""

    def post_applications(
        self, applications: Sequence[Application]
    ) -> list[PostResult | ConnectorError]:
        """Post in order, with the same exactly-once and re-read rules as `post_application`.

        Returns:
            One entry per application handled: its PostResult, its RecordRejectedError, or
            a TransientConnectorError (that one failed this time; retry it later). If the
            ERP becomes unusable the list ends early with that error.
        """
        ...


@runtime_checkable
class RecordedPaymentReverser(Protocol):
    """An ERP gateway that undoes a payment recorded there by a person (REVERSE_RECORDED).

    The first step of correcting a misapplied payment arbridge did not post; the second is
    an ordinary `post_application` of the bank line, queued to wait on this one.
    """

    def reverse_recorded_payment(self, application: Application, payment_id: str) -> PostResult:
        """Undo the ERP payment `payment_id` (as its `PostedPaymentReader` names it), once.

        `application` carries the payment's allocations under the reversal's own
        idempotency key; reversing a payment already undone returns ALREADY_POSTED.

        Raises:
            TransientConnectorError: try again later.
            RecordRejectedError: the ERP refused (the payment is gone, or locked).
            PermanentConnectorError: the connector is unusable until fixed.
        """
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class PostedRecord:
    """One allocation the ERP holds under an arbridge idempotency key (read by `arbridge audit`).

    `key` is "" when the ERP holds the allocation but not which key it came under (a
    csv row written before keys were kept).
    """

    key: str
    bank_account: str
    bank_id: str
    invoice_id: str | None
    amount: Decimal
    adjustment: Decimal = Decimal(0)
    erp_reference: str | None = None
    """The ERP's reference of the posting (what `post_application` would have returned)."""


@runtime_checkable
class PostedLedger(Protocol):
    """An ERP gateway that can say what it holds under arbridge's keys (optional; for the audit).

    Implemented by the csv and in-memory ERPs; an HTTP gateway implements it by looking
    its keys up among the ERP's *posted* records (and pending journal lines, if any).
    """

    def find_posted(self, keys: Collection[str] | None = None) -> Sequence[PostedRecord]:
        """The allocations the ERP holds under these keys (every arbridge key when None).

        Raises:
            ConnectorError: the ERP could not be read.
        """
        ...

    def overdrawn_invoices(self) -> Mapping[str, Decimal]:
        """Invoices applied beyond what was open, by how much ({} when none).

        Raises:
            ConnectorError: the ERP could not be read.
        """
        ...


@runtime_checkable
class OwnPostings(Protocol):
    """A PostedLedger whose ERP keeps a hash of the key, not the key (the HTTP ERPs; audit).

    `find_posted(None)` can name only the keys its memos still carry; given the keys
    the store knows, every posting carrying one of arbridge's references is tied to its
    key, and one tied to none is reported under its reference (a posting the store
    does not know).
    """

    def own_postings(self, known: Collection[str]) -> Sequence[PostedRecord]:
        """Every allocation the ERP holds under arbridge's references, keyed by `known` first.

        Raises:
            ConnectorError: the ERP could not be read.
        """
        ...


class ErpGateway(Protocol):
    """The ERP: customers and invoices come from it, applications go to it."""

    @property
    def capabilities(self) -> frozenset[ErpCapability]:
        """What this gateway can do beyond fetching and plain posting."""
        ...

    def fetch_invoices_since(self, cursor: str | None) -> InvoiceBatch:
        """Invoices changed since `cursor` (all of them when None), with the next cursor.

        Gateways without INCREMENTAL return every invoice and a None cursor.

        Raises:
            ConnectorError: the ERP could not be read (subclass says whether to retry).
        """
        ...

    def reverse_application(self, application: Application, erp_reference: str) -> PostResult:
        """Undo a posted application (the payment `erp_reference` that posting returned).

        Raises:
            CapabilityMissingError: the gateway lacks REVERSE.
            TransientConnectorError: try again later.
            RecordRejectedError: the ERP refused to reverse it.
            PermanentConnectorError: the connector is unusable until fixed.
        """
        ...

    @property
    def name(self) -> str:
        """The connector's configured name."""
        ...

    def fetch_customers(self) -> Sequence[Customer]:
        """Every customer account.

        Raises:
            ConnectorError: the ERP could not be read (subclass says whether to retry).
        """
        ...

    def fetch_invoices(self) -> Sequence[Invoice]:
        """Every invoice the ERP reports, open or not, with its current open amount.

        Raises:
            ConnectorError: the ERP could not be read (subclass says whether to retry).
        """
        ...

    def post_application(self, application: Application) -> PostResult:
        """Apply a payment to invoices, exactly once per `application.idempotency_key`.

        Posting the same application again must not change the ERP and must
        return `ALREADY_POSTED`; this is what makes retries after a crash safe.
        Adjustments (discount / write-off, see `adjustment_kind`) and allocations
        without an invoice (unapplied credit) need the matching capability; a
        gateway without it rejects the application instead of posting half of it.
        HTTP gateways re-read the invoices first: one paid, voided or changed since
        matching is a RecordRejectedError (a review item), never an overpayment.

        Raises:
            TransientConnectorError: try again later; nothing or all was posted.
            RecordRejectedError: the ERP refused this application.
            PermanentConnectorError: the connector is unusable until fixed.
        """
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentBatch:
    """Payments recorded in the ERP since a cursor, and the cursor to store once they are saved.

    `complete` is True when the batch is every payment the ERP holds (a whole-file read, or
    a first pull): payments the store knows but the batch lacks were deleted in the ERP.
    """

    payments: Sequence[PostedPayment]
    cursor: str | None
    complete: bool


@runtime_checkable
class PostedPaymentReader(Protocol):
    """The ERP's record of payments already applied there, by people or other tools.

    A second role of an ERP connector, built beside its gateway. The cycle links these
    payments to bank lines so that a line a person already posted is never posted again.
    """

    @property
    def name(self) -> str:
        """The ERP connector's configured name."""
        ...

    def fetch_payments_since(self, cursor: str | None) -> PaymentBatch:
        """Payments recorded or changed since `cursor` (all of them when None).

        Raises:
            ConnectorError: the ERP could not be read (subclass says whether to retry).
        """
        ...


@runtime_checkable
class VersionedSource(Protocol):
    """A gateway that can tell, without parsing, whether what it would fetch has changed."""

    def source_version(self) -> str:
        """A fingerprint of everything `fetch_customers` and `fetch_invoices` read.

        Equal fingerprints mean equal content (a content hash, never only size and mtime),
        so the cycle may reuse the snapshot stored with it instead of fetching again.
        """
        ...


@runtime_checkable
class AppendedSource(VersionedSource, Protocol):
    """A versioned gateway that can also say which invoices changed since a fingerprint."""

    def invoices_changed_since(self, version: str) -> list[Invoice] | None:
        """The invoices that differ from what they were at `version`; call after `source_version`.

        Each is as `fetch_invoices` would return it; [] if none differs; None when more
        changed than it can tell (customers, or the export itself): then fetch it all.
        """
        ...
