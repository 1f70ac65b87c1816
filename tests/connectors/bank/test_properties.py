"""Properties of bank reading: CSV profiles round-trip any rows, fingerprints dedupe overlaps."""

from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from arbridge.connectors.bank import CsvProfile, read_statement
from arbridge.connectors.bank._fingerprint import Fingerprinter

EXAMPLES = settings(max_examples=50, deadline=None)
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%m/%d/%Y", "%Y%m%d", "%d/%m/%Y")
PREAMBLE = ("Kontoauszug Girokonto", "Account: 123-456", "Exported by Online Banking", "")

amounts = st.decimals(min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"), places=2)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))


def texts(encoding: str = "utf-8") -> st.SearchStrategy[str]:
    """Cell texts the encoding can carry: commas, quotes, semicolons, tabs, non-ASCII.

    No line breaks, no `<` (it would look like OFX to format detection), no
    surrounding blanks (the reader strips cells).
    """
    alphabet = st.characters(
        codec="cp1252" if encoding == "cp1252" else "utf-8",
        exclude_categories=("Cc", "Cs", "Zl", "Zp"),
        exclude_characters="<\u0085",
        include_characters=",;\"'\t",
    )
    return st.text(alphabet=alphabet, min_size=1, max_size=30).map(str.strip).filter(bool)


@dataclass(frozen=True)
class Layout:
    """The random settings a bank's CSV export is written with."""

    debit_credit: bool
    decimal_sep: str
    thousands_sep: str | None
    date_format: str
    delimiter: str
    encoding: str
    skip_lines: int
    two_descriptions: bool
    invert: bool
    line_end: str

    def profile(self) -> CsvProfile:
        return CsvProfile(
            date_column="Booked",
            date_format=self.date_format,
            description_columns=("Name", "Memo") if self.two_descriptions else ("Memo",),
            description_separator=" / ",
            amount_column=None if self.debit_credit else "Amount",
            debit_column="Out" if self.debit_credit else None,
            credit_column="In" if self.debit_credit else None,
            decimal_sep=self.decimal_sep,
            thousands_sep=self.thousands_sep,
            invert_sign=self.invert,
            delimiter=self.delimiter,
            encoding=self.encoding,
            skip_lines=self.skip_lines,
        )


@st.composite
def layouts(draw: st.DrawFn) -> Layout:
    decimal_sep = draw(st.sampled_from([".", ","]))
    other = "," if decimal_sep == "." else "."
    return Layout(
        debit_credit=draw(st.booleans()),
        decimal_sep=decimal_sep,
        thousands_sep=draw(st.sampled_from([None, other, " ", "'"])),
        date_format=draw(st.sampled_from(DATE_FORMATS)),
        delimiter=draw(st.sampled_from([",", ";", "\t"])),
        encoding=draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"])),
        skip_lines=draw(st.integers(min_value=0, max_value=3)),
        two_descriptions=draw(st.booleans()),
        invert=draw(st.booleans()),
        line_end=draw(st.sampled_from(["\n", "\r\n"])),
    )


Row = tuple[date, Decimal, str, str]


def rows_in(encoding: str) -> st.SearchStrategy[list[Row]]:
    """1-8 rows whose texts the encoding can carry."""
    text = texts(encoding)
    return st.lists(st.tuples(days, amounts, text, text), min_size=1, max_size=8)


def _money(value: Decimal, layout: Layout) -> str:
    grouping = "," if layout.thousands_sep else ""
    text = f"{abs(value):{grouping}.2f}"  # e.g. 1,234,567.89
    text = text.replace(",", "\0").replace(".", layout.decimal_sep)
    text = text.replace("\0", layout.thousands_sep or "")
    return ("-" if value < 0 else "") + text


def _write(rows: list[Row], layout: Layout) -> str:
    out = io.StringIO()
    for i in range(layout.skip_lines):
        out.write(PREAMBLE[i % len(PREAMBLE)] + layout.line_end)
    writer = csv.writer(out, delimiter=layout.delimiter, lineterminator=layout.line_end)
    amount_columns = ["Out", "In"] if layout.debit_credit else ["Amount"]
    writer.writerow(["Booked", "Name", "Memo", *amount_columns])
    for booked, amount, name, memo in rows:
        written = -amount if layout.invert else amount
        if layout.debit_credit:
            cells = [_money(-written, layout), ""] if written < 0 else ["", _money(written, layout)]
        else:
            cells = [_money(written, layout)]
        writer.writerow([booked.strftime(layout.date_format), name, memo, *cells])
    return out.getvalue()


@EXAMPLES
@given(layout=layouts(), data=st.data())
def test_csv_profile_round_trips_amounts_dates_and_descriptions(
    layout: Layout, data: st.DataObject
) -> None:
    """Whatever the export's settings, the reader gives back exactly what was written."""
    rows = data.draw(rows_in(layout.encoding), label="rows")
    raw = _write(rows, layout).encode(layout.encoding)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.csv"
        path.write_bytes(raw)
        lines = read_statement(path, account="a", currency="EUR", csv_profile=layout.profile())
    assert [line.amount for line in lines] == [amount for _, amount, _, _ in rows]
    assert [line.booked_on for line in lines] == [booked for booked, _, _, _ in rows]
    expected = [
        f"{name} / {memo}" if layout.two_descriptions else memo for _, _, name, memo in rows
    ]
    assert [line.description for line in lines] == expected
    first_row_line = layout.skip_lines + 2
    assert [line.source_line for line in lines] == list(
        range(first_row_line, first_row_line + len(rows))
    )


Line = tuple[date, Decimal, str]
# Few distinct values, so identical lines on one day (two equal coffees) are common.
line_values = st.tuples(
    st.sampled_from([date(2024, 3, 1), date(2024, 3, 2), date(2024, 3, 3)]),
    st.sampled_from([Decimal("-3.50"), Decimal("-3.5"), Decimal("100.00"), Decimal(100)]),
    st.sampled_from(["COFFEE", "coffee ", "Coffee  Shop", "INV 1"]),
)


def _ids(lines: list[Line]) -> list[str]:
    fingerprints = Fingerprinter()
    return [fingerprints.next_id(*line) for line in lines]


@EXAMPLES
@given(lines=st.lists(line_values, max_size=20))
def test_fingerprints_are_deterministic_and_unique_within_a_statement(lines: list[Line]) -> None:
    """The same statement always gets the same ids, and no two of its lines share one."""
    ids = _ids(lines)
    assert ids == _ids(list(lines))
    assert len(set(ids)) == len(ids)


@EXAMPLES
@given(
    by_day=st.lists(st.lists(line_values, max_size=6), min_size=1, max_size=5),
    data=st.data(),
)
def test_overlapping_statements_give_shared_lines_the_same_ids(
    by_day: list[list[Line]], data: st.DataObject
) -> None:
    """A later statement repeating whole days of an earlier one repeats their ids."""
    days_ = [
        [(date(2024, 3, 1 + n), amount, text) for _, amount, text in day]
        for n, day in enumerate(by_day)
    ]
    end = data.draw(st.integers(min_value=1, max_value=len(days_)), label="earlier ends after")
    start = data.draw(st.integers(min_value=0, max_value=end - 1), label="later starts at")
    earlier = [line for day in days_[:end] for line in day]
    later = [line for day in days_[start:] for line in day]
    overlap = sum(len(day) for day in days_[start:end])
    skipped = sum(len(day) for day in days_[:start])
    assert _ids(earlier)[skipped : skipped + overlap] == _ids(later)[:overlap]


@EXAMPLES
@given(line=line_values)
def test_fingerprint_depends_on_the_amount_not_how_it_is_written(line: Line) -> None:
    """`100`, `100.0` and `100.00` are one amount: a reader writing it either way keeps the id."""
    booked, amount, text = line
    assert _ids([(booked, amount.quantize(Decimal("0.01")), text)]) == _ids([line])
