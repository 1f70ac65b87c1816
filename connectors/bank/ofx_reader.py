"""Read OFX 1.x SGML, OFX 2.x XML and QFX/QBO statements (bank and credit card)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from arbridge.connectors.bank._errors import reject
from arbridge.connectors.bank._fingerprint import Fingerprinter
from arbridge.connectors.bank._notes import note
from arbridge.connectors.bank._ofx_fast import MARKER, Block, cut_transactions
from arbridge.connectors.bank._ofx_status import reject_error_answer
from arbridge.connectors.bank._ofx_text import decode_ofx
from arbridge.connectors.bank._ofx_values import ofx_amount, ofx_date
from arbridge.connectors.bank._sgml import Node, parse_sgml
from arbridge.domain.records import BankLine

_STATEMENTS = ("STMTRS", "CCSTMTRS", "INVSTMTRS")
_ACCOUNTS = ("BANKACCTFROM", "CCACCTFROM", "INVACCTFROM")
_T = TypeVar("_T")


@dataclass(slots=True, kw_only=True)  # not frozen: 20,000 frozen inits cost a tenth of a read
class OfxTransaction:
    """One STMTTRN as written, before it becomes a bank line."""

    account_id: str
    fitid: str
    trntype: str
    posted_on: date
    amount: Decimal
    currency: str | None
    name: str
    memo: str
    checknum: str
    refnum: str
    line: int


def read_ofx_transactions(path: Path, raw: bytes) -> list[OfxTransaction]:
    """Every transaction of every statement (all accounts) in an OFX file.

    Raises:
        BadInputError: the file is not OFX, is truncated, holds no statement, or
            a transaction lacks a valid date or amount; names line and field.
    """
    text = decode_ofx(path, raw)
    cut = cut_transactions(text.body, text.first_line)
    root = parse_sgml(path, cut.skeleton, text.first_line)
    reject_error_answer(path, root)
    statements = list(root.iter(*_STATEMENTS))
    if not statements and _answer_without_statement(root):
        note(path, "a successful OFX answer without a statement (sign-on or account list)")
        return []
    if not statements:
        raise reject(
            path, "no bank or card statement (STMTRS/CCSTMTRS) in this OFX file", field="STMTRS"
        )
    found: list[OfxTransaction] = []
    for statement in statements:
        _check_balances(path, statement)
        found.extend(_transactions(path, statement, cut.runs))
    return found


def read_ofx_statement(
    path: Path, *, account: str, currency: str, data: bytes | None = None
) -> list[BankLine]:
    """Parse an OFX/QFX statement into bank lines, all or nothing.

    Lines with a zero amount (bank comments) are left out. Where the file
    holds several accounts, each FITID is prefixed with its account id.

    Raises:
        BadInputError: naming file, line and field.
    """
    transactions = read_ofx_transactions(path, path.read_bytes() if data is None else data)
    several = len({t.account_id for t in transactions}) > 1
    placeholders = _placeholder_fitids(path, transactions)
    fingerprints = Fingerprinter()
    lines = []
    source = str(path)
    for t in transactions:
        if not t.amount:
            continue
        name, memo = t.name, t.memo
        description = f"{name} {memo}" if name and memo else name or memo
        if t.fitid and (t.account_id, t.fitid) not in placeholders:
            bank_id = f"{t.account_id}/{t.fitid}" if several else t.fitid
        else:
            bank_id = fingerprints.next_id(t.posted_on, t.amount, description)
        references = _references(t.checknum, t.refnum)
        lines.append(
            BankLine(
                account=account,
                bank_id=bank_id,
                booked_on=t.posted_on,
                amount=t.amount,
                currency=t.currency or currency,
                description=description,
                payer_name=name or None,
                references=references,
                source_file=source,
                source_line=t.line,
            )
        )
    return lines


def _answer_without_statement(root: Node) -> bool:
    """A sign-on that succeeded, or an account list: a real answer, with no lines in it."""
    sonrs = next(root.iter("SONRS"), None)
    signon = sonrs.child("STATUS") if sonrs is not None else None
    ok = signon is not None and (signon.value("CODE") or "").strip() == "0"
    return ok or next(root.iter("ACCTINFORS"), None) is not None


def _placeholder_fitids(path: Path, transactions: list[OfxTransaction]) -> set[tuple[str, str]]:
    """FITIDs that several different transactions share (`0000...`): no id; noted.

    Raises:
        BadInputError: one transaction listed twice under its FITID (same date,
            amount and text): it would be counted twice, or once by chance.
    """
    first: dict[tuple[str, str], OfxTransaction] = {}
    shared: set[tuple[str, str]] = set()
    keyed = [(t.account_id, t.fitid) for t in transactions if t.fitid]
    if len(set(keyed)) == len(keyed):  # the common case: every FITID once
        return shared
    for t in transactions:
        if not t.fitid or not t.amount:
            continue
        key = (t.account_id, t.fitid)
        earlier = first.setdefault(key, t)
        if earlier is t:
            continue
        if _same(earlier, t):
            raise reject(
                path,
                f"transaction listed twice under one FITID (first on line {earlier.line})",
                line=t.line,
                field="FITID",
                value=t.fitid,
            )
        if key not in shared:
            note(
                path,
                "FITID shared by different transactions: they get fingerprint ids",
                line=t.line,
                field="FITID",
            )
            shared.add(key)
    return shared


def _same(a: OfxTransaction, b: OfxTransaction) -> bool:
    return (a.posted_on, a.amount, a.name, a.memo) == (b.posted_on, b.amount, b.name, b.memo)


def _references(checknum: str, refnum: str) -> tuple[str, ...]:
    if checknum and refnum:
        return (checknum, refnum)
    return (checknum,) if checknum else (refnum,) if refnum else ()


def _account_id(statement: Node) -> str:
    for tag in _ACCOUNTS:
        node = statement.child(tag)
        if node is not None:
            return node.value("ACCTID") or ""
    return ""


def _check_balances(path: Path, statement: Node) -> None:
    for tag in ("LEDGERBAL", "AVAILBAL"):
        node = statement.child(tag)
        if node is None:
            continue
        text = node.value("BALAMT") or ""
        if not text:
            continue  # an empty balance is missing information, not a wrong one
        try:
            ofx_amount(text)
        except ValueError:
            raise reject(
                path, "balance is not an amount", line=node.line, field=f"{tag}.BALAMT", value=text
            ) from None


def _transactions(path: Path, statement: Node, runs: list[list[Block]]) -> Iterator[OfxTransaction]:
    account_id = _account_id(statement)
    currency = (statement.value("CURDEF") or "").upper() or None
    for node in statement.iter("STMTTRN", MARKER):
        blocks = runs[int(node.text)] if node.tag == MARKER else [_block(node)]
        for block in blocks:
            yield _transaction(path, block, account_id, currency)


def _block(trn: Node) -> Block:
    """A transaction the tree reader built (it held an aggregate or an empty leaf)."""
    values: dict[str, str] = {}
    lines: dict[str, int] = {}
    for child in trn.children:
        values.setdefault(child.tag, child.text)
        lines.setdefault(child.tag, child.line)
    for aggregate in ("PAYEE", "CURRENCY"):
        node = trn.child(aggregate)
        inner = node.path("NAME" if aggregate == "PAYEE" else "CURSYM") if node else None
        if inner is not None:
            values[f"{aggregate}.{inner.tag}"] = inner.text
    return Block(line=trn.line, values=values, lines=lines)


def _transaction(path: Path, trn: Block, account_id: str, currency: str | None) -> OfxTransaction:
    get = trn.values.get
    own_currency = get("CURRENCY.CURSYM")
    try:  # the common case at once; on a bad value, `_required` says what is wrong
        posted_on, amount = ofx_date(get("DTPOSTED") or ""), ofx_amount(get("TRNAMT") or "")
    except ValueError:
        posted_on = _required(path, trn, "DTPOSTED", ofx_date)
        amount = _required(path, trn, "TRNAMT", ofx_amount)
    return OfxTransaction(
        account_id=account_id,
        fitid=get("FITID") or "",
        trntype=(get("TRNTYPE") or "").upper(),
        posted_on=posted_on,
        amount=amount,
        currency=own_currency.upper() if own_currency else currency,
        name=get("NAME") or get("PAYEE.NAME") or "",
        memo=get("MEMO") or "",
        checknum=get("CHECKNUM") or "",
        refnum=get("REFNUM") or "",
        line=trn.line,
    )


def _required(path: Path, trn: Block, tag: str, parse: Callable[[str], _T]) -> _T:
    text = trn.values.get(tag)
    if not text:
        raise reject(path, f"transaction has no {tag}", line=trn.line, field=tag)
    try:
        return parse(text)
    except ValueError:
        raise reject(
            path, f"{tag} is not valid", line=trn.line_of(tag), field=tag, value=text
        ) from None
