"""An OFX download that is the bank's error answer, rejected in the bank's own words.

A failed signon (`SONRS` status 15500, "invalid identification code or password")
or a server error inside the statement response (`STMTTRNRS` status 2000, "General
Server Error") carries no statement; the file is rejected with the bank's code,
severity and message, so that IT knows to fix the bank connection.
"""

from __future__ import annotations

from pathlib import Path

from arbridge.connectors.bank._errors import reject
from arbridge.connectors.bank._sgml import Node

# OFX 1.6/2.x specification, section 3.1.5 ("status codes"); used when the bank gives no MESSAGE.
_MEANING = {
    "2000": "General error",
    "2001": "Invalid account",
    "2002": "General account error",
    "2003": "Account not found",
    "2004": "Account closed",
    "2005": "Account not authorized",
    "2019": "Duplicate request",
    "2020": "Invalid date",
    "2027": "Invalid date range",
    "15000": "Must change USERPASS",
    "15500": "Signon invalid (user ID or password)",
    "15501": "Customer account already in use",
    "15502": "USERPASS lockout",
    "15510": "Invalid client UID",
}


def reject_error_answer(path: Path, root: Node) -> None:
    """Raise when a STATUS aggregate reports an error (severity ERROR, or a code but no data).

    Raises:
        BadInputError: naming the STATUS line, the bank's code, severity and message.
    """
    for status in root.iter("STATUS"):
        code = (status.value("CODE") or "").strip()
        severity = (status.value("SEVERITY") or "").strip().upper()
        if severity == "ERROR" or (not severity and code not in {"", "0"}):
            message = (status.value("MESSAGE") or "").strip() or _MEANING.get(code, "no message")
            raise reject(
                path,
                f"the bank answered with an error, not a statement: code {code or '?'}, "
                f"severity {severity or '?'}: {message}",
                line=status.line,
                field="STATUS",
                value=code,
            )
