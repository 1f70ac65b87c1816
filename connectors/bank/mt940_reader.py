"""Read SWIFT MT940 (and MT942) statements through the `mt-940` package.

`mt-940` is maintained and handles the banks' many `:61:` variants; this
module adds the ASN Bank variant as a fallback, takes payer and remittance from
the package's structured `:86:` fields (German `?xx` subfields) or the raw text,
and turns any parser failure into a rejection of the whole file.
"""

from __future__ import annotations

import logging
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import mt940
from mt940 import tags as mt940_tags

from arbridge.connectors.bank._bom import from_utf16
from arbridge.connectors.bank._errors import reject
from arbridge.connectors.bank._fingerprint import Fingerprinter
from arbridge.connectors.bank._mt940_lines import prepare
from arbridge.connectors.bank._notes import note
from arbridge.domain.records import BankLine

_FAILURES = (RuntimeError, ValueError, KeyError, IndexError, TypeError, InvalidOperation)
# Every fix the next `mt-940` major release makes the default: `RC` (reversal of a
# credit) is a debit, `?31` is the payer's account and not part of the name,
# `:86:` is never truncated, a BOM does not hide the first `:20:`.
_OPTIONS = mt940.Options.all()
_OBJECT_AT = re.compile(r" object at 0x[0-9a-fA-F]+")
# `mt-940` logs each failed match before it raises; the rejection here says it once.
logging.getLogger("mt940.tags").setLevel(logging.CRITICAL)


def read_mt940_statement(
    path: Path, *, account: str, currency: str, data: bytes | None = None
) -> list[BankLine]:
    """Parse an MT940/MT942 file into bank lines, all or nothing.

    MT940 lines carry no unique id, so each gets a stable fingerprint
    (date, amount, text, per-day sequence).

    Raises:
        BadInputError: the file cannot be read as MT940; names file and field.
    """
    prepared = prepare(path, _decode(path.read_bytes() if data is None else data))
    at_lines = prepared.lines
    transactions = _parse(path, prepared.text)
    if len(transactions) != len(at_lines):
        raise reject(
            path,
            f"read {len(transactions)} of the {len(at_lines)} :61: statement lines",
            line=at_lines[len(transactions)] if len(transactions) < len(at_lines) else None,
            field=":61:",
        )
    fingerprints = Fingerprinter()
    lines = []
    for number, transaction in enumerate(transactions, start=1):
        values: dict[str, Any] = transaction.data
        amount_obj = values.get("amount")
        booked = values.get("date")
        if amount_obj is None or booked is None:
            raise reject(path, f"transaction {number} has no amount or date", field=":61:")
        amount = Decimal(str(amount_obj.amount))
        payer, remittance, payer_account = _details(values)
        extra = (values.get("extra_details") or "").strip()
        description = " ".join(p for p in (payer, remittance, extra) if p)
        remark = prepared.notes[number - 1]
        if remark:
            note(path, remark, line=at_lines[number - 1], field=":61: date")
            description = f"{description} [note: {remark}]".lstrip()
        references = tuple(
            r.strip()
            for r in (
                values.get("customer_reference"),
                values.get("bank_reference"),
                values.get("end_to_end_reference"),
            )
            if r and r.strip() and r.strip().upper() != "NONREF"
        )
        lines.append(
            BankLine(
                account=account,
                bank_id=fingerprints.next_id(booked, amount, description),
                booked_on=booked,
                amount=amount,
                currency=str(values.get("currency") or amount_obj.currency or currency),
                description=description,
                payer_name=payer or None,
                payer_account=payer_account or None,
                references=references,
                source_file=str(path),
                source_line=at_lines[number - 1],
            )
        )
    return lines


def _decode(raw: bytes) -> str:
    raw = from_utf16(raw, partial=True)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    if "\r" in text and "\n" not in text:  # old Mac line ends: every tag would sit on line 1
        text = text.replace("\r", "\n")
    return text


def _parse(path: Path, text: str) -> list[Any]:
    try:
        return list(mt940.parse(text, options=_OPTIONS))
    except _FAILURES as first:
        try:
            asnb = mt940_tags.StatementASNB()
            return list(mt940.parse(text, tags={asnb.id: asnb}, options=_OPTIONS))
        except _FAILURES:
            message = _OBJECT_AT.sub("", str(first.args[0] if first.args else first))
            raise reject(path, f"not a readable MT940 statement: {message}", field=":61:") from None


def _details(data: dict[str, Any]) -> tuple[str, str, str]:
    """(payer, remittance, payer account) from `:86:`, structured by `mt-940` where it can."""
    payer = _clean(data.get("deviate_applicant") or data.get("applicant_name"))
    account = _clean(data.get("applicant_iban") or data.get("gvc_applicant_iban"))
    structured = [_clean(data.get(k)) for k in ("posting_text", "purpose", "additional_purpose")]
    if any(structured) or payer:
        return payer, " ".join(p for p in structured if p), account
    raw = data.get("transaction_details") or data.get("non_swift_text") or ""
    return "", _clean(raw), account


def _clean(value: object) -> str:
    return " ".join(str(value).split()) if value else ""
