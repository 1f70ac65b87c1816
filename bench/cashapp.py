"""Benchmark: cash-application quality on synthetic data with a truth file, and engine speed.

Usage: .venv/bin/python -m bench.cashapp [--lines 2000] [--seeds 1 2 3] [--format csv|ofx|camt]

For each seed: writes a dataset in the contract layout (bench.cashapp_data), times the
engine alone on it (lines/s), runs one real cycle through the CLI's composition root,
then scores DATA/out/applications.csv against the truth:

- auto-application rate: lines a careful clerk applies without asking that were applied
  exactly right (same invoices, cash and adjustments);
- false-application rate: cash applied wrongly (wrong invoice or amount, or on a line a
  clerk would question) over all cash applied; look-alike guesses are listed apart.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from arbridge.app import build_app, build_erp
from arbridge.app.logs import configure_logging
from arbridge.config import load_settings
from arbridge.matching import MatchContext, match_lines
from arbridge.scheduler import run_cycle
from bench.cashapp_data import generate
from bench.datasets import CONTRACT_CONFIG

Row = tuple[str, Decimal, Decimal, str]


@dataclass
class Score:
    lines: Counter[str] = field(default_factory=Counter)
    should: Counter[str] = field(default_factory=Counter)
    right: Counter[str] = field(default_factory=Counter)
    applied_value: defaultdict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    wrong_value: defaultdict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    examples: list[str] = field(default_factory=list)
    guesses: int = 0


def _truth(data: Path) -> dict[str, tuple[str, bool, Counter[Row]]]:
    out = {}
    with (data / "truth.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            rows: Counter[Row] = Counter()
            for item in r["allocations"].split():
                inv, cash, adj, reason = item.split(":")
                rows[(inv, Decimal(cash), Decimal(adj), reason)] += 1
            out[r["bank_transaction_id"]] = (r["case"], r["apply"] == "1", rows)
    return out


def _applied(data: Path) -> dict[str, Counter[Row]]:
    got: dict[str, Counter[Row]] = defaultdict(Counter)
    path = data / "out" / "applications.csv"
    if not path.exists():
        return got
    with path.open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            row = (
                r["invoice_id"],
                Decimal(r["amount"]),
                Decimal(r["adjustment"]),
                r["adjustment_reason"],
            )
            got[r["bank_transaction_id"]][row] += 1
    return got


def _cash(rows: Counter[Row]) -> Counter[Row]:
    """The rows with only invoice and cash kept (adjustment reasons set aside)."""
    out: Counter[Row] = Counter()
    for (invoice, cash, _, _), n in rows.items():
        out[(invoice, cash, Decimal(0), "")] += n
    return out


def score(data: Path, into: Score, descriptions: dict[str, str]) -> None:
    applied = _applied(data)
    for tx, (case, should, expected) in _truth(data).items():
        got = applied.get(tx, Counter())
        into.lines[case] += 1
        into.should[case] += should
        value = sum((row[1] * n for row, n in got.items()), Decimal(0))
        into.applied_value[case] += value
        if should and got == expected:
            into.right[case] += 1
            continue
        wrong = (
            got if not should else _cash(got) - _cash(expected)
        )  # right invoice and cash is not false
        into.wrong_value[case] += sum((row[1] * n for row, n in wrong.items()), Decimal(0))
        if (should or got) and len(into.examples) < 400:
            into.examples.append(
                f"{case:20} {tx} {descriptions.get(tx, '')!r}: want {dict(expected) if should else 'review'} got {dict(got)}"
            )


def engine_speed(config: Path) -> tuple[int, float]:
    app = build_app(load_settings(config))
    deps = app.cycle_deps()
    lines = [ln for src in deps.bank_sources for f in src.list_files() for ln in src.read(f)]
    erp = build_erp(app.settings)
    context = MatchContext(
        customers={c.customer_id: c for c in erp.fetch_customers()},
        invoices=list(erp.fetch_invoices()),
    )
    started = time.perf_counter()
    match_lines(lines, context, deps.match_settings)
    return len(lines), time.perf_counter() - started


def run_seed(lines: int, seed: int, fmt: str, total: Score) -> tuple[int, float]:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        generate(data, lines=lines, seed=seed, fmt=fmt)
        config = data / "arbridge.yaml"
        config.write_text(CONTRACT_CONFIG.format(data=data), encoding="utf-8")
        count, seconds = engine_speed(config)
        app = build_app(load_settings(config))
        run_cycle(app.cycle_deps())
        deps = app.cycle_deps()
        descriptions = {
            ln.bank_id: ln.description
            for src in deps.bank_sources
            for f in src.list_files()
            for ln in src.read(f)
        }
        score(data, total, descriptions)
    return count, seconds


def report(s: Score) -> None:
    print(
        f"{'case':22}{'lines':>7}{'clerk applies':>15}{'auto right':>12}{'rate':>8}{'false value':>14}"
    )
    for case in sorted(s.lines):
        rate = s.right[case] / s.should[case] if s.should[case] else float("nan")
        false = f"{s.wrong_value[case]:.2f}" if s.wrong_value[case] else "0"
        print(
            f"{case:22}{s.lines[case]:>7}{s.should[case]:>15}{s.right[case]:>12}{rate:>8.1%}{false:>14}"
        )
    should, right = sum(s.should.values()), sum(s.right.values())
    applied, wrong = sum(s.applied_value.values()), sum(s.wrong_value.values())
    print(
        f"overall: auto-application {right}/{should} = {right / should:.2%}; "
        f"false-application {wrong:.2f} / {applied:.2f} = {(wrong / applied if applied else 0):.3%} of value; "
        f"look-alike guesses: {s.guesses}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--show", type=int, default=0, help="print this many misses")
    parser.add_argument(
        "--format", choices=["csv", "ofx", "camt"], default="csv", help="statement format"
    )
    args = parser.parse_args()
    configure_logging("warning")
    total = Score()
    count, seconds = 0, 0.0
    for seed in args.seeds:
        n, t = run_seed(args.lines, seed, args.format, total)
        count, seconds = count + n, seconds + t
    report(total)
    print(f"engine alone: {count:,} lines in {seconds:.2f} s = {count / seconds:,.0f} lines/s")
    for example in total.examples[: args.show]:
        print(example)


if __name__ == "__main__":
    main()
