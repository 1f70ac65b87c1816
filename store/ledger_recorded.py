"""The money door for correcting a payment a person recorded in the ERP (not one arbridge posted).

A bank line set aside as `in_erp` is recorded in the ERP by one or more payments a person
entered. When the recording is wrong, the correction is: reverse those payments, then
apply the line's cash as it should have been, through the outbox, in order, each once.

arbridge never posted those payments, so it first writes down what it reverses: each
payment becomes an application of origin `erp` (already in the ERP: its outbox entry is
`sent` under the payment id, and it is ended at once, so it never counts as arbridge's
cash). Its reversal (origin `erp_undo`) is an ordinary outbox entry that the push hands
to the gateway's `reverse_recorded_payment`. The reversals wait on each other and the
re-application waits on the last one, so if the ERP refuses one, nothing after it is
posted (`postings.record_failure` rejects the whole chain).

Invariants, as in `store.ledger`: I1 and I4 on the re-application (whole cents, at most
the line), I2 on each invoice (its open amount as last read, plus what the reversed
payments give back, less what is queued), I3 (the line has no live application and no
reversal waiting, and only lines recorded in the ERP are corrected here).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from arbridge.domain.posted import PostedPayment
from arbridge.domain.records import Allocation, Application
from arbridge.store import _live, bank, corrections, erp_payments, postings
from arbridge.store._core import bulk_insert, ids_by_key, table_of
from arbridge.store.ledger import LedgerRefusedError, check_amount, refusals
from arbridge.store.postings import RECORDED_ORIGIN, NewApplication
from arbridge.store.tables import ApplicationRow, BankLineRow, OutboxRow

IN_ERP = "in_erp"
UNDO_ORIGIN = "erp_undo"
"""`application.origin` of the reversal of a payment a person recorded."""


def admit_recorded_correction(
    session: Session,
    erp: str,
    line_id: int,
    payment_ids: Sequence[str],
    reapply: Application | None,
    *,
    now: datetime,
    why: str,
) -> list[str]:
    """Queue the reversal of these ERP payments of the line, then its re-application; all or none.

    `reapply` None reverses only (a payment recorded twice): another payment must still
    record the line.

    Returns:
        The idempotency keys queued: the reversals in order, then the re-application.

    Raises:
        LedgerRefusedError: the first refusal (nothing is queued).
    """
    line = _line(session, line_id)
    payments = _payments(session, erp, line, payment_ids)
    if reapply is None:
        kept = set(erp_payments.linked_payment_ids(session, erp, line_id)) - set(payment_ids)
        if not kept:
            raise LedgerRefusedError(
                f"reversing {', '.join(payment_ids)} leaves bank line {line.bank_id} unapplied; "
                "say where its cash goes"
            )
    else:
        _check_reapply(session, erp, line_id, payments=payments, reapply=reapply, why=why)
    n = corrections.reversal_count(session, line_id) + 1
    adopted = _adopt(session, erp, line, payments=payments, n=n, now=now)
    steps = [
        NewApplication(
            bank_line_id=line_id,
            application=_as_application(line, p, f"{key}:reverse"),
            confidence=1.0,
            explanation=why,
            origin=UNDO_ORIGIN,
            reverses_id=app_id,
            after=k - 1 if k else None,
        )
        for k, (p, key, app_id) in enumerate(adopted)
    ]
    if reapply is not None:
        steps.append(
            NewApplication(
                bank_line_id=line_id,
                application=reapply,
                confidence=1.0,
                explanation=why,
                origin="review",
                after=len(steps) - 1,
            )
        )
    postings.add_applications(session, steps, erp=erp, run_id=None, now=now)
    erp_payments.mark_reversed(session, erp, [p.payment_id for p in payments])
    if reapply is not None:
        bank.set_statuses(session, [(line_id, "applied", why)])
    return [s.application.idempotency_key for s in steps]


def _line(session: Session, line_id: int) -> BankLineRow:
    line = session.get(BankLineRow, line_id)  # the whole row: account and date are needed
    if line is None:
        raise LedgerRefusedError(f"bank line {line_id} does not exist")
    if line.status != IN_ERP:
        raise LedgerRefusedError(
            f"bank line {line.bank_id} is not recorded in the ERP by a person ({line.status}); "
            "correct arbridge's own application instead"
        )
    if _live.live_on_lines(session, [line_id]) or _live.pending_reversals(session, [line_id]):
        raise LedgerRefusedError(
            f"bank line {line.bank_id} already has an application or a reversal under way"
        )
    return line


def _payments(
    session: Session, erp: str, line: BankLineRow, payment_ids: Sequence[str]
) -> list[PostedPayment]:
    if not payment_ids:
        raise LedgerRefusedError("name the ERP payment(s) to reverse")
    assert line.id is not None
    linked = erp_payments.linked_payments(session, erp, [line.id]).get(line.id, [])
    found = {p.payment_id: p for p in linked}
    missing = [pid for pid in payment_ids if pid not in found]
    if missing:
        raise LedgerRefusedError(
            f"ERP payment {', '.join(missing)} is not (or no longer) recorded for bank line "
            f"{line.bank_id}"
        )
    chosen = [found[pid] for pid in dict.fromkeys(payment_ids)]
    for p in chosen:
        for a in p.allocations:
            check_amount(a.amount, f"ERP payment {p.payment_id} ({a.invoice_id or 'on account'})")
    return chosen


def _check_reapply(
    session: Session,
    erp: str,
    line_id: int,
    *,
    payments: Sequence[PostedPayment],
    reapply: Application,
    why: str,
) -> None:
    """I1-I4 on the re-application, crediting the invoices what the reversals give back."""
    item = NewApplication(
        bank_line_id=line_id, application=reapply, confidence=1.0, explanation=why, origin="review"
    )
    refused = refusals(session, erp, [item], correcting=line_id, credit=payments)
    if refused:
        raise LedgerRefusedError(next(iter(refused.values())))


def _adopt(
    session: Session,
    erp: str,
    line: BankLineRow,
    *,
    payments: Sequence[PostedPayment],
    n: int,
    now: datetime,
) -> list[tuple[PostedPayment, str, int]]:
    """Write the payments down as applications already in the ERP (ended: never arbridge's cash)."""
    assert line.id is not None
    keys = [f"{erp}:{line.account}:{line.bank_id}:erp-payment:{p.payment_id}:{n}" for p in payments]
    rows = [
        {
            "idempotency_key": key,
            "bank_line_id": line.id,
            "erp": erp,
            "customer_id": p.customer_id,
            "amount": p.amount,
            "allocations": [
                postings.allocation_json(a) for a in _as_application(line, p, key).allocations
            ],
            "confidence": 1.0,
            "explanation": f"recorded in the ERP by a person as payment {p.payment_id}",
            "origin": RECORDED_ORIGIN,
            "run_id": None,
            "created_at": now,
            "reverses_id": None,
            "ended": "reversed",
        }
        for p, key in zip(payments, keys, strict=True)
    ]
    bulk_insert(session, table_of(ApplicationRow), rows)
    ids = ids_by_key(session, table_of(ApplicationRow).c.idempotency_key, keys)
    seen = erp_payments.seen_at(session, erp, [p.payment_id for p in payments])
    bulk_insert(
        session,
        table_of(OutboxRow),
        [
            {
                "application_id": ids[key],
                "erp": erp,
                "status": "sent",
                "attempts": 0,
                "erp_reference": p.payment_id,
                "created_at": now,
                "sent_at": seen.get(p.payment_id, now),
                "after_id": None,
            }
            for p, key in zip(payments, keys, strict=True)
        ],
    )
    return [(p, key, ids[key]) for p, key in zip(payments, keys, strict=True)]


def _as_application(line: BankLineRow, payment: PostedPayment, key: str) -> Application:
    return Application(
        idempotency_key=key,
        bank_account=line.account,
        bank_id=line.bank_id,
        customer_id=payment.customer_id,
        booked_on=line.booked_on,
        amount=payment.amount,
        allocations=tuple(
            Allocation(invoice_id=a.invoice_id, customer_id=payment.customer_id, amount=a.amount)
            for a in payment.allocations
        ),
        evidence=f"ERP payment {payment.payment_id}",
    )
