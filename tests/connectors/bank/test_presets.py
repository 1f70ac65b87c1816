"""CSV presets: each bank's documented header is recognised and read with its conventions."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from arbridge.app.profiles import csv_profile
from arbridge.config import CsvProfileSettings
from arbridge.connectors.bank import PRESETS, read_statement, sniff_preset
from arbridge.domain.errors import BadInputError, ConfigError

# preset -> (file bytes, [(amount, booked ISO date, currency)] of the lines it must give)
Sample = tuple[bytes, list[tuple[str, str, str]]]
SAMPLES: dict[str, Sample] = {
    "chase": (
        b"Details,Posting Date,Description,Amount,Type,Balance,Check or Slip #,\n"
        b"CREDIT,11/02/2026,ACME CORP ACH INV 1001,1250.00,ACH_CREDIT,5250.00,,\n"
        b"DEBIT,11/03/2026,CHECK 1042,-45.10,CHECK_PAID,5204.90,1042,\n",
        [("1250.00", "2026-11-02", "USD"), ("-45.10", "2026-11-03", "USD")],
    ),
    "chase_card": (
        b"Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n"
        b"11/01/2026,11/02/2026,OFFICE DEPOT,Shopping,Sale,-82.19,\n",
        [("-82.19", "2026-11-02", "USD")],
    ),
    "capital_one_card": (
        b"Transaction Date,Posted Date,Card No.,Description,Category,Debit,Credit\n"
        b"2026-11-01,2026-11-02,1234,STAPLES,Merchandise,19.99,\n"
        b"2026-11-03,2026-11-04,1234,PAYMENT,Payment,,500.00\n",
        [("-19.99", "2026-11-02", "USD"), ("500.00", "2026-11-04", "USD")],
    ),
    "paypal": (
        b'"Date","Time","TimeZone","Name","Type","Status","Currency","Gross","Fee","Net",'
        b'"From Email Address","Transaction ID"\n'
        b'"11/02/2026","10:01:02","PST","Acme Inc","Payment Received","Completed","USD",'
        b'"1,250.00","-36.55","1,213.45","ap@acme.test","7AB12345CD678901E"\n'
        b'"11/02/2026","11:00:00","PST","Globex","Payment Received","Pending","USD",'
        b'"99.00","0.00","99.00","x@globex.test","8AB12345CD678901E"\n',
        [("1250.00", "2026-11-02", "USD")],
    ),
    "paypal_uk": (
        b'"Date","Time","TimeZone","Name","Type","Status","Currency","Gross","Fee","Net",'
        b'"Transaction ID"\n'
        b'"25/11/2026","10:01:02","GMT","Acme Ltd","Payment Received","Completed","GBP",'
        b'"250.00","-7.55","242.45","1AB12345CD678901E"\n',
        [("250.00", "2026-11-25", "GBP")],
    ),
    "paypal_balance": (
        b"Date, Time, Time Zone, Name, Type, Status, Amount, Receipt ID, Balance,\n"
        b'"11/02/2026","10:01:02","PST","Acme Inc","Payment Received","Completed","1,250.00",'
        b'"","1,250.00",\n',
        [("1250.00", "2026-11-02", "USD")],
    ),
    "mint": (
        b'"Date","Description","Original Description","Amount","Transaction Type","Category",'
        b'"Account Name","Labels","Notes"\n'
        b'"11/02/2026","Acme","ACME INC PAYMENT INV 1001","1,250.00","credit","Income","1234","",""\n'
        b'"11/3/2026","Staples","STAPLES 0042","19.99","debit","Office","1234","",""\n',
        [("1250.00", "2026-11-02", "USD"), ("-19.99", "2026-11-03", "USD")],
    ),
    "stripe_balance": (
        b"id,Type,Source,Amount,Fee,Net,Currency,Created (UTC),Available On (UTC),Description\n"
        b"txn_1Abc,charge,ch_1Abc,1250.00,-36.55,1213.45,usd,2026-11-02 10:01,"
        b"2026-11-04 00:00,Invoice INV-1001\n",
        [("1250.00", "2026-11-02", "USD")],
    ),
    "wise": (
        b"TransferWise ID,Date,Amount,Currency,Description,Payment Reference,Running Balance,"
        b"Exchange From,Exchange To,Exchange Rate,Payer Name,Payee Name\n"
        b"TRANSFER-123456,02-11-2026,1250.00,EUR,Received money from ACME GMBH,INV 1001,"
        b"5250.00,,,,ACME GMBH,\n",
        [("1250.00", "2026-11-02", "EUR")],
    ),
    "revolut": (
        b"Type,Product,Started Date,Completed Date,Description,Amount,Fee,Currency,State,Balance\n"
        b"TOPUP,Current,2026-11-01 09:00:00,2026-11-02 09:00:01,Payment from Acme,1250,0,EUR,"
        b"COMPLETED,1250\n"
        b"CARD_PAYMENT,Current,2026-11-02 10:00:00,,Cafe,-3.5,0,EUR,PENDING,\n",
        [("1250", "2026-11-02", "EUR")],
    ),
    "monzo": (
        b"Transaction ID,Date,Time,Type,Name,Emoji,Category,Amount,Currency,Local amount,"
        b"Local currency,Notes and #tags,Address,Receipt,Description,Category split,"
        b"Money Out,Money In\n"
        b"tx_0000A1,02/11/2026,10:01:02,Faster payment,Acme Ltd,,income,250.00,GBP,250.00,GBP,"
        b",,,INV 1001,,,250.00\n",
        [("250.00", "2026-11-02", "GBP")],
    ),
    "starling": (
        b"Date,Counter Party,Reference,Type,Amount (GBP),Balance (GBP),Spending Category,Notes\n"
        b"02/11/2026,Acme Ltd,INV 1001,FASTER PAYMENT,250.00,1250.00,INCOME,\n",
        [("250.00", "2026-11-02", "USD")],
    ),
    "barclays": (
        b"Number,Date,Account,Amount,Subcategory,Memo\n"
        b",02/11/2026,20-00-00 12345678,250.00,Counter Credit,ACME LTD INV 1001\n",
        [("250.00", "2026-11-02", "USD")],
    ),
    "ing_nl": (
        b'"Datum","Naam / Omschrijving","Rekening","Tegenrekening","Code","Af Bij",'
        b'"Bedrag (EUR)","Mutatiesoort","Mededelingen"\n'
        b'"20261102","ACME BV","NL99INGB0001234567","NL11ABNA0001234567","GT","Bij",'
        b'"1.250,00","Online bankieren","INV 1001"\n'
        b'"20261103","Kosten","NL99INGB0001234567","","DV","Af","1,25","Diversen","Pakket"\n'
        b'"20261103","Kwijtschelding","NL99INGB0001234567","","DV","Bij","0,00","Diversen",""\n',
        [("1250.00", "2026-11-02", "USD"), ("-1.25", "2026-11-03", "USD")],
    ),
    "ing_nl_semicolon": (
        b"Datum;Naam / Omschrijving;Rekening;Tegenrekening;Code;Af Bij;Bedrag (EUR);"
        b"Mutatiesoort;Mededelingen;Extra\n"
        b"20261102;ACME BV;NL99INGB0001234567;NL11ABNA0001234567;GT;Bij;1.250,00;"
        b"Online bankieren;INV 1001;x\n",
        [("1250.00", "2026-11-02", "USD")],
    ),
    "easybank_card_at": (
        b"12345678901;Some vendor|12345678909876543212345;02.11.2026;31.10.2026;-5,99;EUR\n",
        [("-5.99", "2026-11-02", "EUR")],
    ),
    "ing_diba_at": (
        "Kontonummer;Text;Datum;Währung;Soll;Haben\n"
        "12345678001;Eingang: ACME GmbH;02.11.2026;EUR;0,00;1.250,00\n"
        "12345678001;Kapitalertragsteuer;03.11.2026;EUR;34,56;0,00\n".encode("cp1252"),
        [("1250.00", "2026-11-02", "EUR"), ("-34.56", "2026-11-03", "EUR")],
    ),
    "livebank_at": (
        "Kontonummer;Auszugsnummer;Buchungsdatum;Valutadatum;Umsatzzeit;Zahlungsreferenz;"
        "Waehrung;Betrag;Buchungstext;Umsatztext\n"
        '12345678;1;2026-11-02;2026-11-02;2026-11-02-08.21.36.47192;"";EUR;1.250,00;'
        '"Gutschrift";"ACME GmbH";"RE 1001"\n'
        '12345678;1;2026-11-02;2026-11-02;2026-11-02-09.00.00.00000;"";EUR;0,00;'
        '"Verständigung";"Zinsänderung"\n'.encode("cp1252"),
        [("1250.00", "2026-11-02", "EUR")],
    ),
    "oberbank_at": (
        "Buchungsdatum;Wertstellung;Betrag;Währung;Auftraggebername;Auftraggeber IBAN/Kto.Nr.;"
        "Auftraggeber BIC/BLZ;Empfängername;Empfänger IBAN/Kto.Nr.;Empfänger BIC/BLZ;Text;"
        "Verwendungszweck\n"
        "02.11.2026;02.11.2026;1.250,00;EUR;ACME GmbH;AT611904300234573201;BKAUATWW;;;;"
        "Gutschrift;RE 1001\n".encode("cp1252"),
        [("1250.00", "2026-11-02", "EUR")],
    ),
    "swedbank_lt": (
        '"Sąskaitos Nr.","","Data","Gavėjas","Paaiškinimai","Suma","Valiuta","D/K",'
        '"Įrašo Nr.","Kodas","Įmokos kodas","Dok. Nr.",\n'
        '"LT797300010000000001","10","2026-11-01","","Likutis pradžiai","2123.82","EUR","K",'
        '"","AS","","",\n'
        '"LT797300010000000001","20","2026-11-02","UAB Acme","Sąskaita 1001","1250.00","EUR",'
        '"K","2026110200000001","MK","","",\n'
        '"LT797300010000000001","86","2026-11-30","","Likutis pabaigai","3373.82","EUR","K",'
        '"","LS","","",\n'.encode(),
        [("1250.00", "2026-11-02", "EUR")],
    ),
    "knab": (
        b"KNAB EXPORT;;;;;;;;;;;;;;;;\n"
        b"Rekeningnummer;Transactiedatum;Valutacode;CreditDebet;Bedrag;Tegenrekeningnummer;"
        b"Tegenrekeninghouder;Valutadatum;Betaalwijze;Omschrijving;Type betaling;"
        b"Machtigingsnummer;Incassant ID;Adres;Referentie;Boekdatum;\n"
        b'"NL99KNAB0001234567";"02-11-2026";"EUR";"C";"1.250,00";"NL11ABNA0001234567";'
        b'"ACME BV";"02-11-2026";"Ontvangen";"INV 1001";"";"";"";"";"REF1";"02-11-2026";\n',
        [("1250.00", "2026-11-02", "EUR")],
    ),
    "rabobank_nl": (
        '"IBAN/BBAN","Munt","BIC","Volgnr","Datum","Rentedatum","Bedrag","Saldo na trn",'
        '"Tegenrekening IBAN/BBAN","Naam tegenpartij","Omschrijving-1","Omschrijving-2",'
        '"Omschrijving-3"\n'
        '"NL99RABO0123456789","EUR","RABONL2U","000000000000001234","2026-11-02","2026-11-02",'
        '"+1.250,00","+5.250,00","NL11ABNA0001234567","Café ACME","INV 1001","",""\n'.encode(
            "cp1252"
        ),
        [("1250.00", "2026-11-02", "EUR")],
    ),
    "asn_nl": (
        b"02-11-2026,NL00ASNB0000000001,NL99ASNB0000000002,ACME BV,,,,EUR,100.00,EUR,1250.00,"
        b"02-11-2026,02-11-2026,8810,OVB,12345678,,'INV 1001',1\n",
        [("1250.00", "2026-11-02", "EUR")],
    ),
    "easybank_at": (
        b"AT123456789012345678;Zinsen HABEN      BG/000000002     ;02.11.2026;31.10.2026;"
        b"+1.250,23;EUR\n",
        [("1250.23", "2026-11-02", "EUR")],
    ),
    "raiffeisen_at": (
        b'02.11.2026;"Gutschrift ACME GmbH";03.11.2026;1.250,58;EUR;02.11.2026 00:00:30:989;\n',
        [("1250.58", "2026-11-02", "EUR")],
    ),
    "danske_lt": (
        "Date,Bank,Branch,Address,City,Country,Name,Memo,MemoConv,MemoDet,Amount,\n"
        '2026:11:02,,"",",Vilnius08500,LT","ACME UAB","Mokėjimas už sąskaitą 1001",,"",889.81,\n'.encode(
            "cp1257"
        ),
        [("889.81", "2026-11-02", "USD")],
    ),
    "odoo_sheet": (
        b'"Date","Label","Currency","Amount","Amount Currency","Partner Name","Bank Account"\n'
        b'"11/02/2026","Payment INV 1001","USD","1,250.00","0.0","Acme Inc",""\n',
        [("1250.00", "2026-11-02", "USD")],
    ),
}


def test_every_preset_has_a_sample() -> None:
    """A preset without a sample here is untested: add one."""
    assert set(SAMPLES) == set(PRESETS)
    assert len(PRESETS) >= 10


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_preset_is_sniffed_and_reads_its_sample(tmp_path: Path, name: str) -> None:
    """The file fits exactly its preset, and reads (without a profile) to the expected lines."""
    data, expected = SAMPLES[name]
    path = tmp_path / f"{name}.csv"
    path.write_bytes(data)
    found = sniff_preset(path)
    assert found is not None
    assert found.name == name
    lines = read_statement(path, account="acct", currency="USD", csv_profile=None)
    got = [(line.amount, line.booked_on.isoformat(), line.currency) for line in lines]
    assert got == [(Decimal(a), d, c) for a, d, c in expected]


def test_preset_setting_reads_the_file(tmp_path: Path) -> None:
    """`csv: {preset: ing_nl}` is the preset's profile."""
    data, expected = SAMPLES["ing_nl"]
    path = tmp_path / "ing.csv"
    path.write_bytes(data)
    profile = csv_profile(CsvProfileSettings.model_validate({"preset": "ing_nl"}))
    lines = read_statement(path, account="acct", currency="EUR", csv_profile=profile)
    assert [str(line.amount) for line in lines] == [a for a, _, _ in expected]
    assert lines[0].payer_name == "ACME BV"


def test_unknown_preset_and_mixed_settings_are_config_errors() -> None:
    """An unknown name lists the known ones; a preset with columns beside it is refused."""
    with pytest.raises(ConfigError, match=r"known: .*chase"):
        csv_profile(CsvProfileSettings.model_validate({"preset": "no_such_bank"}))
    with pytest.raises(ValidationError, match="either 'preset'"):
        CsvProfileSettings.model_validate(
            {"preset": "chase", "date": {"column": "Date"}, "amount": {"column": "A"}}
        )
    with pytest.raises(ValidationError, match="required without 'preset'"):
        CsvProfileSettings.model_validate({"date": {"column": "Date"}})


def test_a_csv_that_fits_no_preset_still_needs_a_profile(tmp_path: Path) -> None:
    """Without a profile and without a fitting preset, the error says how to get a profile."""
    path = tmp_path / "odd.csv"
    path.write_text("When,What,How much\n2026-11-02,ACME,1.00\n", encoding="utf-8")
    with pytest.raises(BadInputError, match="bank sniff"):
        read_statement(path, account="acct", currency="USD", csv_profile=None)


def test_rows_of_another_account_reject_the_file(tmp_path: Path) -> None:
    """A statement is one account's: a row of a second account is an error naming both."""
    data, _ = SAMPLES["ing_nl"]
    other = data.replace(b'"Kosten","NL99INGB0001234567"', b'"Kosten","NL99INGB0007654321"')
    path = tmp_path / "ing.csv"
    path.write_bytes(other)
    with pytest.raises(BadInputError) as info:
        read_statement(path, account="acct", currency="EUR", csv_profile=None)
    (location,) = info.value.locations
    assert (location.line, location.field) == (3, "Rekening")
    assert "NL99INGB0001234567" in (location.value or "")


def test_an_empty_export_is_rejected(tmp_path: Path) -> None:
    """A header without rows is no statement (as OCA and ofxstatement also reject it)."""
    path = tmp_path / "empty.csv"
    path.write_bytes(SAMPLES["chase"][0].split(b"\n", 1)[0] + b"\n")
    with pytest.raises(BadInputError, match="no rows"):
        read_statement(path, account="acct", currency="USD", csv_profile=None)
