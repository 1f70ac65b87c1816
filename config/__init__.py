"""YAML configuration -> validated, frozen settings. Nothing else happens here."""

from config.loader import load_settings, settings_json_schema
from config.models import (
    ArbridgeSettings,
    BankSourceSettings,
    CsvErpSettings,
    CsvProfileSettings,
    FolderBankSettings,
    LoggingSettings,
    MatchingSettings,
    ScheduleSettings,
    StoreSettings,
)
from config.secrets import SecretRef

__all__ = [
    "ArbridgeSettings",
    "BankSourceSettings",
    "CsvErpSettings",
    "CsvProfileSettings",
    "FolderBankSettings",
    "LoggingSettings",
    "MatchingSettings",
    "ScheduleSettings",
    "SecretRef",
    "StoreSettings",
    "load_settings",
    "settings_json_schema",
]
