"""What every HTTP ERP gateway shares, the way a singer-sdk REST stream carries its plumbing.

A vendor gateway is composed of: an `HttpClient` (timeouts, rate limit, retries, auth,
error mapping, built by `rest_client`), a `PostingFlow` (capability check, chunked
posting with one shared read per chunk, exactly-once by reference) and an
`OpenInvoices` ledger (the invoices as just re-read, lowered as the chunk takes them).
The vendor supplies only what differs: how to read a chunk's state and how to write
one application.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Generic, TypeVar

import httpx

from arbridge.connectors.base import ErpCapability, InvoiceBatch, PostResult, needed_capabilities
from arbridge.connectors.erp._http.batching import PostMany, post_in_chunks
from arbridge.connectors.erp._http.client import Authenticator, ErrorMapper, HttpClient, RetryPolicy
from arbridge.connectors.erp._http.ratelimit import LimiterFactory, RequestLimiter, Window
from arbridge.connectors.errors import ConnectorError, RecordNotFoundError, RecordRejectedError
from arbridge.domain.records import Allocation, Application, Invoice

Seen = TypeVar("Seen")
OPEN = "Open"


def rest_client(
    *,
    connector: str,
    base_url: str,
    timeout: float,
    map_error: ErrorMapper,
    windows: Sequence[Window],
    limiter: RequestLimiter | None,
    limiter_factory: LimiterFactory,
    retry: RetryPolicy | None,
    secrets: Sequence[str],
    transport: httpx.BaseTransport | None = None,
    auth: Callable[[httpx.Client], Authenticator] | None = None,
) -> HttpClient:
    """An HttpClient on its own httpx client, with the vendor's windows unless given a limiter."""
    http = httpx.Client(
        base_url=base_url, timeout=httpx.Timeout(timeout, connect=10.0), transport=transport
    )
    return HttpClient(
        connector=connector,
        client=http,
        map_error=map_error,
        auth=auth(http) if auth is not None else None,
        limiter=limiter or limiter_factory(windows),
        retry=retry,
        secrets=secrets,
    )


@dataclass
class InvoiceState:
    """An invoice as the ERP just reported it."""

    status: str
    left: Decimal
    erp_id: str = ""


@dataclass
class OpenInvoices:
    """A chunk's invoices as re-read; each application of the chunk lowers what it takes."""

    connector: str
    erp: str
    by_number: dict[str, InvoiceState] = field(default_factory=dict)

    def put(self, number: str, status: str, left: Decimal, erp_id: str = "") -> None:
        """Record an invoice read from the ERP."""
        self.by_number[number] = InvoiceState(status, left, erp_id)

    def take(
        self, allocations: Sequence[Allocation], *, with_adjustment: bool = False
    ) -> dict[str, str]:
        """Check that every invoice is Open with enough left, then lower it; number -> ERP id.

        Raises:
            RecordNotFoundError: an invoice is missing (it may show up on a later read).
            RecordRejectedError: an invoice is not open, or has too little left.
        """
        wanted = [a for a in allocations if a.invoice_id is not None]
        for allocation in wanted:
            number = str(allocation.invoice_id)
            state = self.by_number.get(number)
            needed = allocation.amount + (allocation.adjustment if with_adjustment else 0)
            if state is None:
                raise RecordNotFoundError(
                    self.connector, f"invoice {number} not found in {self.erp}"
                )
            if state.status != OPEN:
                raise RecordRejectedError(
                    self.connector, f"invoice {number} is {state.status} in {self.erp}"
                )
            if state.left < needed:
                raise RecordRejectedError(
                    self.connector,
                    f"invoice {number} has {state.left} left, {needed} was to be applied",
                )
        for allocation in wanted:
            state = self.by_number[str(allocation.invoice_id)]
            state.left -= allocation.amount + (allocation.adjustment if with_adjustment else 0)
        return {str(a.invoice_id): self.by_number[str(a.invoice_id)].erp_id for a in wanted}

    def give_back(
        self, allocations: Sequence[Allocation], *, with_adjustment: bool = False
    ) -> None:
        """Undo `take` for allocations the ERP did not accept after all."""
        for allocation in allocations:
            state = self.by_number.get(str(allocation.invoice_id))
            if allocation.invoice_id is not None and state is not None:
                state.left += allocation.amount + (allocation.adjustment if with_adjustment else 0)


def invoice_numbers(applications: Sequence[Application]) -> list[str]:
    """The invoices a chunk of applications names, sorted, each once."""
    return sorted({str(x.invoice_id) for a in applications for x in a.allocations if x.invoice_id})


@dataclass
class PostingFlow(Generic[Seen]):
    """Capability check, then one shared read per chunk and one write per application."""

    connector: str
    capabilities: frozenset[ErpCapability]
    what: str
    """How the ERP's payment document is called in a refusal ("a QuickBooks Payment")."""
    chunk: int
    prefetch: Callable[[Sequence[Application]], Seen]
    write: Callable[[Application, Seen], PostResult]
    write_many: PostMany[Seen] | None = None
    """Writes a whole chunk in one vendor batch (one outcome per application), if offered."""
    hint: str = ""
    """Appended to a refusal for a missing capability (how to enable it), if any."""

    def one(self, application: Application) -> PostResult:
        """Post one application (its own shared read)."""
        return self._checked(application, self.prefetch([application]))

    def many(self, applications: Sequence[Application]) -> list[PostResult | ConnectorError]:
        """Post in chunks (see `post_in_chunks` for the shape of the answer)."""
        many = self._checked_many if self.write_many is not None else None
        return post_in_chunks(
            applications, self.chunk, self.prefetch, self._checked, post_many=many
        )

    def _refusal(self, application: Application) -> RecordRejectedError | None:
        missing = needed_capabilities(application) - self.capabilities
        if not missing:
            return None
        return RecordRejectedError(
            self.connector,
            f"{self.what} cannot carry {', '.join(sorted(missing))}{self.hint}",
        )

    def _checked(self, application: Application, seen: Seen) -> PostResult:
        refusal = self._refusal(application)
        if refusal is not None:
            raise refusal
        return self.write(application, seen)

    def _checked_many(
        self, chunk: Sequence[Application], seen: Seen
    ) -> list[PostResult | ConnectorError]:
        assert self.write_many is not None
        refusals = [self._refusal(a) for a in chunk]
        fine = [a for a, r in zip(chunk, refusals, strict=True) if r is None]
        written = iter(self.write_many(fine, seen) if fine else [])
        return [r if r is not None else next(written) for r in refusals]


def keys_by_reference(keys: Sequence[str], *forms: Callable[[str], str]) -> dict[str, str]:
    """Every reference form of every key -> the key (for `find_posted_keys`)."""
    return {form(key): key for key in keys for form in forms}


def in_groups(values: Sequence[str], size: int) -> list[Sequence[str]]:
    """`values` in groups of at most `size` (to keep filter URLs short)."""
    return [values[i : i + size] for i in range(0, len(values), size)]


class FlowGateway(Generic[Seen]):
    """The ErpGateway members every HTTP gateway has alike, served by its `PostingFlow`.

    A vendor gateway sets `self._flow` and supplies `fetch_invoices_since`; it may wrap
    every posting call (`_scope`, e.g. a login session) and act on the results
    (`_after_posting`, e.g. post a journal).
    """

    _name: str
    _flow: PostingFlow[Seen]

    @property
    def name(self) -> str:
        """The connector's configured name."""
        return self._name

    @property
    def capabilities(self) -> frozenset[ErpCapability]:
        """What this ERP can take (declared, never faked)."""
        return self._flow.capabilities

    @property
    def batch_size(self) -> int:
        """Applications best handed over per `post_applications` call (one shared read each)."""
        return self._flow.chunk

    def fetch_invoices_since(self, cursor: str | None) -> InvoiceBatch:
        """Open invoices (no cursor) or those changed since the cursor."""
        raise NotImplementedError

    def fetch_invoices(self) -> Sequence[Invoice]:
        """The open invoices."""
        return self.fetch_invoices_since(None).invoices

    def _scope(self) -> AbstractContextManager[None]:
        return nullcontext()

    def _after_posting(self, results: Sequence[PostResult | ConnectorError]) -> None:
        """Called with what a posting call did."""

    def post_application(self, application: Application) -> PostResult:
        """Post one application exactly once (see `ErpGateway.post_application`)."""
        with self._scope():
            result = self._flow.one(application)
            self._after_posting([result])
        return result

    def post_applications(
        self, applications: Sequence[Application]
    ) -> list[PostResult | ConnectorError]:
        """Post many with one shared read per chunk (see `BatchPoster`)."""
        with self._scope():
            results = self._flow.many(applications)
            self._after_posting(results)
        return results
