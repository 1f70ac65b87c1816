"""The optional `deposits:` section: defaults without it, clear errors when it is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from arbridge.app import deposit_rules
from arbridge.config import load_settings
from arbridge.domain.errors import ConfigError
from bench.datasets import CONTRACT_CONFIG


def _config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "arbridge.yaml"
    path.write_text(CONTRACT_CONFIG.format(data=tmp_path) + extra, encoding="utf-8")
    return path


def test_without_the_section_deposits_are_applied_to_their_invoice_after_30_days_overdue(
    tmp_path: Path,
) -> None:
    rules = deposit_rules(load_settings(_config(tmp_path)))

    assert rules is not None
    assert (rules.on_receipt, rules.wait_days) == ("apply", 30)
    assert "down payment" in rules.words


def test_the_section_sets_hold_words_and_wait_and_can_turn_it_off(tmp_path: Path) -> None:
    extra = "deposits:\n  on_receipt: hold\n  wait_days: 10\n  words: [anzahlung]\n"
    rules = deposit_rules(load_settings(_config(tmp_path, extra)))
    off = deposit_rules(load_settings(_config(tmp_path, "deposits:\n  enabled: false\n")))

    assert rules is not None
    assert (rules.on_receipt, rules.wait_days, rules.words) == ("hold", 10, ("anzahlung",))
    assert off is None


@pytest.mark.parametrize(
    "extra",
    ["deposits:\n  on_receipt: keep\n", "deposits:\n  wait_days: -1\n", "deposits:\n  word: [x]\n"],
)
def test_a_wrong_value_is_refused_naming_the_key(tmp_path: Path, extra: str) -> None:
    with pytest.raises(ConfigError, match="deposits"):
        load_settings(_config(tmp_path, extra))
