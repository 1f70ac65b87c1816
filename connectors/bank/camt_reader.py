"""Read ISO 20022 camt.053 statements, camt.052 reports and camt.054 notifications.

Tags are matched by local name, so every version from .001.02 on reads alike.
One entry (Ntry) is one bank line with id AcctSvcrRef, else NtryRef (the
contract's `bank_transaction_id`). A batch entry whose several TxDtls carry
their own amounts becomes one line per TxDtls, `<entry id>/<n>`, so each payer
and remittance can be applied on its own. Pending and information-only
entries are not booked cash and are left out. A camt.052 intraday report's booked
entries carry the same ids as the later camt.053's, so the store keeps each once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from arbridge.connectors.bank._errors import reject
from arbridge.connectors.bank._fingerprint import Fingerprinter
from arbridge.connectors.bank._xml import (
    Element,
    ParseError,
    find,
    find_text,
    findall,
    local,
    parse_with_lines,
)
from arbridge.domain.errors import BadInputError
from arbridge.domain.money import parse_money
from arbridge.domain.records import BankLine

_CONTAINERS = {
    "BkToCstmrStmt": "Stmt",
    "BkToCstmrDbtCdtNtfctn": "Ntfctn",
    "BkToCstmrAcctRpt": "Rpt",
}
_NOT_BOOKED = {"PDNG", "INFO", "FUTR"}
_NO_REFERENCE = {"NONREF", "NOTPROVIDED"}
_VERSION_SUFFIX = re.compile(r"V\d\d$")


@dataclass(slots=True)
class _Ctx:
    path: Path
    account: str
    currency: str
    lines: dict[Element, int] = field(default_factory=dict)
    created: str | None = None
    fingerprints: Fingerprinter = field(default_factory=Fingerprinter)


def read_camt_statement(
    path: Path, *, account: str, currency: str, data: bytes | None = None
) -> list[BankLine]:
    """Parse a camt.052, camt.053 or camt.054 file into bank lines, all or nothing.

    Raises:
        BadInputError: not XML, not camt.052/053/054, no statement, or an entry
            without amount, direction or date; names file, line and field.
    """
    root, element_lines = _parse(path, path.read_bytes() if data is None else data)
    reports = _reports(path, root)
    ctx = _Ctx(path, account, currency, element_lines)
    lines: list[BankLine] = []
    for report in reports:
        ctx.created = find_text(report, "CreDtTm") or find_text(root, "GrpHdr", "CreDtTm")
        for number, entry in enumerate(findall(report, "Ntry"), start=1):
            lines.extend(_entry_lines(ctx, entry, number))
    _check_unique(path, lines)
    return lines


def _parse(path: Path, raw: bytes) -> tuple[Element, dict[Element, int]]:
    try:
        return parse_with_lines(raw, frozenset({"Ntry", "TxDtls"}))
    except ParseError as exc:
        raise reject(path, f"not well-formed XML: {exc}", line=exc.position[0]) from None


def _reports(path: Path, root: Element) -> list[Element]:
    for child in root:
        kind = _CONTAINERS.get(_VERSION_SUFFIX.sub("", local(child.tag)))  # .001.01: ...V01
        if kind is not None:
            found = findall(child, kind)
            if not found:
                raise reject(path, f"camt message holds no <{kind}>", field=kind)
            return found
    names = ", ".join(local(c.tag) for c in root) or local(root.tag)
    raise reject(
        path,
        f"not a camt.052/053/054 message (found {names})",
        field=local(root[0].tag) if len(root) else local(root.tag),
    )


def _entry_lines(ctx: _Ctx, entry: Element, number: int) -> Iterator[BankLine]:
    status = find_text(entry, "Sts", "Cd") or find_text(entry, "Sts")
    if status in _NOT_BOOKED:
        return
    entry_id = _entry_id(entry)
    amount, ccy = _amount(ctx, entry, find(entry, "Amt"), find_text(entry, "CdtDbtInd"), number)
    booked_on = _booked_on(ctx, entry, number)
    details = findall(entry, "NtryDtls", "TxDtls")
    split = len(details) > 1 and all(_tx_amount(d) is not None for d in details)
    parts = [(d, i) for i, d in enumerate(details, start=1)] if split else [(None, 0)]
    for tx, index in parts:
        if tx is not None:
            direction = find_text(tx, "CdtDbtInd") or find_text(entry, "CdtDbtInd")
            amount, ccy = _amount(ctx, entry, _tx_amount(tx), direction, number)
        sources = [tx] if tx is not None else details
        line = _line(ctx, entry, sources, entry_id or "", booked_on, amount, ccy)
        line = replace(line, source_line=ctx.lines.get(tx if tx is not None else entry))
        if not entry_id:
            bank_id = ctx.fingerprints.next_id(booked_on, amount, line.description)
            line = replace(line, bank_id=bank_id)
        elif index:
            line = replace(line, bank_id=f"{entry_id}/{index}")
        yield line


def _entry_id(entry: Element) -> str | None:
    """AcctSvcrRef, else NtryRef; `NONREF` and `NOTPROVIDED` are no reference."""
    for tag in ("AcctSvcrRef", "NtryRef"):
        text = find_text(entry, tag)
        if text and text.upper() not in _NO_REFERENCE:
            return text
    return None


def _tx_amount(tx: Element) -> Element | None:
    for path in (("AmtDtls", "TxAmt", "Amt"), ("AmtDtls", "InstdAmt", "Amt"), ("Amt",)):
        found = find(tx, *path)
        if found is not None:
            return found
    return None


def _amount(
    ctx: _Ctx, entry: Element, amt: Element | None, direction: str | None, number: int
) -> tuple[Decimal, str]:
    if amt is None or not (amt.text or "").strip():
        raise _bad(ctx, entry, number, "Amt", None, "entry has no amount")
    try:
        value = parse_money(amt.text or "")
    except ValueError:
        raise _bad(ctx, entry, number, "Amt", amt.text, "amount is not a number") from None
    if direction not in {"CRDT", "DBIT"}:
        raise _bad(ctx, entry, number, "CdtDbtInd", direction, "must be CRDT or DBIT")
    return (value if direction == "CRDT" else -value), (amt.get("Ccy") or ctx.currency)


def _booked_on(ctx: _Ctx, entry: Element, number: int) -> date:
    text = (
        find_text(entry, "BookgDt", "Dt")
        or find_text(entry, "BookgDt", "DtTm")
        or find_text(entry, "ValDt", "Dt")
        or find_text(entry, "ValDt", "DtTm")
        or ctx.created
    )
    if not text:
        raise _bad(ctx, entry, number, "BookgDt", None, "entry has no booking date")
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise _bad(ctx, entry, number, "BookgDt", text, "not an ISO date") from None


def _line(  # noqa: PLR0917 - the parts of one line
    ctx: _Ctx,
    entry: Element,
    details: list[Element],
    bank_id: str,
    booked_on: date,
    amount: Decimal,
    currency: str,
) -> BankLine:
    """One line from an entry and the TxDtls it stands for.

    An unsplit batch (TxDtls without their own amounts) keeps every TxDtls' remittance.
    """
    party = "Dbtr" if amount > 0 else "Cdtr"
    texts: list[str] = []
    references: list[str] = []
    payer = payer_account = None
    if details:
        first = details[0]
        payer = _party_name(first, "Ultmt" + party) or _party_name(first, party)
        payer_account = find_text(first, "RltdPties", party + "Acct", "Id", "IBAN") or find_text(
            first, "RltdPties", party + "Acct", "Id", "Othr", "Id"
        )
    for tx in details:
        texts += [t for t in _texts(tx, "RmtInf", "Ustrd") if t]
        texts += [t for t in (find_text(tx, "AddtlTxInf"),) if t]
        references += _references(tx)
    texts += [t for t in (find_text(entry, "AddtlNtryInf"),) if t]
    description = " ".join([*([payer] if payer else []), *texts, *references])
    return BankLine(
        account=ctx.account,
        bank_id=bank_id,
        booked_on=booked_on,
        amount=amount,
        currency=currency,
        description=description,
        payer_name=payer,
        payer_account=payer_account,
        references=tuple(dict.fromkeys(references)),
        source_file=str(ctx.path),
    )


def _party_name(tx: Element, role: str) -> str | None:
    return find_text(tx, "RltdPties", role, "Nm") or find_text(tx, "RltdPties", role, "Pty", "Nm")


def _references(tx: Element) -> list[str]:
    refs = [find_text(tx, "Refs", "EndToEndId"), find_text(tx, "Refs", "UETR")]
    for strd in findall(tx, "RmtInf", "Strd"):
        docs = findall(strd, "RfrdDocInf")
        if len(docs) == 1:
            refs.append(_document(strd, docs[0]))
        else:  # amounts of several documents together say nothing of each one
            refs += [find_text(d, "Nb") for d in docs]
        refs.append(find_text(strd, "CdtrRefInf", "Ref"))
    return [r for r in refs if r and r.upper() not in _NO_REFERENCE]


def _document(strd: Element, doc: Element) -> str | None:
    """A referred document's number; with `RfrdDocAmt/RmtdAmt` given, as an X12 820 RMR segment.

    `RMR*IV*<number>*PI*<remitted>*<due payable>*<discount>` carries the amounts
    through the store (references are kept as text) to the matcher.
    """
    number = find_text(doc, "Nb")
    paid = find_text(strd, "RfrdDocAmt", "RmtdAmt")
    due = find_text(strd, "RfrdDocAmt", "DuePyblAmt") or ""
    discount = (
        find_text(strd, "RfrdDocAmt", "DscntApldAmt", "Amt")
        or find_text(strd, "RfrdDocAmt", "DscntApldAmt")
        or ""
    )
    if not paid and due and discount:  # remitted = due less the discount taken
        try:
            paid = str(parse_money(due) - parse_money(discount))
        except ValueError:
            paid = None
    if not number or not paid:
        return number
    return f"RMR*IV*{number}*PI*{paid}*{due}*{discount}"


def _texts(node: Element, *path: str) -> list[str]:
    return [(e.text or "").strip() for e in findall(node, *path)]


def _bad(  # noqa: PLR0917
    ctx: _Ctx, entry: Element, number: int, field: str, value: str | None, message: str
) -> BadInputError:
    return reject(
        ctx.path,
        f"entry {number}: {message}",
        line=ctx.lines.get(entry),
        field=f"Ntry.{field}",
        value=value,
    )


def _check_unique(path: Path, lines: list[BankLine]) -> None:
    seen: set[str] = set()
    for line in lines:
        if line.bank_id in seen:
            raise reject(
                path,
                "entry reference repeated",
                line=line.source_line,
                field="AcctSvcrRef",
                value=line.bank_id,
            )
        seen.add(line.bank_id)
