"""Business Central corrections: a reversing general journal line, since API v2.0 cannot unapply.

A posted customer payment stays applied in BC (the invoice it closed stays closed). To
undo arbridge's payment `D` under the reversal's key (document number `R`):

1. `R` already pending in the correction journal, or in the G/L: done before (a retry).
2. Lines of `D` still waiting in arbridge's journals (cash and write-off) are deleted:
   what never posted is simply withdrawn. They are read before the G/L, and deleted only
   once the reversal can no longer be refused: a journal posted in between makes the
   DELETE fail (404), and the next try sees those lines in the G/L.
3. What of `D` the G/L holds is reversed by journal lines in the correction batch
   (`journals({id})/journalLines`), one per part: the cash, credited to the cash side
   (`correction_account`, by default the cash receipt journal's balancing account), and
   each write-off, credited back to its write-off account; each balances to the customer,
   who is debited again by that amount. The cash is what arbridge applied (the G/L
   shows the document posted on a non-write-off account); a write-off is the debit the G/L
   holds on its account under `D`. Amounts are the application's own.

The `journalLine` entity (`accountType`, `accountNumber`, `postingDate`, `documentNumber`,
`externalDocumentNumber`, `amount`, `description`, `balanceAccountType`,
`balancingAccountNumber`) is documented in Microsoft's API v2.0 reference but not in this
project's wire reference; this use of it is inference, kept to those fields. Its GET is
documented to return only lines whose account type is "G/L Account" or "Bank Account",
so each reversing line names the G/L account as its account and the customer as its
balancing account (the same entry as the other way round): then a retry can read it back.
The line's description starts `reverses <D>`, which the audit reads to net the two.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from arbridge.connectors.base import ErpCapability, PostOutcome, PostResult, adjustment_kind
from arbridge.connectors.erp._http import HttpClient, jsonbody
from arbridge.connectors.erp._http.reference import memo
from arbridge.connectors.erp.business_central import journal, wire
from arbridge.connectors.erp.business_central.odata import CompanyReader
from arbridge.connectors.erp.business_central.writeoff import WriteOffJournals
from arbridge.connectors.errors import (
    ConnectorError,
    RecordRejectedError,
    TransientConnectorError,
)
from arbridge.domain.records import ZERO, Application

PREFIX = "reverses "
DISPLAY_NAME = "arbridge corrections"


@dataclass(frozen=True)
class CorrectionSettings:
    """The general journal batch for reversing lines, and the cash side's G/L account (if set)."""

    journal: str = "ARBRIDGE"
    account: str | None = None


def reversed_document(description: str) -> str | None:
    """The document a reversing line undoes (its description's `reverses <D>`), or None."""
    if not description.startswith(PREFIX):
        return None
    document = description[len(PREFIX) :].split(";", 1)[0].strip()
    return document if journal.OURS.match(document) else None


class Reverser:
    """Undoes arbridge's posted payments in one company (see the module doc)."""

    def __init__(
        self,
        *,
        name: str,
        api: HttpClient,
        odata: CompanyReader,
        settings: CorrectionSettings,
        cash_journal: Callable[[], dict[str, Any]],
        cash_lines_url: Callable[[], str],
        write_offs: WriteOffJournals,
        today: Callable[[], date] = lambda: datetime.now(UTC).date(),
    ) -> None:
        self._name, self._api, self._odata, self.settings = name, api, odata, settings
        self._cash_journal, self._cash_lines_url = cash_journal, cash_lines_url
        self._write_offs, self._today = write_offs, today
        self._journal_id: str | None = None

    # ------------------------------------------------------------------ the batch
    def journal_id(self, *, create: bool) -> str | None:
        """The correction batch's id (created if absent and `create`)."""
        if self._journal_id is None:
            url = f"{self._odata.company()}/journals"
            where = {"$filter": f"code eq {wire.quote(self.settings.journal)}"}
            found = next(iter(self._odata.pages(url, **where)), None)
            if found is None and create:
                body = {"code": self.settings.journal, "displayName": DISPLAY_NAME}
                try:
                    answer = self._api.request("POST", url, json=body, idempotent=False, ok=(201,))
                    found = jsonbody.loads(answer.content)
                except ConnectorError:
                    found = next(iter(self._odata.pages(url, **where)), None)
                    if found is None:
                        raise
            self._journal_id = None if found is None else str(found["id"])
        return self._journal_id

    def lines_url(self, journal_id: str) -> str:
        """The correction batch's `journalLines`."""
        return f"{self._odata.company()}/journals({journal_id})/journalLines"

    def cash_account(self) -> str:
        """The G/L account a reversal credits for cash.

        Raises:
            RecordRejectedError: neither `correction_account` nor the cash journal names one.
        """
        account = self.settings.account or str(
            self._cash_journal().get("balancingAccountNumber") or ""
        )
        if not account:
            raise RecordRejectedError(
                self._name,
                "the cash receipt journal has no balancing account: set correction_account "
                "(the G/L account a reversal credits) to correct payments on Business Central",
            )
        return account

    def describe(self) -> str:
        """For `arbridge doctor` (reads only)."""
        try:
            account = self.cash_account()
        except RecordRejectedError as exc:
            return f"corrections: {exc.message}"
        found = self.journal_id(create=False)
        where = "found" if found else "will be created on first use"
        return f"corrections: batch {self.settings.journal} {where}, cash side {account}"

    # ------------------------------------------------------------------ reversing
    def reverse(self, application: Application, original: str) -> PostResult:
        """Undo the payment `original` once (see the module doc)."""
        document = wire.document_number(application.idempotency_key)
        if self._held(document):
            return PostResult(outcome=PostOutcome.ALREADY_POSTED, erp_reference=document)
        pending = self._pending_of(original)  # read before the G/L: see `_withdraw`
        bodies = self._lines(application, original, self._posted_parts(application, original))
        self._withdraw(pending)  # only once nothing can refuse the reversal any more
        if not bodies:  # nothing of it reached the G/L: withdrawing it was the whole undo
            return PostResult(outcome=PostOutcome.POSTED, erp_reference=original)
        url = self.lines_url(self._required_id())
        failure = journal.write_all_or_nothing(self._api, url, bodies)
        if failure is not None:
            kept = list(self._pending(url, document))
            journal.remove_kept(self._api, url, kept, document, failure)
            raise failure
        return PostResult(outcome=PostOutcome.POSTED, erp_reference=document)

    def _required_id(self) -> str:
        found = self.journal_id(create=True)
        assert found is not None  # created above, or the POST raised
        return found

    def _pending(self, url: str, document: str) -> Iterable[dict[str, Any]]:
        return self._odata.pages(url, **{"$filter": f"documentNumber eq {wire.quote(document)}"})

    def _gl(self, document: str) -> list[dict[str, Any]]:
        url = f"{self._odata.company()}/generalLedgerEntries"
        where = {"$filter": f"documentNumber eq {wire.quote(document)}"}
        return list(self._odata.pages(url, **where))

    def _held(self, document: str) -> bool:
        found = self.journal_id(create=False)
        if found is not None and any(True for _ in self._pending(self.lines_url(found), document)):
            return True
        return bool(self._gl(document))

    def _pending_of(self, original: str) -> list[tuple[str, str]]:
        """(journal lines URL, line id) of each line of `original` waiting in arbridge's journals."""
        urls = [self._cash_lines_url(), *self._write_offs.existing_urls()]
        return [(url, str(line["id"])) for url in urls for line in self._pending(url, original)]

    def _withdraw(self, pending: list[tuple[str, str]]) -> None:
        """Delete lines read before the G/L was: one posted since is gone (404, retried later)."""
        for url, line_id in pending:
            try:
                self._api.request(
                    "DELETE", f"{url}({line_id})", headers={"If-Match": "*"}, ok=(204,)
                )
            except ConnectorError as exc:  # posted meanwhile, or the answer lost: look again
                raise TransientConnectorError(
                    self._name, f"withdrawing a journal line failed ({exc.message}); will retry"
                ) from None

    def _posted_parts(
        self, application: Application, original: str
    ) -> list[tuple[str, str, Decimal]]:
        """(G/L account, customer, amount) of each part of `original` the G/L holds.

        Raises:
            RecordRejectedError: the payment carried a discount BC granted on posting (its
                G/L account is BC's, not arbridge's): that one is reversed by hand.
        """
        debited = {
            str(e.get("accountNumber") or "")
            for e in self._gl(original)
            if wire.money(e.get("debitAmount") or 0) > 0
        }
        write_off_accounts = self._write_offs.accounts()
        parts: dict[tuple[str, str], Decimal] = {}
        if debited - write_off_accounts:  # the cash receipt journal's lines posted
            if any(adjustment_kind(a) is ErpCapability.DISCOUNT for a in application.allocations):
                raise RecordRejectedError(
                    self._name,
                    f"{original} took a payment discount BC booked on posting: reverse it in "
                    "Business Central by hand",
                )
            account = self.cash_account()
            for a in application.allocations:
                parts[account, a.customer_id] = parts.get((account, a.customer_id), ZERO) + a.amount
        for a in application.allocations:
            if adjustment_kind(a) is not ErpCapability.WRITE_OFF:
                continue
            account = self._write_offs.plan.target(self._name, a.adjustment_reason).account
            if account in debited:
                parts[account, a.customer_id] = (
                    parts.get((account, a.customer_id), ZERO) + a.adjustment
                )
        return [
            (account, customer, amount)
            for (account, customer), amount in parts.items()
            if amount > 0
        ]

    def _lines(
        self, application: Application, original: str, parts: list[tuple[str, str, Decimal]]
    ) -> list[dict[str, Any]]:
        key = application.idempotency_key
        head = f"{PREFIX}{original}; "
        text = head + memo(key, application.evidence, wire.DESCRIPTION_LEN - len(head))
        return [
            {
                "accountType": "G/L Account",
                "accountNumber": account,
                "postingDate": self._today().isoformat(),
                "documentNumber": wire.document_number(key),
                "externalDocumentNumber": wire.external_document_number(key),
                "amount": -amount,
                "description": text,
                "balanceAccountType": "Customer",
                "balancingAccountNumber": customer,
            }
            for account, customer, amount in parts
        ]
