"""The roles every connector plays, documented once here.

Implementations live in `connectors.bank` and `connectors.erp`, one module each,
named qualifier + role (`FolderBankSource`, `CsvErpGateway`, `InMemoryErpGateway`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from domain.records import Application, BankLine, Customer, Invoice


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


class PostOutcome(StrEnum):
    """What posting an application did."""

    POSTED = "posted"
    ALREADY_POSTED = "already_posted"


@dataclass(frozen=True, slots=True, kw_only=True)
class PostResult:
    """The ERP's answer to a posting."""

    outcome: PostOutcome
    erp_reference: str | None = None


class ErpGateway(Protocol):
    """The ERP: customers and invoices come from it, applications go to it."""

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

        Raises:
            TransientConnectorError: try again later; nothing or all was posted.
            RecordRejectedError: the ERP refused this application.
            PermanentConnectorError: the connector is unusable until fixed.
        """
        ...
