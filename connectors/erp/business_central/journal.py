"""Business Central journal lines written all or nothing, and the check that a batch is ours.

One application's lines go in one OData JSON `$batch` with `Isolation: snapshot`: BC
writes every line or none. Applications of one line each share `$batch` calls of up
to 100 operations (`write_each`), each operation taken or refused on its own. Should a refused batch still leave lines behind (isolation
not honoured), they are deleted before the refusal is reported, so money in BC is
never recorded as refused.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import structlog

from arbridge.connectors.erp._http import HttpClient, jsonbody
from arbridge.connectors.erp.business_central import wire
from arbridge.connectors.erp.business_central.odata import CompanyReader
from arbridge.connectors.errors import (
    ConnectorError,
    PermanentConnectorError,
    TransientConnectorError,
)
from arbridge.domain.records import Invoice

log = structlog.get_logger("arbridge.erp.business_central")

OURS = re.compile(r"^AB[0-9a-f]{18}$")
"""The document numbers arbridge writes; a journal line without one is someone else's."""


def write_all_or_nothing(
    api: HttpClient, lines_url: str, bodies: list[dict[str, Any]]
) -> ConnectorError | None:
    """All lines in one `$batch` with `Isolation: snapshot`; the first refusal, if any."""
    return write_all_or_nothing_at(api, [(lines_url, body) for body in bodies])


def write_all_or_nothing_at(
    api: HttpClient, items: list[tuple[str, dict[str, Any]]]
) -> ConnectorError | None:
    """Lines to several journals (URL, body) in one `$batch` with `Isolation: snapshot`."""
    bodies = [body for _url, body in items]
    requests = [
        {
            "id": str(n),
            "method": "POST",
            "url": url,
            "headers": {"Content-Type": "application/json"},
            "body": body,
        }
        for n, (url, body) in enumerate(items, start=1)
    ]
    response = api.request(
        "POST",
        "$batch",
        json={"requests": requests},
        headers={"Isolation": "snapshot", "Accept": "application/json"},
        idempotent=False,
        ok=(200,),
        weight=len(bodies),
    )
    return wire.batch_failure(api.connector, jsonbody.loads(response.content))


MAX_BATCH = 100
"""Operations BC takes in one `$batch`."""


def write_each(
    api: HttpClient, lines_url: str, bodies: dict[int, dict[str, Any]]
) -> dict[int, ConnectorError | None]:
    """One line per application, up to 100 in one `$batch` each; per line None or its refusal.

    Without `Isolation: snapshot` BC takes or refuses every operation on its own: an
    application of one line is atomic by itself, and one refusal costs no other.

    Raises:
        ConnectorError: a `$batch` call failed as a whole (its lines' outcome unknown).
    """
    outcome: dict[int, ConnectorError | None] = {}
    items = sorted(bodies.items())
    for start in range(0, len(items), MAX_BATCH):
        group = items[start : start + MAX_BATCH]
        requests = [
            {
                "id": str(n),
                "method": "POST",
                "url": lines_url,
                "headers": {"Content-Type": "application/json"},
                "body": body,
            }
            for n, body in group
        ]
        response = api.request(
            "POST",
            "$batch",
            json={"requests": requests},
            headers={"Accept": "application/json"},
            idempotent=False,
            ok=(200,),
            weight=len(group),
        )
        answers = jsonbody.loads(response.content).get("responses", [])
        by_id = {str(a.get("id")): a for a in answers}
        for n, _body in group:
            answer = by_id.get(str(n))
            outcome[n] = (
                TransientConnectorError(api.connector, f"$batch gave no answer for line {n}")
                if answer is None
                else wire.batch_failure(api.connector, {"responses": [answer]})
            )
    return outcome


def remove_kept(
    api: HttpClient,
    lines_url: str,
    kept: list[dict[str, Any]],
    document: str,
    failure: ConnectorError,
) -> None:
    """Delete the lines a refused batch left in the journal (read back by the caller).

    Raises:
        TransientConnectorError: a line could not be deleted (the retry cleans up).
    """
    for line in kept:
        try:
            api.request(
                "DELETE", f"{lines_url}({line['id']})", headers={"If-Match": "*"}, ok=(204,)
            )
        except ConnectorError as exc:
            raise TransientConnectorError(
                api.connector,
                f"BC refused part of {document} ({failure.message}) and kept the rest; "
                f"removing it failed ({exc.message}); will retry",
            ) from None
    if kept:
        log.warning("bc_partial_batch_undone", document=document, lines=len(kept))


def foreign_lines(lines: Iterable[dict[str, Any]], journal_code: str) -> str | None:
    """Why the journal batch is not arbridge's alone to post, or None if it is."""
    foreign = [
        str(ln.get("documentNumber"))
        for ln in lines
        if not OURS.match(str(ln.get("documentNumber") or ""))
    ]
    if not foreign:
        return None
    return (
        f"journal {journal_code!r} holds {len(foreign)} line(s) arbridge did not write "
        f"(e.g. document {foreign[0]!r}); with post_journal arbridge posts only a journal "
        "batch of its own: set journal_code to one, or turn post_journal off"
    )


def holds_only_ours(
    odata: CompanyReader, connector: str, code: str, lines_url: str, *, start: bool = False
) -> bool:
    """Whether a journal batch holds lines, all arbridge's (at start: refuse to run if not).

    Raises:
        PermanentConnectorError: at start, the batch holds lines arbridge did not write.
    """
    lines = list(odata.pages(lines_url, **{"$select": "id,documentNumber"}))
    message = foreign_lines(lines, code)
    if message is None:
        return bool(lines)
    if start:
        raise PermanentConnectorError(connector, message)
    log.warning("journal_not_posted", connector=connector, reason=message)
    return False


def post_if_ours(
    api: HttpClient, odata: CompanyReader, connector: str, batch: tuple[str, str, str]
) -> None:
    """Post a journal batch (code, lines URL, id) holding only arbridge's lines; else leave it."""
    code, lines_url, journal_id = batch
    try:
        if not holds_only_ours(odata, connector, code, lines_url):
            return
        url = f"{odata.company()}/journals({journal_id})/Microsoft.NAV.post"
        api.request("POST", url, idempotent=False, ok=(204,))
    except ConnectorError as exc:
        log.warning("journal_post_deferred", connector=connector, error=str(exc))


def pending_by_invoice(odata: CompanyReader, urls: Iterable[str]) -> dict[str, Decimal]:
    """What the lines waiting in these journals apply to each invoice."""
    pending: dict[str, Decimal] = {}
    for url in urls:
        for line in odata.pages(url, **{"$select": "appliesToInvoiceNumber,amount"}):
            number = str(line.get("appliesToInvoiceNumber") or "")
            if number:
                pending[number] = pending.get(number, Decimal(0)) + abs(wire.money(line["amount"]))
    return pending


def net_of(invoice: Invoice, pending: dict[str, Decimal]) -> Invoice:
    """The invoice with what waits in the journals taken off its open amount (never below 0)."""
    waiting = pending.get(invoice.invoice_id)
    if not waiting or invoice.open_amount <= 0:
        return invoice
    return dataclasses.replace(invoice, open_amount=max(invoice.open_amount - waiting, Decimal(0)))
