"""The one door money goes through on its way to the ERP: nothing reaches the outbox unchecked.

Every path that moves money calls this module in the caller's transaction: the automatic
cycle (`admit` with `per_invoice=False`), each clerk resolution (apply or split, on
account, write-off, refund: `admit`; not customer cash, a refund to a stranger:
`set_aside`), a correction (`admit` with the reversal and the re-application) and
reopening a resolved item (`release`). `postings.add_applications` is called from here
only (and from `ledger_recorded`, this door's part for correcting a payment a person
recorded in the ERP, which checks the same invariants through `refusals`). The invariants it holds, in whole cents:

- **I1.** Per bank line, cash applied + put on account + refunded + set aside never
  exceeds the line's amount: an application takes at most the line's amount, and (I3)
  a line has one live resolution, so nothing is counted twice.
- **I2.** Per invoice, cash + adjustments applied by arbridge never exceed its open
  amount as last read from the ERP, net of what is queued and not yet posted (and of
  what was sent after that read).
- **I3.** A bank line has at most one live resolution: one live application (held by
  the database too: the unique partial index `uq_application_live_line`) or a
  set-aside, never both. Reopening a resolved item whose money is in the ERP is a
  correction: the reversal is queued first and the next application waits on it.
- **I4.** Amounts are finite, positive and in whole cents; NaN, infinity, exponents and
  a third decimal are refused with a message naming the field.

A refusal is a `LedgerRefusedError` whose message says what and why; the web page and
the CLI show it as it is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlmodel import Session, select

from arbridge.domain.errors import ArbridgeError
from arbridge.domain.money import CENT
from arbridge.domain.posted import PostedPayment
from arbridge.domain.records import ZERO, Application
from arbridge.store import _live, bank, corrections, postings
from arbridge.store._core import table_of
from arbridge.store.postings import NewApplication
from arbridge.store.tables import ApplicationRow, BankLineRow, OutboxRow


class LedgerRefusedError(ArbridgeError):
    """Money the ledger will not take: the message names the field and the rule."""


def check_amount(value: Decimal, field: str, *, zero_ok: bool = False) -> Decimal:
    """I4: a finite amount above zero (or zero, if allowed) in whole cents, written plainly.

    Raises:
        LedgerRefusedError: naming `field`.
    """
    if not isinstance(value, Decimal) or not value.is_finite():
        raise LedgerRefusedError(f"{field}: {value} is not an amount")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        raise LedgerRefusedError(f"{field}: {value} is written with an exponent; write it out")
    if value != value.quantize(CENT):
        raise LedgerRefusedError(f"{field}: {value} has more than two decimals (whole cents only)")
    if value < 0 or (value == 0 and not zero_ok):
        raise LedgerRefusedError(f"{field}: {value} must be above zero")
    return value


def admit(
    session: Session,
    erp: str,
    items: Sequence[NewApplication],
    *,
    run_id: str | None,
    now: datetime,
    per_invoice: bool = True,
    sent_after: datetime | None = None,
) -> list[int]:
    """Check the invariants for these applications, then queue them; all or none.

    A reversal (`reverses_id` set) ends the application it undoes here, before the
    re-application is recorded. An application for a line whose reversal still waits
    for the ERP waits on that reversal.

    Returns:
        The application ids, in the order given.

    Raises:
        LedgerRefusedError: the first refusal (nothing is queued).
    """
    refused = refusals(session, erp, items, per_invoice=per_invoice, sent_after=sent_after)
    if refused:
        raise LedgerRefusedError(next(iter(refused.values())))
    return _queue(session, erp, items, run_id=run_id, now=now)


def admit_what_passes(
    session: Session,
    erp: str,
    items: Sequence[NewApplication],
    *,
    run_id: str | None,
    now: datetime,
    sent_after: datetime | None,
) -> dict[int, str]:
    """The automatic path: queue the applications that pass, return the refused ones' reasons.

    Returns:
        Index in `items` -> why it was refused (the caller opens review items for them).
    """
    refused = refusals(session, erp, items, per_invoice=False, sent_after=sent_after)
    passing = [item for n, item in enumerate(items) if n not in refused]
    _queue(session, erp, passing, run_id=run_id, now=now)
    return refused


def refusals(
    session: Session,
    erp: str,
    items: Sequence[NewApplication],
    *,
    per_invoice: bool = True,
    sent_after: datetime | None = None,
    correcting: int | None = None,
    credit: Sequence[PostedPayment] = (),
) -> dict[int, str]:
    """Why each refused application would break an invariant (index -> message); {} if none.

    `correcting` is a line recorded in the ERP by a person whose recording `credit` (the
    payments) is reversed before these applications: only then may that line be applied,
    and its invoices get back what those payments took.
    """
    checker = _Checker(session, erp, items, per_invoice, sent_after)
    checker.correcting = correcting
    for payment in credit:
        for a in payment.allocations:
            if a.invoice_id in checker.left:
                checker.left[a.invoice_id] += a.amount
    return checker.run()


def open_left(session: Session, erp: str, invoice_id: str) -> Decimal:
    """What arbridge may still apply to an invoice (I2): its open amount less what is queued.

    Raises:
        LedgerRefusedError: the invoice is unknown.
    """
    invoice = _live.invoices(session, erp, [invoice_id]).get(invoice_id)
    if invoice is None:
        raise LedgerRefusedError(f"unknown invoice {invoice_id}")
    taken = _live.taken_from(session, erp, {invoice_id: invoice.seen_at})
    return invoice.open_amount - taken.get(invoice_id, ZERO)


def set_aside(session: Session, line_id: int, why: str) -> None:
    """Set a bank line aside (not customer cash, a refund to the payer): nothing is posted.

    Raises:
        LedgerRefusedError: the line has a live application (I3).
    """
    live = _live.live_on_lines(session, [line_id]).get(line_id, [])
    if live:
        raise LedgerRefusedError(_busy(session, line_id, live[0]))
    bank.set_statuses(session, [(line_id, "ignored", why)])


def release(session: Session, line_id: int, *, now: datetime, why: str) -> str:
    """Free a bank line for a new decision (its item was reopened); says what was done.

    An application never sent is withdrawn; one the ERP has gets
    its reversal queued (the next application for the line waits on it); a set-aside
    is lifted.

    Raises:
        LedgerRefusedError: the line's application is being posted right now, was sent
            without an answer (the ERP may hold it), or the ERP gave no reference to
            reverse it by.
    """
    done = []
    for live in _live.live_on_lines(session, [line_id]).get(line_id, []):
        if live.status == "pending":
            if live.claimed_until is not None and live.claimed_until > now:
                raise LedgerRefusedError(
                    f"{live.key} is being posted to the ERP right now; reopen in a minute"
                )
            if live.attempts:
                raise LedgerRefusedError(
                    f"{live.key} was sent to the ERP without an answer (it may hold it); "
                    "reopen once the next cycle has posted it"
                )
            outbox = table_of(OutboxRow)
            session.execute(
                outbox.update().where(outbox.c.id == live.outbox_id).values(status="withdrawn")
            )
            _live.mark_ended(session, [live.application_id], "withdrawn")
            done.append(f"withdrew {live.key} (it was not sent)")
        else:
            done.append(f"queued {_reverse(session, live, now=now, why=why)} to reverse {live.key}")
    bank.set_statuses(session, [(line_id, "review", why)])
    return "; ".join(done) or "nothing was posted"


def undo(session: Session, line_id: int, *, owner: str, now: datetime, why: str) -> str:
    """Take back a resolution whose money has not left the outbox; says what was done.

    Only what `owner` (a fragment of the idempotency key, e.g. `:review12.`) queued is
    taken back, and only while no attempt to send it was made: then it is withdrawn, as
    if never queued, so nothing can reach the ERP twice or be lost. Money the ERP has
    is corrected (a reversal and a new application), not undone.

    Raises:
        LedgerRefusedError: the line holds someone else's application, or money that has
            left the outbox (sent, being sent, or sent without an answer).
    """
    for live in _live.live_on_lines(session, [line_id]).get(line_id, []):
        if owner not in live.key:
            raise LedgerRefusedError(f"{live.key} was not queued by this decision; reopen instead")
        if live.status != "pending":
            raise LedgerRefusedError(f"{live.key} has left the outbox (the ERP has it): correct it")
    return release(session, line_id, now=now, why=why)


def _reverse(session: Session, live: _live.Live, *, now: datetime, why: str) -> str:
    erp = session.get_one(ApplicationRow, live.application_id).erp
    [undo] = corrections.standing(session, erp, key=live.key)
    if not undo.erp_reference:
        raise LedgerRefusedError(
            f"the ERP gave no reference for {live.key}; it cannot be reversed from here"
        )
    key, _ = corrections.correction_keys(session, undo)
    reversal = dataclasses.replace(undo.application, idempotency_key=key)
    item = NewApplication(
        bank_line_id=live.bank_line_id,
        application=reversal,
        confidence=1.0,
        explanation=why,
        origin="review",
        reverses_id=undo.application_id,
    )
    admit(session, erp, [item], run_id=None, now=now)
    return key


def _queue(
    session: Session,
    erp: str,
    items: Sequence[NewApplication],
    *,
    run_id: str | None,
    now: datetime,
) -> list[int]:
    undone = [i.reverses_id for i in items if i.reverses_id is not None]
    reversals = _live.pending_reversals(session, {i.bank_line_id for i in items})
    _live.mark_ended(session, undone, "reversed")
    waiting: list[NewApplication] = []
    for item in items:
        reversal = reversals.get(item.bank_line_id)
        if item.reverses_id is not None or item.after is not None:
            reversal = None
        waiting.append(
            item if reversal is None else dataclasses.replace(item, after_outbox_id=reversal[0])
        )
    return postings.add_applications(session, waiting, erp=erp, run_id=run_id, now=now)


def _busy(session: Session, line_id: int, live: _live.Live) -> str:
    bank_id = session.get_one(BankLineRow, line_id).bank_id
    where = "waits for the ERP" if live.status == "pending" else "is in the ERP"
    return (
        f"bank line {bank_id} already has a live application {live.key} that {where}; "
        "reopen its item (or correct it) first"
    )


class _Checker:
    """One pass over a batch of new applications, with the store's state loaded once."""

    def __init__(
        self,
        session: Session,
        erp: str,
        items: Sequence[NewApplication],
        per_invoice: bool,
        sent_after: datetime | None,
    ) -> None:
        self.session, self.erp, self.items = session, erp, items
        line_ids = {i.bank_line_id for i in items}
        self.lines = _live.bank_lines(session, line_ids)
        self.live = _live.live_on_lines(session, line_ids)
        self.reversals = _live.pending_reversals(session, line_ids)
        self.undone = {i.reverses_id for i in items if i.reverses_id is not None}
        invoice_ids = [
            a.invoice_id for i in items for a in i.application.allocations if a.invoice_id
        ]
        self.invoices = _live.invoices(session, erp, invoice_ids)
        seen = {k: v.seen_at for k, v in self.invoices.items()}
        self.left = {k: v.open_amount for k, v in self.invoices.items()}
        taken = _live.taken_from(session, erp, seen, sent_after=sent_after, per_invoice=per_invoice)
        for invoice, amount in taken.items():
            self.left[invoice] -= amount
        self.seen = seen
        self.taken = taken
        self.claimed_lines: set[int] = set()
        self.correcting: int | None = None

    def run(self) -> dict[int, str]:
        refused: dict[int, str] = {}
        for n, item in enumerate(self.items):
            try:
                self._check(item)
            except LedgerRefusedError as exc:
                refused[n] = str(exc)
        return refused

    def _check(self, item: NewApplication) -> None:
        line = self.lines.get(item.bank_line_id)
        if line is None:
            raise LedgerRefusedError(f"bank line {item.bank_line_id} does not exist")
        if item.reverses_id is not None:
            self._check_reversal(item, line)
            return
        app = item.application
        self._check_amounts(app, line, item.netted)
        self._check_line(item, line)
        self._credit_reversed(item)
        self._check_invoices(app)
        self.claimed_lines.add(item.bank_line_id)

    def _check_amounts(self, app: Application, line: _live.LineSeen, netted: Decimal) -> None:
        """I4 on every amount, I1 on the line's total.

        `netted` is money a processor took out of this deposit before it reached the bank
        (refunds, disputes, fees of the same payout, as its report shows): the charges a
        payout settles may add up to the deposit plus what was netted, never more.
        """
        check_amount(app.amount, "amount")
        cash = ZERO
        for n, a in enumerate(app.allocations, 1):
            name = f"allocation {n} ({a.invoice_id or 'on account'})"
            check_amount(a.adjustment, f"{name} adjustment", zero_ok=True)
            check_amount(a.amount, f"{name} amount", zero_ok=bool(a.adjustment))
            cash += a.amount
        if cash != app.amount:
            raise LedgerRefusedError(
                f"the allocations add up to {cash}, the payment is {app.amount}"
            )
        if app.amount > line.amount + netted:
            raise LedgerRefusedError(
                f"{app.amount} is more than bank line {line.bank_id} holds ({line.amount})"
            )

    def _check_line(self, item: NewApplication, line: _live.LineSeen) -> None:
        """I3: no other live resolution of the line."""
        standing = [
            live
            for live in self.live.get(item.bank_line_id, [])
            if live.application_id not in self.undone
        ]
        if standing:
            raise LedgerRefusedError(_busy(self.session, item.bank_line_id, standing[0]))
        if item.bank_line_id in self.claimed_lines:
            raise LedgerRefusedError(f"bank line {line.bank_id} is applied twice in one batch")
        if line.status == "ignored":
            raise LedgerRefusedError(
                f"bank line {line.bank_id} is set aside ({line.explanation}); reopen its item first"
            )
        if line.status == "in_erp" and item.bank_line_id != self.correcting:
            raise LedgerRefusedError(
                f"bank line {line.bank_id} is already recorded in the ERP ({line.explanation}); "
                "posting it again would pay it twice: correct that recording instead"
            )

    def _credit_reversed(self, item: NewApplication) -> None:
        """What a reversal this application waits on gives back to invoices (I2)."""
        if item.after is not None:
            target = self.items[item.after].reverses_id
        else:
            pending = self.reversals.get(item.bank_line_id)
            target = None if pending is None else pending[1]
        if target is None:
            return
        sent_at = self.session.exec(
            select(OutboxRow.sent_at).where(OutboxRow.application_id == target)
        ).first()
        for a in _live.allocations_of(self.session, target):
            invoice = a["invoice_id"]
            if invoice not in self.left:
                continue
            # credited when the open amount read shows it, or when it is still counted as
            # taken (ended only by this very batch)
            if target in self.undone or (sent_at is not None and sent_at <= self.seen[invoice]):
                self.left[invoice] += Decimal(a["amount"]) + Decimal(a["adjustment"])

    def _check_invoices(self, app: Application) -> None:
        """I2: each invoice keeps an open amount of zero or more."""
        wanted: dict[str, Decimal] = {}
        for a in app.allocations:
            if a.invoice_id:
                wanted[a.invoice_id] = wanted.get(a.invoice_id, ZERO) + a.amount + a.adjustment
        for invoice, amount in wanted.items():
            if invoice not in self.left:
                raise LedgerRefusedError(f"unknown invoice {invoice}")
            if amount > self.left[invoice]:
                read = self.invoices[invoice].open_amount
                queued = self.taken.get(invoice, ZERO)
                raise LedgerRefusedError(
                    f"{invoice} has {max(self.left[invoice], ZERO)} open ({read} as last read "
                    f"from the ERP, {queued} of it already queued or sent); {amount} would "
                    "over-apply it"
                )
        for invoice, amount in wanted.items():
            self.left[invoice] -= amount

    def _check_reversal(self, item: NewApplication, line: _live.LineSeen) -> None:
        target = item.reverses_id
        standing = [
            live
            for live in self.live.get(item.bank_line_id, [])
            if live.application_id == target and live.status == "sent"
        ]
        if not standing:
            raise LedgerRefusedError(
                f"nothing of bank line {line.bank_id} stands in the ERP to reverse"
            )
