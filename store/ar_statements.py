"""What a month's customer statements list: invoices dated in it, and the cash arbridge posted."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select as sa_select
from sqlmodel import Session

from arbridge.receivables.statements import Activity
from arbridge.store._core import table_of
from arbridge.store.tables import ApplicationRow, BankLineRow, InvoiceRow, OutboxRow


def activity(session: Session, erp: str, start: date, end: date) -> dict[str, list[Activity]]:
    """Per customer: invoices dated from `start` to `end`, and posted cash booked then.

    Cash is what arbridge delivered to the ERP (a payment per invoice it paid, plus the
    discount or fee that closed it as a credit); cash recorded in the ERP by others is not
    known here, and neither is money left on account (it pays no invoice).
    """
    out: dict[str, list[Activity]] = {}
    invoice = table_of(InvoiceRow)
    query = sa_select(
        invoice.c.customer_id, invoice.c.invoice_date, invoice.c.invoice_id, invoice.c.amount
    ).where(invoice.c.erp == erp, invoice.c.invoice_date >= start, invoice.c.invoice_date <= end)
    for customer, day, invoice_id, amount in session.connection().execute(query):
        out.setdefault(customer, []).append(Activity(day, "invoice", invoice_id, amount))
    app, outbox, line = table_of(ApplicationRow), table_of(OutboxRow), table_of(BankLineRow)
    query = (
        sa_select(app.c.allocations, app.c.reverses_id, line.c.booked_on, line.c.bank_id)
        .join_from(app, outbox, outbox.c.application_id == app.c.id)
        .join(line, line.c.id == app.c.bank_line_id)
        .where(
            app.c.erp == erp,
            outbox.c.status == "sent",
            line.c.booked_on >= start,
            line.c.booked_on <= end,
        )
    )
    for allocations, reverses_id, booked_on, bank_id in session.connection().execute(query):
        sign = 1 if reverses_id is not None else -1
        for a in allocations:
            if not a["invoice_id"]:
                continue  # money left on account is not in the invoices' open amounts
            target = a["invoice_id"]
            lines = out.setdefault(a["customer_id"], [])
            what = "reversal" if reverses_id is not None else "payment"
            lines.append(
                Activity(booked_on, what, f"{bank_id} -> {target}", sign * Decimal(a["amount"]))
            )
            if Decimal(a["adjustment"]):
                reason = a["adjustment_reason"] or "adjustment"
                lines.append(
                    Activity(
                        booked_on, "credit", f"{reason} {target}", sign * Decimal(a["adjustment"])
                    )
                )
    return out
