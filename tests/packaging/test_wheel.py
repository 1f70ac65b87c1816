"""The built wheel, installed into a fresh venv outside the checkout, is the whole product.

One module-scoped fixture builds the wheel and installs it (with its runtime dependencies
only: no pytest, no respx, no ofxparse) into a venv in a temp folder; the tests then run
the installed `arbridge` from a folder that holds no source, so nothing can be imported
from the checkout by accident.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from bench.datasets import CONTRACT_CONFIG, write_dataset

REPO = Path(__file__).resolve().parents[2]
TOP_LEVEL = ("config", "connectors", "domain", "matching", "review", "scheduler", "store", "web")

pytestmark = pytest.mark.slow


class Installed:
    """A fresh venv with the wheel in it, and a folder without sources to run it from."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.bin = root / "venv" / "bin"
        self.work = root / "work"

    def run(self, *args: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a command of the venv in the work folder; PYTHONPATH and the checkout stay out."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
        return subprocess.run(
            [str(a) for a in args],
            cwd=self.work,
            env=env,
            capture_output=True,
            text=True,
            check=check,
            timeout=600,
        )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """Build the wheel from the checkout and install it into a new venv."""
    root = tmp_path_factory.mktemp("wheel")
    dist = root / "dist"
    pip = [sys.executable, "-m", "pip"]
    subprocess.run(
        [*pip, "wheel", "--quiet", "--no-deps", "--wheel-dir", str(dist), str(REPO)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = dist.glob("arbridge-*.whl")
    venv.EnvBuilder(with_pip=True).create(root / "venv")
    target = Installed(root)
    target.work.mkdir()
    target.run(target.bin / "python", "-m", "pip", "install", "--quiet", wheel)
    return target


def test_the_wheel_installs_one_top_level_package(installed: Installed) -> None:
    """Only `arbridge` is importable: `config`, `web`, `store`... never reach the environment."""
    probe = "import importlib.util as u; print([n for n in {names} if u.find_spec(n)])"
    out = installed.run(installed.bin / "python", "-c", probe.format(names=TOP_LEVEL)).stdout
    assert out.strip() == "[]"
    failed = installed.run(installed.bin / "python", "-c", "import config", check=False)
    assert failed.returncode != 0
    assert "No module named 'config'" in failed.stderr
    ok = installed.run(installed.bin / "python", "-c", "import arbridge.config, arbridge.web")
    assert ok.returncode == 0


def test_the_wheel_carries_templates_and_migrations(installed: Installed) -> None:
    """Package data is in the wheel: the web page's templates and Alembic's migrations."""
    code = (
        "from importlib import resources as r;"
        "print(len(list((r.files('arbridge.web') / 'templates').iterdir())),"
        " len(list((r.files('arbridge.store') / 'migrations' / 'versions').iterdir())))"
    )
    templates, migrations = installed.run(installed.bin / "python", "-c", code).stdout.split()
    assert int(templates) > 0
    assert int(migrations) > 0


def test_the_installed_cli_answers(installed: Installed) -> None:
    """`arbridge --help` and `arbridge config schema` run from the install."""
    helptext = installed.run(installed.bin / "arbridge", "--help").stdout
    assert "review" in helptext
    assert "run" in helptext
    schema = installed.run(installed.bin / "arbridge", "config", "schema").stdout
    assert '"connectors"' in schema


def test_the_installed_product_runs_the_contract_quickstart(installed: Installed) -> None:
    """CONTRACT.md §2-§4 from the install: one cycle writes applications, a rerun adds none."""
    data = installed.work / "data"
    data.mkdir()
    write_dataset(data, lines=40, invoices=120)
    config = data / "arbridge.yaml"
    config.write_text(CONTRACT_CONFIG.format(data=data), encoding="utf-8")
    arbridge = installed.bin / "arbridge"
    installed.run(arbridge, "--config", config, "run", "--once")
    rows = _rows(data / "out" / "applications.csv")
    assert rows, "the quickstart applied nothing"
    installed.run(arbridge, "--config", config, "run", "--once")
    again = _rows(data / "out" / "applications.csv")
    assert again == rows
    queue = installed.run(arbridge, "--config", config, "review", "list", "--format", "csv")
    assert queue.stdout.startswith(
        "item_id,bank_transaction_id,reason,amount,customer_id,suggested_invoice_ids"
    )


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_a_bench_runs_on_the_installed_product_without_test_tools(installed: Installed) -> None:
    """`python -m bench.cycle` needs the product alone: no pytest, no tests package."""
    shutil.copytree(REPO / "bench", installed.work / "bench")
    pytest_there = installed.run(installed.bin / "python", "-c", "import pytest", check=False)
    assert pytest_there.returncode != 0
    out = installed.run(
        installed.bin / "python", "-m", "bench.cycle", "--lines", "30", "--invoices", "90"
    ).stdout
    assert "first cycle" in out
