"""Archives through the daemon's pull step and a real store: members are files of their own."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import select

from arbridge.connectors.bank import FolderBankSource
from arbridge.scheduler._pull import pull_bank
from arbridge.scheduler._summary import RunSummary
from arbridge.store import Store
from arbridge.store.tables import BankFileRow
from tests.connectors.bank.golden import DATA

GOOD = (DATA / "camt053" / "camt053_v02_simple.xml").read_bytes()
BAD = (DATA / "camt053" / "bad_amount.xml").read_bytes()
MISMATCH = (DATA / "bai2" / "control_totals_mismatch_noted.bai").read_bytes()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _clock() -> datetime:
    return datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _pull(store: Store, source: FolderBankSource) -> RunSummary:
    summary = RunSummary(run_id="t")
    pull_bank(store, [source], summary, _clock)
    return summary


def test_members_are_imported_quarantined_and_deduped_one_by_one(
    store: Store, tmp_path: Path
) -> None:
    """A good and a bad member: one imported, one quarantined; the same member again is skipped."""
    tmp_path = tmp_path / "in"
    tmp_path.mkdir()
    (tmp_path / "a.zip").write_bytes(_zip({"good.xml": GOOD, "bad.xml": BAD}))
    source = FolderBankSource(
        name="bank", path=tmp_path, currency="EUR", csv_profile=None, move_files=True
    )
    first = _pull(store, source)
    assert first.counts["files_imported"] == 1
    assert first.counts["files_quarantined"] == 1
    assert first.counts["lines_new"] == 3
    assert any("a.zip!bad.xml:35" in error for error in first.errors)
    with store.transaction() as session:
        names = sorted(row.name for row in session.exec(select(BankFileRow)))
    assert names == ["a.zip!bad.xml", "a.zip!good.xml"]
    assert (tmp_path / "archive" / "a.zip").exists()
    assert (tmp_path / "quarantine" / "a.zip!bad.xml").read_bytes() == BAD

    (tmp_path / "b.zip").write_bytes(_zip({"again.xml": GOOD}))
    second = _pull(store, source)
    assert second.counts["files_skipped"] == 1
    assert second.counts["files_imported"] == 0


def test_strict_source_quarantines_a_control_total_mismatch(store: Store, tmp_path: Path) -> None:
    """Off, the BAI2 file is imported; with `strict`, it is quarantined naming the 49 record."""
    lax, strict = tmp_path / "lax", tmp_path / "strict"
    for folder in (lax, strict):
        folder.mkdir()
        (folder / "day.bai").write_bytes(MISMATCH)
    imported = _pull(
        store, FolderBankSource(name="lax", path=lax, currency="USD", csv_profile=None)
    )
    assert imported.counts["files_imported"] == 1
    refused = _pull(
        store,
        FolderBankSource(name="strict", path=strict, currency="USD", csv_profile=None, strict=True),
    )
    assert refused.counts["files_quarantined"] == 1
    assert any("day.bai:6" in error and "(strict)" in error for error in refused.errors)
