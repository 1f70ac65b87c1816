"""The csv ERP's record of payments already posted there: `payments.csv` (CONTRACT.md §6).

One row per allocation: `payment_id,customer_id,invoice_id,amount,date,reference,memo`;
rows sharing a `payment_id` are one payment, an empty `invoice_id` is money left on
account. The file is an export: a changed file is read whole (complete), an unchanged one
(same cursor) gives nothing; a missing file is no payment at all, as before the ERP
exported any. Payments arbridge reversed in `payment_reversals.csv` (a correction) are left
out, as the ERP leaves them out once it has imported the reversal.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from arbridge.connectors.base import PaymentBatch
from arbridge.connectors.erp._csvfiles import Row, load_all
from arbridge.connectors.erp.csv_reversals import PaymentReversals
from arbridge.connectors.errors import PermanentConnectorError
from arbridge.domain.errors import BadInputError, SourceLocation
from arbridge.domain.posted import PostedAllocation, PostedPayment

PAYMENT_COLUMNS = ("payment_id", "customer_id", "invoice_id", "amount", "date", "reference", "memo")
REQUIRED = ("payment_id", "customer_id", "invoice_id", "amount", "date")

_Parsed = tuple[Row, str, str, date, PostedAllocation]


def _row(row: Row) -> _Parsed:
    allocation = PostedAllocation(invoice_id=row.optional("invoice_id"), amount=row.money("amount"))
    return row, row.text("payment_id"), row.text("customer_id"), row.date("date"), allocation


class CsvPaymentReader:
    """Reads `payments.csv` whole, all rows or none; a bad value names file, line and field."""

    def __init__(self, *, name: str, path: Path, reversals: Path | None = None) -> None:
        self._name, self._path = name, path
        self._reversals = None if reversals is None else PaymentReversals(name, reversals)

    @property
    def name(self) -> str:
        """The ERP connector's configured name."""
        return self._name

    def fetch_payments_since(self, cursor: str | None) -> PaymentBatch:
        """Every payment in the file; nothing when the file is as it was at `cursor`.

        The cursor is the file's size and content hash: an export has
        no change tracking, so a changed file is read whole (and is then complete).
        """
        stamp = _stamp(self._name, self._path)
        if stamp is None:
            return PaymentBatch(payments=(), cursor=None, complete=True)
        undone = self._reversals.path if self._reversals is not None else None
        if undone is not None and undone.exists():
            stamp += f"|{_stamp(self._name, undone)}"
        if cursor is not None and cursor == stamp:
            return PaymentBatch(payments=(), cursor=cursor, complete=False)
        rows = load_all(self._name, self._path, REQUIRED, _row)
        try:
            payments = _payments(rows)
        except BadInputError as exc:
            raise PermanentConnectorError(self._name, str(exc)) from exc
        if self._reversals is not None:
            gone = self._reversals.reversed_ids()
            payments = [p for p in payments if p.payment_id not in gone]
        return PaymentBatch(payments=payments, cursor=stamp, complete=True)


def _payments(rows: Iterable[_Parsed]) -> list[PostedPayment]:
    """Group allocation rows by payment id; the rows of one payment must agree on customer and date."""
    heads: dict[str, tuple[str, date, str, str]] = {}
    allocations: dict[str, list[PostedAllocation]] = {}
    for row, payment_id, customer_id, paid_on, allocation in rows:
        head = heads.setdefault(payment_id, (customer_id, paid_on, "", ""))
        for field, mine, first in (
            ("customer_id", customer_id, head[0]),
            ("date", paid_on, head[1]),
        ):
            if mine != first:
                raise _disagrees(row, field, payment_id)
        reference = head[2] or row.optional("reference") or ""
        memo = head[3] or row.optional("memo") or ""
        heads[payment_id] = (head[0], head[1], reference, memo)
        allocations.setdefault(payment_id, []).append(allocation)
    return [
        PostedPayment(
            payment_id=pid,
            customer_id=customer_id,
            paid_on=paid_on,
            allocations=tuple(allocations[pid]),
            reference=reference,
            memo=memo,
        )
        for pid, (customer_id, paid_on, reference, memo) in heads.items()
    ]


def _stamp(connector: str, path: Path) -> str | None:
    """Size and SHA-256 of the file (None when it does not exist)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise PermanentConnectorError(connector, f"cannot read {path}: {exc}") from exc
    return f"{len(data)}:{hashlib.sha256(data).hexdigest()}"


def _disagrees(row: Row, field: str, payment_id: str) -> BadInputError:
    where = SourceLocation(file=str(row.path), line=row.line, field=field, value=row.values[field])
    return BadInputError(f"{field} differs from the earlier rows of payment {payment_id}", where)
