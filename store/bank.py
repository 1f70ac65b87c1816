"""Repository of statement files and bank lines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Column, ColumnElement, Table
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from arbridge.domain.records import BankLine
from arbridge.store._core import bulk_insert, table_of, update_rows
from arbridge.store.tables import BankFileRow, BankLineRow

_CHUNK = 500


def find_file(session: Session, source: str, sha256: str) -> BankFileRow | None:
    """The file already seen by `source` with this content, if any."""
    query = select(BankFileRow).where(BankFileRow.source == source, BankFileRow.sha256 == sha256)
    return session.exec(query).first()


def quarantine_file(
    session: Session, *, source: str, path: str, name: str, sha256: str, error: str, now: datetime
) -> BankFileRow:
    """Record a file that could not be read; none of its lines are stored."""
    row = BankFileRow(
        source=source,
        name=name,
        path=path,
        sha256=sha256,
        status="quarantined",
        error=error,
        received_at=now,
    )
    session.add(row)
    session.flush()
    return row


def import_file(
    session: Session,
    *,
    source: str,
    path: str,
    name: str,
    sha256: str,
    lines: Sequence[BankLine],
    now: datetime,
) -> BankFileRow:
    """Store a file and those of its lines not seen before (dedupe on account + bank id)."""
    row = BankFileRow(
        source=source,
        name=name,
        path=path,
        sha256=sha256,
        status="imported",
        line_count=len(lines),
        received_at=now,
    )
    session.add(row)
    session.flush()
    known = _known_ids(session, lines)
    fresh = [ln for ln in lines if (ln.account, ln.bank_id) not in known]
    if fresh:
        bulk_insert(session, table_of(BankLineRow), [_line_values(ln, row.id, now) for ln in fresh])
    row.new_line_count = len(fresh)
    session.flush()
    return row


def _known_ids(session: Session, lines: Sequence[BankLine]) -> set[tuple[str, str]]:
    known: set[tuple[str, str]] = set()
    for account in {ln.account for ln in lines}:
        ids = [ln.bank_id for ln in lines if ln.account == account]
        for start in range(0, len(ids), _CHUNK):
            query = select(BankLineRow.bank_id).where(
                BankLineRow.account == account,
                col(BankLineRow.bank_id).in_(ids[start : start + _CHUNK]),
            )
            known.update((account, bank_id) for bank_id in session.exec(query))
    return known


def _line_values(line: BankLine, file_id: int | None, now: datetime) -> dict[str, object]:
    return {
        "account": line.account,
        "bank_id": line.bank_id,
        "booked_on": line.booked_on,
        "amount": line.amount,
        "currency": line.currency,
        "description": line.description,
        "payer_name": line.payer_name,
        "payer_account": line.payer_account,
        "references": list(line.references),
        "file_id": file_id,
        "source_line": line.source_line,
        "status": "pending",
        "explanation": None,
        "created_at": now,
    }


def to_bank_line(row: BankLineRow, source_file: str | None = None) -> BankLine:
    """The domain record of a stored line."""
    return BankLine(
        account=row.account,
        bank_id=row.bank_id,
        booked_on=row.booked_on,
        amount=row.amount,
        currency=row.currency,
        description=row.description,
        payer_name=row.payer_name,
        payer_account=row.payer_account,
        references=tuple(row.references),
        source_file=source_file,
        source_line=row.source_line,
    )


def pending_lines(session: Session) -> dict[tuple[str, str], int]:
    """Lines not decided yet, as (account, bank id) -> row id."""
    query = (
        select(BankLineRow.account, BankLineRow.bank_id, BankLineRow.id)
        .where(BankLineRow.status == "pending")
        .order_by(col(BankLineRow.id))
    )  # three columns, not whole rows: load_lines reads the lines themselves
    return {(account, bank_id): i for account, bank_id, i in session.exec(query) if i is not None}


def line_ids_with_status(session: Session, status: str) -> list[int]:
    """Ids of the lines in one status (e.g. waiting for their processor payout)."""
    query = select(BankLineRow.id).where(BankLineRow.status == status).order_by(col(BankLineRow.id))
    return [i for i in session.exec(query) if i is not None]


def load_lines(session: Session, ids: Sequence[int]) -> list[tuple[int, BankLine]]:
    """Stored lines by id, with their source file path."""
    out: list[tuple[int, BankLine]] = []
    line = table_of(BankLineRow)
    for start in range(0, len(ids), _CHUNK):
        out += _lines(session, line.c.id.in_(ids[start : start + _CHUNK]))
    return sorted(out)


def load_pending(session: Session) -> list[tuple[int, BankLine]]:
    """Every line not decided yet, in id order, with its source file path (one query)."""
    return _lines(session, table_of(BankLineRow).c.status == "pending")


def _lines(session: Session, where: ColumnElement[bool]) -> list[tuple[int, BankLine]]:
    """Lines read as plain rows (Core), not ORM objects: a backlog holds tens of thousands."""
    line, file = table_of(BankLineRow), table_of(BankFileRow)
    query = (
        sa_select(*_line_columns(line), file.c.path)
        .select_from(line.outerjoin(file, file.c.id == line.c.file_id))
        .where(where)
        .order_by(line.c.id)
    )
    return [
        (
            r.id,
            BankLine(
                account=r.account,
                bank_id=r.bank_id,
                booked_on=r.booked_on,
                amount=r.amount,
                currency=r.currency,
                description=r.description,
                payer_name=r.payer_name,
                payer_account=r.payer_account,
                references=tuple(r.references),
                source_file=r.path,
                source_line=r.source_line,
            ),
        )
        for r in session.connection().execute(query)
    ]


def _line_columns(line: Table) -> list[Column[Any]]:
    return [line.c[n] for n in _LINE_FIELDS]


_LINE_FIELDS = (
    *("id", "account", "bank_id", "booked_on", "amount", "currency", "description"),
    *("payer_name", "payer_account", "references", "source_line"),
)


def set_status(session: Session, line_id: int, status: str, explanation: str) -> None:
    """Record what was decided for a line."""
    set_statuses(session, [(line_id, status, explanation)])


def set_statuses(session: Session, decided: Sequence[tuple[int, str, str]]) -> None:
    """Record what was decided for many lines at once: (line id, status, explanation)."""
    rows = [{"id": i, "status": s, "explanation": e} for i, s, e in decided]
    update_rows(session, table_of(BankLineRow), rows)
