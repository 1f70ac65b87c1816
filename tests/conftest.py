"""Fixtures shared by the whole suite: a real SQLite store and the contract's file layout."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from store import Store, create_store_engine, upgrade

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "examples" / "demo"
SHARED = REPO.parent / "shared"

CONTRACT_CONFIG = """\
store:
  url: sqlite:///{data}/state.db
connectors:
  bank:
    - name: operating
      kind: folder
      path: {data}/bank
      csv:
        date: {{column: Date, format: "%m/%d/%Y"}}
        amount: {{column: Amount}}
        description: {{columns: [Description]}}
        transaction_id: {{column: Transaction ID}}
  erp:
    name: books
    kind: csv
    customers: {data}/erp/customers.csv
    invoices: {data}/erp/invoices.csv
    applications: {data}/out/applications.csv
"""


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty SQLite store in a temporary folder."""
    engine = create_store_engine(f"sqlite:///{tmp_path / 'state.db'}")
    upgrade(engine)
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
