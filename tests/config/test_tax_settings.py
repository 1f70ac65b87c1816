"""The optional tax sections: AvaTax by secret reference only, memory for dry runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from arbridge.app import build_tax_system
from arbridge.config import load_settings
from arbridge.config.tax import AvaTaxSettings
from arbridge.connectors.tax import AvaTaxSystem
from arbridge.domain.errors import ConfigError
from bench.datasets import CONTRACT_CONFIG

AVATAX = """\
  tax:
    name: avatax
    kind: avatax
    environment: production
    account_id: "1100012345"
    license_key: {key}
tax:
  expiry_warning_days: 60
  uploads: certs
"""


def _config(tmp_path: Path, key: str) -> Path:
    path = tmp_path / "arbridge.yaml"
    path.write_text(
        CONTRACT_CONFIG.format(data=tmp_path) + AVATAX.format(key=key), encoding="utf-8"
    )
    return path


def test_avatax_settings_load_with_a_secret_reference(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key is a reference; relative upload folders resolve against the config file."""
    monkeypatch.setenv("AVATAX_KEY", "the-real-key")

    settings = load_settings(_config(tmp_path, "env:AVATAX_KEY"))

    tax = settings.connectors.tax
    assert isinstance(tax, AvaTaxSettings)
    assert tax.environment == "production"
    assert tax.company_code == "DEFAULT"
    assert settings.tax.expiry_warning_days == 60
    assert settings.tax.uploads == tmp_path / "certs"
    system = build_tax_system(settings)
    assert isinstance(system, AvaTaxSystem)
    assert "the-real-key" not in repr(system)


def test_a_literal_license_key_is_refused_without_echoing_it(tmp_path: Path) -> None:
    """Pasting the key into YAML stops startup, and the error does not repeat it."""
    with pytest.raises(ConfigError) as caught:
        load_settings(_config(tmp_path, "pasted-license-key"))

    assert "connectors.tax.avatax.license_key" in str(caught.value)
    assert "pasted-license-key" not in str(caught.value)


def test_an_unset_key_variable_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reference to a variable that is not set stops startup, naming the variable."""
    monkeypatch.delenv("AVATAX_KEY", raising=False)

    with pytest.raises(ConfigError, match="AVATAX_KEY is not set"):
        load_settings(_config(tmp_path, "env:AVATAX_KEY"))


def test_contract_config_has_no_tax_system(contract_data: Path) -> None:
    """Without the optional sections nothing about tax is built."""
    settings = load_settings(contract_data / "arbridge.yaml")

    assert settings.connectors.tax is None
    assert build_tax_system(settings) is None
