"""SQLModel tables. One row class per table; money is `Money`, times are `AwareDateTime`."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from arbridge.store import (
    ar_tables,  # noqa: F401 - the receivables tables join the same metadata
    return_tables,  # noqa: F401 - returned payments join the same metadata
)
from arbridge.store._types import AwareDateTime, Money


def _money(*, nullable: bool = False) -> Any:
    return Field(sa_type=Money, nullable=nullable)


def _when(*, nullable: bool = False) -> Any:
    return Field(sa_type=AwareDateTime, nullable=nullable)


class BankFileRow(SQLModel, table=True):
    """A statement file seen by a bank source: imported or quarantined, once per content."""

    __tablename__ = "bank_file"
    __table_args__ = (UniqueConstraint("source", "sha256", name="uq_bank_file_source_sha"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=100)
    name: str = Field(max_length=500)
    path: str = Field(sa_type=Text)
    sha256: str = Field(max_length=64)
    status: str = Field(max_length=20)  # imported | quarantined
    error: str | None = Field(default=None, sa_type=Text)
    line_count: int = 0
    new_line_count: int = 0
    received_at: datetime = _when()


class BankLineRow(SQLModel, table=True):
    """A bank transaction, unique per (account, bank id)."""

    __tablename__ = "bank_line"
    __table_args__ = (
        UniqueConstraint("account", "bank_id", name="uq_bank_line_account_bank_id"),
        Index("ix_bank_line_status", "status"),
        Index("ix_bank_line_booked_on", "booked_on"),  # reports by booking date (commissions)
    )

    id: int | None = Field(default=None, primary_key=True)
    account: str = Field(max_length=100)
    bank_id: str = Field(max_length=200)
    booked_on: date
    amount: Decimal = _money()
    currency: str = Field(max_length=3)
    description: str = Field(sa_type=Text)
    payer_name: str | None = Field(default=None, max_length=300)
    payer_account: str | None = Field(default=None, max_length=100)
    references: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    file_id: int | None = Field(default=None, foreign_key="bank_file.id")
    source_line: int | None = None
    status: str = Field(max_length=20)  # pending | applied | review | ignored
    explanation: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = _when()


class CustomerRow(SQLModel, table=True):
    """The last seen snapshot of an ERP customer."""

    __tablename__ = "erp_customer"

    erp: str = Field(primary_key=True, max_length=100)
    customer_id: str = Field(primary_key=True, max_length=100)
    name: str = Field(max_length=300)
    parent_id: str | None = Field(default=None, max_length=100)
    terms: str = Field(default="", max_length=100)
    currency: str = Field(default="USD", max_length=3)
    email: str | None = Field(default=None, max_length=300)
    phone: str | None = Field(default=None, max_length=100)
    language: str | None = Field(default=None, max_length=10)
    seen_at: datetime = _when()


class InvoiceRow(SQLModel, table=True):
    """The last seen snapshot of an ERP invoice."""

    __tablename__ = "erp_invoice"
    __table_args__ = (  # covers every receivables sum (store.ar_sums): no table lookups
        Index(
            "ix_erp_invoice_customer_open",
            "erp",
            "customer_id",
            "open_amount",
            "due_date",
            "invoice_date",
            "amount",
        ),
    )

    erp: str = Field(primary_key=True, max_length=100)
    invoice_id: str = Field(primary_key=True, max_length=100)
    customer_id: str = Field(max_length=100)
    invoice_date: date
    due_date: date
    amount: Decimal = _money()
    open_amount: Decimal = _money()
    currency: str = Field(default="USD", max_length=3)
    terms: str = Field(default="", max_length=100)
    po_number: str | None = Field(default=None, max_length=100)
    tax_amount: Decimal | None = _money(nullable=True)
    ship_to_region: str | None = Field(default=None, max_length=20)
    seen_at: datetime = _when()


_LIVE = text("reverses_id IS NULL AND ended IS NULL")


class ApplicationRow(SQLModel, table=True):
    """A decision to apply one bank line's cash; posted through the outbox.

    I3 held by the database: a bank line has at most one *live* application (not a
    reversal, not ended), by the unique partial index `uq_application_live_line`.
    """

    __tablename__ = "application"
    __table_args__ = (
        Index("ix_application_created_at", "created_at"),  # late events (commissions)
        Index(
            "uq_application_live_line",
            "bank_line_id",
            unique=True,
            postgresql_where=_LIVE,
            sqlite_where=_LIVE,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=200, unique=True)
    bank_line_id: int = Field(foreign_key="bank_line.id", index=True)
    erp: str = Field(max_length=100)
    customer_id: str = Field(max_length=100)
    amount: Decimal = _money()
    allocations: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    confidence: float = 0.0
    explanation: str = Field(default="", sa_type=Text)
    origin: str = Field(default="auto", max_length=20)  # auto | review
    run_id: str | None = Field(default=None, max_length=36)
    created_at: datetime = _when()
    reverses_id: int | None = Field(default=None, foreign_key="application.id")
    """Set on a reversal: the posted application it undoes (its allocations are copied here)."""
    ended: str | None = Field(default=None, max_length=20)
    """None while the application stands or waits; else why it no longer counts:
    `rejected` (the ERP refused it), `reversed` (a reversal of it is queued or sent),
    `withdrawn` (its item was reopened before it was sent), `duplicate` (found twice by
    migration 0013: `arbridge audit` reports the line)."""


_PENDING = text("status = 'pending'")


class OutboxRow(SQLModel, table=True):
    """Delivery state of one application: pending until the ERP has it."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status", "status"),
        Index(  # claims take the oldest pending entries without walking past the sent ones
            "ix_outbox_pending", "id", postgresql_where=_PENDING, sqlite_where=_PENDING
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", unique=True)
    erp: str = Field(max_length=100)
    status: str = Field(max_length=20)  # pending | sent | rejected
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_type=Text)
    erp_reference: str | None = Field(default=None, max_length=200)
    created_at: datetime = _when()
    sent_at: datetime | None = _when(nullable=True)
    claimed_by: str | None = Field(default=None, max_length=100)
    claimed_until: datetime | None = _when(nullable=True)
    after_id: int | None = Field(default=None, foreign_key="outbox.id")
    """Not to be posted before this entry is sent (a re-application waits on its reversal)."""


class ReviewItemRow(SQLModel, table=True):
    """One thing a person must decide."""

    __tablename__ = "review_item"
    __table_args__ = (
        Index("ix_review_item_status_reason", "status", "reason"),
        Index("ix_review_item_status_customer", "status", "customer_id"),
        Index("ix_review_item_status_assignee", "status", "assignee"),
        # the queue page: filters, counts and sums open items from this index alone
        Index(
            "ix_review_item_queue",
            "status",
            "reason",
            "booked_on",
            "amount",
            "customer_id",
            "assignee",
            "search_text",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=300, unique=True)
    reason: str = Field(max_length=40)
    status: str = Field(max_length=20)
    bank_line_id: int | None = Field(default=None, foreign_key="bank_line.id", index=True)
    bank_file_id: int | None = Field(default=None, foreign_key="bank_file.id")
    amount: Decimal | None = _money(nullable=True)
    customer_id: str | None = Field(default=None, max_length=100)
    message: str = Field(sa_type=Text)
    suggestions: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    assignee: str | None = Field(default=None, max_length=100)
    created_at: datetime = _when()
    updated_at: datetime = _when()
    erp_payment_ids: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )
    """The ERP payments a suspected misapplication is about (empty for other reasons)."""
    booked_on: date | None = None
    """The bank line's date (a copy, for the queue's ages and filters)."""
    search_text: str = Field(default="", max_length=500, sa_column_kwargs={"server_default": ""})
    """Payer, bank text and suggested invoices in lower case (what the queue's search reads)."""


class ReviewEventRow(SQLModel, table=True):
    """Audit trail of a review item: who did what when, before and after."""

    __tablename__ = "review_event"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="review_item.id", index=True)
    at: datetime = _when()
    actor: str = Field(max_length=100)
    action: str = Field(max_length=40)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    comment: str | None = Field(default=None, sa_type=Text)


class RunRow(SQLModel, table=True):
    """One cycle of the daemon and what it did."""

    __tablename__ = "run"

    id: str = Field(primary_key=True, max_length=36)
    started_at: datetime = _when()
    finished_at: datetime | None = _when(nullable=True)
    status: str = Field(max_length=20)  # running | ok | partial | failed
    counts: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    errors: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    seconds: dict[str, float] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    """Wall seconds per phase (bank_read, erp_fetch, match, push, cycle...); None before 0012."""


class SyncCursorRow(SQLModel, table=True):
    """Where a connector's incremental pull of one stream got to; versioned."""

    __tablename__ = "sync_cursor"

    connector: str = Field(primary_key=True, max_length=100)
    stream: str = Field(primary_key=True, max_length=100)
    value: str = Field(sa_type=Text)
    version: int = 1
    updated_at: datetime = _when()


class ConnectorHealthRow(SQLModel, table=True):
    """Whether a connector worked last time, and since when it has been failing."""

    __tablename__ = "connector_health"

    name: str = Field(primary_key=True, max_length=100)
    role: str = Field(max_length=20)  # bank | erp | tax
    status: str = Field(max_length=10)  # up | down
    last_success_at: datetime | None = _when(nullable=True)
    last_failure_at: datetime | None = _when(nullable=True)
    last_error: str | None = Field(default=None, sa_type=Text)
    consecutive_failures: int = 0


class TaxRecordRow(SQLModel, table=True):
    """A tax-system customer or certificate as last pulled (the cache incremental pulls update)."""

    __tablename__ = "tax_record"

    connector: str = Field(primary_key=True, max_length=100)
    kind: str = Field(primary_key=True, max_length=20)  # customer | certificate
    key: str = Field(primary_key=True, max_length=200)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    seen_at: datetime = _when()


class RateEventRow(SQLModel, table=True):
    """One request sent to a vendor API, for a rate budget shared by several daemons."""

    __tablename__ = "rate_event"
    __table_args__ = (Index("ix_rate_event_connector_at", "connector", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    connector: str = Field(max_length=100)
    at: float  # seconds since the epoch (wall clock, comparable across processes)


class PayerLinkRow(SQLModel, table=True):
    """A learned link from how a payer shows up (bank account or name) to an ERP customer."""

    __tablename__ = "payer_link"

    erp: str = Field(primary_key=True, max_length=100)
    kind: str = Field(primary_key=True, max_length=10)  # account | alias
    key: str = Field(primary_key=True, max_length=300)
    customer_id: str = Field(max_length=100)
    origin: str = Field(max_length=20)  # auto | review | proposed | admin
    created_at: datetime = _when()
    updated_at: datetime = _when()
    taught_by: str | None = Field(default=None, max_length=100)
    """The person whose decision (or edit) taught the link; None for arbridge's own."""


class UserRow(SQLModel, table=True):
    """A person who may log in to the finance web page."""

    __tablename__ = "app_user"

    name: str = Field(primary_key=True, max_length=100)
    password_hash: str = Field(max_length=200)  # argon2id, never the password
    role: str = Field(max_length=10)  # viewer | clerk | admin
    created_at: datetime = _when()
    disabled: bool = False


class WebSessionRow(SQLModel, table=True):
    """A logged-in browser: the cookie holds the token, the store only its SHA-256."""

    __tablename__ = "web_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_name: str = Field(foreign_key="app_user.name", index=True, max_length=100)
    created_at: datetime = _when()
    seen_at: datetime = _when()


class SettingRow(SQLModel, table=True):
    """A limit an admin changed on the web page, overriding the YAML's value."""

    __tablename__ = "app_setting"

    key: str = Field(primary_key=True, max_length=100)
    value: str = Field(max_length=500)
    updated_by: str = Field(max_length=100)
    updated_at: datetime = _when()


class InvoiceRegisterRow(SQLModel, table=True):
    """An invoice with a sales rep, a kind, an order or retainage, as last seen.

    Kept after the ERP stops listing it (paid), for commissions and deposits.
    """

    __tablename__ = "invoice_register"
    __table_args__ = (Index("ix_invoice_register_order", "erp", "order_ref"),)

    erp: str = Field(primary_key=True, max_length=100)
    invoice_id: str = Field(primary_key=True, max_length=100)
    customer_id: str = Field(max_length=100)
    sales_rep: str | None = Field(default=None, max_length=300)
    invoice_date: date
    amount: Decimal = _money()
    open_amount: Decimal = _money()
    order_ref: str | None = Field(default=None, max_length=100)
    retainage_pct: Decimal | None = _money(nullable=True)
    kind: str | None = Field(default=None, max_length=50)
    approved: bool | None = None
    tax_amount: Decimal | None = _money(nullable=True)
    freight_amount: Decimal | None = _money(nullable=True)
    seen_at: datetime = _when()


class CommissionPeriodRow(SQLModel, table=True):
    """A closed commission period (a calendar month): its lines never change again."""

    __tablename__ = "commission_period"

    erp: str = Field(primary_key=True, max_length=100)
    period: str = Field(primary_key=True, max_length=7)  # YYYY-MM
    closed_at: datetime = _when()
    closed_by: str = Field(max_length=100)


class CommissionLineRow(SQLModel, table=True):
    """A line of a closed period's commission report, frozen when the period closed."""

    __tablename__ = "commission_line"
    __table_args__ = (Index("ix_commission_line_period", "erp", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    erp: str = Field(max_length=100)
    period: str = Field(max_length=7)
    sales_rep: str = Field(max_length=100)
    invoice_id: str = Field(max_length=100)
    customer_id: str = Field(max_length=100)
    bank_id: str = Field(max_length=200)
    booked_on: date
    effective_on: date
    application_id: int = Field(index=True)
    reverses_id: int | None = None
    cash_amount: Decimal = _money()
    basis: Decimal = _money()
    rate: str = Field(max_length=30)  # exact Decimal text (rates may have more than 4 places)
    commission: Decimal = _money()


class ErpPaymentRow(SQLModel, table=True):
    """A payment recorded in the ERP by a person or another tool, and the bank line it records."""

    __tablename__ = "erp_payment"
    __table_args__ = (Index("ix_erp_payment_line", "erp", "bank_line_id"),)

    erp: str = Field(primary_key=True, max_length=100)
    payment_id: str = Field(primary_key=True, max_length=200)
    customer_id: str = Field(max_length=100)
    paid_on: date
    amount: Decimal = _money()
    allocations: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    reference: str = Field(default="", sa_type=Text)
    memo: str = Field(default="", sa_type=Text)
    recorded_by: str | None = Field(default=None, max_length=200)
    digest: str = Field(max_length=64)
    """Hash of what the ERP says; a change makes the payment `checked` False again."""
    bank_line_id: int | None = Field(default=None, foreign_key="bank_line.id")
    link: str | None = Field(default=None, sa_type=Text)
    """How it was linked to its bank line, in words (None while not linked)."""
    checked: bool = False
    """Since it last changed: linked, whether its recording was checked against the bank
    line; not linked, whether a linking pass considered it."""
    seen_at: datetime = _when()


class ErpPaymentAllocationRow(SQLModel, table=True):
    """One allocation of a recorded ERP payment, indexed by invoice (who else paid it)."""

    __tablename__ = "erp_payment_allocation"
    __table_args__ = (Index("ix_erp_payment_allocation_invoice", "erp", "invoice_id"),)

    erp: str = Field(primary_key=True, max_length=100)
    payment_id: str = Field(primary_key=True, max_length=200)
    seq: int = Field(primary_key=True)
    invoice_id: str | None = Field(default=None, max_length=100)
    amount: Decimal = _money()
