"""Contact details and letter language: typed, else the ERP's, else YAML, else the CSV file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from arbridge.cli import cli
from tests.cli.test_ar_mail import AS_OF, _Inbox, _run, inbox

__all__ = ["inbox"]  # the SMTP fixture, used here too

STAGES = ("reminder", "first_notice", "second_notice", "final_notice")


@pytest.fixture
def config(contract_data: Path, inbox: tuple[_Inbox, int], tmp_path: Path) -> Path:
    """The ERP csv gives C001 an email and German; C004 only French; the rest comes from config."""
    customers = contract_data / "erp" / "customers.csv"
    lines = customers.read_text(encoding="utf-8").splitlines()
    extra = {"C001": "ap@acme.erp,+1 555 0101,de", "C004": ",,fr"}
    rows = [lines[0] + ",email,phone,language"]
    rows += [f"{line},{extra.get(line.split(',')[0], ',,')}" for line in lines[1:]]
    customers.write_text("\n".join(rows) + "\n", encoding="utf-8")
    templates = tmp_path / "templates"
    templates.mkdir()
    for stage in STAGES:
        for language, word in (("de", "Mahnung"), ("en", "Reminder")):
            (templates / f"{stage}.{language}.txt").write_text(
                f"Subject: {word} {{{{ money(total) }}}}\nDear {{{{ contact or name }}}}\n",
                encoding="utf-8",
            )
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(
        "customer_id,name,email,phone,language\n"
        "C001,Jo File,file@acme.test,,en\n"
        "C004,Pat File,file@delta.test,+1 555 0104,\n",
        encoding="utf-8",
    )
    path = contract_data / "arbridge.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + f"""
ar:
  dunning: {{templates: {templates}, language: en}}
  contacts:
    C004: {{email: ap@delta.yaml}}
  contacts_file: {contacts}
smtp: {{host: 127.0.0.1, port: {inbox[1]}, starttls: false, sender: ar@northwind.test}}
""",
        encoding="utf-8",
    )
    _run(path, "run", "--once")
    return path


def test_the_erp_first_then_yaml_then_the_file(config: Path, inbox: tuple[_Inbox, int]) -> None:
    _run(config, "ar", "dunning", "--as-of", AS_OF, "--send")

    by_to = {m["To"]: m for m in inbox[0].messages}
    assert set(by_to) == {"ap@acme.erp", "ap@delta.yaml"}  # the ERP's, else YAML's over the file's
    assert by_to["ap@acme.erp"]["Subject"].startswith("Mahnung ")  # German, from the ERP
    body = by_to["ap@acme.erp"].get_body()
    assert body is not None
    assert "Dear Jo File" in body.get_content()  # the name from the file
    assert by_to["ap@delta.yaml"]["Subject"].startswith("Reminder ")  # no French: the default


def test_what_a_collector_types_wins(config: Path) -> None:
    _run(config, "ar", "customer", "C001", "--email", "typed@acme.test", "--language", "en")
    printed = _run(config, "ar", "dunning", "--as-of", AS_OF)
    assert "would send 'Reminder 80.50' to typed@acme.test" in printed

    shown = _run(config, "ar", "customer", "C004")
    assert "writes to: ap@delta.yaml (fr)" in shown


def test_a_bad_language_in_the_contacts_file_is_named(config: Path, tmp_path: Path) -> None:
    (tmp_path / "contacts.csv").write_text("customer_id,language\nC001,klingon\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(config), "ar", "dunning", "--as-of", AS_OF])
    assert result.exit_code != 0
    message = str(result.output) + str(result.exception)
    assert "contacts.csv:2, field 'language', value 'klingon'" in message
