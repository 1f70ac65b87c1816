"""Acumatica posting: a chunk's payments on several lanes at once, each payment exactly once.

Per application, on one lane (one session, so Acumatica serves its calls in turn):

1. A payment of ours the chunk's read found (by `PaymentRef`) is released if it never was.
2. Else `PUT Payment`. When the answer is neither a yes nor a refusal (a timeout, an
   answer lost, a 5xx, a 429 that would not clear), the payment is read back by
   `PaymentRef` and `CustomerID` on the same session: found, it is that payment (never
   a second one); not found, the PUT did not take effect and it is sent once more.
3. `POST Payment/ReleasePayment`; a release whose answer is lost is settled after the chunk.

After the chunk (and `poll_interval` after its last release started: a wait costs no
request, a poll does) one read of the payments' `Status` (40 to a request) tells the
released from those still `Balanced`: a release job still running is polled, a release
that did not happen is started again. A failed application fails alone while the others go on;
after `UNWELL_AFTER` failures in a row the ERP counts as down and the rest wait.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from arbridge.connectors.base import PostOutcome, PostResult
from arbridge.connectors.erp._http import HttpClient, jsonbody
from arbridge.connectors.erp._http.batching import FailureRun
from arbridge.connectors.erp._http.gateway import OpenInvoices
from arbridge.connectors.erp.acumatica import wire
from arbridge.connectors.erp.acumatica.lanes import Lane, Lanes, Pool
from arbridge.connectors.erp.acumatica.release import Releases
from arbridge.connectors.errors import ConnectorError, TransientConnectorError
from arbridge.domain.records import Application

UNRELEASED = frozenset({"Balanced", "On Hold"})
VOIDED = frozenset({"Voided"})
SELECT = "Type,ReferenceNbr,Status,PaymentRef"
Outcome = PostResult | ConnectorError


@dataclass
class Seen:
    """What one read told us: our payments by idempotency key, the invoices now."""

    payments: dict[str, dict[str, Any]] = field(default_factory=dict)
    invoices: OpenInvoices = field(default_factory=lambda: OpenInvoices("", "Acumatica"))


@dataclass
class Started:
    """What one application's lane did: the outcome so far and what is left to settle."""

    outcome: Outcome
    payment: dict[str, Any] | None = None
    job: str | None = None
    """The release's status URL while it runs."""
    released_at: float = 0.0
    """When the release was started (monotonic seconds)."""
    unsure: bool = False
    """The release's answer was lost: the status read says whether it happened."""


class _Watch:
    """Failures in a row, across lanes (in the order they end): the ERP is down after five."""

    def __init__(self) -> None:
        self._run = FailureRun()
        self._lock = threading.Lock()
        self.down = False
        self.last: ConnectorError | None = None

    def saw(self, outcome: Outcome) -> None:
        """Count one application's outcome."""
        with self._lock:
            self.down = self._run.unwell(outcome) or self.down
            if isinstance(outcome, ConnectorError):
                self.last = outcome


@dataclass
class Poster:
    """Posts a chunk of applications over the gateway's lanes (see the module docstring)."""

    connector: str
    lanes: Lanes
    releases: Releases
    body: Callable[[Application], dict[str, Any]]
    statuses: Callable[[Sequence[str]], dict[str, dict[str, Any]]]
    """Our payments by `PaymentRef` (`Type`, `ReferenceNbr`, `Status`), read on the first lane."""

    def post(self, chunk: Sequence[Application], seen: Seen) -> list[Outcome]:
        """One outcome per application, in order."""
        first_of: dict[str, int] = {}
        early: dict[int, Outcome] = {}
        tasks: dict[int, Callable[[Lane], Started]] = {}
        for index, application in enumerate(chunk):
            key = application.idempotency_key
            if key in first_of:  # the same key twice: one payment, one outcome
                continue
            first_of[key] = index
            if key in seen.payments:
                tasks[index] = partial(self._settle, seen.payments[key])
                continue
            try:
                seen.invoices.take(application.allocations, with_adjustment=True)
            except ConnectorError as exc:
                early[index] = exc
                continue
            tasks[index] = partial(self._create, application)
        started = self._run(tasks)
        self._finish(started)
        done = early | {i: s.outcome for i, s in started.items()}
        return [done[first_of[a.idempotency_key]] for a in chunk]

    # ------------------------------------------------------------------ lanes
    def _run(self, tasks: Mapping[int, Callable[[Lane], Started]]) -> dict[int, Started]:
        """Every task on a free lane, as many at once as there are lanes."""
        if not tasks:
            return {}
        lanes = self.lanes.ready(len(tasks))
        watch, pool = _Watch(), Pool(lanes)
        run = partial(self._one, pool, watch)
        if len(lanes) == 1:
            return {index: run(task) for index, task in tasks.items()}
        with ThreadPoolExecutor(max_workers=len(lanes), thread_name_prefix="acumatica") as ex:
            futures = {  # each with the caller's log context (the run id)
                index: ex.submit(contextvars.copy_context().run, run, task)
                for index, task in tasks.items()
            }
            return {index: future.result() for index, future in futures.items()}

    def _one(self, pool: Pool, watch: _Watch, task: Callable[[Lane], Started]) -> Started:
        if watch.down and watch.last is not None:  # the ERP is down: the rest waits
            return Started(watch.last)
        started = pool.run(task)
        watch.saw(started.outcome)
        return started

    # ------------------------------------------------------------------ one application
    def _settle(self, existing: dict[str, Any], lane: Lane) -> Started:
        """A payment of ours is already there: release it if that never happened."""
        if wire.value(existing, "Status") in UNRELEASED:
            return self._release(lane, existing)
        result = PostResult(outcome=PostOutcome.ALREADY_POSTED, erp_reference=ref(existing))
        return Started(result, existing)

    def _create(self, application: Application, lane: Lane) -> Started:
        body = self.body(application)
        unknown: TransientConnectorError | None = None
        for _attempt in range(2):
            try:
                created = self._put(lane.api, body)
            except TransientConnectorError as exc:  # did Acumatica act? read it back
                unknown = exc
            except ConnectorError as exc:
                return Started(exc)
            else:
                return self._release(lane, created)
            try:
                found = self._find(lane.api, application)
            except ConnectorError as exc:  # cannot tell: the next attempt reads again first
                return Started(exc)
            if found is not None:
                return self._settle(found, lane)
        assert unknown is not None
        return Started(unknown)

    def _put(self, api: HttpClient, body: dict[str, Any]) -> dict[str, Any]:
        response = api.request(
            "PUT",
            "Payment",
            params={"$expand": "DocumentsToApply"},
            json=body,
            idempotent=False,
            ok=(200,),
        )
        created: dict[str, Any] = jsonbody.loads(response.content)
        return created

    def _find(self, api: HttpClient, application: Application) -> dict[str, Any] | None:
        """Our payment for this application, if Acumatica holds one (voided ones aside)."""
        where = (
            f"PaymentRef eq {quote(wire.payment_ref(application.idempotency_key))}"
            f" and CustomerID eq {quote(application.customer_id)}"
        )
        response = api.request(
            "GET",
            "Payment",
            params={"$filter": where, "$select": SELECT},
            headers={"Accept": "application/json"},
        )
        for payment in jsonbody.loads(response.content):
            if wire.value(payment, "Status") not in VOIDED:
                return dict(payment)
        return None

    def _release(self, lane: Lane, payment: dict[str, Any]) -> Started:
        result = PostResult(outcome=PostOutcome.POSTED, erp_reference=ref(payment))
        try:
            job = self.releases.start("ReleasePayment", payment, api=lane.api)
        except TransientConnectorError:  # started or not: the status read will tell
            return Started(result, payment, unsure=True, released_at=time.monotonic())
        except ConnectorError as exc:
            return Started(exc, payment)
        return Started(result, payment, job=job, released_at=time.monotonic())

    # ------------------------------------------------------------------ after the chunk
    def _finish(self, started: Mapping[int, Started]) -> None:
        """Settle the releases still running or unknown: one status read, then polls."""
        open_ = {i: s for i, s in started.items() if s.payment is not None and (s.job or s.unsure)}
        if not open_:
            return
        self._let_run(max(s.released_at for s in open_.values()))
        refs = [str(wire.value(s.payment or {}, "PaymentRef")) for s in open_.values()]
        try:
            now = self.statuses(refs)
        except ConnectorError:
            now = {}
        jobs: dict[int, str] = {}
        again = 0.0
        for index, state in open_.items():
            record = now.get(str(wire.value(state.payment or {}, "PaymentRef")))
            if record is not None and wire.value(record, "Status") not in UNRELEASED:
                continue  # released
            if state.job is not None:
                jobs[index] = state.job
            elif record is None:
                state.outcome = TransientConnectorError(
                    self.connector,
                    f"could not tell whether payment {ref(state.payment or {})} was released; "
                    "the next attempt finds it and releases it if not",
                )
            elif self._release_again(index, state, record, jobs):
                again = time.monotonic()
        if again:  # a release started again just now: give it its time before polling
            self._let_run(again)
        for index, error in self.releases.wait(jobs).items():
            if error is not None:
                started[index].outcome = error

    def _let_run(self, latest: float) -> None:
        """Give the latest release `poll_interval` to finish: waiting is cheaper than polls."""
        left = latest + self.releases.poll_interval - time.monotonic()
        if left > 0:
            self.releases.sleep(left)

    def _release_again(
        self, index: int, state: Started, record: dict[str, Any], jobs: dict[int, str]
    ) -> bool:
        """A release whose answer was lost did not happen: start it again (first lane).

        Returns whether a job is now running (to be polled).
        """
        try:
            job = self.releases.start("ReleasePayment", record, api=self.lanes.first.api)
        except ConnectorError as exc:
            state.outcome = exc
            return False
        if job is not None:
            jobs[index] = job
        return job is not None


def quote(value: str) -> str:
    """An OData string literal."""
    return "'" + value.replace("'", "''") + "'"


def ref(record: dict[str, Any]) -> str:
    """`Type/ReferenceNbr` of a payment, as posting returns it."""
    return f"{wire.value(record, 'Type') or 'Payment'}/{wire.value(record, 'ReferenceNbr')}"
