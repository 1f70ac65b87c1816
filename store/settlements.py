"""Repository of processor settlements: batches read, payouts in transit and deposited."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from arbridge.domain.settlements import Payout, SettlementCategory, SettlementItem
from arbridge.store._core import bulk_insert, table_of
from arbridge.store.settlement_tables import PayoutRow, SettlementBatchRow, SettlementItemRow
from arbridge.store.tables import BankLineRow

IN_TRANSIT = "in_transit"
DEPOSITED = "deposited"


def known_batch(session: Session, source: str, fingerprint: str) -> bool:
    """Whether this batch was read (or refused) before."""
    query = select(SettlementBatchRow.id).where(
        SettlementBatchRow.source == source, SettlementBatchRow.fingerprint == fingerprint
    )
    return session.exec(query).first() is not None


def conflicts(session: Session, payouts: Sequence[Payout]) -> list[str]:
    """Payouts this batch reports differently from an earlier one (nothing of it may be saved)."""
    problems = []
    for payout in payouts:
        row = _payout_row(session, payout.processor, payout.payout_id)
        if row is None:
            continue
        items = {i.item_id for i in _items(session, row)}
        if row.net != payout.net or items != {i.item_id for i in payout.items}:
            problems.append(
                f"payout {payout.payout_id} was reported before ({row.source_file}) with "
                f"{len(items)} transactions and net {row.net}; now {len(payout.items)} and {payout.net}"
            )
    return problems


def record_batch(
    session: Session,
    source: str,
    *,
    label: str,
    fingerprint: str,
    payouts: Sequence[Payout],
    now: datetime,
) -> int:
    """Store a good batch and its new payouts; payouts known already are kept as they are.

    Returns:
        How many payouts were new.
    """
    fresh = [p for p in payouts if _payout_row(session, p.processor, p.payout_id) is None]
    session.add(
        SettlementBatchRow(
            source=source,
            fingerprint=fingerprint,
            label=label,
            status="read",
            payout_count=len(payouts),
            received_at=now,
        )
    )
    for payout in fresh:
        _insert(session, payout, now)
    return len(fresh)


def record_refused(
    session: Session, source: str, *, label: str, fingerprint: str, error: str, now: datetime
) -> int:
    """Remember a refused batch (so it is not read again until it changes); its row id."""
    row = SettlementBatchRow(
        source=source,
        fingerprint=fingerprint,
        label=label,
        status="quarantined",
        error=error,
        received_at=now,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def _insert(session: Session, payout: Payout, now: datetime) -> None:
    row = PayoutRow(
        processor=payout.processor,
        payout_id=payout.payout_id,
        effective_on=payout.effective_on,
        currency=payout.currency,
        net=payout.net,
        trace_id=payout.trace_id or None,
        source_file=payout.source_file,
        status=IN_TRANSIT,
        received_at=now,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    bulk_insert(
        session,
        table_of(SettlementItemRow),
        [_item_values(row.id, payout.processor, i) for i in payout.items],
    )


def _item_values(payout_row_id: int, processor: str, item: SettlementItem) -> dict[str, object]:
    return {
        "payout_row_id": payout_row_id,
        "processor": processor,
        "item_id": item.item_id,
        "category": item.category.value,
        "gross": item.gross,
        "fee": item.fee,
        "net": item.net,
        "currency": item.currency,
        "reference": item.reference[:300],
        "description": item.description,
        "customer_name": item.customer_name[:300],
        "customer_email": item.customer_email[:300],
        "charge_id": item.charge_id[:200],
        "source_line": item.source_line,
    }


def in_transit(session: Session, processors: Sequence[str]) -> list[Payout]:
    """Payouts of these processors whose bank deposit has not been found yet."""
    return [_payout(session, row) for row in _in_transit_rows(session, processors)]


def in_transit_nets(session: Session, processors: Sequence[str]) -> list[tuple[Payout, Decimal]]:
    """Payouts in transit without their transactions (cheap), each with its stored net."""
    return [(_header(row), row.net) for row in _in_transit_rows(session, processors)]


def _in_transit_rows(session: Session, processors: Sequence[str]) -> Sequence[PayoutRow]:
    query = select(PayoutRow).where(
        PayoutRow.status == IN_TRANSIT, col(PayoutRow.processor).in_(list(processors))
    )
    return session.exec(query.order_by(col(PayoutRow.id))).all()


def _header(row: PayoutRow) -> Payout:
    return Payout(
        processor=row.processor,
        payout_id=row.payout_id,
        effective_on=row.effective_on,
        currency=row.currency,
        items=(),
        trace_id=row.trace_id or "",
        source_file=row.source_file,
    )


def mark_deposited(session: Session, payout: Payout, bank_line_id: int, now: datetime) -> None:
    """The payout's deposit is this bank line."""
    row = _payout_row(session, payout.processor, payout.payout_id)
    assert row is not None
    row.status, row.bank_line_id, row.deposited_at = DEPOSITED, bank_line_id, now
    session.add(row)


@dataclass(frozen=True, slots=True, kw_only=True)
class ClearingEntry:
    """A payout as the clearing account sees it on a day."""

    payout: Payout
    status: str
    deposited_on: date | None


def clearing(session: Session, processor: str, as_of: date) -> list[ClearingEntry]:
    """Every payout of a processor effective on or before `as_of`, with the day its deposit was booked."""
    query = (
        select(PayoutRow, col(BankLineRow.booked_on))
        .join(BankLineRow, col(BankLineRow.id) == col(PayoutRow.bank_line_id), isouter=True)
        .where(PayoutRow.processor == processor, col(PayoutRow.effective_on) <= as_of)
        .order_by(col(PayoutRow.effective_on), col(PayoutRow.payout_id))
    )
    return [
        ClearingEntry(payout=_payout(session, row), status=row.status, deposited_on=booked)
        for row, booked in session.exec(query)
    ]


@dataclass(frozen=True, slots=True)
class ClearingEvent:
    """A movement of a clearing account: a payout reported (+) or its deposit booked (-).

    `in_transit` is the account's balance after the movement.
    """

    day: date
    payout_id: str
    event: str
    amount: Decimal
    in_transit: Decimal = Decimal("0.00")


def clearing_ledger(entries: Sequence[ClearingEntry], as_of: date) -> list[ClearingEvent]:
    """The clearing account's movements up to `as_of`, in date order (reported before deposited)."""
    events = [
        ClearingEvent(e.payout.effective_on, e.payout.payout_id, "reported", e.payout.net)
        for e in entries
    ]
    events += [
        ClearingEvent(e.deposited_on, e.payout.payout_id, "deposited", -e.payout.net)
        for e in entries
        if e.deposited_on is not None and e.deposited_on <= as_of
    ]
    ordered = sorted(events, key=lambda x: (x.day, x.event != "reported", x.payout_id))
    balance, out = Decimal("0.00"), []
    for e in ordered:
        balance += e.amount
        out.append(dataclasses.replace(e, in_transit=balance))
    return out


def in_transit_on(entries: Sequence[ClearingEntry], as_of: date) -> list[ClearingEntry]:
    """The payouts the processor reported that the bank had not received by `as_of`."""
    return [e for e in entries if e.deposited_on is None or e.deposited_on > as_of]


def netted_by_line(session: Session) -> dict[tuple[str, str], Decimal]:
    """Per deposit line (account, bank id): what its payout's processor netted out of it.

    Refunds, disputes and the processor's own fees reduce a payout before it reaches the
    bank, so the charges it settles may add up to the deposit plus these (never more).
    """
    lines, payouts, items = table_of(BankLineRow), table_of(PayoutRow), table_of(SettlementItemRow)
    query = (
        sa_select(lines.c.account, lines.c.bank_id, items.c.net)
        .select_from(lines.join(payouts, payouts.c.bank_line_id == lines.c.id))
        .join(items, items.c.payout_row_id == payouts.c.id)
        .where(items.c.net < Decimal(0))
    )
    out: dict[tuple[str, str], Decimal] = {}
    for account, bank_id, net in session.connection().execute(query):
        out[account, bank_id] = out.get((account, bank_id), Decimal(0)) - net
    return out


def processors(session: Session) -> list[str]:
    """Every processor with a payout in the store."""
    query = select(PayoutRow.processor).distinct().order_by(col(PayoutRow.processor))
    return list(session.exec(query))


def _payout_row(session: Session, processor: str, payout_id: str) -> PayoutRow | None:
    query = select(PayoutRow).where(
        PayoutRow.processor == processor, PayoutRow.payout_id == payout_id
    )
    return session.exec(query).first()


def _items(session: Session, row: PayoutRow) -> list[SettlementItem]:
    table = table_of(SettlementItemRow)
    query = sa_select(table).where(table.c.payout_row_id == row.id).order_by(table.c.id)
    return [
        SettlementItem(
            item_id=i.item_id,
            category=SettlementCategory(i.category),
            gross=i.gross,
            fee=i.fee,
            net=i.net,
            currency=i.currency,
            reference=i.reference,
            description=i.description,
            customer_name=i.customer_name,
            customer_email=i.customer_email,
            charge_id=i.charge_id,
            source_line=i.source_line,
        )
        for i in session.connection().execute(query)
    ]


def _payout(session: Session, row: PayoutRow) -> Payout:
    return Payout(
        processor=row.processor,
        payout_id=row.payout_id,
        effective_on=row.effective_on,
        currency=row.currency,
        items=tuple(_items(session, row)),
        trace_id=row.trace_id or "",
        source_file=row.source_file,
    )
