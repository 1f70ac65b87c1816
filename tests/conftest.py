"""Fixtures shared by the whole suite: a real SQLite store and the contract's file layout."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from arbridge.connectors.bank import CsvProfile
from arbridge.store import Store, create_store_engine, upgrade
from bench.datasets import CONTRACT_CONFIG
from bench.postgres_server import PostgresServer, find_bindir

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "examples" / "demo"
SHARED = Path(os.environ.get("ARBRIDGE_SHARED", str(REPO.parent / "shared")))
"""The shared folder beside the repository (override with ARBRIDGE_SHARED in a worktree)."""


CONTRACT_PROFILE = CsvProfile(
    date_column="Date",
    date_format="%m/%d/%Y",
    description_columns=("Description",),
    amount_column="Amount",
    transaction_id_column="Transaction ID",
)
"""The bank CSV profile of CONTRACT.md §2, for tests that build a bank source directly."""


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the session, with a migrated template database."""
    bindir = find_bindir()
    if bindir is None:
        pytest.skip(
            "PostgreSQL is not installed (run scripts/test-deps as root to install it): "
            "the PostgreSQL half of the suite did NOT run"
        )
    server = PostgresServer(bindir)
    server.start()
    template = create_store_engine(server.create_template())
    upgrade(template)
    template.dispose()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL to a migrated, empty store: SQLite in a temp folder, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'state.db'}"
        migrated = create_store_engine(url)
        upgrade(migrated)
        migrated.dispose()
        return url
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.fresh_database()


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    """A migrated, empty store, on each supported database in turn."""
    engine = create_store_engine(store_url)
    yield engine
    engine.dispose()


@pytest.fixture
def store(engine: Engine) -> Store:
    """The store over the migrated engine."""
    return Store(engine)


@pytest.fixture
def contract_data(tmp_path: Path) -> Path:
    """The contract layout (CONTRACT.md §1) filled with the demo data, config written verbatim.

    Returns the DATA folder; the config is `DATA/arbridge.yaml` with absolute paths.
    """
    data = tmp_path / "data"
    shutil.copytree(DEMO / "erp", data / "erp")
    shutil.copytree(DEMO / "bank", data / "bank")
    (data / "arbridge.yaml").write_text(CONTRACT_CONFIG.format(data=data), encoding="utf-8")
    return data


@pytest.fixture
def contract_data_any_store(contract_data: Path, store_url: str) -> Path:
    """`contract_data` with its config pointing at each supported database in turn."""
    config = contract_data / "arbridge.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace(f"sqlite:///{contract_data}/state.db", store_url), encoding="utf-8"
    )
    return contract_data
