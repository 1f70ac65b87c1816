"""Benchmark: payments people already recorded in the ERP, found and checked every cycle.

Usage: .venv/bin/python -m bench.misapplied [--lines 5000] [--payments 100000] [--seeds 1 2 3]

Generates books (bench.misapplied_data) where a share of the bank lines were posted by
hand, some wrong, runs `arbridge run --once` twice on the contract layout, and prints per
seed: the share of hand-posted lines recognised, double postings (hand-posted lines that
arbridge wrote to applications.csv: must be 0), precision and recall of the
`suspected_misapplication` items, lines nobody posted that were held back, `unapplied_cash`
suggestions opened, and the time and
peak memory (RSS) of a cycle with that many ERP payments.
"""

from __future__ import annotations

import argparse
import csv
import resource
import tempfile
import time
from pathlib import Path

from sqlmodel import select

from arbridge.app import build_app
from arbridge.app.logs import configure_logging
from arbridge.config import load_settings
from arbridge.review import ReviewQueue
from arbridge.scheduler import run_cycle
from arbridge.store.tables import BankLineRow
from bench.datasets import CONTRACT_CONFIG
from bench.misapplied_data import Truth, generate


def _applied(data: Path) -> set[str]:
    path = data / "out" / "applications.csv"
    if not path.exists():
        return set()
    with path.open(newline="", encoding="utf-8") as fh:
        return {r["bank_transaction_id"] for r in csv.DictReader(fh)}


def _one(seed: int, lines: int, payments: int, orphans: int | None) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        truth = generate(data, lines=lines, payments=payments, seed=seed, orphans=orphans)
        config = CONTRACT_CONFIG.format(data=data).replace(
            "    applications:", f"    payments: {data}/erp/payments.csv\n    applications:"
        )
        (data / "arbridge.yaml").write_text(config, encoding="utf-8")
        app = build_app(load_settings(data / "arbridge.yaml"))
        started = time.perf_counter()
        summary = run_cycle(app.cycle_deps())
        first = time.perf_counter() - started
        started = time.perf_counter()
        run_cycle(app.cycle_deps())
        rerun = time.perf_counter() - started
        return _score(app.store, ReviewQueue(app.store), data, truth) | {
            "first_s": first,
            "pull_s": summary.seconds.get("erp_payments", 0.0),
            "recorded_s": summary.seconds.get("recorded", 0.0),
            "rerun_s": rerun,
        }


def _score(store: object, queue: ReviewQueue, data: Path, truth: Truth) -> dict[str, float]:
    with store.transaction() as session:  # type: ignore[attr-defined]  # the bench's store helper is typed loosely on purpose
        status = dict(session.exec(select(BankLineRow.bank_id, BankLineRow.status)).all())
    items = queue.open_items(limit=10_000_000)
    flagged = {i.bank_transaction_id for i in items if i.reason == "suspected_misapplication"}
    unsure = {i.bank_transaction_id for i in items if i.reason == "possibly_posted"}
    on_account = sum(1 for i in items if i.reason == "unapplied_cash")
    applied = _applied(data)
    hand = truth.hand_posted
    recognised = {b for b in hand if status.get(b) == "in_erp"}
    wrong = set(truth.wrong)
    hits = flagged & wrong
    return {
        "hand_posted": len(hand),
        "recognised": len(recognised) / len(hand) if hand else 1.0,
        "asked": len(hand & unsure) / len(hand) if hand else 0.0,
        "double_postings": len(hand & applied),
        "precision": len(hits) / len(flagged) if flagged else 1.0,
        "recall": len(hits) / len(wrong) if wrong else 1.0,
        "unapplied": on_account,
        "untouched_held": len(
            truth.untouched & (unsure | {b for b, s in status.items() if s == "in_erp"})
        ),
    }


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--payments", type=int, default=100_000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument(
        "--orphans", type=int, default=None, help="payments of this month with no bank line"
    )
    args = parser.parse_args()
    configure_logging("warning")
    print(
        f"{'seed':>4} {'hand':>6} {'recog':>7} {'asked':>6} {'double':>6} {'prec':>7} {'recall':>7} "
        f"{'held':>5} {'unappl':>6} {'cycle_s':>8} {'pull_s':>7} {'link_s':>7} {'rerun_s':>8}"
    )
    for seed in args.seeds:
        r = _one(seed, args.lines, args.payments, args.orphans)
        print(
            f"{seed:>4} {int(r['hand_posted']):>6} {r['recognised']:>7.2%} {r['asked']:>6.2%} "
            f"{int(r['double_postings']):>6} {r['precision']:>7.2%} {r['recall']:>7.2%} "
            f"{int(r['untouched_held']):>5} {int(r['unapplied']):>6} {r['first_s']:>8.2f} {r['pull_s']:>7.2f} {r['recorded_s']:>7.2f} "
            f"{r['rerun_s']:>8.2f}"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"peak RSS of the whole run: {peak:.0f} MB ({args.payments} ERP payments, {args.lines} lines)"
    )


if __name__ == "__main__":
    main()
