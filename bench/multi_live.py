"""Several `arbridge run` daemons on one PostgreSQL store against a networked ERP stand-in.

The Acumatica stand-in (bench/erp_fakes/live.py) runs as its own process over real
HTTP, with `--latency` seconds added to every API call (a remote ERP's round trip and
work) and no vendor request windows (`--unlimited`: the tenant's limits are not what is
measured; with them, every daemon shares one vendor budget). Acumatica takes one
payment per call (create, then release), so posting is bound by that latency. Each daemon is the installed CLI.
Finished when the stand-in's ledger holds every payment of the bank file and the outbox
has nothing pending. Duplicates and missing payments are counted on the stand-in's own
ledger, where the money lands.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import inspect, text

from arbridge.store import create_store_engine
from bench.datasets import CONTRACT_CONFIG
from bench.erp_fakes.livedata import write_bank

ARBRIDGE = Path(sys.executable).parent / "arbridge"

_CONTRACT_BANK = CONTRACT_CONFIG[
    CONTRACT_CONFIG.index("connectors:\n") : CONTRACT_CONFIG.index("  erp:\n")
]
"""The contract's bank connector: the same folder and csv columns as every acceptance run."""

STORE_AND_BANK = (
    """\
store:
  url: {url}
  shared: true
  claim_seconds: {claim}
  claim_batch: {batch}
  decide_chunk: {chunk}
  snapshot_reuse_seconds: {reuse}
"""
    + _CONTRACT_BANK
    + """\
  erp:
    name: books
    kind: acumatica
    site: {erp}/AcumaticaERP
    endpoint_version: 24.200.001
    username: apiuser
    password: file:{data}/acu.secret
    company: MyTenant
    payment_method: CHECK
    cash_account: "10200"
    requests_per_minute: 1000000
    timeout_seconds: 10
schedule:
  interval_seconds: 1
"""
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Knobs:
    """The store settings each daemon runs with."""

    claim_seconds: int = 15
    claim_batch: int = 50
    decide_chunk: int = 250
    reuse_seconds: float = 30.0


@dataclass(frozen=True, slots=True)
class LiveRun:
    """What one run with N daemons did."""

    daemons: int
    payments: int
    seconds: float
    duplicates: int
    missing: int
    killed_pid: int | None
    posted_by: list[int]
    reused: int

    @property
    def per_second(self) -> float:
        """Payments decided and delivered per second of wall time."""
        return self.payments / self.seconds

    def line(self) -> str:
        """One line of figures."""
        return (
            f"{self.daemons} daemon(s): {self.payments:,} payments in {self.seconds:6.1f} s "
            f"({self.per_second:5.1f}/s); duplicates {self.duplicates}, missing "
            f"{self.missing} (stand-in's ledger); killed: {self.killed_pid or 'none'}; "
            f"deliveries by daemon: {self.posted_by}; ERP reads reused: {self.reused}"
        )


class StandIn:
    """The Acumatica stand-in as a child process."""

    def __init__(self, payments: int, latency: float) -> None:
        command = [sys.executable, "-m", "bench.erp_fakes.live", "--vendor", "acumatica"]
        command += ["--invoices", str(payments), "--latency", str(latency), "--unlimited"]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        first = self.process.stdout.readline().split()
        if first[:1] != ["LISTENING"]:
            self.process.kill()
            raise SystemExit(f"the stand-in did not start: {first}")
        self.url = f"http://127.0.0.1:{first[1]}"

    def ledger(self) -> list[tuple[str, str]]:
        """(document number, invoice) of every payment line the stand-in holds."""
        report: dict[str, Any] = httpx.get(f"{self.url}/_bench/ledger", timeout=30).json()
        return [(str(a), str(b)) for a, b in report["ledger"]]

    def stop(self) -> None:
        """End the stand-in."""
        self.process.terminate()
        self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()


def write_config(data: Path, url: str, erp: str, knobs: Knobs) -> Path:
    """The bank file, the secret and a config for shared daemons."""
    (data / "bank").mkdir(parents=True, exist_ok=True)
    (data / "acu.secret").write_text("acu-s3cret", encoding="utf-8")
    (data / "acu.secret").chmod(0o600)
    config = data / "arbridge.yaml"
    values = {
        "url": url,
        "erp": erp,
        "data": data,
        "claim": knobs.claim_seconds,
        "batch": knobs.claim_batch,
        "chunk": knobs.decide_chunk,
        "reuse": knobs.reuse_seconds,
    }
    config.write_text(STORE_AND_BANK.format(**values), encoding="utf-8")
    return config


def _scalar(url: str, query: str) -> int:
    engine = create_store_engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("outbox"):
                return -1  # not migrated yet
            return int(conn.execute(text(query)).scalar_one())
    finally:
        engine.dispose()


def _by_daemon(url: str) -> list[int]:
    engine = create_store_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT count(*) FROM outbox WHERE status = 'sent' GROUP BY claimed_by")
            )
            return sorted((int(n) for (n,) in rows), reverse=True)
    finally:
        engine.dispose()


def _reused(url: str) -> int:
    return _scalar(url, "SELECT coalesce(sum((counts->>'erp_reused')::int), 0) FROM run")


def run_live(
    data: Path,
    url: str,
    *,
    payments: int,
    latency: float,
    daemons: int,
    kill_after: int | None,
    knobs: Knobs,
    timeout: float = 1200,
) -> LiveRun:
    """Run daemons against a fresh stand-in until every payment is in its ledger."""
    stand_in = StandIn(payments, latency)
    try:
        config = write_config(data, url, stand_in.url, knobs)
        write_bank(data / "bank" / "statement.csv", payments)
        command = [str(ARBRIDGE), "--config", str(config), "run"]
        started = time.perf_counter()
        procs = [
            subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(daemons)
        ]
        killed: int | None = None
        try:
            while True:
                if time.perf_counter() - started > timeout:
                    raise TimeoutError("the daemons did not deliver the backlog")
                keys = {k for k, _ in stand_in.ledger()}
                if kill_after is not None and killed is None and len(keys) >= kill_after:
                    procs[0].send_signal(signal.SIGKILL)
                    killed = procs[0].pid
                pending = "SELECT count(*) FROM outbox WHERE status = 'pending'"
                if len(keys) >= payments and _scalar(url, pending) == 0:
                    break
                time.sleep(0.25)
            seconds = time.perf_counter() - started
        finally:
            _stop(procs)
        pairs = Counter(stand_in.ledger())
        keys = {k for k, _ in pairs}
        return LiveRun(
            daemons=daemons,
            payments=payments,
            seconds=seconds,
            duplicates=sum(n - 1 for n in pairs.values() if n > 1),
            missing=payments - len(keys),
            killed_pid=killed,
            posted_by=_by_daemon(url),
            reused=_reused(url),
        )
    finally:
        stand_in.stop()


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
