"""Payments already recorded in the ERP: pull them, link them to bank lines, check the links.

A line whose money a person already recorded in the ERP is never posted again: it is
set aside as `in_erp` with its link. Where the recording contradicts the line, a
`suspected_misapplication` item names the ERP payments; where the link is uncertain, a
`possibly_posted` item asks a person. Runs inside the decide transaction, before matching.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta

import structlog
from sqlmodel import Session

from arbridge.connectors.base import PostedPaymentReader
from arbridge.connectors.errors import ConnectorError
from arbridge.domain.money import format_money
from arbridge.domain.posted import PostedPayment
from arbridge.domain.records import BankLine
from arbridge.domain.review import ReviewReason
from arbridge.matching import MatchContext, MatchSettings
from arbridge.matching.context import Books
from arbridge.matching.erp_checks import Misapplication, check_recordings
from arbridge.matching.erp_links import (
    TEXT_DAYS,
    LineRef,
    Links,
    books_for,
    link_payments,
    normalise,
)
from arbridge.review import NewReviewItem, item_for_bank_line, open_many
from arbridge.review.recorded import resolve_recorded
from arbridge.scheduler._health import connector_failed
from arbridge.scheduler._summary import RunSummary
from arbridge.scheduler._unapplied import unapplied_items
from arbridge.store import Store, bank, cursors, erp_payments

log = structlog.get_logger("arbridge.cycle")
STREAM = "payments"
IN_ERP = "in_erp"
"""Status of a bank line set aside because the ERP already records its money."""


def pull_payments(
    store: Store,
    reader: PostedPaymentReader,
    summary: RunSummary,
    clock: Callable[[], datetime],
) -> bool:
    """Store the payments recorded since the last pull; False when the ERP could not be read.

    The payments and the new cursor are stored in one transaction.
    """
    with store.transaction() as session:
        cursor = cursors.load_cursor(session, reader.name, STREAM)
    try:
        with summary.timed("erp_payments_fetch"):
            batch = reader.fetch_payments_since(cursor)
    except ConnectorError as exc:
        connector_failed(store, reader.name, f"payments: {exc}", summary, clock, role="erp")
        return False
    with summary.timed("erp_payments_save"), store.transaction() as session:
        changed = erp_payments.save_payments(
            session, reader.name, batch.payments, complete=batch.complete, now=clock()
        )
        if batch.cursor is not None:
            cursors.save_cursor(session, reader.name, STREAM, batch.cursor, clock())
    summary.add("erp_payments_changed", changed)
    return True


def settle_recorded(
    session: Session,
    erp_name: str,
    lines: Sequence[tuple[int, BankLine]],
    context: MatchContext,
    settings: MatchSettings,
    *,
    summary: RunSummary,
    now: datetime,
    by_hand: bool = False,
) -> set[int]:
    """Set aside the pending lines the ERP already records; their ids (not to be matched).

    Then check every line whose recording is new or changed since it was last checked.
    """
    taken: set[int] = set()
    items: list[NewReviewItem] = []
    shared: list[Books] = []

    def books() -> Books:  # built once, and only when there is something to link or check
        if not shared:
            shared.append(books_for(context, settings))
        return shared[0]

    credits = [(k, line) for k, line in lines if line.is_credit]
    if credits or erp_payments.any_unseen(session, erp_name):
        waiting = bank.load_lines(session, erp_payments.review_line_ids(session))
        candidates = [*credits, *waiting]
        window = _window(candidates)
        payments = erp_payments.unlinked(session, erp_name, between=window) if window else []
        links = (
            link_payments(candidates, payments, books(), decided=_decided(session))
            if payments
            else Links()
        )
        erp_payments.mark_seen(session, erp_name)
        _store_links(session, erp_name, links)
        by_pid = {p.payment_id: p for p in payments}
        by_key = dict(candidates)
        items += [
            _unsure_item(k, by_key[k], [by_pid[p] for p in pids])
            for k, pids in links.unsure.items()
        ]
        statuses = [(k, IN_ERP, _explained(links, k)) for k in links.linked]
        statuses += [(k, "review", "may already be recorded in the ERP") for k in links.unsure]
        bank.set_statuses(session, statuses)
        queued = {k for k, _ in waiting}
        done = {k: _explained(links, k) for k in links.linked if k in queued}
        summary.add("resolved_in_erp", resolve_recorded(session, done, now=now))
        taken = set(links.linked) | set(links.unsure)
        summary.add("in_erp", len(links.linked))
    items += _check(
        session,
        erp_name,
        context,
        books,
        summary,
        min_confidence=settings.misapplied_min_confidence,
    )
    if summary.counts.get("erp_payments_changed"):
        with summary.timed("unapplied"):
            items += unapplied_items(
                session,
                erp_name,
                books,
                summary,
                min_confidence=settings.misapplied_min_confidence,
                skip_lines={i.bank_line_id for i in items if i.bank_line_id is not None},
            )
    if by_hand:
        items = [_by_hand(i) for i in items]
    opened = open_many(session, items, now=now)
    summary.add("queued", sum(1 for i in opened if i is not None))
    for item, item_id in zip(items, opened, strict=True):
        if item_id is not None:
            log.info("review_item_opened", item_id=item_id, reason=item.reason)
    return taken


BY_HAND = (
    " This ERP cannot reverse a payment a person recorded through its API: fix it in the ERP "
    "by hand (unapply or void the payment, then apply it as suggested), then dismiss this item."
)


def _by_hand(item: NewReviewItem) -> NewReviewItem:
    """The item of an ERP that cannot reverse recorded payments, saying how to fix it by hand."""
    fixed = (ReviewReason.SUSPECTED_MISAPPLICATION.value, ReviewReason.UNAPPLIED_CASH.value)
    if item.reason not in fixed or item.bank_line_id is None:
        return item
    return dataclasses.replace(item, message=item.message + BY_HAND)


def _window(lines: Sequence[tuple[int, BankLine]]) -> tuple[date, date] | None:
    """The dates a payment of these lines may carry (None: no line)."""
    if not lines:
        return None
    days = [line.booked_on for _, line in lines]
    reach = timedelta(days=TEXT_DAYS)
    return min(days) - reach, max(days) + reach


def _decided(session: Session) -> dict[str, list[LineRef]]:
    """Lines decided earlier (not pending, not in review), by normalised bank id."""
    decided: dict[str, list[LineRef]] = {}
    for line_id, account, bank_id, status in erp_payments.decided_lines(session):
        if status != "review":
            ref = LineRef(line_id, account, bank_id, recorded=status == IN_ERP)
            decided.setdefault(normalise(bank_id), []).append(ref)
    return decided


def _check(
    session: Session,
    erp_name: str,
    context: MatchContext,
    books: Callable[[], Books],
    summary: RunSummary,
    *,
    min_confidence: float,
) -> list[NewReviewItem]:
    """Check the lines whose recordings are new or changed; mark them checked.

    Findings below `min_confidence` are counted (`misapplied_below_confidence`), not queued.
    """
    line_ids = erp_payments.unchecked_lines(session, erp_name)
    if not line_ids:
        return []
    recorded = erp_payments.linked_payments(session, erp_name, line_ids)
    groups = {
        line_id: (line, recorded[line_id])
        for line_id, line in bank.load_lines(session, line_ids)
        if recorded.get(line_id)
    }
    invoices = [i for _, payments in groups.values() for p in payments for i in p.invoice_ids]
    recordings = erp_payments.recordings(session, erp_name, invoices)
    found = check_recordings(groups, context, books(), recordings)
    erp_payments.mark_checked(session, erp_name, line_ids)
    sure = [m for m in found if m.confidence >= min_confidence]
    summary.add("misapplied", len(sure))
    if len(found) > len(sure):
        summary.add("misapplied_below_confidence", len(found) - len(sure))
    return [_misapplied_item(m, groups[m.key]) for m in sure]


def _store_links(session: Session, erp_name: str, links: Links) -> None:
    recorded = {pid: (k, links.how[k]) for k, pids in links.linked.items() for pid in pids}
    recorded |= {
        pid: (k, "its reference names a line recorded before") for pid, k in links.joined.items()
    }
    recorded |= {pid: (k, erp_payments.SETTLED) for pid, k in links.settled.items()}
    erp_payments.link(session, erp_name, recorded)


def _explained(links: Links, key: int) -> str:
    ids = ", ".join(links.linked[key])
    return f"already recorded in the ERP as payment {ids}: {links.how[key]}"


def _fingerprint(payments: Sequence[PostedPayment]) -> str:
    text = "|".join(sorted(repr(p) for p in payments))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _misapplied_item(
    found: Misapplication, group: tuple[BankLine, Sequence[PostedPayment]]
) -> NewReviewItem:
    line, payments = group
    item = item_for_bank_line(found.proposal, found.key, ReviewReason.SUSPECTED_MISAPPLICATION)
    key = f"{item.dedupe_key}:{_fingerprint(payments)}"
    return NewReviewItem(
        dedupe_key=key[:300],
        reason=item.reason,
        message=item.message,
        bank_line_id=found.key,
        amount=line.amount,
        customer_id=item.customer_id,
        suggestions=item.suggestions,
        erp_payment_ids=found.payment_ids,
    )


def _unsure_item(key: int, line: BankLine, payments: Sequence[PostedPayment]) -> NewReviewItem:
    described = "; ".join(
        f"{p.payment_id} ({p.customer_id}, {format_money(p.amount)} on {p.paid_on.isoformat()})"
        for p in payments
    )
    return NewReviewItem(
        dedupe_key=f"line:{line.account}:{line.bank_id}:{ReviewReason.POSSIBLY_POSTED.value}:{_fingerprint(payments)}",
        reason=ReviewReason.POSSIBLY_POSTED.value,
        message=(
            "not posted: the ERP may already record this payment, and arbridge cannot tell "
            f"which recording it is: {described}"
        ),
        bank_line_id=key,
        amount=line.amount,
    )
