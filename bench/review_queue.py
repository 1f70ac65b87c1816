"""The finance web page with a big queue: how long each page takes over real HTTP.

    python -m bench.review_queue --items 10000 [--postgres]

Fills a fresh store with that many open review items (each on its own bank line, 500
named customers, every reason, bank dates over 90 days), serves the web page with uvicorn
on loopback, logs in and times each request (median, p95 and worst of --repeat runs),
the CSV and .xlsx exports of the whole queue, a bulk assignment of a page of 50 items, and a
clerk's queue page while 16 clients flood the login form with wrong passwords.
"CPU ms" is the CPU time of this process (server and client) per request: on a machine
shared with other work the wall times grow with the load, the CPU times much less.
"""

from __future__ import annotations

import argparse
import multiprocessing
import re
import secrets
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from arbridge.app.webserver import start_in_thread
from arbridge.domain.records import BankLine
from arbridge.domain.review import ReviewReason
from arbridge.review import NewReviewItem, open_many
from arbridge.store import Store, bank, create_store_engine, upgrade
from arbridge.store.tables import CustomerRow
from arbridge.web.app import create_app
from arbridge.web.auth import add_user
from bench.postgres_server import PostgresServer, find_bindir

PASSWORD = secrets.token_urlsafe(12)
REASONS = [r.value for r in ReviewReason]


def fill(store: Store, n: int) -> None:
    """n open items with bank lines, created over the last 90 days."""
    now = datetime.now(UTC)
    lines = [
        BankLine(
            account="operating",
            bank_id=f"B{i:07d}",
            booked_on=now.date() - timedelta(days=i % 90),
            amount=Decimal(f"{(i * 37) % 20000 + 1}.{i % 100:02d}"),
            currency="USD",
            description=f"PAYMENT {i}",
        )
        for i in range(n)
    ]
    with store.transaction() as session:
        imported = bank.import_file(
            session,
            source="operating",
            path="bench",
            name="bench",
            sha256="0" * 64,
            lines=lines,
            now=now,
        )
        ids = bank.pending_lines(session)
        items = [
            NewReviewItem(
                dedupe_key=f"bench:{line.bank_id}",
                reason=REASONS[i % len(REASONS)],
                message="bench",
                bank_line_id=ids[(line.account, line.bank_id)],
                amount=line.amount,
                customer_id=f"C{i % 500:04d}",
                suggestions=(
                    {
                        "invoice_ids": [f"INV-{i}"],
                        "customer_id": f"C{i % 500:04d}",
                        "explanation": "amount equals the open amount",
                        "confidence": 0.5,
                    },
                ),
            )
            for i, line in enumerate(lines)
        ]
        for start in range(0, n, 2000):
            open_many(
                session, items[start : start + 2000], now=now - timedelta(days=start * 90 // n)
            )
        session.add_all(
            CustomerRow(erp="books", customer_id=f"C{c:04d}", name=f"Customer {c} Ltd", seen_at=now)
            for c in range(500)
        )
    assert imported.new_line_count == n


def p95(took: list[float]) -> float:
    """The 95th percentile of some timings."""
    return sorted(took)[max(0, round(0.95 * len(took)) - 1)]


def flood(base: str, seconds: float, out: Any) -> None:
    """16 clients posting wrong passwords for some seconds (run in a process of its own)."""
    answers: list[tuple[int, float]] = []
    deadline = time.monotonic() + seconds

    def one(k: int) -> None:
        with httpx.Client(base_url=base, timeout=60) as http:
            n = 0
            while time.monotonic() < deadline:
                n += 1
                data = {"name": f"x{k}-{n}", "password": "wrong password"}
                start = time.perf_counter()
                status = http.post("/login", data=data).status_code
                answers.append((status, (time.perf_counter() - start) * 1000))

    threads = [threading.Thread(target=one, args=(k,)) for k in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.put(answers)


CPU: list[float] = []
"""CPU ms of this process (server and client) per request of the last `timed` call."""


def timed(http: httpx.Client, repeat: int, method: str, path: str, **kw: object) -> list[float]:
    """Wall ms of each request; CPU ms of this process per request go to CPU.

    On a busy machine wall time grows with the load; the CPU time does not.
    """
    took = []
    CPU.clear()
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        response = http.request(method, path, **kw)  # type: ignore[arg-type]  # keyword options of the bench's request helper are passed through as given
        took.append((time.perf_counter() - start) * 1000)
        CPU.append((time.process_time() - cpu) * 1000)
        assert response.status_code in (200, 303), (path, response.status_code)
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--postgres", action="store_true", help="a real PostgreSQL, not SQLite")
    args = parser.parse_args()
    server = None
    if args.postgres:
        bindir = find_bindir()
        if bindir is None:
            raise SystemExit("PostgreSQL is not installed: run scripts/test-deps as root")
        server = PostgresServer(bindir)
        server.start()
    try:
        run(args, server)
    finally:
        if server is not None:
            server.stop()


def run(args: argparse.Namespace, postgres: PostgresServer | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = postgres.fresh_database_empty() if postgres else f"sqlite:///{Path(tmp) / 'b.db'}"
        store = Store(create_store_engine(url))
        upgrade(store.engine)
        start = time.perf_counter()
        fill(store, args.items)
        print(
            f"{args.items} open items stored in {time.perf_counter() - start:.1f} s ({url.split(':')[0]})"
        )
        add_user(store, "bench", PASSWORD, "clerk")
        served = start_in_thread(create_app(store, erp="books"))
        with httpx.Client(base_url=served.url, timeout=300) as http:
            http.post("/login", data={"name": "bench", "password": PASSWORD})
            page = http.get("/").text
            csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]  # the login page always has the CSRF field; a None here should crash the bench
            last = args.items // 50
            cases = {
                "queue, first page": "/",
                f"queue, page {last} (last, by number)": f"/?page_no={last}",
                "queue, last page (next link)": f"/?after={args.items - 50}",
                "filter: one customer": "/?customer=C0042",
                "filter: amount 100-500": "/?min_amount=100&max_amount=500",
                "filter: older than 60 days": "/?age=60",
                "filter: reason + unassigned": "/?reason=no_match&assignee=-",
                "item page": f"/items/{args.items // 2}",
            }
            cases |= {
                "search: customer name": "/?q=customer+42+ltd",
                "search: amount": "/?q=137.37",
                "search: bank text": "/?q=payment+777",
                "search: invoice number": "/?q=INV-4242",
            }
            print(f"{'request':34} {'median ms':>10} {'p95 ms':>8} {'worst ms':>9} {'CPU ms':>7}")
            for name, path in cases.items():
                took = timed(http, args.repeat, "GET", path)
                print(
                    f"{name:34} {statistics.median(took):10.1f} {p95(took):8.1f} {max(took):9.1f}"
                    f" {statistics.median(CPU):7.1f}"
                )
            took = timed(http, 3, "GET", "/export.csv")
            print(
                f"{'export.csv (whole queue)':34} {statistics.median(took):10.1f} {'':8}"
                f" {max(took):9.1f} {statistics.median(CPU):7.1f}"
            )
            took = timed(http, 1, "GET", "/export.xlsx")
            print(
                f"{'export.xlsx (whole queue)':34} {took[0]:10.1f} {'':8} {took[0]:9.1f}"
                f" {CPU[0]:7.1f}"
            )
            ids = [str(i) for i in range(1, 51)]
            took = timed(
                http,
                1,
                "POST",
                "/bulk",
                data={"csrf": csrf, "item": ids, "action": "assign", "assignee": "bench"},
            )
            print(f"{'bulk assign of 50 items':34} {took[0]:10.1f} {'':8} {took[0]:9.1f}")
            login_flood(http, served.url, args.repeat)
        served.stop()
        store.dispose()


def login_flood(http: httpx.Client, base: str, repeat: int) -> None:
    """A clerk's queue page p95 alone and while 16 clients post wrong passwords."""
    quiet = timed(http, repeat, "GET", "/")
    out: Any = multiprocessing.Queue()
    seconds = 2 + repeat * p95(quiet) / 1000 * 3
    flooder = multiprocessing.Process(target=flood, args=(base, seconds, out))
    flooder.start()
    time.sleep(1)
    loud = timed(http, repeat, "GET", "/")
    answers: list[tuple[int, float]] = out.get()
    flooder.join()
    refused = sum(1 for a, _ in answers if a == 429)
    print(f"{'queue page p95, no flood':34} {p95(quiet):10.1f}")
    print(
        f"{'queue page p95, 16-client flood':34} {p95(loud):10.1f}  (x{p95(loud) / p95(quiet):.1f})"
    )
    print(f"login flood: {len(answers)} attempts, {refused} answered 429 (throttled or busy)")
    print(
        f"{'login p95 under the flood':34} {p95([t for _, t in answers]):10.1f}"
        "  (a refused login is answered after a pause of up to 2 s)"
    )


if __name__ == "__main__":
    main()
