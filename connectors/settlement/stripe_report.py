"""Stripe's "Payout reconciliation, itemized" report (CSV), read by header name.

Columns may come in any order and with any extras (Stripe lets the exporter choose
them); `payment_metadata[...]` keys are read where they name an invoice. Amounts are in
major units. A row of category `payout`, where the export includes one, states the
payout's own amount and is checked against its transactions, never applied.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from arbridge.connectors.settlement._rows import (
    check_net,
    check_total,
    check_unique,
    iso_day,
    money,
)
from arbridge.domain.errors import BadInputError, SourceLocation
from arbridge.domain.settlements import Payout, SettlementCategory, SettlementItem

REQUIRED = (
    "automatic_payout_id",
    "balance_transaction_id",
    "currency",
    "gross",
    "fee",
    "net",
    "reporting_category",
)
EFFECTIVE = ("automatic_payout_effective_at", "automatic_payout_effective_at_utc")
OPTIONAL = ("description", "customer_name", "customer_email", "charge_id", "source_id")
REFERENCE_KEYS = (
    "payment_metadata[invoice_number]",
    "payment_metadata[invoice]",
    "payment_metadata[invoice_id]",
    "payment_metadata[invoice_no]",
    "payment_metadata[order_id]",
    "invoice_number",
)


@dataclass(slots=True)
class _Open:
    """A payout while its rows are read."""

    payout_id: str
    effective_on: date
    currency: str
    first_line: int
    items: list[SettlementItem] = field(default_factory=list)
    stated: Decimal | None = None
    stated_line: int | None = None


def read_stripe_report(name: str, data: bytes, *, processor: str = "stripe") -> list[Payout]:
    """Every payout in one report, all or nothing.

    Raises:
        BadInputError: a missing column, a bad value, a row whose net is not gross less
            fee, a transaction reported twice, a payout in two currencies, or a stated
            payout amount its transactions do not add up to; the error names the file,
            the line and the field.
    """
    reader = csv.reader(io.StringIO(_text(name, data)))
    header = [h.strip() for h in next(reader, [])]
    _check_header(name, header)
    columns = _Columns(header)
    payouts: dict[str, _Open] = {}
    for row in reader:
        if any(row):
            _add(payouts, columns.named(row), reader.line_num, name)
    if not payouts:
        raise BadInputError("the report holds no payouts", SourceLocation(file=name))
    check_unique(((p.payout_id, i) for p in payouts.values() for i in p.items), name)
    return [_close(p, processor, name) for p in payouts.values()]


class _Columns:
    """The report's columns we read, by position (found once from the header)."""

    def __init__(self, header: list[str]) -> None:
        wanted = {*REQUIRED, *EFFECTIVE, *REFERENCE_KEYS, *OPTIONAL}
        self._at = [(i, h) for i, h in enumerate(header) if h in wanted]

    def named(self, row: list[str]) -> dict[str, str]:
        """The wanted values of a row, stripped; short rows give empty values."""
        width = len(row)
        return {h: row[i].strip() if i < width else "" for i, h in self._at}


def _text(name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInputError(
            f"not UTF-8 text at byte {exc.start}", SourceLocation(file=name)
        ) from None


def _check_header(name: str, header: Sequence[str]) -> None:
    names = set(header)
    missing = [c for c in REQUIRED if c not in names]
    if not any(c in names for c in EFFECTIVE):
        missing.append(EFFECTIVE[0])
    if missing:
        raise BadInputError(
            f"not a Stripe itemized payout reconciliation report: no column {', '.join(missing)}",
            SourceLocation(file=name, line=1),
        )


def _add(payouts: dict[str, _Open], row: dict[str, str], line: int, name: str) -> None:
    payout_id = row["automatic_payout_id"]
    if not payout_id:
        where = SourceLocation(file=name, line=line, field="automatic_payout_id")
        raise BadInputError("the row belongs to no payout", where)
    currency = row["currency"].upper()
    current = payouts.get(payout_id)
    if current is None:
        effective = row.get(EFFECTIVE[0]) or row.get(EFFECTIVE[1], "")
        where = SourceLocation(file=name, line=line, field=EFFECTIVE[0], value=effective)
        current = payouts[payout_id] = _Open(payout_id, iso_day(effective, where), currency, line)
    elif currency != current.currency:
        raise BadInputError(
            f"payout {payout_id} mixes currencies: {current.currency} (line {current.first_line}) and {currency}",
            SourceLocation(file=name, line=line, field="currency", value=row["currency"]),
        )
    if row["reporting_category"].lower() == "payout":
        current.stated = -money(
            row["net"], lambda: SourceLocation(file=name, line=line, field="net")
        )
        current.stated_line = line
        return
    current.items.append(_item(row, line, name, currency))


def _item(row: dict[str, str], line: int, name: str, currency: str) -> SettlementItem:
    def amount(column: str) -> Decimal:
        text = row[column]
        return money(text, lambda: SourceLocation(file=name, line=line, field=column, value=text))

    item_id = row["balance_transaction_id"]
    if not item_id:
        where = SourceLocation(file=name, line=line, field="balance_transaction_id")
        raise BadInputError("no balance transaction id", where)
    item = SettlementItem(
        item_id=item_id,
        category=SettlementCategory.of(row["reporting_category"]),
        gross=amount("gross"),
        fee=amount("fee"),
        net=amount("net"),
        currency=currency,
        reference=next((row[k] for k in REFERENCE_KEYS if row.get(k)), ""),
        description=row.get("description", ""),
        customer_name=row.get("customer_name", ""),
        customer_email=row.get("customer_email", ""),
        charge_id=row.get("charge_id") or row.get("source_id", ""),
        source_line=line,
    )
    check_net(item, name)
    return item


def _close(current: _Open, processor: str, name: str) -> Payout:
    payout = Payout(
        processor=processor,
        payout_id=current.payout_id,
        effective_on=current.effective_on,
        currency=current.currency,
        items=tuple(current.items),
        source_file=name,
    )
    check_total(payout, current.stated, current.stated_line, name)
    return payout
