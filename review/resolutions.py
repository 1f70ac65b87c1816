"""Resolving a review item by applying its cash: through the outbox, so the daemon posts it once.

Applying also teaches the engine: the payer's bank account (or, failing that, the
name on the line) is linked to the customer, so the same payer is auto-applied next time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal

from sqlmodel import Session, col, select

from arbridge.domain.records import Allocation, Application, BankLine
from arbridge.domain.review import ReviewStatus
from arbridge.review import corrections as fixes
from arbridge.review import recorded_fix
from arbridge.review.limits import Limits, WriteOffPolicy
from arbridge.review.queue import ReviewStateError, ledger_refusals
from arbridge.store import Store, bank, ledger, payer_links, reviews
from arbridge.store.postings import NewApplication
from arbridge.store.tables import InvoiceRow, ReviewItemRow

_ACTIVE = {ReviewStatus.OPEN.value, ReviewStatus.ASSIGNED.value}
_CENT = Decimal("0.01")


class Resolver:
    """Finance's decisions that change the ERP, each in one transaction."""

    def __init__(
        self,
        store: Store,
        erp: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        *,
        write_off: WriteOffPolicy = WriteOffPolicy(),  # noqa: B008 (frozen)
    ) -> None:
        self._store, self._erp, self._clock = store, erp, clock
        self.limits = Limits(store, write_off, clock)

    @property
    def write_off_policy(self) -> WriteOffPolicy:
        """The write-off policy in force (the YAML's, or what an admin set since)."""
        return self.limits.write_off()

    def apply(self, item_id: int, allocations: Sequence[tuple[str, Decimal]], *, actor: str) -> str:
        """Apply the item's bank line to these invoices with these amounts (they must add up).

        Returns:
            The idempotency key the daemon will post under.

        Raises:
            ReviewStateError: the item is closed, has no bank line, or the amounts are wrong.
        """
        _check_amounts(allocations)
        now = self._clock()
        with self._store.transaction() as session:
            row, line_id, line = self._open_item_line(session, item_id)
            owners = self._owners(session, [invoice for invoice, _ in allocations])
            application = self._application(
                row, line, allocations, owners, self._key(session, row, line)
            )
            why = f"applied by {actor} from review item {item_id}"
            self._queue(session, line_id, application, why, now)
            bank.set_statuses(session, [(line_id, "applied", f"resolved by {actor}")])
            applied = ", ".join(f"{a.invoice_id} {a.amount}" for a in application.allocations)
            self._close(session, row, actor, now, f"applied: {applied}")
            self._learn(session, line, application.customer_id, now, actor)
        return application.idempotency_key

    def on_account(
        self, item_id: int, customer_id: str, *, actor: str, what: str = "on account"
    ) -> str:
        """Put the whole payment on the customer's account as unapplied credit."""
        now = self._clock()
        with self._store.transaction() as session:
            row, line_id, line = self._open_item_line(session, item_id)
            if not session.exec(
                select(InvoiceRow.customer_id).where(
                    InvoiceRow.erp == self._erp, InvoiceRow.customer_id == customer_id
                )
            ).first():
                raise ReviewStateError(f"unknown customer {customer_id}")
            application = Application(
                idempotency_key=self._key(session, row, line),
                bank_account=line.account,
                bank_id=line.bank_id,
                customer_id=customer_id,
                booked_on=line.booked_on,
                amount=line.amount,
                allocations=(
                    Allocation(invoice_id=None, customer_id=customer_id, amount=line.amount),
                ),
                evidence=f"review item {row.id}: {what}",
            )
            self._queue(session, line_id, application, f"{what} by {actor}", now)
            bank.set_statuses(session, [(line_id, "applied", f"{what} by {actor}")])
            self._close(session, row, actor, now, f"{what} of {customer_id}")
            self._learn(session, line, customer_id, now, actor)
        return application.idempotency_key

    def write_off(self, item_id: int, invoice_id: str, reason: str, *, actor: str) -> str:
        """Close the invoice with this short payment, writing the rest off under a reason code.

        The shortfall (the invoice's open amount less what is still pending for it, less the
        payment) must be above zero and within the YAML limit (`review.write_off_limit`).

        Returns:
            The idempotency key the daemon will post under.

        Raises:
            ReviewStateError: write-offs are off, the code is unknown, or the shortfall is wrong.
        """
        policy = self.write_off_policy
        if reason not in policy.reasons:
            raise ReviewStateError(
                f"reason code {reason!r} is not one of {', '.join(policy.reasons)}"
            )
        now = self._clock()
        with self._store.transaction() as session:
            row, line_id, line = self._open_item_line(session, item_id)
            invoice = session.get(InvoiceRow, (self._erp, invoice_id))
            if invoice is None:
                raise ReviewStateError(f"unknown invoice(s): {invoice_id}")
            left = ledger.open_left(session, self._erp, invoice_id)
            short = (left - line.amount).quantize(_CENT)
            if short <= 0:
                raise ReviewStateError(f"the payment {line.amount} is not short of {invoice_id}")
            if short > policy.limit:
                raise ReviewStateError(
                    f"writing off {short} is above the limit of {policy.limit}; ask an admin"
                )
            application = Application(
                idempotency_key=self._key(session, row, line),
                bank_account=line.account,
                bank_id=line.bank_id,
                customer_id=invoice.customer_id,
                booked_on=line.booked_on,
                amount=line.amount,
                allocations=(
                    Allocation(
                        invoice_id=invoice_id,
                        customer_id=invoice.customer_id,
                        amount=line.amount,
                        adjustment=short,
                        adjustment_reason=reason,
                    ),
                ),
                evidence=f"review item {row.id}: write-off",
            )
            self._queue(session, line_id, application, f"written off by {actor}", now)
            bank.set_statuses(session, [(line_id, "applied", f"write-off by {actor}")])
            self._close(
                session,
                row,
                actor,
                now,
                f"applied {invoice_id} {line.amount}, wrote off {short} ({reason})",
            )
            self._learn(session, line, invoice.customer_id, now, actor)
        return application.idempotency_key

    def refund(self, item_id: int, customer_id: str | None, *, actor: str) -> str | None:
        """Mark the payment for refund.

        With a customer, the cash is recorded in the ERP as the customer's credit (so the
        refund can be paid from it) through the outbox; without one (a stranger's money)
        nothing is posted and the line is set aside to be sent back.

        Returns:
            The idempotency key of the credit, or None when nothing is posted.
        """
        if customer_id:
            key = self.on_account(item_id, customer_id, actor=actor, what="marked for refund")
            return key
        now = self._clock()
        with self._store.transaction() as session, ledger_refusals():
            row, line_id, _ = self._open_item_line(session, item_id)
            ledger.set_aside(session, line_id, f"to refund to the payer ({actor})")
            self._close(session, row, actor, now, "marked for refund to the payer")
        return None

    def correct(
        self,
        target: int | str,
        allocations: Sequence[tuple[str, Decimal]],
        *,
        actor: str,
        reason: str,
    ) -> tuple[str, str]:
        """Correct a misapplication: reverse the posted application, then re-apply the cash.

        `target` is a review item id (a resolved item, or a suspected misapplication), or
        the idempotency key of a posted application, or a bank line's bank id. The new
        allocations must add up to the payment, as for `apply`.

        Both steps are queued here, in one transaction, as two outbox entries with stable
        keys (`<root>:reverse:<n>`, `<root>:reapply:<n>`). The re-application's entry
        *waits on* the reversal's (`outbox.after_id`): the daemon does not claim it until the
        reversal is sent, and if the ERP refuses (or cannot do) the reversal, the waiting
        entry is rejected with it and a `posting_rejected` item says why. So the ERP gets
        both, in order, each once, or neither; nothing is held outside the outbox.

        Returns:
            The reversal's and the re-application's idempotency keys.

        Raises:
            ReviewStateError: no reason; nothing posted (or several things) to correct; the
                line still has something waiting for the ERP; the amounts are wrong.
        """
        if not reason.strip():
            raise ReviewStateError("say why the application was wrong (a reason)")
        if isinstance(target, int) and self.recorded_fix(target) is not None:
            keys = self.correct_recorded(target, allocations, actor=actor, reason=reason)
            return ", ".join(keys[:-1]) or keys[0], keys[-1]
        _check_amounts(allocations)
        now = self._clock()
        with self._store.transaction() as session:
            undo, row = fixes.find(session, self._erp, target)
            ((line_id, line),) = bank.load_lines(session, [undo.bank_line_id])
            if row is None:
                row = fixes.item_for(session, line_id, line.bank_id, undo, actor=actor, now=now)
            owners = self._owners(session, [invoice for invoice, _ in allocations])
            reverse_key, reapply_key = fixes.keys(undo, session)
            reapply = self._application(row, line, allocations, owners, reapply_key)
            reversal = dataclasses.replace(undo.application, idempotency_key=reverse_key)
            why = f"correction by {actor}: {reason.strip()}"
            steps = [
                NewApplication(
                    bank_line_id=line_id,
                    application=reversal,
                    confidence=1.0,
                    explanation=why,
                    origin="review",
                    reverses_id=undo.application_id,
                ),
                NewApplication(
                    bank_line_id=line_id,
                    application=reapply,
                    confidence=1.0,
                    explanation=why,
                    origin="review",
                    after=0,
                ),
            ]
            with ledger_refusals():
                ledger.admit(session, self._erp, steps, run_id=None, now=now)
            bank.set_statuses(session, [(line_id, "applied", f"corrected by {actor}")])
            fixes.record(
                session,
                row,
                actor=actor,
                now=now,
                before=undo.application,
                after=reapply,
                reason=reason,
            )
            self._learn(session, line, reapply.customer_id, now, actor)
        return reverse_key, reapply_key

    def recorded_fix(self, item_id: int) -> recorded_fix.RecordedFix | None:
        """What Correct would reverse and re-apply for a payment a person recorded (else None)."""
        with self._store.transaction() as session:
            return recorded_fix.find(session, self._erp, item_id)

    def correct_recorded(
        self,
        item_id: int,
        allocations: Sequence[tuple[str, Decimal]],
        *,
        actor: str,
        reason: str,
        reverse: Sequence[str] = (),
    ) -> list[str]:
        """Reverse the ERP payments a person recorded for the item's line, then re-apply it.

        See `recorded_fix.correct_item`. Returns the keys queued: reversals, re-application.
        """
        if allocations:
            _check_amounts(allocations)
        with self._store.transaction() as session:
            return recorded_fix.correct_item(
                session,
                self._erp,
                item_id,
                allocations,
                reverse=reverse,
                actor=actor,
                reason=reason,
                now=self._clock(),
            )

    def correctable(self, item_id: int) -> Application | None:
        """The posted application a correction from this item would reverse, if there is one."""
        with self._store.transaction() as session:
            try:
                return fixes.find(session, self._erp, item_id)[0].application
            except ReviewStateError:
                return None

    def _queue(
        self, session: Session, line_id: int, application: Application, why: str, now: datetime
    ) -> None:
        item = NewApplication(
            bank_line_id=line_id,
            application=application,
            confidence=1.0,
            explanation=why,
            origin="review",
        )
        with ledger_refusals():
            ledger.admit(session, self._erp, [item], run_id=None, now=now)

    def not_receivable(self, item_id: int, category: str, *, actor: str) -> None:
        """Set the line aside as not customer cash (interest, transfer, refund...); nothing is posted."""
        if not category.strip():
            raise ReviewStateError("say what the money is (a category)")
        now = self._clock()
        with self._store.transaction() as session, ledger_refusals():
            row, line_id, _ = self._open_item_line(session, item_id)
            ledger.set_aside(session, line_id, f"not AR: {category} ({actor})")
            self._close(session, row, actor, now, f"not receivable: {category}")

    def _key(self, session: Session, row: ReviewItemRow, line: BankLine) -> str:
        """The idempotency key of this resolution; a re-resolved (reopened) item gets a new one."""
        assert row.id is not None
        earlier = sum(1 for e in reviews.events(session, row.id) if e.action == "resolve")
        return f"{self._erp}:{line.account}:{line.bank_id}:review{row.id}.{earlier}"

    def _open_item_line(
        self, session: Session, item_id: int
    ) -> tuple[ReviewItemRow, int, BankLine]:
        row = session.get(ReviewItemRow, item_id)
        if row is None:
            raise ReviewStateError(f"review item {item_id} does not exist")
        if row.status not in _ACTIVE:
            raise ReviewStateError(f"review item {item_id} is {row.status}; reopen it first")
        if row.bank_line_id is None:
            raise ReviewStateError(f"review item {item_id} has no bank line to apply")
        ((line_id, line),) = bank.load_lines(session, [row.bank_line_id])
        return row, line_id, line

    def _owners(self, session: Session, invoice_ids: Sequence[str]) -> dict[str, str]:
        query = select(InvoiceRow.invoice_id, InvoiceRow.customer_id).where(
            InvoiceRow.erp == self._erp, col(InvoiceRow.invoice_id).in_(invoice_ids)
        )
        owners = dict(session.exec(query).all())
        unknown = [i for i in invoice_ids if i not in owners]
        if unknown:
            raise ReviewStateError(f"unknown invoice(s): {', '.join(unknown)}")
        return owners

    def _application(
        self,
        row: ReviewItemRow,
        line: BankLine,
        allocations: Sequence[tuple[str, Decimal]],
        owners: dict[str, str],
        key: str,
    ) -> Application:
        _check_amounts(allocations)
        total = sum((amount for _, amount in allocations), Decimal(0))
        if total != line.amount:
            raise ReviewStateError(f"the amounts add up to {total}, the payment is {line.amount}")
        customers = {owners[i] for i, _ in allocations}
        customer = row.customer_id if row.customer_id in customers else sorted(customers)[0]
        return Application(
            idempotency_key=key,
            bank_account=line.account,
            bank_id=line.bank_id,
            customer_id=customer,
            booked_on=line.booked_on,
            amount=line.amount,
            allocations=tuple(
                Allocation(invoice_id=i, customer_id=owners[i], amount=a) for i, a in allocations
            ),
            evidence=f"review item {row.id}",
        )

    def _close(
        self, session: Session, row: ReviewItemRow, actor: str, now: datetime, what: str
    ) -> None:
        assert row.id is not None
        before = {"status": row.status, "assignee": row.assignee}
        row.status, row.updated_at = ReviewStatus.RESOLVED.value, now
        session.add(row)
        reviews.add_event(
            session,
            row.id,
            actor=actor,
            action="resolve",
            now=now,
            before=before,
            after={"status": row.status, "assignee": row.assignee},
            comment=what,
        )

    def _learn(
        self, session: Session, line: BankLine, customer_id: str, now: datetime, actor: str
    ) -> None:
        if line.payer_account:
            key, kind = line.payer_account, payer_links.ACCOUNT
        elif line.payer_name:
            key, kind = line.payer_name, payer_links.ALIAS
        else:
            return
        payer_links.learn(
            session,
            self._erp,
            kind=kind,
            key=key,
            customer_id=customer_id,
            origin="review",
            now=now,
            taught_by=actor,
        )


def _check_amounts(allocations: Sequence[tuple[str, Decimal]]) -> None:
    """I4 on what a clerk typed, before anything is looked up."""
    if not allocations:
        raise ReviewStateError("give each chosen invoice an amount above zero")
    with ledger_refusals():
        for invoice, amount in allocations:
            ledger.check_amount(amount, f"amount for {invoice}")
