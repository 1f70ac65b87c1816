"""The store: migrations equal the models, money stays exact, times stay aware."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Engine, Integer, MetaData, Table, insert, select
from sqlalchemy.exc import StatementError
from sqlmodel import SQLModel

import arbridge.store.tables  # noqa: F401  (registers the tables)
from arbridge.store import (
    create_store_engine,
    current_revision,
    head_revision,
    is_up_to_date,
    upgrade,
)
from arbridge.store._types import AwareDateTime, Money


def test_migrations_produce_exactly_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)

    assert diff == []


def test_upgrade_is_idempotent_and_reports_head(engine: Engine) -> None:
    assert is_up_to_date(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision(engine)


def test_empty_database_is_not_up_to_date() -> None:
    fresh = create_store_engine("sqlite://")
    assert current_revision(fresh) is None
    assert not is_up_to_date(fresh)


@pytest.fixture
def scratch(engine: Engine) -> Table:
    table = Table(
        "scratch",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("money", Money),
        Column("at", AwareDateTime),
    )
    table.create(engine)
    return table


@pytest.mark.parametrize("value", ["0.01", "-1234567.89", "99999999999.99", "0.125", "1250.00"])
def test_money_round_trips_exactly(engine: Engine, scratch: Table, value: str) -> None:
    with engine.begin() as conn:
        conn.execute(insert(scratch).values(money=Decimal(value)))
        stored = conn.execute(select(scratch.c.money)).scalar_one()

    assert stored == Decimal(value)
    assert isinstance(stored, Decimal)


def test_money_refuses_float_and_sub_cent_noise(engine: Engine, scratch: Table) -> None:
    with engine.begin() as conn, pytest.raises(StatementError, match="must be Decimal"):
        conn.execute(insert(scratch).values(money=1.1))
    with engine.begin() as conn, pytest.raises(StatementError, match="decimal places"):
        conn.execute(insert(scratch).values(money=Decimal("0.00001")))


def test_times_are_stored_utc_and_come_back_aware(engine: Engine, scratch: Table) -> None:
    local = datetime(2026, 11, 2, 9, 0, tzinfo=timezone(timedelta(hours=10)))
    with engine.begin() as conn:
        conn.execute(insert(scratch).values(at=local))
        stored = conn.execute(select(scratch.c.at)).scalar_one()

    assert stored == local
    assert stored.tzinfo is UTC


def test_naive_times_are_refused(engine: Engine, scratch: Table) -> None:
    with engine.begin() as conn, pytest.raises(StatementError, match="naive"):
        conn.execute(insert(scratch).values(at=datetime(2026, 11, 2)))  # noqa: DTZ001
