"""Bank lines people recorded in the ERP, with the customer they recorded each for.

History to learn payer links from: a line linked to payments a person recorded (not
arbridge's own postings), all for one customer, and never found misapplied. A line with a
`suspected_misapplication` item (open or closed) teaches nothing: its customer is in doubt.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from arbridge.domain.records import BankLine
from arbridge.store.bank import to_bank_line
from arbridge.store.erp_payments import SETTLED
from arbridge.store.tables import BankLineRow, ErpPaymentRow, ReviewItemRow

IN_ERP = "in_erp"
MISAPPLIED = "suspected_misapplication"


def recorded_payers(session: Session, erp: str) -> list[tuple[BankLine, str]]:
    """(line, customer) for each line recorded by hand in `erp` for one customer only."""
    doubted = select(ReviewItemRow.bank_line_id).where(
        ReviewItemRow.reason == MISAPPLIED, col(ReviewItemRow.bank_line_id).is_not(None)
    )
    query = (
        select(BankLineRow, ErpPaymentRow.customer_id)
        .join(ErpPaymentRow, col(ErpPaymentRow.bank_line_id) == col(BankLineRow.id))
        .where(
            ErpPaymentRow.erp == erp,
            BankLineRow.status == IN_ERP,
            col(ErpPaymentRow.link).is_distinct_from(SETTLED),
            col(BankLineRow.id).not_in(doubted),
        )
        .order_by(col(BankLineRow.id))
    )
    rows: dict[int, BankLineRow] = {}
    customers: dict[int, set[str]] = {}
    for row, customer_id in session.exec(query):
        if row.id is not None:
            rows[row.id] = row
            customers.setdefault(row.id, set()).add(customer_id)
    return [
        (to_bank_line(rows[line_id]), next(iter(owners)))
        for line_id, owners in customers.items()
        if len(owners) == 1
    ]
