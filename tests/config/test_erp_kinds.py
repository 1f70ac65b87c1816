"""The ERP section's `kind` variants: validated, secrets as references, composed into gateways."""

from __future__ import annotations

from pathlib import Path

import pytest

from arbridge.app.erp_gateways import build_erp_gateway
from arbridge.config import (
    AcumaticaErpSettings,
    BusinessCentralErpSettings,
    QuickBooksErpSettings,
    load_settings,
)
from arbridge.connectors.base import ErpCapability
from arbridge.connectors.erp.acumatica import AcumaticaErpGateway
from arbridge.connectors.erp.business_central import BusinessCentralErpGateway
from arbridge.connectors.erp.quickbooks import QuickBooksErpGateway
from arbridge.domain.errors import ConfigError

ERPS = {
    "business_central": """\
  erp:
    kind: business_central
    name: bc
    tenant: contoso.onmicrosoft.com
    company: CRONUS USA, Inc.
    client_id: 1b2c3d4e
    client_secret: env:BC_SECRET
""",
    "acumatica": """\
  erp:
    kind: acumatica
    name: acu
    site: https://erp.example.com/AcumaticaERP
    endpoint_version: 24.200.001
    username: apiuser
    password: env:ACU_PASSWORD
    company: MyTenant
    payment_method: CHECK
    cash_account: "10200"
""",
    "quickbooks": """\
  erp:
    kind: quickbooks
    name: qbo
    realm_id: "9341453000000001"
    client_id: ABc123
    client_secret: file:{tmp}/qbo.secret
    refresh_token_file: tokens/qbo.token
""",
}


def _write(tmp_path: Path, erp: str) -> Path:
    path = tmp_path / "arbridge.yaml"
    path.write_text("connectors:\n" + erp.format(tmp=tmp_path), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _secrets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BC_SECRET", "bc-value")
    monkeypatch.setenv("ACU_PASSWORD", "acu-value")
    (tmp_path / "qbo.secret").write_text("qbo-value\n", encoding="utf-8")
    (tmp_path / "tokens").mkdir()
    (tmp_path / "tokens" / "qbo.token").write_text("rt-0", encoding="utf-8")


@pytest.mark.parametrize(
    ("kind", "settings_type", "gateway_type"),
    [
        ("business_central", BusinessCentralErpSettings, BusinessCentralErpGateway),
        ("acumatica", AcumaticaErpSettings, AcumaticaErpGateway),
        ("quickbooks", QuickBooksErpSettings, QuickBooksErpGateway),
    ],
)
def test_each_kind_loads_and_composes(
    tmp_path: Path, kind: str, settings_type: type, gateway_type: type
) -> None:
    settings = load_settings(_write(tmp_path, ERPS[kind]))
    assert isinstance(settings.connectors.erp, settings_type)
    assert isinstance(build_erp_gateway(settings.connectors.erp), gateway_type)


def test_quickbooks_token_file_is_relative_to_the_config(tmp_path: Path) -> None:
    erp = load_settings(_write(tmp_path, ERPS["quickbooks"])).connectors.erp
    assert isinstance(erp, QuickBooksErpSettings)
    assert erp.refresh_token_file == tmp_path / "tokens" / "qbo.token"
    assert erp.requests_per_minute == 500


def test_a_literal_secret_is_refused_without_being_echoed(tmp_path: Path) -> None:
    text = ERPS["business_central"].replace("env:BC_SECRET", "Sup3rS3cret~value")
    with pytest.raises(ConfigError) as caught:
        load_settings(_write(tmp_path, text))
    assert "connectors.erp.business_central.client_secret" in str(caught.value)
    assert "Sup3rS3cret" not in str(caught.value)


def test_a_missing_secret_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACU_PASSWORD")
    with pytest.raises(ConfigError, match="ACU_PASSWORD is not set"):
        load_settings(_write(tmp_path, ERPS["acumatica"]))


def test_endpoint_version_must_be_pinned(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="endpoint_version"):
        load_settings(_write(tmp_path, ERPS["acumatica"].replace("24.200.001", "latest")))


def test_qbo_rate_above_the_vendor_limit_is_refused(tmp_path: Path) -> None:
    text = ERPS["quickbooks"] + "    requests_per_minute: 900\n"
    with pytest.raises(ConfigError, match="requests_per_minute"):
        load_settings(_write(tmp_path, text))


def test_a_missing_refresh_token_file_is_reported_at_load(tmp_path: Path) -> None:
    (tmp_path / "tokens" / "qbo.token").unlink()
    with pytest.raises(ConfigError, match=r"refresh token file .*qbo\.token does not exist"):
        load_settings(_write(tmp_path, ERPS["quickbooks"]))


def test_hosts_default_to_the_vendors_and_can_be_pointed_elsewhere(tmp_path: Path) -> None:
    bc = load_settings(_write(tmp_path, ERPS["business_central"])).connectors.erp
    assert isinstance(bc, BusinessCentralErpSettings)
    assert bc.api_url == "https://api.businesscentral.dynamics.com"
    assert bc.token_url == "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
    text = ERPS["quickbooks"] + (
        "    api_url: https://sandbox-quickbooks.api.intuit.com/\n"
        "    token_url: http://127.0.0.1:8080/token\n"
    )
    qbo = load_settings(_write(tmp_path, text)).connectors.erp
    assert isinstance(qbo, QuickBooksErpSettings)
    assert qbo.api_url == "https://sandbox-quickbooks.api.intuit.com"
    assert qbo.token_url == "http://127.0.0.1:8080/token"


@pytest.mark.parametrize("url", ["ftp://bc.example", "https://user:pw@bc.example", "bc.example"])
def test_a_bad_or_credential_carrying_url_is_refused(tmp_path: Path, url: str) -> None:
    text = ERPS["business_central"] + f"    api_url: {url}\n"
    with pytest.raises(ConfigError, match="api_url") as caught:
        load_settings(_write(tmp_path, text))
    assert "user:pw" not in str(caught.value)


def test_qbo_adjustment_items_enable_discounts_and_write_offs(tmp_path: Path) -> None:
    text = ERPS["quickbooks"] + '    discount_item: "21"\n    write_off_item: "22"\n'
    erp = load_settings(_write(tmp_path, text)).connectors.erp
    assert build_erp_gateway(erp).capabilities >= {
        ErpCapability.DISCOUNT,
        ErpCapability.WRITE_OFF,
    }
    plain = load_settings(_write(tmp_path, ERPS["quickbooks"])).connectors.erp
    assert not build_erp_gateway(plain).capabilities & {
        ErpCapability.DISCOUNT,
        ErpCapability.WRITE_OFF,
    }


def test_a_qbo_adjustment_item_must_be_an_item_id(tmp_path: Path) -> None:
    text = ERPS["quickbooks"] + "    discount_item: Early payment discount\n"
    with pytest.raises(ConfigError, match="discount_item"):
        load_settings(_write(tmp_path, text))


def test_bc_payment_discounts_enable_discounts_only(tmp_path: Path) -> None:
    text = ERPS["business_central"] + "    payment_discounts: true\n"
    gateway = build_erp_gateway(load_settings(_write(tmp_path, text)).connectors.erp)
    assert ErpCapability.DISCOUNT in gateway.capabilities
    assert ErpCapability.WRITE_OFF not in gateway.capabilities
    plain = build_erp_gateway(
        load_settings(_write(tmp_path, ERPS["business_central"])).connectors.erp
    )
    assert ErpCapability.DISCOUNT not in plain.capabilities
