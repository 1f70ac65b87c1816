"""The CSV presets' table: each bank's export layout, as its documentation or real exports show."""

from __future__ import annotations

import re
from dataclasses import dataclass

from arbridge.connectors.bank.csv_reader import CsvProfile


@dataclass(frozen=True, slots=True, kw_only=True)
class CsvPreset:
    """A bank's export layout: its profile, its header as the bank writes it, and who sends it."""

    name: str
    bank: str
    header: str
    profile: CsvProfile
    signature: re.Pattern[str] | None = None  # headerless layouts: what the first line looks like


def _preset(name: str, bank: str, header: str, **fields: object) -> CsvPreset:
    signature = fields.pop("signature", None)
    profile = CsvProfile(**fields)  # type: ignore[arg-type]  # checked by the presets' own tests
    assert signature is None or isinstance(signature, re.Pattern)
    return CsvPreset(name=name, bank=bank, header=header, profile=profile, signature=signature)


PRESETS: dict[str, CsvPreset] = {
    p.name: p
    for p in (
        _preset(
            "chase",
            "Chase (US) checking and savings",
            "Details,Posting Date,Description,Amount,Type,Balance,Check or Slip #",
            date_column="Posting Date",
            date_format="%m/%d/%Y",
            amount_column="Amount",
            description_columns=("Description",),
        ),
        _preset(
            "chase_card",
            "Chase (US) credit card",
            "Transaction Date,Post Date,Description,Category,Type,Amount,Memo",
            date_column="Post Date",
            date_format="%m/%d/%Y",
            amount_column="Amount",
            description_columns=("Description", "Memo"),
        ),
        _preset(
            "capital_one_card",
            "Capital One (US) credit card",
            "Transaction Date,Posted Date,Card No.,Description,Category,Debit,Credit",
            date_column="Posted Date",
            date_format="%Y-%m-%d",
            debit_column="Debit",
            credit_column="Credit",
            description_columns=("Description",),
        ),
        _preset(
            "paypal",
            "PayPal activity download (US dates)",
            '"Date","Time","TimeZone","Name","Type","Status","Currency","Gross","Fee","Net",'
            '...,"Transaction ID",...',
            date_column="Date",
            date_format="%m/%d/%Y",
            amount_column="Gross",
            thousands_sep=",",
            description_columns=("Name", "Type"),
            payer_column="Name",
            transaction_id_column="Transaction ID",
            currency_column="Currency",
            keep_column="Status",
            keep_values=("COMPLETED",),
        ),
        _preset(
            "paypal_uk",
            "PayPal activity download (UK/EU dates)",
            '"Date","Time","TimeZone","Name","Type","Status","Currency","Gross","Fee","Net",'
            '...,"Transaction ID",...',
            date_column="Date",
            date_format="%d/%m/%Y",
            amount_column="Gross",
            thousands_sep=",",
            description_columns=("Name", "Type"),
            payer_column="Name",
            transaction_id_column="Transaction ID",
            currency_column="Currency",
            keep_column="Status",
            keep_values=("COMPLETED",),
        ),
        _preset(
            "paypal_balance",
            "PayPal balance-affecting download (one Amount column)",
            "Date, Time, Time Zone, Name, Type, Status, Amount, Receipt ID, Balance,",
            date_column="Date",
            date_format="%m/%d/%Y",
            amount_column="Amount",
            thousands_sep=",",
            description_columns=("Name", "Type"),
            payer_column="Name",
            keep_column="Status",
            keep_values=("COMPLETED",),
        ),
        _preset(
            "mint",
            "Mint transactions export (amounts unsigned, debit/credit in Transaction Type)",
            '"Date","Description","Original Description","Amount","Transaction Type",'
            '"Category","Account Name","Labels","Notes"',
            date_column="Date",
            date_format="%m/%d/%Y",
            amount_column="Amount",
            thousands_sep=",",
            direction_column="Transaction Type",
            debit_marks=("DEBIT",),
            description_columns=("Description", "Original Description"),
        ),
        _preset(
            "stripe_balance",
            "Stripe balance history export",
            "id,Type,Source,Amount,Fee,Net,Currency,Created (UTC),Available On (UTC),Description",
            date_column="Created (UTC)",
            date_format="%Y-%m-%d %H:%M",
            amount_column="Amount",
            thousands_sep=",",
            description_columns=("Type", "Description", "Source"),
            transaction_id_column="id",
            currency_column="Currency",
        ),
        _preset(
            "wise",
            "Wise (TransferWise) statement CSV",
            "TransferWise ID,Date,Amount,Currency,Description,Payment Reference,Running Balance,"
            "Exchange From,Exchange To,Exchange Rate,Payer Name,Payee Name,...",
            date_column="Date",
            date_format="%d-%m-%Y",
            amount_column="Amount",
            description_columns=("Description", "Payment Reference"),
            payer_column="Payer Name",
            transaction_id_column="TransferWise ID",
            currency_column="Currency",
        ),
        _preset(
            "revolut",
            "Revolut account statement (personal and business app export)",
            "Type,Product,Started Date,Completed Date,Description,Amount,Fee,Currency,State,Balance",
            date_column="Completed Date",
            date_format="%Y-%m-%d %H:%M:%S",
            amount_column="Amount",
            description_columns=("Description",),
            currency_column="Currency",
            keep_column="State",
            keep_values=("COMPLETED",),
        ),
        _preset(
            "monzo",
            "Monzo (UK)",
            "Transaction ID,Date,Time,Type,Name,Emoji,Category,Amount,Currency,Local amount,"
            "Local currency,Notes and #tags,Address,Receipt,Description,Category split,"
            "Money Out,Money In",
            date_column="Date",
            date_format="%d/%m/%Y",
            amount_column="Amount",
            description_columns=("Name", "Description"),
            payer_column="Name",
            transaction_id_column="Transaction ID",
            currency_column="Currency",
        ),
        _preset(
            "starling",
            "Starling Bank (UK)",
            "Date,Counter Party,Reference,Type,Amount (GBP),Balance (GBP),Spending Category,Notes",
            date_column="Date",
            date_format="%d/%m/%Y",
            amount_column="Amount (GBP)",
            description_columns=("Counter Party", "Reference"),
            payer_column="Counter Party",
        ),
        _preset(
            "barclays",
            "Barclays (UK)",
            "Number,Date,Account,Amount,Subcategory,Memo",
            date_column="Date",
            date_format="%d/%m/%Y",
            amount_column="Amount",
            description_columns=("Memo", "Subcategory"),
        ),
        _preset(
            "ing_nl",
            "ING (Netherlands)",
            '"Datum","Naam / Omschrijving","Rekening","Tegenrekening","Code","Af Bij",'
            '"Bedrag (EUR)","Mutatiesoort","Mededelingen"',
            date_column="Datum",
            date_format="%Y%m%d",
            amount_column="Bedrag (EUR)",
            decimal_sep=",",
            thousands_sep=".",
            direction_column="Af Bij",
            debit_marks=("AF",),
            description_columns=("Naam / Omschrijving", "Mededelingen"),
            payer_column="Naam / Omschrijving",
            skip_zero=True,
        ),
        _preset(
            "knab",
            "Knab (Netherlands); a 'KNAB EXPORT' line before the header",
            "Rekeningnummer;Transactiedatum;Valutacode;CreditDebet;Bedrag;Tegenrekeningnummer;"
            "Tegenrekeninghouder;Valutadatum;Betaalwijze;Omschrijving;Type betaling;"
            "Machtigingsnummer;Incassant ID;Adres;Referentie;Boekdatum;",
            delimiter=";",
            skip_lines=1,
            date_column="Transactiedatum",
            date_format="%d-%m-%Y",
            amount_column="Bedrag",
            decimal_sep=",",
            thousands_sep=".",
            direction_column="CreditDebet",
            debit_marks=("D",),
            description_columns=("Tegenrekeninghouder", "Omschrijving"),
            payer_column="Tegenrekeninghouder",
            transaction_id_column="Referentie",
            currency_column="Valutacode",
            skip_zero=True,
        ),
        _preset(
            "rabobank_nl",
            "Rabobank (Netherlands) CSV",
            '"IBAN/BBAN","Munt","BIC","Volgnr","Datum","Rentedatum","Bedrag","Saldo na trn",'
            '"Tegenrekening IBAN/BBAN","Naam tegenpartij",...,"Omschrijving-1","Omschrijving-2",'
            '"Omschrijving-3",...',
            encoding="cp1252",
            date_column="Datum",
            date_format="%Y-%m-%d",
            amount_column="Bedrag",
            decimal_sep=",",
            thousands_sep=".",
            description_columns=(
                "Naam tegenpartij",
                "Omschrijving-1",
                "Omschrijving-2",
                "Omschrijving-3",
            ),
            payer_column="Naam tegenpartij",
            transaction_id_column="Volgnr",
            currency_column="Munt",
        ),
        _preset(
            "asn_nl",
            "ASN Bank (Netherlands) transactie-historie; no header row",
            "(none) boekingsdatum,opdrachtgeversrekening,tegenrekening,naam tegenrekening,adres,"
            "postcode,plaats,valuta,saldo voor,valuta mutatie,bedrag,journaaldatum,valutadatum,"
            "interne code,globale code,volgnummer,betalingskenmerk,omschrijving,afschrift",
            columns=(
                "boekingsdatum",
                "opdrachtgeversrekening",
                "tegenrekening",
                "naam tegenrekening",
                "adres",
                "postcode",
                "plaats",
                "valuta",
                "saldo voor",
                "valuta mutatie",
                "bedrag",
                "journaaldatum",
                "valutadatum",
                "interne code",
                "globale code",
                "volgnummer",
                "betalingskenmerk",
                "omschrijving",
                "afschrift",
            ),
            date_column="boekingsdatum",
            date_format="%d-%m-%Y",
            amount_column="bedrag",
            description_columns=("naam tegenrekening", "omschrijving", "betalingskenmerk"),
            payer_column="naam tegenrekening",
            currency_column="valuta mutatie",
            signature=re.compile(r"\d{2}-\d{2}-\d{4},[A-Z]{2}\d{2}[A-Z]{4}\d+,"),
        ),
        _preset(
            "easybank_at",
            "easybank (Austria) giro; no header row, semicolons",
            "(none) account;text;booking date;value date;amount;currency",
            encoding="cp1252",
            delimiter=";",
            columns=("account", "text", "booking date", "value date", "amount", "currency"),
            date_column="booking date",
            date_format="%d.%m.%Y",
            amount_column="amount",
            decimal_sep=",",
            thousands_sep=".",
            description_columns=("text",),
            currency_column="currency",
            signature=re.compile(
                r"[A-Z]{2}\d{2}[A-Z0-9]{10,30};[^;]*;\d{2}\.\d{2}\.\d{4};\d{2}\.\d{2}\.\d{4};"
                r"[+-]?[\d.]*\d(,\d+)?;[A-Z]{3}\s*$"
            ),
        ),
        _preset(
            "raiffeisen_at",
            "Raiffeisen (Austria) ELBA export; no header row, semicolons",
            "(none) booking date;text;value date;amount;currency;timestamp",
            encoding="cp1252",
            delimiter=";",
            columns=("booking date", "text", "value date", "amount", "currency", "timestamp"),
            date_column="booking date",
            date_format="%d.%m.%Y",
            amount_column="amount",
            decimal_sep=",",
            thousands_sep=".",
            description_columns=("text",),
            currency_column="currency",
            signature=re.compile(
                r'\d{2}\.\d{2}\.\d{4};"?[^;]*"?;\d{2}\.\d{2}\.\d{4};[+-]?[\d.]*\d(,\d+)?;[A-Z]{3};'
            ),
        ),
        _preset(
            "danske_lt",
            "Danske Bank (Lithuania), Windows-1257",
            "Date,Bank,Branch,Address,City,Country,Name,Memo,MemoConv,MemoDet,Amount, (its rows "
            "pack Address, City and Country into one field)",
            encoding="cp1257",
            skip_lines=1,
            columns=(
                "Date",
                "Bank",
                "Branch",
                "Address",
                "Name",
                "Memo",
                "MemoConv",
                "MemoDet",
                "Amount",
            ),
            signature=re.compile(
                r"Date,Bank,Branch,Address,City,Country,Name,Memo,MemoConv,MemoDet,Amount,?\s*$"
            ),
            date_column="Date",
            date_format="%Y:%m:%d",
            amount_column="Amount",
            description_columns=("Name", "Memo"),
            payer_column="Name",
        ),
        _preset(
            "odoo_sheet",
            "Odoo / OCA statement sheet sample layout",
            '"Date","Label","Currency","Amount","Amount Currency","Partner Name","Bank Account"',
            date_column="Date",
            date_format="%m/%d/%Y",
            amount_column="Amount",
            thousands_sep=",",
            description_columns=("Partner Name", "Label"),
            payer_column="Partner Name",
        ),
    )
}
