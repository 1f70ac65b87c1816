"""`arbridge bank read` and `arbridge bank sniff` through the real CLI."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import yaml
from click.testing import CliRunner

from arbridge.cli import cli
from arbridge.connectors.bank import CsvProfile, read_csv_statement, sniff_csv_profile
from tests.connectors.bank.golden import DATA

OFX = (
    "OFXHEADER:100\nDATA:OFXSGML\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>USD"
    "<BANKACCTFROM><ACCTID>1</BANKACCTFROM><BANKTRANLIST><STMTTRN><TRNTYPE>CREDIT"
    "<DTPOSTED>20261102<TRNAMT>1,250.00<FITID>F1<NAME>ACME<MEMO>INV-1001</STMTTRN>"
    "</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n"
)


def test_read_prints_normalised_lines(tmp_path: Path) -> None:
    """An OFX file named .txt is detected by content and printed as CSV."""
    path = tmp_path / "download.txt"
    path.write_text(OFX, encoding="utf-8")
    result = CliRunner().invoke(cli, ["bank", "read", str(path)])
    assert result.exit_code == 0, result.output
    (row,) = csv.DictReader(io.StringIO(result.output))
    assert (row["bank_id"], row["amount"], row["booked_on"]) == ("F1", "1250.00", "2026-11-02")
    assert row["description"] == "ACME INV-1001"


def test_read_bad_file_exits_non_zero_naming_line_and_field(tmp_path: Path) -> None:
    """A bad statement exits 1 with the file/line/field message."""
    path = tmp_path / "bad.ofx"
    path.write_text(OFX.replace("20261102", "2026-XX"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["bank", "read", str(path)])
    assert result.exit_code == 1
    assert "field 'DTPOSTED'" in result.output
    assert "bad.ofx:4" in result.output


def test_sniff_proposes_a_profile_that_reads_the_file(tmp_path: Path) -> None:
    """The proposed profile (decimal comma, semicolons, preamble) reads the file it came from."""
    path = tmp_path / "export.csv"
    path.write_bytes(
        "Kontoauszug Girokonto\n"
        "Buchungstag;Empfänger;Verwendungszweck;Betrag;Referenz\n"
        "02.11.2026;ACME GmbH;RE 1001;1.250,00;R1\n"
        "03.11.2026;Café Noir;Miete;-800,50;R2\n".encode("cp1252")
    )
    proposal = sniff_csv_profile(path)
    result = CliRunner().invoke(cli, ["bank", "sniff", str(path)])
    assert result.exit_code == 0
    assert yaml.safe_load(result.output)["csv"] == proposal
    amount = proposal["amount"]
    assert isinstance(amount, dict)
    assert proposal["skip_lines"] == 1
    profile = CsvProfile(
        date_column=proposal["date"]["column"],  # type: ignore[index]  # the proposal is JSON, typed as object; the test reads known keys
        date_format=proposal["date"]["format"],  # type: ignore[index]  # the proposal is JSON, typed as object; the test reads known keys
        description_columns=tuple(proposal["description"]["columns"]),  # type: ignore[index]  # the proposal is JSON, typed as object; the test reads known keys
        amount_column=amount["column"],
        decimal_sep=amount["decimal"],
        thousands_sep=amount.get("thousands"),
        delimiter=str(proposal["delimiter"]),
        encoding=str(proposal["encoding"]),
        skip_lines=1,
        transaction_id_column=proposal["transaction_id"]["column"],  # type: ignore[index]  # the proposal is JSON, typed as object; the test reads known keys
    )
    lines = read_csv_statement(path, profile, account="a", currency="EUR")
    assert [str(line.amount) for line in lines] == ["1250.00", "-800.50"]
    assert [line.bank_id for line in lines] == ["R1", "R2"]


MISMATCH = DATA / "bai2" / "control_totals_mismatch_noted.bai"


def test_read_notes_a_control_total_and_strict_rejects_it() -> None:
    """A BAI2 whose 49 total does not add up is read with a note; `--strict` exits 1."""
    result = CliRunner().invoke(cli, ["bank", "read", str(MISMATCH)])
    assert result.exit_code == 0, result.output
    assert "arbridge: note:" in result.stderr
    assert f"{MISMATCH}:6" in result.stderr
    assert len(list(csv.DictReader(io.StringIO(result.stdout)))) == 2
    strict = CliRunner().invoke(cli, ["bank", "read", "--strict", str(MISMATCH)])
    assert strict.exit_code == 1
    assert "(strict)" in strict.stderr


def test_read_a_zip_names_each_member(tmp_path: Path) -> None:
    """`bank read` of a ZIP prints every member's lines; a bad member is named with its line."""
    path = tmp_path / "day.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.ofx", OFX)
        archive.writestr("b.ofx", OFX.replace("F1", "F2"))
    result = CliRunner().invoke(cli, ["bank", "read", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert [row["bank_id"] for row in json.loads(result.stdout)] == ["F1", "F2"]
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("bad.ofx", OFX.replace("20261102", "2026-XX"))
    bad = CliRunner().invoke(cli, ["bank", "read", str(path)])
    assert bad.exit_code == 1
    assert f"{path}!bad.ofx:4" in bad.stderr


def test_sniff_names_the_preset_that_fits(tmp_path: Path) -> None:
    """A Revolut export is named as such, with the YAML to paste."""
    path = tmp_path / "revolut.csv"
    path.write_text(
        "Type,Product,Started Date,Completed Date,Description,Amount,Fee,Currency,State,Balance\n"
        "TOPUP,Current,2026-11-01 09:00:00,2026-11-02 09:00:01,Acme,1250,0,EUR,COMPLETED,1250\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["bank", "sniff", str(path)])
    assert result.exit_code == 0, result.output
    assert "fits the preset 'revolut'" in result.output
    assert yaml.safe_load(result.output) == {"csv": {"preset": "revolut"}}
    listing = CliRunner().invoke(cli, ["bank", "presets"])
    assert "revolut: Revolut" in listing.output
    assert "Completed Date" in listing.output
