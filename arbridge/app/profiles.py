"""A bank source's CSV profile from its YAML settings (light: no store, no connectors)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from arbridge.connectors.bank import CsvProfile, preset_profile
from arbridge.domain.errors import ConfigError, ConfigProblem

if TYPE_CHECKING:
    from arbridge.config import CsvProfileSettings


def csv_profile(settings: CsvProfileSettings) -> CsvProfile:
    """The connector's profile from its YAML settings (a named preset's, or its own columns).

    Raises:
        ConfigError: the preset is not one arbridge knows.
    """
    if settings.preset is not None:
        try:
            return preset_profile(settings.preset)
        except KeyError as exc:
            raise ConfigError(
                "csv", [ConfigProblem(path="csv.preset", message=exc.args[0])]
            ) from None
    amount, date, description = settings.amount, settings.date, settings.description
    if amount is None or date is None or description is None:  # the settings validator's job
        raise ConfigError(
            "csv", [ConfigProblem(path="csv", message="'date', 'amount' and 'description' needed")]
        )
    return CsvProfile(
        date_column=date.column,
        date_format=date.format,
        description_columns=tuple(description.columns),
        description_separator=description.separator,
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
