"""Business Central write-offs: a customer payment line in a journal that balances to the write-off account.

API v2.0 has no write-off field on `customerPayments` and a line carries no balancing
account of its own: the journal batch does (`customerPaymentJournals.balancingAccountNumber`,
reference §2.5). So a write-off is booked as its own customer payment line, applied to
the same invoice, under the same `documentNumber` and `externalDocumentNumber` as the
cash lines (one receipt), in a journal batch whose balancing account is the write-off
G/L account: posting it credits the customer (closing the invoice's rest) and debits
the write-off account. Each deduction code may go to a journal (and account) of its
own (`write_off_journals`); codes not listed use `write_off_journal`.

A journal is found by its code; one that does not exist is created (POST
`customerPaymentJournals` with `code`, `displayName`, `balancingAccountNumber`), and one
whose balancing account is another is refused: its lines would post to the wrong account.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from arbridge.connectors.base import ErpCapability, adjustment_kind
from arbridge.connectors.erp._http import HttpClient, jsonbody
from arbridge.connectors.erp.business_central import wire
from arbridge.connectors.erp.business_central.odata import CompanyReader
from arbridge.connectors.errors import (
    ConnectorError,
    PermanentConnectorError,
    RecordRejectedError,
)
from arbridge.domain.records import Allocation, Application

DISPLAY_NAME = "arbridge write-offs"


@dataclass(frozen=True)
class WriteOffTarget:
    """A customer payment journal batch (code) and the G/L account it balances to."""

    journal: str
    account: str


@dataclass(frozen=True)
class WriteOffPlan:
    """Where each deduction code's write-off goes (`default` for codes not listed)."""

    default: WriteOffTarget | None = None
    by_reason: Mapping[str, WriteOffTarget] = field(default_factory=dict)

    @property
    def enabled(self) -> bool:
        """Whether any write-off can be booked."""
        return self.default is not None or bool(self.by_reason)

    def targets(self) -> list[WriteOffTarget]:
        """Every journal configured, each once."""
        found = [*self.by_reason.values(), *([self.default] if self.default else [])]
        return sorted(set(found), key=lambda t: t.journal)

    def target(self, connector: str, reason: str | None) -> WriteOffTarget:
        """The journal of one deduction code.

        Raises:
            RecordRejectedError: the code has no journal and there is no default.
        """
        found = self.by_reason.get(reason or "", self.default)
        if found is None:
            raise RecordRejectedError(
                connector,
                f"no write-off journal for deduction code {reason!r}: add it to "
                "write_off_journals or set write_off_journal and write_off_account",
            )
        return found


class WriteOffJournals:
    """The write-off journals of one company: looked up by code, created when absent, checked."""

    def __init__(
        self, *, name: str, api: HttpClient, odata: CompanyReader, plan: WriteOffPlan
    ) -> None:
        self._name, self._api, self._odata, self.plan = name, api, odata, plan
        self._ids: dict[str, str] = {}

    def _find(self, target: WriteOffTarget) -> dict[str, Any] | None:
        url = f"{self._odata.company()}/customerPaymentJournals"
        where = {"$filter": f"code eq {wire.quote(target.journal)}"}
        return next(iter(self._odata.pages(url, **where)), None)

    def _checked(self, target: WriteOffTarget, journal: dict[str, Any]) -> str:
        account = str(journal.get("balancingAccountNumber") or "")
        if account != target.account:
            raise PermanentConnectorError(
                self._name,
                f"write-off journal {target.journal!r} balances to account {account or '(none)'}"
                f", not {target.account}: its lines would post there; set its balancing account "
                "in Business Central or name another journal",
            )
        self._ids[target.journal] = str(journal["id"])
        return self._ids[target.journal]

    def journal_id(self, target: WriteOffTarget, *, create: bool) -> str | None:
        """The journal's id (created with its balancing account if absent and `create`).

        Raises:
            PermanentConnectorError: the journal balances to another account.
        """
        if target.journal in self._ids:
            return self._ids[target.journal]
        found = self._find(target)
        if found is not None:
            return self._checked(target, found)
        if not create:
            return None
        body = {
            "code": target.journal,
            "displayName": DISPLAY_NAME,
            "balancingAccountNumber": target.account,
        }
        url = f"{self._odata.company()}/customerPaymentJournals"
        try:
            response = self._api.request("POST", url, json=body, idempotent=False, ok=(201,))
        except ConnectorError:
            found = self._find(target)  # created by an earlier call whose answer was lost?
            if found is None:
                raise
            return self._checked(target, found)
        return self._checked(target, jsonbody.loads(response.content))

    def lines_url(self, journal_id: str) -> str:
        """The `customerPayments` collection of a write-off journal."""
        return f"{self._odata.company()}/customerPaymentJournals({journal_id})/customerPayments"

    def existing_urls(self) -> list[str]:
        """The lines URLs of the write-off journals that exist (nothing created)."""
        ids = [self.journal_id(t, create=False) for t in self.plan.targets()]
        return [self.lines_url(i) for i in ids if i is not None]

    def accounts(self) -> frozenset[str]:
        """The write-off G/L accounts (their debits in the G/L are write-offs, not cash)."""
        return frozenset(t.account for t in self.plan.targets())

    def lines(
        self, application: Application, todo: Sequence[Allocation], sign: Decimal
    ) -> list[tuple[str, dict[str, Any]]]:
        """(journal lines URL, body) of each write-off among `todo` (its journal made if absent).

        Raises:
            RecordRejectedError: a deduction code has no journal.
            PermanentConnectorError: a journal balances to another account.
        """
        items = []
        for allocation in todo:
            if adjustment_kind(allocation) is not ErpCapability.WRITE_OFF:
                continue
            target = self.plan.target(self._name, allocation.adjustment_reason)
            found = self.journal_id(target, create=True)
            assert found is not None  # created, or the POST raised
            items.append((self.lines_url(found), write_off_line(application, allocation, sign)))
        return items

    def describe(self) -> str:
        """For `arbridge doctor`: each journal found and checked, or to be created (reads only)."""
        said = []
        for target in self.plan.targets():
            found = self._find(target)
            if found is None:
                said.append(f"write-off journal {target.journal} will be created on first use")
            else:
                self._checked(target, found)
                said.append(f"write-off journal {target.journal} balances to {target.account}")
        return "; ".join(said)


def has_write_off(application: Application) -> bool:
    """Whether any allocation carries a write-off (not a discount)."""
    return any(adjustment_kind(a) is ErpCapability.WRITE_OFF for a in application.allocations)


def write_off_line(
    application: Application, allocation: Allocation, sign: Decimal
) -> dict[str, Any]:
    """The write-off line of one allocation: applied to its invoice, same receipt as the cash."""
    key = application.idempotency_key
    reason = allocation.adjustment_reason or "write-off"
    body: dict[str, Any] = {
        "customerNumber": allocation.customer_id,
        "postingDate": application.booked_on.isoformat(),
        "documentNumber": wire.document_number(key),
        "externalDocumentNumber": wire.external_document_number(key),
        "amount": sign * allocation.adjustment,
        "description": wire.description(key, f"write-off {reason}; {application.evidence}"),
    }
    if allocation.invoice_id:
        body["appliesToInvoiceNumber"] = allocation.invoice_id
    return body
