"""Business Central: what it holds under arbridge's document numbers, for `arbridge audit`.

Read-only. arbridge's payments are journal lines whose `documentNumber` is `AB` + 18 hex
of the key's hash (`wire.document_number`):

- lines still waiting in the journal (`customerPayments`): one record per line, with the
  invoice it applies to (`appliesToInvoiceNumber`) and its amount;
- posted ones, as G/L entries (`generalLedgerEntries`, found by `documentNumber`): one
  record per document, its cash the sum of the entries' `creditAmount`. API v2.0 does not
  say which invoice a posted payment closed, so these records carry no invoice; an
  invoice taken beyond what it had is still found by `overdrawn_invoices` (the journal's
  lines on it against its `remainingAmount`).

Keys are tied back by hash (the keys the caller knows) or from the line's description,
which ends with `[<key>]` when it fits in 100 characters.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from arbridge.connectors.base import PostedRecord
from arbridge.connectors.erp._http.gateway import in_groups
from arbridge.connectors.erp._http.posted import ReferenceIndex, over_by, record, wanted
from arbridge.connectors.erp.business_central import wire
from arbridge.connectors.erp.business_central.journal import OURS
from arbridge.connectors.erp.business_central.odata import CompanyReader

GROUP = 40
"""Document numbers per `$filter` (keeps URLs short)."""
OWN_PREFIX = "startswith(documentNumber,'AB')"


class BusinessCentralPostedLedger:
    """The PostedLedger role of the BC gateway (mixed into it; reads only)."""

    _odata: CompanyReader

    def _lines_url(self) -> str:
        raise NotImplementedError

    def find_posted(self, keys: Collection[str] | None = None) -> Sequence[PostedRecord]:
        """What BC holds under these keys (pending or posted); every key its memos name when None."""
        if keys is None:
            return self.own_postings(())
        index = ReferenceIndex.of(keys, wire.document_number)
        return wanted(self._held(index, sorted(index.by_reference)), keys)

    def own_postings(self, known: Collection[str]) -> Sequence[PostedRecord]:
        """Every line or G/L document under an `AB…` document number, tied to `known` keys first."""
        return self._held(ReferenceIndex.of(known, wire.document_number), None)

    def overdrawn_invoices(self) -> Mapping[str, Decimal]:
        """Invoices whose journal lines ask more than their `remainingAmount` (or it went below 0)."""
        pending: dict[str, Decimal] = {}
        for line in self._odata.pages(self._lines_url()):
            number = str(line.get("appliesToInvoiceNumber") or "")
            if number:
                pending[number] = pending.get(number, Decimal(0)) + abs(wire.money(line["amount"]))
        url = f"{self._odata.company()}/salesInvoices"
        left = {
            str(e["number"]): wire.money(e.get("remainingAmount", 0))
            for e in self._odata.pages(url, **{"$select": "number,remainingAmount,status"})
        }
        return over_by(pending, left)

    def _held(self, index: ReferenceIndex, documents: list[str] | None) -> list[PostedRecord]:
        records = [
            record(
                index.key_of(document, str(line.get("description") or "")),
                document,
                invoice_id=str(line.get("appliesToInvoiceNumber") or "") or None,
                amount=abs(wire.money(line["amount"])),
            )
            for line in self._filtered(self._lines_url(), documents, whole=True)
            if OURS.match(document := str(line.get("documentNumber") or ""))
        ]
        posted: dict[str, tuple[Decimal, str]] = {}
        gl = f"{self._odata.company()}/generalLedgerEntries"
        for entry in self._filtered(gl, documents, whole=False):
            document = str(entry.get("documentNumber") or "")
            if OURS.match(document):
                cash, memo = posted.get(document, (Decimal(0), str(entry.get("description") or "")))
                posted[document] = (cash + wire.money(entry.get("creditAmount") or 0), memo)
        records += [
            record(index.key_of(document, memo), document, invoice_id=None, amount=cash)
            for document, (cash, memo) in sorted(posted.items())
            if cash > 0
        ]
        return records

    def _filtered(
        self, url: str, documents: list[str] | None, *, whole: bool
    ) -> Iterator[dict[str, Any]]:
        """Entities under these document numbers (in groups), else under any of arbridge's.

        Without numbers: the whole set when `whole` (the journal, which is small), else
        those whose number starts `AB` (the G/L, which is not small).
        """
        if documents is None:
            yield from self._odata.pages(url, **({} if whole else {"$filter": OWN_PREFIX}))
            return
        for group in in_groups(documents, GROUP):
            where = " or ".join(f"documentNumber eq {wire.quote(d)}" for d in group)
            yield from self._odata.pages(url, **{"$filter": where})
