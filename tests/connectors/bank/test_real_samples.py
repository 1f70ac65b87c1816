"""Real statements from other projects (../shared/bank-samples), read in place.

Each case asserts the facts the source project's own tests assert (MANIFEST.tsv),
or that the file is rejected whole where the source expects a failure.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from arbridge.connectors.bank.reader import read_statement
from arbridge.domain.errors import BadInputError
from arbridge.domain.records import BankLine
from tests.conftest import SHARED

SAMPLES = SHARED / "bank-samples"

pytestmark = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason="shared/bank-samples is not beside the repository"
)

# file -> (line count, {index: (amount, booked ISO date or None, bank id or None)})
Facts = dict[int, tuple[str | None, str | None, str | None]]
READ: dict[str, tuple[int, Facts]] = {
    "ofx/beancount-import__amex.ofx": (
        3,
        {
            0: ("-143.94", "2013-11-24", "320133280255184014"),
            1: ("-28.05", "2013-11-25", "320133290268683266"),
            2: ("-18.76", "2013-11-26", "320133300285014247"),
        },
    ),
    "ofx/beancount-import__checking2.ofx": (
        13,
        {0: ("-33.72", "2018-06-08", "46f2144d0ce515a855234ec")},
    ),
    "ofx/ledger-autosync__accented_characters_latin1.ofx": (1, {}),
    "ofx/ledger-autosync__comments.ofx": (
        1,
        {0: ("123.45", None, "FITID20161027123.45ABCDE")},
    ),
    "ofx/libofx__ofx_spec160_stmtrs_example.sgml": (2, {}),
    "ofx/oca-bsi__test_ofx_iban.ofx": (4, {}),
    "ofx/ofxparse__bank_medium.ofx": (3, {0: ("-6.60", None, None)}),
    "ofx/ofxparse__checking.ofx": (
        3,
        {
            0: ("0.01", "2011-03-31", "0000486"),
            1: ("-34.51", "2011-04-05", "0000487"),
            2: ("-25.00", "2011-04-07", "0000488"),
        },
    ),
    "ofx/ofxparse__fail_nice-empty_balance.ofx": (1, {}),
    "ofx/ofxparse__ofx-v102-empty-tags.ofx": (1, {}),
    "ofx/ofxparse__suncorp.ofx": (1, {0: ("-16.85", None, None)}),
    "ofx/ofxtools__stmtrs_euro.ofx": (2, {0: ("-200.00", None, None)}),
    "ofx/ofxparse__investment_401k.ofx": (0, {}),
    "ofx/ofxparse__account_listing_aggregation.ofx": (0, {}),  # an account list: read, no lines
    "qfx/beangulp__example.qbo": (23, {}),
    "camt053/genkgo-camt__camt053.v2.all-balance-types.xml": (1, {0: ("8.85", "2014-12-31", None)}),
    "camt053/genkgo-camt__camt053.v2.minimal.xml": (1, {0: ("8.85", "2014-12-31", None)}),
    "camt053/genkgo-camt__camt053.v8.xml": (1, {0: ("8.85", "2014-12-31", None)}),
    "camt053/oca-bsi__test-camt053": (
        4,
        {
            0: ("-754.25", "2014-01-05", None),
            1: ("-564.05", None, None),
            2: ("-100.00", None, None),
            3: ("1405.31", None, None),
        },
    ),
    "camt053/oca-bsi__test-camt053-txdtls": (
        2,
        {0: ("2187.00", None, None), 1: ("1296.00", None, None)},
    ),
    "camt053/ofxstmt-iso20022__camt053.xml": (1, {0: ("1284.30", "2023-01-25", None)}),
    "camt053/ofxstmt-iso20022__gcamp6.xml": (
        5,
        {0: ("10000.0", "2016-04-23", "20160423000805545979476000000012")},
    ),
    "camt054/genkgo-camt__camt054.v2.xml": (
        1,
        {0: ("-200000.00", "2007-10-18", "AAAASESS-FP-ACCR001")},
    ),
    "camt054/genkgo-camt__camt054.v8-with-UETR.xml": (1, {0: ("-200000.00", None, None)}),
    "camt054/oca-bsi__test-camt054": (1, {0: ("5.00", "2022-01-26", None)}),
    "bai2/moj-bai2__account_trailer_amount_blank_example.bai2": (0, {}),
    "bai2/moj-bai2__nwb_example.bai2": (5, {0: ("-9.71", "2009-12-16", None)}),
    "bai2/moov-bai2__sample2.txt": (4, {}),
    "bai2/moov-bai2__sample4-continuations-newline-delimited.txt": (17, {}),
    "mt940/wolph-mt940__ASNB-0708271685_09022020_164516.940.txt": (
        8,
        {0: ("-65.00", "2020-01-01", None), 7: ("-903.76", "2020-01-31", None)},
    ),
    "mt940/wolph-mt940__betterplace-sepa_mt9401.sta": (97, {0: ("300", "2007-09-04", None)}),
    "mt940/wolph-mt940__betterplace-with_binary_character.sta": (4, {0: ("27.00", None, None)}),
    "mt940/wolph-mt940__jejik-abnamro.sta": (10, {0: ("-9", "2011-05-24", None)}),
    "mt940/wolph-mt940__jejik-postfinance.sta": (4, {0: ("79.7", "2013-12-09", None)}),
    "mt940/wolph-mt940__jejik-rabobank.sta": (5, {0: ("-1213.28", "2011-05-27", None)}),
    "mt940/wolph-mt940__mBank-mt942.sta": (3, {0: ("0.01", "2017-01-19", None)}),
    "mt940/wolph-mt940__sberbank-171011_01234945.sta": (3, {0: ("-2402.00", "2017-10-11", None)}),
    "mt940/wolph-mt940__self-provided-malformed_details.sta": (1, {0: ("-233.15", None, None)}),
    "mt940/wolph-mt940__self-provided-raphaelm.sta": (9, {0: ("5000.00", "2002-03-17", None)}),
    "other/genkgo-camt__camt052.v2.xml": (1, {0: ("-200000.00", "2007-10-18", None)}),
    "other/ofxstmt-iso20022__camt052.xml": (5, {0: (None, "2021-02-05", None)}),
    "other/trytond-csb43__c43.txt": (22, {}),
    # CSV exports, read without a profile: each with the preset whose header it has.
    "csv/beangulp__statement.csv": (
        6,
        {0: ("-2680.89", "2016-03-18", None), 5: ("-1300.00", "2016-03-04", None)},
    ),
    "csv/oca-bsi__sample_statement_en.csv": (2, {0: ("-33.50", "2018-12-15", None)}),
    "csv/ofxstmt-austrian__easybank-giro.csv": (
        10,
        {0: ("-0.42", None, None), 1: ("1.23", None, None), 9: ("9.98", None, None)},
    ),
    "csv/ofxstmt-austrian__raiffeisen.csv": (
        7,
        {0: ("0.58", None, None), 6: ("123.60", None, None)},
    ),
    "csv/ofxstmt-dutch__Knab_transactieoverzicht_ok.csv": (28, {}),
    "csv/ofxstmt-dutch__ing_ok.csv": (
        5,
        {0: ("-1.25", None, None), 2: ("20.00", None, None), 4: ("-0.31", None, None)},
    ),
    "csv/ofxstmt-dutch__transactie-historie_NL00ASNB9999999999_20220717204133.csv": (
        11,
        {0: ("223.77", "2022-06-17", None)},
    ),
    "csv/ofxstmt-lithuanian__danske.csv": (
        4,
        {0: ("-7.8", "2012-03-01", None), 1: ("889.81", None, None), 3: ("-881.55", None, None)},
    ),
    "csv/ofxstmt-revolut__2021-october.csv": (7, {0: ("-250", "2021-09-05", None)}),
}

SUMS = {
    # The source's golden YAML (mt-940 5.0.0) counts its two `RC` lines of 204.88 as
    # credits; an RC is a reversal of a credit, a debit (mt-940 issue #130): 2 x 2 x 204.88 less.
    "mt940/wolph-mt940__betterplace-sepa_mt9401.sta": "-9269135.90",
    "mt940/wolph-mt940__betterplace-with_binary_character.sta": "-179066.75",
    "mt940/wolph-mt940__jejik-abnamro.sta": "-345.93",
    "mt940/wolph-mt940__jejik-postfinance.sta": "159.4",
    "mt940/wolph-mt940__jejik-rabobank.sta": "-1589.09",
    "mt940/wolph-mt940__mBank-mt942.sta": "0.03",
    "mt940/wolph-mt940__sberbank-171011_01234945.sta": "-9437.00",
    "mt940/wolph-mt940__self-provided-raphaelm.sta": "95000.00",
    # The file's own 33 record: 18 debits of 748.49 in all, 4 credits of 2036.16.
    "other/trytond-csb43__c43.txt": "1287.67",
    "csv/ofxstmt-dutch__Knab_transactieoverzicht_ok.csv": "7.01",
}

# Rejected whole: the source expects a failure, or (noted) the file is no statement.
REJECT = [
    "ofx/libofx__failing-ofx-file1.xml",
    "ofx/libofx__heap-buffer-overflow-2.ofx",
    "ofx/libofx__use-after-free.ofx",
    "ofx/ofxparse__fail_nice-date_missing.ofx",
    "camt053/genkgo-camt__camt053.v2.wrong.xml",
    "camt053/ofxstmt-iso20022__unsupported.xml",
    "bai2/moov-bai2__errors-sample-parseError.txt",
    "mt940/wolph-mt940__self-provided-invalid_statement.sta",  # not MT940 (mt-940 reads 0)
    "csv/ofxstmt-dutch__empty.csv",
    "csv/oca-bsi__empty_statement_en.csv",  # a header, no rows
]


def _read(name: str) -> list[BankLine]:
    return read_statement(SAMPLES / name, account="acct", currency="USD", csv_profile=None)


@pytest.mark.parametrize("name", sorted(READ))
def test_sample_is_read_with_its_facts(name: str) -> None:
    """Each real statement yields the source's count, amounts, dates and ids."""
    count, facts = READ[name]
    lines = _read(name)
    assert len(lines) == count
    for index, (amount, booked, bank_id) in facts.items():
        line = lines[index]
        if amount is not None:
            assert line.amount == Decimal(amount)
        if booked is not None:
            assert line.booked_on.isoformat() == booked
        if bank_id is not None:
            assert line.bank_id == bank_id
    assert len({line.bank_id for line in lines}) == count
    if name in SUMS:
        assert sum((line.amount for line in lines), Decimal(0)) == Decimal(SUMS[name])


@pytest.mark.parametrize("name", REJECT)
def test_sample_is_rejected_whole_naming_the_file(name: str) -> None:
    """Files the source expects to fail are rejected with a BadInputError naming the file."""
    with pytest.raises(BadInputError) as info:
        _read(name)
    assert info.value.locations[0].file == str(SAMPLES / name)


def test_latin1_body_under_cp1252_header_keeps_accents() -> None:
    """A raw 0xE0 under `CHARSET:1252` is read as an a-grave, as ledger-autosync asserts."""
    (line,) = _read("ofx/ledger-autosync__accented_characters_latin1.ofx")
    assert "Virement Interac à: Jean" in line.description


def test_camt_references_carry_structured_remittance() -> None:
    """camt CdtrRefInf / EndToEndId end up in the line's references (OCA's refs)."""
    lines = _read("camt053/oca-bsi__test-camt053-txdtls")
    assert [line.references[-1] for line in lines] == [
        "302388292000011111111111111",
        "302388292000022222222222222",
    ]
    (line,) = _read("camt053/ofxstmt-iso20022__camt053.xml")
    assert line.bank_id == "8082230156M02SJ62/1010"
    assert line.currency == "CHF"


def test_multi_account_qfx_prefixes_ids_with_the_account() -> None:
    """Several accounts in one QBO: every STMTTRN read, ids qualified by account."""
    lines = _read("qfx/beangulp__example.qbo")
    assert all("/" in line.bank_id for line in lines)


def test_sample_count_matches_the_manifest() -> None:
    """Every manifest row is covered by a test here."""
    rows = (SAMPLES / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]
    names = {row.split("\t")[0] for row in rows}
    assert names <= set(READ) | set(REJECT)
