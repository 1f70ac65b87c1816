"""`arbridge tax ...` on the contract layout with optional tax columns and a memory tax system."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from click.testing import CliRunner

from arbridge.cli import cli

TAX_CONFIG = """
  tax:
    name: tax
    kind: memory
tax:
  expiry_warning_days: 45
"""


def _invoke(data: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--config", str(data / "arbridge.yaml"), *args])
    return result.exit_code, result.stdout, result.stderr


def _with_tax(contract_data: Path) -> Path:
    config = contract_data / "arbridge.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text + TAX_CONFIG.lstrip("\n"), encoding="utf-8")
    invoices = contract_data / "erp" / "invoices.csv"
    rows = list(csv.DictReader(io.StringIO(invoices.read_text(encoding="utf-8"))))
    header = [*rows[0].keys(), "tax_amount", "ship_to_region"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    for n, row in enumerate(rows):
        writer.writerow(
            {
                **row,
                "tax_amount": "0.00" if n == 0 else "",
                "ship_to_region": "CA" if n == 0 else "",
            }
        )
    invoices.write_text(out.getvalue(), encoding="utf-8")
    return contract_data


def test_contract_config_without_tax_still_runs_and_tax_commands_explain(
    contract_data: Path,
) -> None:
    """The contract config is untouched by the tax feature; `tax check` says what is missing."""
    code, _, _ = _invoke(contract_data, "run", "--once")
    assert code == 0

    code, _, err = _invoke(contract_data, "tax", "check")

    assert code != 0
    assert "no tax system configured" in err


def test_check_queues_setup_task_and_setup_resolves_it(contract_data: Path) -> None:
    """An exempt invoice of a customer unknown to the tax system: set-up task and audit item."""
    data = _with_tax(contract_data)

    code, out, err = _invoke(data, "tax", "check")

    assert code == 0, err
    assert "customer_missing: 1" in out
    assert "exempt_without_certificate: 1" in out
    code, out, _ = _invoke(data, "tax", "setup")
    assert "1 set-up task(s)" in out
    item_id = re.search(r"#\s*(\d+) ", out).group(1)  # type: ignore[union-attr]  # a missing match should fail the test with AttributeError

    code, out, err = _invoke(data, "tax", "setup", item_id, "--as", "maria")

    assert code == 0, err
    assert "1 customer(s) created in tax" in out
    code, out, _ = _invoke(data, "review", "list", "--format", "csv", "--reason", "tax_certificate")
    flags = [r["message"] for r in csv.DictReader(io.StringIO(out))]
    assert len(flags) == 1
    assert "posted exempt" in flags[0]
    code, out, _ = _invoke(data, "review", "show", item_id)
    assert "maria: resolve - created in tax" in out


def test_tax_columns_are_optional_in_invoices_csv(contract_data: Path) -> None:
    """Invoices keep their tax fields when the columns exist, and run as before without them."""
    from arbridge.connectors.erp import CsvErpGateway

    data = _with_tax(contract_data)
    erp = CsvErpGateway(
        name="books",
        customers=data / "erp" / "customers.csv",
        invoices=data / "erp" / "invoices.csv",
        applications=data / "out" / "applications.csv",
    )

    invoices = list(erp.fetch_invoices())

    assert invoices[0].ship_to_region == "CA"
    assert str(invoices[0].tax_amount) == "0.00"
    assert invoices[1].tax_amount is None
    assert invoices[1].ship_to_region is None
    code, _, err = _invoke(data, "run", "--once")
    assert code == 0, err
