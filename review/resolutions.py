"""Resolving a review item by applying its cash: through the outbox, so the daemon posts it once.

`Resolver` is finance's door for decisions that change the ERP: apply, on account, write
off, refund, not receivable, and corrections. The steps they share are in
`review.resolution_steps`, the reverse-and-re-apply chain in `review.correct`.

Applying also teaches the engine: the payer's bank account (or, failing that, the
name on the line) is linked to the customer, so the same payer is auto-applied next time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal

from sqlmodel import select

from arbridge.domain.records import Allocation, Application
from arbridge.review import corrections as fixes
from arbridge.review import recorded_fix
from arbridge.review import resolution_steps as steps
from arbridge.review.correct import correct as correct_chain
from arbridge.review.limits import Limits, WriteOffPolicy
from arbridge.review.queue import ReviewStateError, ledger_refusals
from arbridge.store import Store, bank, ledger
from arbridge.store.tables import InvoiceRow

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
        steps.check_amounts(allocations)
        now = self._clock()
        with self._store.transaction() as session:
            row, line_id, line = steps.open_item_line(session, item_id)
            owners = steps.owners(session, self._erp, [invoice for invoice, _ in allocations])
            key = steps.resolution_key(session, self._erp, row, line)
            application = steps.application(row, line, allocations, owners, key)
            why = f"applied by {actor} from review item {item_id}"
            steps.queue(session, self._erp, line_id, application, why=why, now=now)
            bank.set_statuses(session, [(line_id, "applied", f"resolved by {actor}")])
            applied = ", ".join(f"{a.invoice_id} {a.amount}" for a in application.allocations)
            steps.close(session, row, actor, now, f"applied: {applied}")
            steps.learn(session, self._erp, line, application.customer_id, now=now, actor=actor)
        return application.idempotency_key

    def on_account(
        self, item_id: int, customer_id: str, *, actor: str, what: str = "on account"
    ) -> str:
        """Put the whole payment on the customer's account as unapplied credit."""
        now = self._clock()
        with self._store.transaction() as session:
            row, line_id, line = steps.open_item_line(session, item_id)
            if not session.exec(
                select(InvoiceRow.customer_id).where(
                    InvoiceRow.erp == self._erp, InvoiceRow.customer_id == customer_id
                )
            ).first():
                raise ReviewStateError(f"unknown customer {customer_id}")
            application = Application(
                idempotency_key=steps.resolution_key(session, self._erp, row, line),
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
            steps.queue(session, self._erp, line_id, application, why=f"{what} by {actor}", now=now)
            bank.set_statuses(session, [(line_id, "applied", f"{what} by {actor}")])
            steps.close(session, row, actor, now, f"{what} of {customer_id}")
            steps.learn(session, self._erp, line, customer_id, now=now, actor=actor)
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
            row, line_id, line = steps.open_item_line(session, item_id)
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
                idempotency_key=steps.resolution_key(session, self._erp, row, line),
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
            steps.queue(
                session, self._erp, line_id, application, why=f"written off by {actor}", now=now
            )
            bank.set_statuses(session, [(line_id, "applied", f"write-off by {actor}")])
            steps.close(
                session,
                row,
                actor,
                now,
                f"applied {invoice_id} {line.amount}, wrote off {short} ({reason})",
            )
            steps.learn(session, self._erp, line, invoice.customer_id, now=now, actor=actor)
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
            row, line_id, _ = steps.open_item_line(session, item_id)
            ledger.set_aside(session, line_id, f"to refund to the payer ({actor})")
            steps.close(session, row, actor, now, "marked for refund to the payer")
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

        Both steps are queued in one transaction, the re-application waiting on the
        reversal, so the ERP gets both, in order, each once, or neither (`review.correct`).

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
        steps.check_amounts(allocations)
        with self._store.transaction() as session:
            return correct_chain(
                session,
                self._erp,
                target,
                allocations,
                actor=actor,
                reason=reason,
                now=self._clock(),
            )

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
            steps.check_amounts(allocations)
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

    def not_receivable(self, item_id: int, category: str, *, actor: str) -> None:
        """Set the line aside as not customer cash (interest, transfer, refund...); nothing is posted."""
        if not category.strip():
            raise ReviewStateError("say what the money is (a category)")
        now = self._clock()
        with self._store.transaction() as session, ledger_refusals():
            row, line_id, _ = steps.open_item_line(session, item_id)
            ledger.set_aside(session, line_id, f"not AR: {category} ({actor})")
            steps.close(session, row, actor, now, f"not receivable: {category}")
