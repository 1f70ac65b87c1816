"""Bank statements of the synthetic dataset in the contract's CSV, OFX 2.x and camt.053."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

StatementRow = tuple[str, date, str, str, Decimal]
"""Transaction id, booking date, payer as the bank writes it, remittance text, signed amount."""

OFX_NAME_LENGTH = 32


def write_csv(folder: Path, rows: Sequence[StatementRow]) -> None:
    """The contract's CSV: payer and remittance run together in Description."""
    with (folder / "statement.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["Date", "Description", "Amount", "Transaction ID"])
        for tx, day, payer, memo, amount in rows:
            text = " ".join(p for p in (payer, memo) if p)
            out.writerow([day.strftime("%m/%d/%Y"), text, f"{amount:.2f}", tx])


def write_ofx(folder: Path, rows: Sequence[StatementRow]) -> None:
    """OFX 2.x XML: payer in NAME (32 characters at most), remittance in MEMO, id in FITID."""
    items = []
    for tx, day, payer, memo, amount in rows:
        name = escape((payer or memo)[:OFX_NAME_LENGTH])
        items.append(
            f"<STMTTRN><TRNTYPE>{'CREDIT' if amount > 0 else 'DEBIT'}</TRNTYPE>"
            f"<DTPOSTED>{day:%Y%m%d}</DTPOSTED><TRNAMT>{amount:.2f}</TRNAMT><FITID>{tx}</FITID>"
            f"<NAME>{name}</NAME><MEMO>{escape(memo if payer else '')}</MEMO></STMTTRN>"
        )
    body = "\n".join(items)
    (folder / "statement.ofx").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<?OFX OFXHEADER="200" VERSION="211"?>\n'
        "<OFX><BANKMSGSRSV1><STMTTRNRS><TRNUID>1</TRNUID><STMTRS><CURDEF>USD</CURDEF>"
        "<BANKACCTFROM><BANKID>121000248</BANKID><ACCTID>4471</ACCTID><ACCTTYPE>CHECKING</ACCTTYPE>"
        f"</BANKACCTFROM><BANKTRANLIST>\n{body}\n</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n",
        encoding="utf-8",
    )


_RMR = re.compile(r"RMR\*IV\*([^*~]+)\*PI\*([\d.]+)(?:\*([\d.]*)\*([\d.]*))?~?")


def _camt_remittance(memo: str) -> str:
    """Ustrd for free text; each X12 RMR segment as a Strd with RfrdDocInf and RfrdDocAmt."""
    strd = []
    for m in _RMR.finditer(memo):
        number, paid, due, discount = m.groups()
        amounts = f'<RmtdAmt Ccy="USD">{paid}</RmtdAmt>'
        if due:
            amounts = f'<DuePyblAmt Ccy="USD">{due}</DuePyblAmt>' + amounts
        if discount:
            amounts += f'<DscntApldAmt><Amt Ccy="USD">{discount}</Amt></DscntApldAmt>'
        strd.append(
            f"<Strd><RfrdDocInf><Tp><CdOrPrtry><Cd>CINV</Cd></CdOrPrtry></Tp><Nb>{escape(number)}</Nb>"
            f"</RfrdDocInf><RfrdDocAmt>{amounts}</RfrdDocAmt></Strd>"
        )
    text = _RMR.sub("", memo).strip()
    return (f"<Ustrd>{escape(text)}</Ustrd>" if text or not strd else "") + "".join(strd)


def write_camt(folder: Path, rows: Sequence[StatementRow]) -> None:
    """camt.053: debtor name in RltdPties, remittance in Ustrd (RMR segments in Strd)."""
    entries = []
    for tx, day, payer, memo, amount in rows:
        party = f"<RltdPties><Dbtr><Nm>{escape(payer)}</Nm></Dbtr></RltdPties>" if payer else ""
        entries.append(
            f'<Ntry><Amt Ccy="USD">{abs(amount):.2f}</Amt><CdtDbtInd>{"CRDT" if amount > 0 else "DBIT"}</CdtDbtInd>'
            f"<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>{day.isoformat()}</Dt></BookgDt><AcctSvcrRef>{tx}</AcctSvcrRef>"
            f"<NtryDtls><TxDtls>{party}<RmtInf>{_camt_remittance(memo)}</RmtInf></TxDtls></NtryDtls></Ntry>"
        )
    body = "\n".join(entries)
    (folder / "statement.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>'
        "<GrpHdr><MsgId>BENCH</MsgId><CreDtTm>2026-11-20T00:00:00</CreDtTm></GrpHdr>"
        "<Stmt><Id>1</Id><Acct><Id><IBAN>US00BENCH0000000004471</IBAN></Id></Acct>"
        f"\n{body}\n</Stmt></BkToCstmrStmt></Document>\n",
        encoding="utf-8",
    )


WRITERS: dict[str, Callable[[Path, Sequence[StatementRow]], None]] = {
    "csv": write_csv,
    "ofx": write_ofx,
    "camt": write_camt,
}
