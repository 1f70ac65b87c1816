"""The queue's .xlsx export at scale, phase by phase (no HTTP): where the seconds go.

    python -m bench.export_xlsx --items 100000 [--repeat 3]

Fills a fresh SQLite store as `bench.review_queue` does, then times, each --repeat times:
reading the export's rows alone (query and row building), the CSV export, the .xlsx
export, and the same workbook through openpyxl's write-only mode (its former writer).
Prints the median and best wall seconds and the rows or bytes written.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

from arbridge.domain.review import ReviewStatus
from arbridge.store import Store, create_store_engine, upgrade
from arbridge.store.reviews import ReviewFilter
from arbridge.web import export
from bench.review_queue import fill

ACTIVE = (ReviewStatus.OPEN, ReviewStatus.ASSIGNED)


def _drain(parts: Iterator[object]) -> int:
    """Consume an export; returns how many pieces (or rows) it gave."""
    return sum(len(p) if isinstance(p, list) else 1 for p in parts)


def _time(name: str, repeat: int, run: Callable[[], int]) -> None:
    took, size = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        size = run()
        took.append(time.perf_counter() - start)
    print(f"{name:30} {statistics.median(took):9.2f} {min(took):9.2f} {size:>12,}")


def _openpyxl(store: Store, wanted: ReviewFilter) -> int:
    """The same workbook through openpyxl's write-only mode (the export's former writer)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Review queue")
    sheet.append(list(export.HEADER))
    for chunk in export.rows(store, "books", wanted):
        for row in chunk:
            sheet.append([c.replace(tzinfo=None) if isinstance(c, datetime) else c for c in row])
    with tempfile.TemporaryFile() as out:
        book.save(out)
        return out.tell()


def main() -> None:
    """Fill a store with --items open items and time the export's phases."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_store_engine(f"sqlite:///{Path(tmp) / 'state.db'}")
        upgrade(engine)
        store = Store(engine)
        start = time.perf_counter()
        fill(store, args.items)
        print(f"filled {args.items:,} items in {time.perf_counter() - start:.1f} s")
        wanted = ReviewFilter(statuses=[s.value for s in ACTIVE])  # the queue's default filter
        print(f"{'phase':30} {'median s':>9} {'best s':>9} {'rows/bytes':>12}")
        _time("rows only", args.repeat, lambda: _drain(export.rows(store, "books", wanted)))
        csv_bytes = lambda: sum(len(p) for p in export.csv_text(store, "books", wanted))  # noqa: E731 (a one-line bench step)
        _time("csv (whole queue)", args.repeat, csv_bytes)
        xlsx = lambda: sum(len(p) for p in export.xlsx_file(store, "books", wanted))  # noqa: E731 (a one-line bench step)
        _time("xlsx (whole queue)", args.repeat, xlsx)
        before = lambda: _openpyxl(store, wanted)  # noqa: E731 (a one-line bench step)
        _time("xlsx, openpyxl write-only", args.repeat, before)
        engine.dispose()


if __name__ == "__main__":
    main()
