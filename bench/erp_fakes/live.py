"""An ERP stand-in as its own process over real HTTP: the fake, the vendor's limits, faults.

Usage: python -m bench.erp_fakes.live --vendor business_central --invoices 2000 [--faults 0.1]

Serves one fake (bench/erp_fakes) on 127.0.0.1 at a free port and prints
`LISTENING <port>` once ready. Requests are matched by method and path, so the
connector's `api_url` / `token_url` (or Acumatica's `site`) point at
`http://127.0.0.1:<port>` with the vendor's own paths. On top of the fake:

- the vendor's request windows (bench/erp_fakes/limits.py), answered with the
  vendor's 429 body and no Retry-After (none is documented), and where the vendor
  limits them, requests at once and per session (bench/erp_fakes/gate.py);
- `--faults` of the API calls (logins and token calls aside) fail at random, in
  equal shares: 429, 503, a hang past the client's timeout (then the connection is
  dropped) and an answer lost after the ERP acted (the connection closes unanswered);
- `--latency` seconds added to every API call, outside the stand-in's lock (a remote
  ERP's round trip and its own work: calls of several clients overlap, as they would);
- `--unlimited`: no request windows, no cap on requests at once and (Acumatica) no cap
  on concurrent sessions (a tenant whose limits are not what is measured);
- `GET /_bench/ledger`: what was posted (the fake's ledger) and request counters.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from bench.erp_fakes.gate import Gate
from bench.erp_fakes.limits import VENDORS, VendorLimits
from bench.erp_fakes.livedata import records
from bench.erp_fakes.routes import Dispatcher

AUTH_OPERATIONS = ("/oauth2/", "/entity/auth/")
TIMELINE_ENV = "ARBRIDGE_BENCH_TIMELINE"
"""A file to append one line per request to (start, seconds, method, path, answer), if set."""
RELEASE_SECONDS = 0.5
"""How long an Acumatica release job runs in the live stand-in."""
UNLIMITED_SEATS = 1000
"""Acumatica sessions at once with `--unlimited` (its licence's seats are 2 otherwise)."""


class Chaos:
    """Picks the calls that fail and how."""

    KINDS = ("429", "503", "hang", "lost")

    def __init__(self, rate: float, seed: int) -> None:
        self.rate, self._rng = rate, random.Random(seed)
        self.injected: Counter[str] = Counter()

    def pick(self, path: str) -> str | None:
        """The fault for this call, or None."""
        if self.rate <= 0 or any(a in path for a in AUTH_OPERATIONS):
            return None
        if self._rng.random() >= self.rate:
            return None
        kind = self._rng.choice(self.KINDS)
        self.injected[kind] += 1
        return kind


class StandIn:
    """The fake behind a lock, its limits, its chaos and its counters."""

    def __init__(
        self,
        vendor: str,
        invoices: int,
        faults: float,
        hang: float,
        seed: int,
        *,
        latency: float = 0.0,
        unlimited: bool = False,
    ) -> None:
        customers, invoice_rows = records(invoices)
        self.spec = VENDORS[vendor]
        self.fake: Any = self.spec.make(customers, invoice_rows)
        if hasattr(self.fake, "release_seconds"):
            self.fake.release_seconds = RELEASE_SECONDS
        if unlimited and hasattr(self.fake, "seats"):
            self.fake.seats = UNLIMITED_SEATS
        self.dispatch = Dispatcher(self.fake.routes())
        self.limits = VendorLimits(self.spec)
        self.gate = Gate(None if unlimited else self.spec.concurrent, self.spec.session_of)
        self.chaos = Chaos(faults, seed)
        self.hang = hang
        self.latency = latency
        self.unlimited = unlimited
        self.lock = threading.Lock()
        self.requests = 0
        self.throttled = 0
        self.writes: list[float] = []
        """Wall-clock times at which the ledger grew (first and last posting)."""
        timeline = os.environ.get(TIMELINE_ENV)
        self.timeline = open(timeline, "a", encoding="utf-8") if timeline else None  # noqa: SIM115 - open for the process's life

    def note(self, started: float, request: httpx.Request, answer: httpx.Response | str) -> None:
        """One line of the timeline (if kept): start, seconds, method, path, answer."""
        if self.timeline is None:
            return
        status = answer if isinstance(answer, str) else str(answer.status_code)
        line = f"{started:.3f} {time.time() - started:.3f} {request.method} {request.url.path} {status}\n"
        with self.lock:
            self.timeline.write(line)
            self.timeline.flush()

    def answer(self, request: httpx.Request) -> httpx.Response | str:
        """The response, or "hang" / "lost" for the server to act out (within the gate)."""
        with self.gate.enter(request) as admitted:
            if not admitted:
                with self.lock:
                    self.requests += 1
                    self.throttled += 1
                return self.spec.throttled()
            return self._answer(request)

    def _answer(self, request: httpx.Request) -> httpx.Response | str:
        path = request.url.path
        api = not any(a in path for a in AUTH_OPERATIONS)
        if api and self.latency:
            time.sleep(self.latency)
        with self.lock:
            self.requests += 1
            if api and not self.unlimited and not self.limits.admit(request):
                self.throttled += 1
                return self.spec.throttled()
            fault = self.chaos.pick(path)
        if fault == "429":
            return self.spec.throttled()
        if fault == "503":
            return httpx.Response(503, text="Service Unavailable")
        if fault == "hang":
            time.sleep(self.hang)
            return "hang"
        with self.lock:
            before = len(self.fake.ledger())
            response = self.dispatch.handle(request)
            if len(self.fake.ledger()) > before:
                self.writes.append(time.time())
        return "lost" if fault == "lost" else response

    def report(self) -> dict[str, Any]:
        """The ledger and the counters, as JSON-ready values."""
        with self.lock:
            return {
                "ledger": [list(pair) for pair in self.fake.ledger()],
                "requests": self.requests,
                "operations": self.limits.operations,
                "throttled": self.throttled,
                "concurrent_peak": self.gate.peak if self.spec.concurrent else None,
                "queue_rejected": self.gate.rejected,
                "injected": dict(self.chaos.injected),
                "calls": dict(self.fake.faults.calls),
                "first_write": self.writes[0] if self.writes else None,
                "last_write": self.writes[-1] if self.writes else None,
            }


def handler_for(stand_in: StandIn) -> type[BaseHTTPRequestHandler]:
    """A request handler class bound to one stand-in."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the bench prints figures, not access logs."""

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if self.path == "/_bench/ledger":
                self._send(httpx.Response(200, json=stand_in.report()))
                return
            host = self.headers.get("Host", "127.0.0.1")
            request = httpx.Request(
                self.command,
                f"http://{host}{self.path}",
                headers=[(k, v) for k, v in self.headers.items() if k.lower() != "host"],
                content=body,
            )
            started = time.time()
            try:
                answer = stand_in.answer(request)
            except Exception as exc:
                answer = httpx.Response(500, json={"error": f"{type(exc).__name__}: {exc}"})
            stand_in.note(started, request, answer)
            if isinstance(answer, str):  # hang or lost: no answer at all
                self.close_connection = True
                return
            self._send(answer)

        def _send(self, response: httpx.Response) -> None:
            content = response.read()
            self.send_response(response.status_code)
            for key, value in response.headers.multi_items():
                if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    return Handler


def main() -> None:
    """Serve one stand-in until killed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--vendor", choices=sorted(VENDORS), required=True)
    parser.add_argument("--invoices", type=int, default=2000)
    parser.add_argument("--faults", type=float, default=0.0)
    parser.add_argument("--hang", type=float, default=3.0, help="seconds a hung call is held")
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added per API call")
    parser.add_argument("--unlimited", action="store_true", help="no vendor request windows")
    args = parser.parse_args()
    stand_in = StandIn(
        args.vendor,
        args.invoices,
        args.faults,
        args.hang,
        args.seed,
        latency=args.latency,
        unlimited=args.unlimited,
    )
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(stand_in))
    server.daemon_threads = True
    print(f"LISTENING {server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        sys.stdout.flush()


if __name__ == "__main__":
    main()
