"""Config loading: every problem listed with YAML path and line; secrets only as references."""

from __future__ import annotations

from pathlib import Path

import pytest

from arbridge.config import CsvErpSettings, load_settings
from arbridge.domain.errors import ConfigError
from bench.datasets import CONTRACT_CONFIG


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "arbridge.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path) -> dict[str, tuple[int | None, str]]:
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    return {p.path: (p.line, p.message) for p in info.value.problems}


def test_contract_config_loads_as_written(contract_data: Path) -> None:
    settings = load_settings(contract_data / "arbridge.yaml")

    bank = settings.connectors.bank[0]
    assert bank.csv is not None
    assert bank.csv.transaction_id is not None
    assert bank.csv.transaction_id.column == "Transaction ID"
    assert isinstance(settings.connectors.erp, CsvErpSettings)
    assert settings.connectors.erp.applications == contract_data / "out" / "applications.csv"


def test_relative_paths_resolve_against_the_config_folder(tmp_path: Path) -> None:
    text = CONTRACT_CONFIG.format(data="DATA").replace("DATA/", "")
    (tmp_path / "etc").mkdir()
    path = _write(tmp_path / "etc", text)

    settings = load_settings(path)

    assert settings.store.url == f"sqlite:///{tmp_path / 'etc' / 'state.db'}"
    assert settings.connectors.bank[0].path == tmp_path / "etc" / "bank"
    assert isinstance(settings.connectors.erp, CsvErpSettings)
    assert settings.connectors.erp.customers == tmp_path / "etc" / "erp" / "customers.csv"


def test_every_problem_is_listed_with_path_and_line(tmp_path: Path) -> None:
    text = CONTRACT_CONFIG.format(data=tmp_path)
    text = text.replace("      kind: folder\n", "      kind: folder\n      colour: blue\n")
    text = text.replace("    customers: ", "    customer_file: ")
    path = _write(tmp_path, text)

    problems = _problems(path)

    assert problems["connectors.bank[0].colour"] == (
        7,
        "unknown key (not part of the configuration)",
    )
    assert problems["connectors.erp.customer_file"][0] == 17
    assert "connectors.erp.customers" in problems
    assert "Field required" in problems["connectors.erp.customers"][1]


def test_error_message_names_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "store: {url: 42}\nconnectors: {}\n")

    with pytest.raises(ConfigError) as info:
        load_settings(path)

    assert str(path) in str(info.value)
    assert "problems" in str(info.value)


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "store:\n  url: [unclosed\nconnectors: {}\n")

    with pytest.raises(ConfigError) as info:
        load_settings(path)

    assert info.value.problems[0].line is not None


def test_missing_config_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"does not exist|not found|No such"):
        load_settings(tmp_path / "nope.yaml")


def test_store_url_with_a_literal_password_is_refused(tmp_path: Path) -> None:
    text = CONTRACT_CONFIG.format(data=tmp_path).replace(
        f"sqlite:///{tmp_path}/state.db", "postgresql://arbridge:hunter22@db/arbridge"
    )

    problems = _problems(_write(tmp_path, text))

    line, message = problems["store.url"]
    assert line == 2
    assert "hunter22" not in message


def test_store_url_from_an_unset_env_var_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ARBRIDGE_TEST_DB_URL", raising=False)
    text = CONTRACT_CONFIG.format(data=tmp_path).replace(
        f"sqlite:///{tmp_path}/state.db", "env:ARBRIDGE_TEST_DB_URL"
    )

    problems = _problems(_write(tmp_path, text))

    assert "ARBRIDGE_TEST_DB_URL is not set" in problems["store.url"][1]
