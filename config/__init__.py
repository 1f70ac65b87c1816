"""YAML configuration -> validated, frozen settings. Nothing else happens here."""

from arbridge.config.daemon import LoggingSettings, MonitoringSettings, ScheduleSettings
from arbridge.config.loader import load_settings, settings_json_schema
from arbridge.config.models import (
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
from arbridge.config.secrets import SecretRef

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
