"""Benchmark: cycles and virtual minutes to drain a posting backlog through a flaky ERP.

Usage: .venv/bin/python -m bench.erp_drain [--lines 1000] [--faults 0.1] [--only quickbooks]

Real cycles (`run_cycle`: bank import, match, push) on a SQLite store, against the
vendor fakes behind `bench.erp_posting.VendorLimits` (the vendor's request windows on
a virtual clock). A share `--faults` of all ERP calls fails at random: 429, 503,
a connection never made, or an answer lost after the ERP acted. Prints per vendor
the applications decided, the cycles until nothing is left pending, applications
per virtual minute of pushing, and duplicates / missing against the fake's ledger.
"""

from __future__ import annotations

import argparse
import random
import tempfile
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import respx

from arbridge.app.logs import configure_logging
from arbridge.connectors.bank import CsvProfile, FolderBankSource
from arbridge.connectors.base import ErpGateway
from arbridge.connectors.erp import CsvErpGateway
from arbridge.scheduler import CycleDeps, run_cycle
from arbridge.store import Store, create_store_engine, postings, upgrade
from bench.datasets import write_dataset
from bench.erp_posting import VENDORS, Vendor, VendorLimits, VirtualClock, fake_for

PROFILE = CsvProfile(
    date_column="Date",
    date_format="%m/%d/%Y",
    description_columns=("Description",),
    amount_column="Amount",
    transaction_id_column="Transaction ID",
)
MAX_CYCLES = 200


class Chaos:
    """Fails `rate` of the fake's calls at random, in the ways an unwell ERP does."""

    def __init__(self, rng: random.Random, rate: float) -> None:
        self.rng, self.rate, self.injected = rng, rate, Counter[str]()
        self.queued: dict[str, list[Any]] = {}
        self.calls: Counter[str] = Counter()

    def add(self, operation: str, *faults: Any) -> None:
        """Unused here (the fakes' Faults interface)."""

    def wrap(
        self, operation: str, handler: Callable[[httpx.Request], httpx.Response]
    ) -> Callable[[httpx.Request], httpx.Response]:
        """The fake's handler behind a random fault."""

        def side_effect(request: httpx.Request) -> httpx.Response:
            self.calls[operation] += 1
            if operation in ("login", "logout", "token") or self.rng.random() >= self.rate:
                return handler(request)
            kind = self.rng.choice(["429", "503", "connect", "lost"])
            self.injected[kind] += 1
            if kind == "429":
                return httpx.Response(429, json={"error": {"code": "Throttled", "message": "429"}})
            if kind == "503":
                return httpx.Response(503, text="Service Unavailable")
            if kind == "connect":
                raise httpx.ConnectError("connection refused", request=request)
            handler(request)  # done on the ERP's side, the answer never arrives
            raise httpx.ReadTimeout("answer lost", request=request)

        return side_effect


def _store(folder: Path) -> Store:
    url = f"sqlite:///{folder / 'state.db'}"
    engine = create_store_engine(url)
    upgrade(engine)
    return Store(engine)


def _pending(store: Store, erp: str) -> int:
    with store.transaction() as session:
        return sum(1 for _ in postings.pending(session, erp))


def drain(vendor: Vendor, lines: int, rate: float, latency: float) -> str:
    """Run cycles until the backlog is drained; one line of figures."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        write_dataset(data, lines, lines * 3, seed=11)
        seed = CsvErpGateway(
            name="seed",
            customers=data / "erp" / "customers.csv",
            invoices=data / "erp" / "invoices.csv",
            applications=data / "none.csv",
        )
        fake: Any = fake_for(vendor.name, list(seed.fetch_customers()), list(seed.fetch_invoices()))
        chaos = Chaos(random.Random(20261130), rate)
        fake.faults = chaos
        router = respx.MockRouter(assert_all_called=False)
        fake.install(router)
        clock = VirtualClock()
        throttled = httpx.Response(429, json={"error": {"code": "Unknown", "message": "throttled"}})
        transport = VendorLimits(
            router, vendor.windows, clock, latency, throttled, batch_windows=vendor.batch_windows
        )
        gateway: ErpGateway = vendor.build(router, clock, transport, data)
        store = _store(data)
        bank = FolderBankSource(
            name="operating", path=data / "bank", currency="USD", csv_profile=PROFILE
        )
        extra: dict[str, Any] = {}
        if "retry_sleep" in CycleDeps.__dataclass_fields__:
            extra["retry_sleep"] = clock.sleep
        deps = CycleDeps(
            store=store,
            bank_sources=[bank],
            erp=gateway,
            clock=lambda: datetime.fromtimestamp(1_790_000_000 + clock.now, UTC),
            **extra,
        )
        return _cycles(vendor, deps, store, fake, clock=clock, rate=rate)


def _cycles(
    vendor: Vendor, deps: CycleDeps, store: Store, fake: Any, *, clock: VirtualClock, rate: float
) -> str:
    pushing, cycles = 0.0, 0
    for cycles in range(1, MAX_CYCLES + 1):  # noqa: B007 - the count is the result
        started = clock.now
        summary = run_cycle(deps)
        if summary.counts.get("posted") or summary.counts.get("already_posted"):
            pushing += clock.now - started
        if _pending(store, deps.erp.name) == 0:
            break
    with store.transaction() as session:
        depth = postings.outbox_depth(session)
    ledger = Counter(fake.ledger())
    dupes = sum(n - 1 for n in ledger.values() if n > 1)
    missing = depth.get("sent", 0) - len({key for key, _part in ledger})
    per_min = depth.get("sent", 0) / (pushing / 60) if pushing else 0.0
    return (
        f"{vendor.name:17s} faults {rate:4.0%}  sent {depth.get('sent', 0):5d}  "
        f"rejected {depth.get('rejected', 0):3d}  pending {depth.get('pending', 0):3d}  "
        f"cycles {cycles:3d}  {per_min:7.1f} apps/min (virtual)  "
        f"duplicates {dupes}  missing {missing}"
    )


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=1000, help="bank lines (about 70%% decided)")
    parser.add_argument("--faults", type=float, default=0.1)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--only", choices=[v.name for v in VENDORS])
    args = parser.parse_args()
    configure_logging("error")
    for vendor in VENDORS:
        if args.only in (None, vendor.name):
            print(drain(vendor, args.lines, args.faults, args.latency), flush=True)


if __name__ == "__main__":
    main()
