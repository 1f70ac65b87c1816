"""Golden statement files: what `read_statement` makes of every sample in tests/data/bank.

Each sample `<format>/<name>` has `<name>.expected.json` beside it: `{"lines": [...]}`
(every BankLine field; money as strings, dates ISO, `source_file` the bare file name)
for a good file (with `"notes"` when the reader noted something, e.g. a BAI2 control
total that does not add up), `{"error": {"message", "line", "field", "value", "file"}}` (the
first location of the BadInputError, file as a bare name) for a bad one. Every sample is read with
account `ACCOUNT` and currency `CURRENCY`; CSV samples with their profile from
`csv/profiles.yaml`, shaped like a bank source's `csv:` section.

`python -m tests.connectors.bank.golden` rewrites every expected file from what the
readers return now and prints which changed: run it on purpose, then read the diff.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from arbridge.app.profiles import csv_profile
from arbridge.config import CsvProfileSettings
from arbridge.connectors.bank import CsvProfile, collect_notes, read_statement
from arbridge.domain.errors import BadInputError
from arbridge.domain.records import BankLine

ACCOUNT = "golden"
CURRENCY = "USD"
DATA = Path(__file__).resolve().parents[2] / "data" / "bank"
FORMATS = ("ofx", "csv", "camt053", "bai2", "mt940", "norma43")
EXPECTED_SUFFIX = ".expected.json"
PROFILES = "profiles.yaml"


def samples(fmt: str) -> list[Path]:
    """Every sample file of one format, sorted by name."""
    folder = DATA / fmt
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.endswith(EXPECTED_SUFFIX) and p.name != PROFILES
    )


def expected_path(sample: Path) -> Path:
    """The expected-output file beside a sample."""
    return sample.with_name(sample.name + EXPECTED_SUFFIX)


def csv_profiles() -> dict[str, CsvProfile]:
    """Each CSV sample's profile, built as `arbridge bank read --profile` builds it."""
    raw = yaml.safe_load((DATA / "csv" / PROFILES).read_text(encoding="utf-8"))
    return {name: csv_profile(CsvProfileSettings.model_validate(s)) for name, s in raw.items()}


def observe(sample: Path, profiles: dict[str, CsvProfile]) -> dict[str, Any]:
    """What the reader makes of a sample, as JSON-ready data."""
    try:
        with collect_notes() as notes:
            lines = read_statement(
                sample, account=ACCOUNT, currency=CURRENCY, csv_profile=profiles.get(sample.name)
            )
    except BadInputError as exc:
        return {"error": _error(sample, exc)}
    out: dict[str, Any] = {"lines": [_line(sample, line) for line in lines]}
    if notes:
        out["notes"] = [_bare(sample, str(n)) for n in notes]
    return out


def _line(sample: Path, line: BankLine) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(line):
        value = getattr(line, f.name)
        if isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, tuple):
            value = list(value)
        elif f.name == "booked_on":
            value = value.isoformat()
        elif f.name == "source_file" and value is not None:
            value = _bare(sample, value)
        out[f.name] = value
    return out


def _error(sample: Path, exc: BadInputError) -> dict[str, Any]:
    first = exc.locations[0] if exc.locations else None
    return {
        "message": _bare(sample, exc.message),
        "line": first.line if first else None,
        "field": first.field if first else None,
        "value": first.value if first else None,
        "file": _bare(sample, first.file) if first else None,
    }


def _bare(sample: Path, text: str) -> str:
    return text.replace(str(sample), sample.name)


def render(data: dict[str, Any]) -> str:
    """The expected file's text (stable, readable, non-ASCII kept)."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def regenerate() -> list[Path]:
    """Rewrite every expected file; return those whose content changed (or were new)."""
    profiles = csv_profiles()
    changed = []
    for fmt in FORMATS:
        for sample in samples(fmt):
            target = expected_path(sample)
            text = render(observe(sample, profiles))
            old = target.read_text(encoding="utf-8") if target.exists() else None
            if old != text:
                target.write_text(text, encoding="utf-8")
                changed.append(target)
    return changed


def main() -> int:
    """Regenerate and print what changed."""
    changed = regenerate()
    for path in changed:
        print(f"changed: {path.relative_to(DATA)}")
    print(f"{len(changed)} expected file(s) changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
