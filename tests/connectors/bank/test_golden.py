"""Every golden sample in tests/data/bank reads exactly as its `.expected.json` says.

After a deliberate change to a reader: `make golden`, then review the diff of the
expected files before committing them.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from tests.connectors.bank.golden import (
    DATA,
    FORMATS,
    csv_profiles,
    expected_path,
    observe,
    render,
    samples,
)

MIN_SAMPLES = 10
MIN_MALFORMED = 4
ALL = [sample for fmt in FORMATS for sample in samples(fmt)]


def _id(sample: Path) -> str:
    return str(sample.relative_to(DATA))


def _expected(sample: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads(expected_path(sample).read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("sample", ALL, ids=_id)
def test_sample_reads_as_expected(sample: Path) -> None:
    """The reader's lines (or its error) for the sample equal the expected file."""
    target = expected_path(sample)
    assert target.exists(), f"{_id(sample)} has no {target.name}; run `make golden`"
    expected = _expected(sample)
    observed = observe(sample, csv_profiles())
    if observed != expected:
        diff = difflib.unified_diff(
            render(expected).splitlines(),
            render(observed).splitlines(),
            fromfile=f"{target.name} (expected)",
            tofile=f"{sample.name} (read now)",
            lineterm="",
        )
        pytest.fail("reader output differs from the golden file:\n" + "\n".join(diff))


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_keeps_its_samples(fmt: str) -> None:
    """No one deletes samples silently: >= 10 per format, >= 4 of them malformed."""
    found = samples(fmt)
    bad = [s for s in found if expected_path(s).exists() and "error" in _expected(s)]
    assert len(found) >= MIN_SAMPLES, [s.name for s in found]
    assert len(bad) >= MIN_MALFORMED, [s.name for s in bad]
    assert len(found) - len(bad) >= MIN_SAMPLES - MIN_MALFORMED


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_expected_file_has_its_sample(fmt: str) -> None:
    """An expected file left behind by a renamed or deleted sample is caught."""
    names = {s.name for s in samples(fmt)}
    for target in (DATA / fmt).glob("*.expected.json"):
        assert target.name.removesuffix(".expected.json") in names, target.name


def test_every_csv_sample_has_a_profile() -> None:
    """A CSV sample without a profile would only test the 'no profile' error."""
    profiles = csv_profiles()
    assert {s.name for s in samples("csv")} == set(profiles)


MALFORMED = [s for s in ALL if expected_path(s).exists() and "error" in _expected(s)]


@pytest.mark.parametrize("sample", MALFORMED, ids=_id)
def test_malformed_sample_error_names_file_and_where(sample: Path) -> None:
    """Each rejection names the file and at least a line or a field."""
    error = _expected(sample)["error"]
    assert isinstance(error, dict)
    assert error["file"] == sample.name or error["file"].startswith(sample.name + "!")
    assert error["line"] is not None or error["field"] is not None
