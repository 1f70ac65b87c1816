"""`arbridge doctor`: every connector checked, the vendor's own words on failure, nothing written."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import respx
from click.testing import CliRunner

from arbridge.cli import cli
from bench.erp_fakes import fake_bc
from tests.contracts.harness import demo_records

API, LOGIN = "api.businesscentral.dynamics.com", "login.microsoftonline.com"
BC_CONFIG = """\
connectors:
  bank:
    - name: operating
      kind: folder
      path: {data}/bank
  erp:
    kind: business_central
    name: bc
    tenant: tenant-1
    company: CRONUS
    client_id: app-1
    client_secret: env:BC_SECRET
store:
  url: sqlite:///{data}/state.db
"""


def _doctor(config: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--config", str(config), "doctor"])
    return result.exit_code, result.stdout


def test_doctor_on_the_contract_layout_is_all_ok(contract_data: Path) -> None:
    code, out = _doctor(contract_data / "arbridge.yaml")
    assert code == 0, out
    assert out.splitlines() == [
        "OK    books (erp): 5 customers read",
        f"OK    operating (bank): folder {contract_data / 'bank'} is there (1 entries)",
    ]
    assert not (contract_data / "state.db").exists()  # no store opened


def _dns(known: set[str]) -> object:
    def getaddrinfo(host: str, *_args: object) -> list[tuple[object, ...]]:
        if host not in known:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("203.0.113.7", 0))]

    return getaddrinfo


def test_doctor_reports_the_vendors_message_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "bank").mkdir()
    config = tmp_path / "arbridge.yaml"
    config.write_text(BC_CONFIG.format(data=tmp_path), encoding="utf-8")
    customers, invoices = demo_records(tmp_path)
    fake = fake_bc.FakeBusinessCentral(customers, invoices)
    with respx.mock(assert_all_called=False) as router:
        fake.install(router)
        monkeypatch.setattr(socket, "getaddrinfo", _dns({API, LOGIN}))
        monkeypatch.setenv("BC_SECRET", "s3cret-value")
        good_code, good = _doctor(config)
        monkeypatch.setattr(socket, "getaddrinfo", _dns({API}))
        monkeypatch.setenv("BC_SECRET", "wrong-value")
        bad_code, bad = _doctor(config)

    assert good_code == 0, good
    assert f"OK    bc host https://{API}: {API} resolves to 203.0.113.7" in good
    assert "OK    bc (erp): company 'CRONUS' found; customers readable" in good
    assert "OK    operating (bank): folder" in good
    assert bad_code == 1
    assert "FAIL  bc (erp): bc: token request to https://login.microsoftonline.com/" in bad
    assert "AADSTS7000215" in bad
    assert (
        f"FAIL  bc host https://{LOGIN}/tenant-1/oauth2/v2.0/token: cannot resolve {LOGIN}" in bad
    )
    assert "wrong-value" not in bad
    assert fake.lines == []
