"""The queue's export: the rows of a filter as CSV (streamed) or as an .xlsx workbook.

Both read one streamed query (`store.cockpit.export_rows`) chunk by chunk, so a queue of
100,000 items is never held in memory at once. The workbook's sheet is written as XML
text straight into the zip (`web.xlsx_sheet`; rows go to a temporary file as they come)
and sent once it is closed.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from arbridge.domain.masking import mask_account
from arbridge.store import Store, cockpit
from arbridge.store.reviews import ReviewFilter
from arbridge.web.labels import reason_label
from arbridge.web.xlsx_sheet import Cell, write_workbook

HEADER = (
    "item",
    "status",
    "reason",
    "reason_code",
    "amount",
    "bank_date",
    "bank_id",
    "customer_id",
    "customer",
    "payer",
    "bank_text",
    "suggested_invoices",
    "assignee",
    "opened_at",
)
_IDS = re.compile(r'"invoice_ids"\s*:\s*(\[[^\]]*\])')
_QUOTED = re.compile(r'"([^"]*)"')
_RISKY = ("=", "+", "-", "@", "\t", "\r")


def rows(store: Store, erp: str, wanted: ReviewFilter) -> Iterator[list[list[Cell]]]:
    """The export's rows (typed: amounts Decimal, dates date), in chunks."""
    labels: dict[str, str] = {}
    with store.transaction() as session:
        for chunk in cockpit.export_rows(session, wanted):
            names = cockpit.customer_names(session, erp, {r[4] for r in chunk})
            yield [_row(r, names, labels) for r in chunk]


def _row(r: Sequence[Any], names: dict[str, str], labels: dict[str, str]) -> list[Cell]:
    item, status, reason, amount, customer, suggestions, assignee, opened = r[:8]
    booked, bank_id, payer_name, payer_account, text = r[8:]
    label = labels.get(reason) or labels.setdefault(reason, reason_label(reason))
    account = mask_account(payer_account) if payer_account else ""
    payer = f"{payer_name or ''} {account}".strip()
    return [
        item,
        status,
        label,
        reason,
        amount,
        booked,
        bank_id or "",
        customer or "",
        names.get(customer or "", ""),
        safe(payer),
        safe(text or ""),
        " ".join(invoice_ids(suggestions)),
        assignee or "",
        opened,
    ]


def invoice_ids(suggestions: Any) -> list[str]:
    """The suggested invoice numbers in a suggestions JSON text (or list), each once."""
    found: list[str] = []
    for part in _parts(suggestions):
        found += [i for i in part if isinstance(i, str) and i not in found]
    return found


def _parts(suggestions: Any) -> list[list[Any]]:
    if not isinstance(suggestions, str):
        return [s.get("invoice_ids", []) for s in suggestions or ()]
    try:  # the lists alone: several times faster than decoding the whole text
        return [_quoted(m) for m in _IDS.findall(suggestions)]
    except ValueError:
        return [s.get("invoice_ids", []) for s in json.loads(suggestions)]


def _quoted(listed: str) -> list[str]:
    """The strings of a JSON list of plain strings; ValueError for anything less simple."""
    if listed == "[]":
        return []
    if "\\" in listed or not listed.endswith('"]') or listed.count('"') % 2:
        raise ValueError(listed)
    return _QUOTED.findall(listed)


def safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in _RISKY else text


def csv_text(store: Store, erp: str, wanted: ReviewFilter) -> Iterator[str]:
    """The CSV file, a chunk of rows at a time."""
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(HEADER)
    for chunk in rows(store, erp, wanted):
        for row in chunk:  # the writer shows None as empty and the rest with str()
            row[-1] = _minute(row[-1])
        out.writerows(chunk)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _minute(cell: Cell) -> Cell:
    return cell.strftime("%Y-%m-%d %H:%M") if isinstance(cell, datetime) else cell


def xlsx_file(store: Store, erp: str, wanted: ReviewFilter) -> Iterator[bytes]:
    """The workbook (one sheet, amounts as numbers, dates as dates), in pieces of 64 KiB."""
    with tempfile.SpooledTemporaryFile(max_size=8 * 2**20) as out:
        write_workbook(out, "Review queue", HEADER, rows(store, erp, wanted))
        out.seek(0)
        while piece := out.read(2**16):
            yield piece
