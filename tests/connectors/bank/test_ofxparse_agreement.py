"""Our OFX reader against `ofxparse` itself, wherever `ofxparse` reads a file correctly.

`ofxparse` stays the reference for what a bank OFX statement means: on every
real sample it parses, and on generated statements of every shape our fast
path and tree path take, both must give the same transactions (id, amount,
name, memo, date). Dates are compared only where the file gives no time-zone
offset, since `ofxparse` shifts those to UTC (the bug our reader avoids).
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from ofxparse import OfxParser
from ofxparse.ofxparse import AccountType

from arbridge.connectors.bank.ofx_reader import read_ofx_transactions
from bench.bank_ingest import ofx as generated_ofx
from tests.conftest import SHARED

SAMPLES = SHARED / "bank-samples"
OFX_SUFFIXES = {".ofx", ".qfx", ".sgml", ".xml", ".qbo"}


@dataclass(frozen=True)
class Seen:
    fitid: str
    amount: Decimal
    name: str
    memo: str
    posted_on: date | None


def _theirs(raw: bytes, *, dates: bool) -> list[Seen] | None:
    """ofxparse's bank/card transactions, or None when it cannot read the file."""
    if b"STMTRS" not in raw.upper():
        return None  # an account listing or a sign-on only: no statement to compare
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            parsed = OfxParser.parse(io.BytesIO(raw))
        except Exception:  # any ofxparse failure: it is no reference here
            return None
    found = []
    for account in parsed.accounts:
        statement = getattr(account, "statement", None)
        if account.type not in (AccountType.Bank, AccountType.CreditCard) or statement is None:
            return None  # investments and account listings are not bank statements
        for t in statement.transactions:
            when = t.date.date() if dates else None
            found.append(Seen(t.id, Decimal(t.amount), t.payee, t.memo, when))
    return found


def _ours(path: Path, raw: bytes, *, dates: bool) -> list[Seen]:
    return [
        Seen(t.fitid, t.amount, t.name, t.memo, t.posted_on if dates else None)
        for t in read_ofx_transactions(path, raw)
    ]


def _real_samples() -> list[Path]:
    if not SAMPLES.is_dir():
        return []
    return sorted(
        p
        for folder in ("ofx", "qfx")
        if (SAMPLES / folder).is_dir()
        for p in (SAMPLES / folder).iterdir()
        if p.suffix.lower() in OFX_SUFFIXES
    )


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared/bank-samples is not beside the repo")
@pytest.mark.parametrize("path", _real_samples(), ids=lambda p: p.name)
def test_real_sample_agrees_with_ofxparse(path: Path) -> None:
    raw = path.read_bytes()
    dates = b"[" not in raw
    theirs = _theirs(raw, dates=dates)
    if theirs is None:
        pytest.skip("ofxparse cannot read this file, so it is no reference for it")
    assert _ours(path, raw, dates=dates) == theirs


SHAPES: dict[str, Callable[[int], str]] = {
    "sgml leaves": generated_ofx,
    "xml closed leaves": lambda n: _as_xml(generated_ofx(n)),
    "payee aggregate": lambda n: (
        generated_ofx(n)
        .replace("<NAME>", "<PAYEE><NAME>", 3)
        .replace("\n<MEMO>", "</PAYEE>\n<MEMO>", 3)
    ),
    "entities": lambda n: generated_ofx(n).replace("CUSTOMER 1\n", "SMITH &amp; SONS\n"),
}


def _as_xml(sgml: str) -> str:
    lines = []
    for line in sgml.splitlines():
        if line.startswith("<") and not line.startswith("</") and ">" in line:
            tag, _, value = line[1:].partition(">")
            if value and "<" not in value:
                lines.append(f"<{tag}>{value}</{tag}>")
                continue
        lines.append(line)
    return "\n".join(lines)


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_generated_statement_agrees_with_ofxparse(tmp_path: Path, shape: str) -> None:
    path = tmp_path / "statement.ofx"
    path.write_text(SHAPES[shape](300), encoding="ascii")
    raw = path.read_bytes()
    theirs = _theirs(raw, dates=True)
    assert theirs is not None
    assert len(theirs) == 300
    assert _ours(path, raw, dates=True) == theirs
