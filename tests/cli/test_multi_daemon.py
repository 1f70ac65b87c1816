"""Three daemons on one PostgreSQL store share a backlog; one is killed -9; nothing twice."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench.datasets import write_dataset
from bench.multi import clean_rows, run_daemons
from tests.postgres_server import PostgresServer


@pytest.mark.slow
def test_three_daemons_one_killed_apply_every_line_exactly_once(
    tmp_path: Path, postgres: PostgresServer
) -> None:
    pristine = tmp_path / "pristine"
    write_dataset(pristine, 900, 2700, seed=11)
    clean = clean_rows(tmp_path, pristine)
    work = tmp_path / "shared"
    shutil.copytree(pristine, work)

    result = run_daemons(
        work,
        postgres.fresh_database_empty(),
        daemons=3,
        kill_after_sent=sum(clean.values()) // 4,
        claim_seconds=5,
        claim_batch=10,
        timeout=240,
    )

    assert result.killed_pid is not None
    assert result.rows == clean  # every application once: none missing, none twice
    assert len(result.posted_by) >= 2  # the work really was shared
