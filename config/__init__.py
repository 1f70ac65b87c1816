"""YAML configuration -> validated, frozen settings. Nothing else happens here."""

from config.daemon import LoggingSettings, MonitoringSettings, ScheduleSettings
from config.loader import load_settings, settings_json_schema
from config.models import (
    AcumaticaErpSettings,
    ArbridgeSettings,
    BankSourceSettings,
    BusinessCentralErpSettings,
    CsvErpSettings,
    CsvProfileSettings,
    FolderBankSettings,
    MatchingSettings,
    QuickBooksErpSettings,
    StoreSettings,
)
from config.secrets import SecretRef

__all__ = [
    "AcumaticaErpSettings",
    "ArbridgeSettings",
    "BankSourceSettings",
    "BusinessCentralErpSettings",
    "CsvErpSettings",
    "CsvProfileSettings",
    "FolderBankSettings",
    "LoggingSettings",
    "MatchingSettings",
    "MonitoringSettings",
    "QuickBooksErpSettings",
    "ScheduleSettings",
    "SecretRef",
    "StoreSettings",
    "load_settings",
    "settings_json_schema",
]
