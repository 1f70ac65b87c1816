"""Share of the real statements in ../shared/bank-samples that arbridge reads correctly.

    python -m bench.bank_samples [--verbose]

Each MANIFEST.tsv row says what its source project's own tests assert. A file counts
as read correctly when it is rejected (BadInputError) where the source expects a
failure, or read where it expects success, with the asserted transaction count and
amounts where the manifest gives them. CSV files are read without a profile, as a
source without `csv:` reads them: with the preset whose header they have (none: a miss).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from arbridge.connectors.bank import collect_notes, read_statement
from arbridge.domain.errors import BadInputError
from arbridge.domain.records import BankLine

_REPO = Path(__file__).resolve().parents[1]
_SHARED: list[str | Path] = [
    os.environ.get("ARBRIDGE_SHARED", ""),
    _REPO.parent / "shared",
    _REPO.parents[1] / "shared",
]
SAMPLES = next(
    (Path(p) / "bank-samples" for p in _SHARED if p and (Path(p) / "bank-samples").is_dir()),
    _REPO.parent / "shared" / "bank-samples",
)
_COUNT_KEYS = ("txn_count", "txn_count_after_filter", "stmttrn_tag_count")


def _read(path: Path) -> list[BankLine]:
    with collect_notes():  # notes are not misses; keep them off the output
        return read_statement(path, account="a", currency="USD", csv_profile=None)


def _expected_count(facts: dict[str, Any]) -> int | None:
    for key in _COUNT_KEYS:
        if isinstance(facts.get(key), int):
            return int(facts[key])
    statements = facts.get("statements")
    if isinstance(statements, list):
        return sum(int(s.get("txn_count", 0)) for s in statements)
    return None


def _expected_amounts(facts: dict[str, Any]) -> list[str]:
    if isinstance(facts.get("amounts"), list):
        return list(facts["amounts"])
    if isinstance(facts.get("amounts_date_order"), list):
        return list(facts["amounts_date_order"])
    found: list[str] = []
    for statement in facts.get("statements") or []:
        found += statement.get("amounts") or []
    return found


def _first_amount(facts: dict[str, Any]) -> str | None:
    for key in ("first_entry_amount", "first_amount"):
        if facts.get(key):
            return str(facts[key])
    first = facts.get("first_txn")
    return str(first["amount"]) if isinstance(first, dict) and first.get("amount") else None


def judge(path: Path, facts: dict[str, Any]) -> tuple[bool, str]:
    """(read correctly, why not) for one sample."""
    try:
        lines = _read(path)
    except BadInputError as exc:
        return bool(facts.get("must_fail")), f"rejected: {exc}"
    if facts.get("must_fail"):
        return False, f"read {len(lines)} line(s); the source expects a failure"
    count = _expected_count(facts)
    if count is not None and count != len(lines):
        return False, f"{len(lines)} line(s), expected {count}"
    amounts = sorted(Decimal(a) for a in _expected_amounts(facts))
    if amounts and amounts != sorted(line.amount for line in lines):
        return False, "amounts differ"
    first = _first_amount(facts)
    if first is not None and (not lines or lines[0].amount != Decimal(first)):
        return False, f"first amount {lines[0].amount if lines else None}, expected {first}"
    return True, ""


def main() -> int:
    """Print the share read correctly (and, with --verbose, each miss)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    manifest = SAMPLES / "MANIFEST.tsv"
    if not manifest.exists():
        print(f"no samples at {SAMPLES}")
        return 1
    with manifest.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    good = 0
    for row in rows:
        ok, why = judge(SAMPLES / row["local_path"], json.loads(row["expected"] or "{}"))
        good += ok
        if args.verbose and not ok:
            print(f"MISS {row['local_path']}: {why[:160]}")
    print(f"read correctly: {good}/{len(rows)} = {100 * good / len(rows):.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
