"""What arbridge's own ledger says, for `arbridge audit` to hold against the ERP's."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select as sa_select
from sqlmodel import Session

from arbridge.store import settlements
from arbridge.store._core import table_of
from arbridge.store.tables import ApplicationRow, BankLineRow, InvoiceRow, OutboxRow


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """One application as the store records it, with its line and its delivery."""

    key: str
    bank_line_id: int
    bank_account: str
    bank_id: str
    line_amount: Decimal
    status: str  # outbox: pending | sent | rejected | withdrawn
    ended: str | None
    is_reversal: bool
    cash: Decimal


def entries(session: Session, erp: str) -> list[Entry]:
    """Every application arbridge recorded for this ERP, oldest first."""
    app, outbox, line = table_of(ApplicationRow), table_of(OutboxRow), table_of(BankLineRow)
    query = (
        sa_select(
            app.c.idempotency_key,
            app.c.bank_line_id,
            line.c.account,
            line.c.bank_id,
            line.c.amount,
            outbox.c.status,
            app.c.ended,
            app.c.reverses_id,
            app.c.amount.label("cash"),
        )
        .join_from(app, outbox, outbox.c.application_id == app.c.id)
        .join(line, line.c.id == app.c.bank_line_id)
        .where(app.c.erp == erp)
        .order_by(app.c.id)
    )
    return [
        Entry(
            key=row.idempotency_key,
            bank_line_id=row.bank_line_id,
            bank_account=row.account,
            bank_id=row.bank_id,
            line_amount=row.amount,
            status=row.status,
            ended=row.ended,
            is_reversal=row.reverses_id is not None,
            cash=row.cash,
        )
        for row in session.connection().execute(query)
    ]


def invoice_amounts(session: Session, erp: str, ids: Iterable[str]) -> dict[str, Decimal]:
    """The full amount of each of these invoices as last read from the ERP (if it was)."""
    table = table_of(InvoiceRow)
    wanted = sorted(set(ids))
    found: dict[str, Decimal] = {}
    for start in range(0, len(wanted), _CHUNK):
        query = sa_select(table.c.invoice_id, table.c.amount).where(
            table.c.erp == erp, table.c.invoice_id.in_(wanted[start : start + _CHUNK])
        )
        found.update((row.invoice_id, row.amount) for row in session.connection().execute(query))
    return found


_CHUNK = 500


def line_amounts(session: Session) -> dict[tuple[str, str], Decimal]:
    """Each bank line's amount by (account, bank id), plus what a processor netted out of a payout."""
    table = table_of(BankLineRow)
    query = sa_select(table.c.account, table.c.bank_id, table.c.amount)
    amounts = {(a, b): amount for a, b, amount in session.connection().execute(query)}
    for key, netted in settlements.netted_by_line(session).items():
        amounts[key] = amounts.get(key, Decimal(0)) + netted
    return amounts
