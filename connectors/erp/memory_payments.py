"""Payments recorded in an in-memory ERP: a real, supported reader for tests and dry runs."""

from __future__ import annotations

from collections.abc import Iterable

from arbridge.connectors.base import PaymentBatch
from arbridge.domain.posted import PostedPayment


class InMemoryPaymentReader:
    """Keeps recorded payments in a dictionary; the incremental cursor is a change counter."""

    def __init__(self, *, name: str = "memory", payments: Iterable[PostedPayment] = ()) -> None:
        self._name = name
        self.payments: dict[str, PostedPayment] = {}
        self._version = 0
        self._changed_at: dict[str, int] = {}
        for payment in payments:
            self.record(payment)

    @property
    def name(self) -> str:
        """The connector's name."""
        return self._name

    def record(self, payment: PostedPayment) -> None:
        """Add or change a payment, as a clerk working in the ERP would."""
        self._version += 1
        self.payments[payment.payment_id] = payment
        self._changed_at[payment.payment_id] = self._version

    def fetch_payments_since(self, cursor: str | None) -> PaymentBatch:
        """Payments changed after the counter in `cursor` (every one when None)."""
        since = int(cursor) if cursor else 0
        changed = [self.payments[p] for p, v in self._changed_at.items() if v > since]
        return PaymentBatch(payments=changed, cursor=str(self._version), complete=since == 0)
