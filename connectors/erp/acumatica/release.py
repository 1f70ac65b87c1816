"""Release actions in flight: started one after another, then polled in turn.

Acumatica answers `ReleasePayment` with 202 and a status `Location` to poll until 204
(reference §1: "anything else = failed"). Waiting out each release before creating
the next payment leaves the request budget idle while the ERP works; instead a chunk
starts every release first and polls the jobs afterwards in the order they started,
each round up to the first still running, with a short wait that doubles (up to
`poll_interval`) only when a round found nothing done. A release that fails or does not finish is that payment's transient failure:
the payment exists unreleased, and the next attempt finds it by its reference and
releases it again (never a second payment).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from arbridge.connectors.erp._http import HttpClient
from arbridge.connectors.errors import ConnectorError, TransientConnectorError

DONE, RUNNING = 204, 202
FIRST_WAIT = 0.05


@dataclass
class Releases:
    """Starts `ReleasePayment` actions and waits for many at once."""

    api: HttpClient
    site: str
    connector: str
    poll_interval: float = 1.0
    max_polls: int = 120
    sleep: Callable[[float], None] = field(default=time.sleep)

    def start(
        self, action: str, record: Mapping[str, Any], api: HttpClient | None = None
    ) -> str | None:
        """Invoke a Payment action (on `api`, else the first lane's client).

        Returns None when done at once, else the absolute status URL.
        """
        keys = {
            "Type": record.get("Type") or {"value": "Payment"},
            "ReferenceNbr": record["ReferenceNbr"],
        }
        response = (api or self.api).request(
            "POST", f"Payment/{action}", json={"entity": keys}, idempotent=False, ok=(DONE, RUNNING)
        )
        if response.status_code == DONE:
            return None
        return str(httpx.URL(self.site).join(response.headers["Location"]))

    def wait(self, jobs: Mapping[int, str]) -> dict[int, ConnectorError | None]:
        """Poll every job until done; per job None (released) or why not."""
        outcome: dict[int, ConnectorError | None] = {}
        pending = dict(jobs)
        delay = FIRST_WAIT
        for _ in range(self.max_polls):
            if not pending:
                return outcome
            finished = self._round(pending, outcome)
            if pending and not finished:
                self.sleep(delay)
                delay = min(delay * 2, self.poll_interval)
        for index in pending:
            outcome[index] = TransientConnectorError(
                self.connector, f"release still running after {self.max_polls} polls"
            )
        return outcome

    def wait_one(self, action: str, record: Mapping[str, Any]) -> None:
        """Start one action and wait for it (raises why it failed)."""
        location = self.start(action, record)
        if location is not None:
            error = self.wait({0: location})[0]
            if error is not None:
                raise error

    def _round(self, pending: dict[int, str], outcome: dict[int, ConnectorError | None]) -> int:
        """Poll the jobs in the order they started, up to the first still running.

        Jobs started later are most likely running too: polling them now would only
        spend the request budget. Returns how many finished (well or not).
        """
        finished = 0
        for index, location in list(pending.items()):
            try:
                status = self.api.request("GET", location, ok=(DONE, RUNNING)).status_code
            except ConnectorError as exc:
                status, outcome[index] = DONE, exc
            else:
                if status == DONE:
                    outcome[index] = None
            if status != DONE:
                break
            del pending[index]
            finished += 1
        return finished
