"""A one-sheet .xlsx workbook written as its rows stream in: the sheet's XML straight into the zip.

openpyxl's write-only mode builds a cell object per value and an XML element per cell;
for the queue's export (14 columns) that was about 15 s per 100,000 rows on the bench
machine (`python -m bench.export_xlsx`). This writes the same SpreadsheetML (ECMA-376
part 1: a workbook, one worksheet, a style sheet) as text, a chunk of rows at a time.

Cells: strings are inline strings (never formulas; characters XML 1.0 forbids are
dropped), int and Decimal are numbers (a Decimal's digits as they are, never through a
float), dates and datetimes (in UTC) are date serials shown as `yyyy-mm-dd` and
`yyyy-mm-dd hh:mm`, None is an empty cell. The header row is bold and frozen.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import IO
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

Cell = str | Decimal | date | datetime | int | None

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CONTENT_TYPES = (
    f'{_XML}<Types xmlns="{_PKG}/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_SHEET_TYPE}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_SHEET_TYPE}.worksheet+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_SHEET_TYPE}.styles+xml"/>'
    "</Types>"
)
PACKAGE_RELS = (
    f'{_XML}<Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK_RELS = (
    f'{_XML}<Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
_XF = 'fontId="0" fillId="0" borderId="0" xfId="0"'
STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/>'
    '<numFmt numFmtId="166" formatCode="#,##0.00"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    f'<cellXfs count="5"><xf numFmtId="0" {_XF}/>'
    f'<xf numFmtId="164" {_XF} applyNumberFormat="1"/>'
    f'<xf numFmtId="165" {_XF} applyNumberFormat="1"/>'
    f'<xf numFmtId="166" {_XF} applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_DAY, _MINUTE, _MONEY, _BOLD = 1, 2, 3, 4
"""The cellXfs indexes of STYLES."""
_SHEET_HEAD = (
    f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><sheetViews><sheetView workbookViewId="0">'
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    "</sheetView></sheetViews><sheetData>"
)
_SHEET_TAIL = "</sheetData></worksheet>"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_EPOCH = date(1899, 12, 30)
_EPOCH_TIME = datetime(1899, 12, 30, tzinfo=UTC)


def workbook_xml(sheet_name: str) -> str:
    """The workbook part, naming its one sheet."""
    name = escape(sheet_name, {'"': "&quot;"})
    return (
        f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
        f'<sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


def write_workbook(
    out: IO[bytes],
    sheet_name: str,
    header: Sequence[str],
    chunks: Iterable[Sequence[Sequence[Cell]]],
    *,
    compresslevel: int = 1,
) -> int:
    """Write the workbook to a seekable binary file; returns the number of data rows.

    `chunks` yields lists of rows; each row holds at most len(header) cells.
    """
    letters = [get_column_letter(n + 1) for n in range(len(header))]
    rows = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("_rels/.rels", PACKAGE_RELS)
        package.writestr("xl/workbook.xml", workbook_xml(sheet_name))
        package.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        package.writestr("xl/styles.xml", STYLES)
        with package.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(_SHEET_HEAD.encode())
            bold = "".join(
                f'<c r="{x}1" s="{_BOLD}" t="inlineStr"><is><t>{_text(h)}</t></is></c>'
                for x, h in zip(letters, header, strict=True)
            )
            sheet.write(f'<row r="1">{bold}</row>'.encode())
            for chunk in chunks:
                text = []
                for row in chunk:
                    rows += 1
                    text.append(_row(rows + 1, row, letters))
                sheet.write("".join(text).encode())
            sheet.write(_SHEET_TAIL.encode())
    return rows


def _row(number: int, row: Sequence[Cell], letters: Sequence[str]) -> str:
    cells = "".join(_cell(f"{x}{number}", value) for x, value in zip(letters, row, strict=False))
    return f'<row r="{number}">{cells}</row>'


def _cell(ref: str, value: Cell) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{_text(value)}</t></is></c>'
    if isinstance(value, int):
        return f'<c r="{ref}"><v>{value}</v></c>'
    if isinstance(value, Decimal):
        return f'<c r="{ref}" s="{_MONEY}"><v>{value}</v></c>' if value.is_finite() else ""
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)  # naive: taken as UTC
        serial = (aware - _EPOCH_TIME).total_seconds() / 86400
        return f'<c r="{ref}" s="{_MINUTE}"><v>{serial!r}</v></c>'
    return f'<c r="{ref}" s="{_DAY}"><v>{(value - _EPOCH).days}</v></c>'


def _text(value: str) -> str:
    return escape(_NOT_XML.sub("", value))
