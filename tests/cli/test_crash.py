"""kill -9 at random points of a cycle: after a restart the ERP holds every application once."""

from __future__ import annotations

import random
import shutil
import time
from pathlib import Path

import pytest

from bench.crash import applied_rows, prepare, run_once, trial


@pytest.mark.slow
def test_killed_cycles_leave_the_erp_as_a_clean_run_would(tmp_path: Path) -> None:
    pristine = prepare(tmp_path, 800)
    shutil.copytree(pristine, tmp_path / "clean")
    started = time.perf_counter()
    run_once(tmp_path / "clean")
    full = time.perf_counter() - started
    clean = applied_rows(tmp_path / "clean")
    assert sum(clean.values()) > 300
    rng = random.Random(20261123)

    outcomes = [
        trial(pristine, tmp_path / f"t{n}", clean, rng.uniform(full * 0.3, full * 1.0))
        for n in range(5)
    ]

    assert [t.matches_clean_run for t in outcomes] == [True] * 5, outcomes
    assert any(t.killed for t in outcomes)
