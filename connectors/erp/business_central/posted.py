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

Write-offs: their lines wait in the write-off journals (a record of adjustment only); once
posted, the G/L debits on a write-off account under the document are its adjustment and
the rest of its credits the cash. A correction's reversing lines (`reversal`, description
`reverses <D>`) net what they undo out of `D`'s posted record; they are not records of
their own.

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
from arbridge.connectors.erp.business_central.reversal import reversed_document
from arbridge.domain.records import ZERO

GROUP = 40
"""Document numbers per `$filter` (keeps URLs short)."""
OWN_PREFIX = "startswith(documentNumber,'AB')"


class BusinessCentralPostedLedger:
    """The PostedLedger role of the BC gateway (mixed into it; reads only)."""

    _odata: CompanyReader

    def _lines_url(self) -> str:
        raise NotImplementedError

    def _write_off_urls(self) -> list[str]:
        raise NotImplementedError

    def _write_off_accounts(self) -> frozenset[str]:
        raise NotImplementedError

    def _correction_lines_url(self) -> str | None:
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
        for url in [self._lines_url(), *self._write_off_urls()]:
            for line in self._odata.pages(url):
                number = str(line.get("appliesToInvoiceNumber") or "")
                if number:
                    amount = abs(wire.money(line["amount"]))
                    pending[number] = pending.get(number, Decimal(0)) + amount
        url = f"{self._odata.company()}/salesInvoices"
        left = {
            str(e["number"]): wire.money(e.get("remainingAmount", 0))
            for e in self._odata.pages(url, **{"$select": "number,remainingAmount,status"})
        }
        return over_by(pending, left)

    def _held(self, index: ReferenceIndex, documents: list[str] | None) -> list[PostedRecord]:
        records = self._pending_records(index, documents)
        undone = self._reversed(documents)
        posted: dict[str, tuple[Decimal, Decimal, str]] = {}
        accounts = self._write_off_accounts()
        gl = f"{self._odata.company()}/generalLedgerEntries"
        for entry in self._filtered(gl, documents, whole=False):
            document, memo = (
                str(entry.get("documentNumber") or ""),
                str(entry.get("description") or ""),
            )
            if not OURS.match(document) or reversed_document(memo) is not None:
                continue
            credit, write_off, first = posted.get(document, (ZERO, ZERO, memo))
            credit += wire.money(entry.get("creditAmount") or 0)
            if str(entry.get("accountNumber") or "") in accounts:
                write_off += wire.money(entry.get("debitAmount") or 0)
            posted[document] = (credit, write_off, first)
        for document, (credit, write_off, memo) in sorted(posted.items()):
            cash_back, write_off_back = undone.get(document, (ZERO, ZERO))
            cash = max(credit - write_off - cash_back, ZERO)
            adjustment = max(write_off - write_off_back, ZERO)
            if cash > 0 or adjustment > 0:
                key = index.key_of(document, memo)
                records.append(
                    record(key, document, invoice_id=None, amount=cash, adjustment=adjustment)
                )
        return records

    def _pending_records(
        self, index: ReferenceIndex, documents: list[str] | None
    ) -> list[PostedRecord]:
        """One record per line waiting in arbridge's journals (write-off lines: adjustment only)."""
        records = []
        for url in [self._lines_url(), *self._write_off_urls()]:
            write_off = url != self._lines_url()
            for line in self._filtered(url, documents, whole=True):
                document = str(line.get("documentNumber") or "")
                if not OURS.match(document):
                    continue
                amount = abs(wire.money(line["amount"]))
                records.append(
                    record(
                        index.key_of(document, str(line.get("description") or "")),
                        document,
                        invoice_id=str(line.get("appliesToInvoiceNumber") or "") or None,
                        amount=ZERO if write_off else amount,
                        adjustment=amount if write_off else ZERO,
                    )
                )
        return records

    def _reversed(self, documents: list[str] | None) -> dict[str, tuple[Decimal, Decimal]]:
        """(cash, write-off) that reversing lines take back per document.

        Pending ones always (the correction batch is small); posted ones only for the whole
        audit (`documents` None), as looking them up by the document they undo would need a
        search of every G/L description.
        """
        accounts = self._write_off_accounts()
        back: dict[str, tuple[Decimal, Decimal]] = {}
        lines_url = self._correction_lines_url()
        sources = [] if lines_url is None else [(lines_url, True)]
        if documents is None:  # the whole audit; a look-up by key leaves the G/L's reversals
            sources.append((f"{self._odata.company()}/generalLedgerEntries", False))
        for url, pending in sources:
            entries = self._odata.pages(url) if pending else self._filtered(url, None, whole=False)
            for entry in entries:
                undone = reversed_document(str(entry.get("description") or ""))
                if undone is None or (documents is not None and undone not in documents):
                    continue
                if pending:
                    amount = abs(wire.money(entry.get("amount") or 0))
                else:
                    amount = wire.money(entry.get("creditAmount") or 0)
                cash, write_off = back.get(undone, (ZERO, ZERO))
                if str(entry.get("accountNumber") or "") in accounts:
                    write_off += amount
                else:
                    cash += amount
                back[undone] = (cash, write_off)
        return back

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
