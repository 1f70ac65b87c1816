"""Benchmark: a 2,000-payment backlog through `arbridge run --once` against live ERP stand-ins.

Usage: python -m bench.erp_live [--apps 2000] [--faults 0.1] [--only quickbooks] [--cycles 4]
       [--clean-only | --faults-only] [--calls]

Each stand-in (bench/erp_fakes/live.py) runs as its own process on 127.0.0.1 over
real HTTP, with the vendor's request windows, and once clean and once with
`--faults` of its calls failing (429, 503, hangs, answers lost after the ERP acted).
arbridge runs as the installed CLI in a subprocess, its config pointing `api_url` /
`token_url` (Acumatica: `site`) at the stand-in, cycle after cycle until nothing is
left to post. Printed per run: postings/min while pushing (first to last write the
stand-in saw) and as a share of what the vendor's limits allow at best, the same over
the whole run's wall time (reads and matching included), cycles to drain, and
duplicates / missing against the stand-in's ledger. Vendor windows slide (BC 5 min,
the others 1 min): a backlog that fits one window runs above the per-minute average,
so pass a bigger `--apps` to see the sustained rate. Needs only what `make install`
installs (no test tools).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.datasets import CONTRACT_CONFIG
from bench.erp_fakes import fake_qbo
from bench.erp_fakes.limits import ACUMATICA_CONCURRENT, ACUMATICA_PER_MINUTE, VENDORS
from bench.erp_fakes.livedata import write_bank

TIMEOUT_SECONDS = 2.0
"""The connector's `timeout_seconds`: a hung call costs this much (the stand-in holds it longer)."""

STORE_AND_BANK = CONTRACT_CONFIG[: CONTRACT_CONFIG.index("  erp:\n")]
"""The contract's store and bank folder; each vendor's `erp:` section follows."""

ERP = {
    "business_central": """\
  erp:
    name: books
    kind: business_central
    tenant: tenant-1
    company: CRONUS
    client_id: app-1
    client_secret: file:{data}/bc.secret
    api_url: {url}
    token_url: {url}/{{tenant}}/oauth2/v2.0/token
    timeout_seconds: {timeout}
""",
    "quickbooks": """\
  erp:
    name: books
    kind: quickbooks
    realm_id: "{realm}"
    client_id: client-1
    client_secret: file:{data}/qbo.secret
    refresh_token_file: {data}/qbo.token
    api_url: {url}
    token_url: {url}/oauth2/v1/tokens/bearer
    timeout_seconds: {timeout}
""",
    "acumatica": """\
  erp:
    name: books
    kind: acumatica
    site: {url}/AcumaticaERP
    endpoint_version: 24.200.001
    username: apiuser
    password: file:{data}/acu.secret
    company: MyTenant
    payment_method: CHECK
    cash_account: "10200"
    requests_per_minute: {acu_rpm}
    concurrent_requests: {acu_concurrent}
    timeout_seconds: {timeout}
""",
}

SECRETS = {
    "bc.secret": "s3cret-value",
    "qbo.secret": "qbo-s3cret",
    "qbo.token": "rt-0",
    "acu.secret": "acu-s3cret",
}


@dataclass
class Outcome:
    """What one run measured."""

    vendor: str
    faults: float
    cycles: int
    drained: bool
    wall: float
    report: dict[str, Any]
    expected: int

    def line(self) -> str:
        """One line of figures."""
        spec = VENDORS[self.vendor]
        pairs = Counter(tuple(p) for p in self.report["ledger"])
        keys = {k for k, _ in pairs}
        dupes = sum(n - 1 for n in pairs.values() if n > 1)
        missing = self.expected - len(keys)
        first, last = self.report["first_write"], self.report["last_write"]
        pushing = (last - first) / 60 if first and last and last > first else 0.0
        rate = len(keys) / pushing if pushing else 0.0
        return (
            f"{self.vendor:17s} faults {self.faults:4.0%}  posted {len(keys):5d}/{self.expected}  "
            f"{rate:7.1f} postings/min = {rate / spec.best_postings_per_minute:4.0%} of "
            f"{spec.best_postings_per_minute:.0f}/min ({spec.limit_note}); "
            f"{len(keys) / (self.wall / 60):.0f}/min over the whole run  "
            f"cycles {self.cycles}{'' if self.drained else ' (NOT drained)'}  "
            f"duplicates {dupes}  missing {missing}  wall {self.wall:6.1f} s  "
            f"requests {self.report['requests']} (429 by limit {self.report['throttled']}, "
            f"injected {self.report['injected'] or '-'}; "
            f"at once: peak {self.report.get('concurrent_peak') or '-'})"
        )


def _start(vendor: str, apps: int, faults: float) -> tuple[subprocess.Popen[str], str]:
    """Start a stand-in; its process and base URL."""
    hang = str(TIMEOUT_SECONDS + 1.0)
    command = [sys.executable, "-m", "bench.erp_fakes.live", "--vendor", vendor]
    command += ["--invoices", str(apps), "--faults", str(faults), "--hang", hang]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    first = process.stdout.readline().split()
    if first[:1] != ["LISTENING"]:
        process.kill()
        raise SystemExit(f"the {vendor} stand-in did not start: {first}")
    return process, f"http://127.0.0.1:{first[1]}"


def _report(url: str) -> dict[str, Any]:
    result: dict[str, Any] = httpx.get(f"{url}/_bench/ledger", timeout=30).json()
    return result


def _config(data: Path, vendor: str, url: str) -> Path:
    for name, value in SECRETS.items():
        (data / name).write_text(value, encoding="utf-8")
        (data / name).chmod(0o600)
    text = STORE_AND_BANK.format(data=data) + ERP[vendor].format(
        data=data,
        url=url,
        timeout=TIMEOUT_SECONDS,
        realm=fake_qbo.REALM,
        acu_rpm=ACUMATICA_PER_MINUTE,
        acu_concurrent=ACUMATICA_CONCURRENT,
    )
    path = data / "arbridge.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _arbridge() -> str:
    """The installed CLI next to this interpreter."""
    return str(Path(sys.executable).parent / "arbridge")


def run(vendor: str, apps: int, faults: float, max_cycles: int) -> Outcome:
    """One backlog against one stand-in: cycles until drained or `max_cycles`."""
    process, url = _start(vendor, apps, faults)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp)
            (data / "bank").mkdir()
            write_bank(data / "bank" / "statement.csv", apps)
            config = _config(data, vendor, url)
            started, cycles, drained = time.monotonic(), 0, False
            for cycles in range(1, max_cycles + 1):  # noqa: B007 - the count is the result
                done = subprocess.run(
                    [_arbridge(), "--config", str(config), "run", "--once"],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if done.returncode != 0:
                    print(done.stdout[-2000:], done.stderr[-2000:], file=sys.stderr)
                report = _report(url)
                if len({k for k, _ in report["ledger"]}) >= apps:
                    drained = True
                    break
            return Outcome(
                vendor, faults, cycles, drained, time.monotonic() - started, report, apps
            )
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--apps", type=int, default=2000)
    parser.add_argument("--faults", type=float, default=0.1)
    parser.add_argument("--cycles", type=int, default=4, help="give up after this many cycles")
    parser.add_argument("--only", choices=sorted(VENDORS))
    parser.add_argument("--clean-only", action="store_true")
    parser.add_argument("--faults-only", action="store_true", help="only the run with faults")
    parser.add_argument("--calls", action="store_true", help="also print the calls by operation")
    args = parser.parse_args()
    for vendor in VENDORS:
        if args.only not in (None, vendor):
            continue
        runs = [0.0, args.faults]
        runs = runs[:1] if args.clean_only else runs[1:] if args.faults_only else runs
        for faults in runs:
            outcome = run(vendor, args.apps, faults, args.cycles)
            print(outcome.line(), flush=True)
            if args.calls:
                print("    calls by operation:", outcome.report["calls"], flush=True)


if __name__ == "__main__":
    main()
