"""Statements and dunning to a real SMTP server, read back: headers, body, the PDF's text."""

from __future__ import annotations

import email
import email.policy
import io
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from pypdf import PdfReader

from arbridge.cli import cli

AS_OF = "2026-11-30"


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's hook
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"


@pytest.fixture
def inbox() -> Iterator[tuple[_Inbox, int]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    handler = _Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def _run(config: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def config(contract_data: Path, inbox: tuple[_Inbox, int]) -> Path:
    path = contract_data / "arbridge.yaml"
    extra = f"""
ar:
  statements:
    company: Northwind Supply
    remit_to: "Northwind Supply, 1 Dock Road, Portland"
    payment_instructions: "ACH to 021000021 / 123456789, quote the invoice numbers"
smtp: {{host: 127.0.0.1, port: {inbox[1]}, starttls: false, sender: ar@northwind.test}}
"""
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    _run(path, "run", "--once")
    _run(path, "ar", "customer", "C001", "--email", "ap@acme.test", "--contact", "Jo Smith")
    _run(path, "ar", "customer", "C004", "--email", "ap@delta.test")
    return path


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_statements_hold_the_month_and_the_totals(config: Path, tmp_path: Path) -> None:
    out = tmp_path / "statements"
    printed = _run(config, "ar", "statements", "--as-of", AS_OF, "--out", str(out))

    assert printed.strip() == f"5 statement(s) written to {out}"
    text = _pdf_text((out / "statement-C001-2026-11.pdf").read_bytes())
    assert "Northwind Supply" in text
    assert "Opening balance 3230.50" in text  # 1250.00 + 480.50 + 1500.00 open on 1 Nov
    for paid in ("TX0001 -> INV-1001 -1250.00", "TX0004 -> INV-1010 -1500.00", "-400.00"):
        assert paid in text
    assert "Closing balance 80.50" in text
    assert "INV-1002 2026-10-05 2026-11-04 26 80.50" in text  # open item, days past due
    assert "ACH to 021000021" in text


def test_statements_are_sent_once_per_month(
    config: Path, tmp_path: Path, inbox: tuple[_Inbox, int]
) -> None:
    handler, _ = inbox
    out = str(tmp_path / "s")
    printed = _run(config, "ar", "statements", "--as-of", AS_OF, "--out", out, "--send")
    assert "2 sent" in printed  # only C001 and C004 have an address
    assert sorted(m["To"] for m in handler.messages) == ["ap@acme.test", "ap@delta.test"]

    again = _run(config, "ar", "statements", "--as-of", AS_OF, "--out", out, "--send")
    assert "0 sent" in again
    assert len(handler.messages) == 2


def test_dunning_is_a_dry_run_by_default(config: Path, inbox: tuple[_Inbox, int]) -> None:
    printed = _run(config, "ar", "dunning", "--as-of", AS_OF)

    assert "held C004 INV-1007: covered by cash in flight" in printed  # the 760.00 in review
    assert "C001 second_notice: INV-1002 (80.50): would send" in printed
    assert inbox[0].messages == []


def test_dunning_sends_each_stage_once_with_the_statement(
    config: Path, inbox: tuple[_Inbox, int]
) -> None:
    handler, _ = inbox
    _run(config, "ar", "dunning", "--as-of", AS_OF, "--send")

    by_to = {m["To"]: m for m in handler.messages}
    assert set(by_to) == {"ap@acme.test", "ap@delta.test"}
    acme = by_to["ap@acme.test"]
    assert acme["Subject"] == "Northwind Supply: second notice for Acme Industrial Supply Inc"
    assert acme["From"] == "ar@northwind.test"
    body = acme.get_body(("plain",))
    assert body is not None
    assert "Dear Jo Smith" in body.get_content()
    assert "INV-1002  due 2026-11-04  80.50  (26 days past due)" in body.get_content()
    (attachment,) = acme.iter_attachments()
    assert attachment.get_filename() == "statement-C001-2026-11.pdf"
    assert "Closing balance 80.50" in _pdf_text(attachment.get_content())
    delta_body = by_to["ap@delta.test"].get_body(("plain",))
    assert delta_body is not None
    delta = delta_body.get_content()
    assert "INV-1008" in delta
    assert "INV-1007" not in delta  # its money is in review

    _run(config, "ar", "dunning", "--as-of", AS_OF, "--send")  # the same day again
    assert len(handler.messages) == 2
    page = _run(config, "ar", "customer", "C001")
    assert f"dunning:INV-1002:second_notice to ap@acme.test: {acme['Message-ID']}" in page


def test_disputes_promises_and_opt_outs_are_never_dunned(config: Path) -> None:
    _run(config, "ar", "dispute", "INV-1002", "--reason", "price")
    _run(config, "ar", "customer", "C004", "--opt-out")
    printed = _run(config, "ar", "dunning", "--as-of", AS_OF)

    assert "held C001 INV-1002: in dispute" in printed
    assert "held C004 INV-1008: customer opted out" in printed
    assert "would send" not in printed


def test_a_stage_template_from_the_config_folder(config: Path, tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "second_notice.en.txt").write_text(
        "Subject: Overdue: {{ money(total) }}\n{% for l in lines %}{{ l.invoice_id }}{% endfor %}\n",
        encoding="utf-8",
    )
    text = config.read_text(encoding="utf-8").replace(
        "ar:\n", f"ar:\n  dunning: {{templates: {folder}}}\n", 1
    )
    config.write_text(text, encoding="utf-8")

    printed = _run(config, "ar", "dunning", "--as-of", AS_OF)
    assert "would send 'Overdue: 80.50' to ap@acme.test" in printed
