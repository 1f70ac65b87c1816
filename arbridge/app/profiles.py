"""A bank source's CSV profile from its YAML settings (light: no store, no connectors)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from arbridge.connectors.bank import CsvProfile

if TYPE_CHECKING:
    from arbridge.config import CsvProfileSettings


def csv_profile(settings: CsvProfileSettings) -> CsvProfile:
    """The connector's profile from its YAML settings."""
    amount = settings.amount
    return CsvProfile(
        date_column=settings.date.column,
        date_format=settings.date.format,
        description_columns=tuple(settings.description.columns),
        description_separator=settings.description.separator,
        amount_column=amount.column,
        debit_column=amount.debit,
        credit_column=amount.credit,
        decimal_sep=amount.decimal,
        thousands_sep=amount.thousands,
        invert_sign=amount.invert,
        transaction_id_column=settings.transaction_id.column if settings.transaction_id else None,
        payer_column=settings.payer.column if settings.payer else None,
        delimiter=settings.delimiter,
        encoding=settings.encoding,
        skip_lines=settings.skip_lines,
    )
