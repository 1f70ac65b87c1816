"""Bulk inserts (COPY on PostgreSQL) store every kind of value as the ORM would."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import SQLModel, select

from arbridge.domain.records import BankLine
from arbridge.store import Store, bank
from arbridge.store.tables import BankLineRow

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_imported_lines_read_back_exactly(store: Store) -> None:
    lines = [
        BankLine(
            account="op",
            bank_id="TX1",
            booked_on=date(2026, 11, 2),
            amount=Decimal("-1234.5678"),
            currency="EUR",
            description='comma, "quote"\ttab',
            payer_name=None,
            payer_account="DE89 3704",
            references=("INV-1", "PO 7"),
            source_line=2,
        ),
        BankLine(
            account="op",
            bank_id="TX2",
            booked_on=date(2026, 11, 3),
            amount=Decimal("0.10"),
            currency="USD",
            description="back\\slash\nnewline",
            references=(),
            source_line=3,
        ),
    ]

    with store.transaction() as session:
        row = bank.import_file(
            session, source="op", path="/in/a.csv", name="a.csv", sha256="ab", lines=lines, now=NOW
        )
        ids = bank.pending_lines(session)
        loaded = [line for _, line in bank.load_lines(session, list(ids.values()))]

    assert row.new_line_count == 2
    assert [(ln.account, ln.bank_id) for ln in loaded] == [("op", "TX1"), ("op", "TX2")]
    expected = [dataclasses.replace(ln, source_file="/in/a.csv") for ln in lines]
    assert loaded == expected


def test_many_statuses_are_set_each_to_its_own_line(store: Store) -> None:
    lines = [
        BankLine(
            account="op",
            bank_id=f"TX{n}",
            booked_on=date(2026, 11, 2),
            amount=Decimal(n),
            currency="USD",
            description=f"line {n}",
        )
        for n in range(1, 8)
    ]
    with store.transaction() as session:
        bank.import_file(
            session, source="op", path="/in/b.csv", name="b.csv", sha256="cd", lines=lines, now=NOW
        )
        ids = bank.pending_lines(session)
        decided = [
            (ids["op", f"TX{n}"], ("applied", "review")[n % 2], f"why {n}") for n in (2, 3, 5)
        ]
        bank.set_statuses(session, decided)

    with store.transaction() as session:
        rows = session.exec(select(BankLineRow).where(BankLineRow.account == "op")).all()
        got = {r.bank_id: (r.status, r.explanation) for r in rows}
    assert got == {
        "TX1": ("pending", None),
        "TX2": ("applied", "why 2"),
        "TX3": ("review", "why 3"),
        "TX4": ("pending", None),
        "TX5": ("review", "why 5"),
        "TX6": ("pending", None),
        "TX7": ("pending", None),
    }


def test_bulk_inserted_times_are_stored_as_the_orm_binds_them(store: Store) -> None:
    # SQLite's fast path once left datetimes to sqlite3's default adapter (deprecated since
    # Python 3.12), which wrote "+00:00" where SQLAlchemy writes none.
    line = BankLine(
        account="op",
        bank_id="TX1",
        booked_on=date(2026, 11, 2),
        amount=Decimal(1),
        currency="USD",
        description="x",
    )
    table = SQLModel.metadata.tables[str(BankLineRow.__tablename__)]
    with store.transaction() as session:
        bank.import_file(
            session, source="op", path="/in/c.csv", name="c.csv", sha256="ef", lines=[line], now=NOW
        )
        db = session.connection()
        stored = db.execute(
            sa.select(sa.cast(table.c.created_at, sa.String), sa.cast(table.c.booked_on, sa.String))
        ).one()
        bound = db.execute(
            sa.select(
                sa.cast(sa.bindparam("t", NOW, type_=table.c.created_at.type), sa.String),
                sa.cast(sa.bindparam("d", line.booked_on, type_=table.c.booked_on.type), sa.String),
            )
        ).one()
    assert tuple(stored) == tuple(bound)
