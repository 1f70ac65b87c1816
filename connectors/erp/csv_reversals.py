"""The csv ERP's reversals of payments people recorded: `payment_reversals.csv`.

Correcting a misapplied payment that a person recorded in the ERP (a row group of
`payments.csv`) starts by undoing that payment. The csv ERP cannot change the ERP's own
export, so it appends the reversal, one row per allocation of the payment, with negative
amounts (as every report shows reversed cash), to `payment_reversals.csv` next to
`applications.csv`, for the ERP's import:

    payment_id,invoice_id,customer_id,amount,bank_transaction_id,reversed_at,idempotency_key

A payment is reversed at most once: a second request for it writes nothing. Until the
ERP's next export shows the change, the gateway gives the invoices their amounts back
(`credits`) and the payment reader leaves the payment out (`reversed_ids`).
"""

from __future__ import annotations

import csv
import io
import os
from decimal import Decimal
from pathlib import Path

from arbridge.connectors.erp._csvfiles import Row, load_all
from arbridge.connectors.errors import TransientConnectorError
from arbridge.domain.money import format_money
from arbridge.domain.records import ZERO, Application

REVERSAL_COLUMNS = (
    "payment_id",
    "invoice_id",
    "customer_id",
    "amount",
    "bank_transaction_id",
    "reversed_at",
    "idempotency_key",
)
_Read = tuple[str, str | None, Decimal]


def reversals_path(applications: Path) -> Path:
    """Where the reversals of recorded payments go: beside `applications.csv`."""
    return applications.with_name("payment_reversals.csv")


def _row(row: Row) -> _Read:
    return row.text("payment_id"), row.optional("invoice_id"), row.money("amount")


class PaymentReversals:
    """Reads and appends `payment_reversals.csv` (the caller holds the ERP's write lock)."""

    def __init__(self, connector: str, path: Path) -> None:
        self._connector, self._path = connector, path

    @property
    def path(self) -> Path:
        """The file's path."""
        return self._path

    def _rows(self) -> list[_Read]:
        if not self._path.exists():
            return []
        return list(load_all(self._connector, self._path, REVERSAL_COLUMNS[:4], _row))

    def reversed_ids(self) -> frozenset[str]:
        """The payment ids reversed so far."""
        return frozenset(payment for payment, _, _ in self._rows())

    def credits(self) -> dict[str, Decimal]:
        """What the reversals give back to each invoice (positive amounts)."""
        given: dict[str, Decimal] = {}
        for _, invoice, amount in self._rows():
            if invoice:
                given[invoice] = given.get(invoice, ZERO) - amount
        return given

    def append(self, application: Application, payment_id: str, at: str) -> bool:
        """Write the reversal of `payment_id` unless it is written already; True if written.

        Raises:
            TransientConnectorError: the file could not be written.
        """
        if payment_id in self.reversed_ids():
            return False
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for a in application.allocations:
            writer.writerow(
                [
                    payment_id,
                    a.invoice_id or "",
                    a.customer_id,
                    format_money(-a.amount),
                    application.bank_id,
                    at,
                    application.idempotency_key,
                ]
            )
        self._write(buffer.getvalue())
        return True

    def _write(self, text: str) -> None:
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            with self._path.open("a", encoding="utf-8", newline="") as handle:
                if handle.tell() == 0:
                    handle.write(",".join(REVERSAL_COLUMNS) + "\n")
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise TransientConnectorError(
                self._connector, f"cannot write {self._path}: {exc.strerror}"
            ) from exc
