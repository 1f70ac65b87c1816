"""CONTRACT.md §7 through the real CLI, on generated csv ERP data, against an independent count."""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from arbridge.cli import cli
from bench.datasets import CONTRACT_CONFIG

AS_OF = date(2026, 11, 30)
HEADER = "customer_id,customer_name,current,days_1_30,days_31_60,days_61_90,days_over_90,total"
NAMES = [
    "Acme Industrial Supply Inc",
    "Brightwater Foods LLC",
    "Cobalt Ridge Mining Corp",
    "Delta Harbor Logistics Co",
    "Evergreen Paper Mills",
    "Foxglove Pharmacy Group",
]


def _run(config: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def _write(path: Path, header: str, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "\n".join([header, *(",".join(r) for r in rows)]) + "\n"
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """The contract layout with 6 customers, 60 invoices of every age, and 15 exact payments."""
    rng = random.Random(21)
    root = tmp_path / "data"
    customers = [[f"C{n:03d}", name, "", "NET30", "USD"] for n, name in enumerate(NAMES, 1)]
    _write(root / "erp" / "customers.csv", "customer_id,name,parent_id,terms,currency", customers)
    invoices: list[list[str]] = []
    payments: list[list[str]] = []
    for n in range(60):
        cid = customers[n % len(customers)][0]
        due = AS_OF + timedelta(days=rng.randint(-150, 25))
        amount = Decimal(rng.randint(5_000, 900_000)) / 100
        open_ = amount if n % 4 else (amount / 2).quantize(Decimal("0.01"))  # some part-paid
        if n == 59:
            open_ = Decimal("0.00")  # paid in full: no row
        invoices.append(
            [
                f"INV-{2000 + n}",
                cid,
                str(due - timedelta(days=30)),
                str(due),
                f"{amount:.2f}",
                f"{open_:.2f}",
                "USD",
                "NET30",
                "",
            ]
        )
        if n % 4 == 1 and len(payments) < 15:
            name = NAMES[n % len(NAMES)].upper()
            payments.append(
                ["11/20/2026", f"{name} PAYMENT INV-{2000 + n}", f"{open_:.2f}", f"TX{n:04d}"]
            )
    _write(
        root / "erp" / "invoices.csv",
        "invoice_id,customer_id,invoice_date,due_date,amount,open_amount,currency,terms,po_number",
        invoices,
    )
    _write(root / "bank" / "statement.csv", "Date,Description,Amount,Transaction ID", payments)
    (root / "arbridge.yaml").write_text(CONTRACT_CONFIG.format(data=root), encoding="utf-8")
    return root


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _expected_open(data: Path) -> list[dict[str, str]]:
    """invoices.csv open amounts less every row of applications.csv, each counted once."""
    applied: dict[str, Decimal] = {}
    for row in _read(data / "out" / "applications.csv"):
        if row["invoice_id"]:
            value = Decimal(row["amount"]) + Decimal(row["adjustment"])
            applied[row["invoice_id"]] = applied.get(row["invoice_id"], Decimal(0)) + value
    out = []
    for inv in _read(data / "erp" / "invoices.csv"):
        left = Decimal(inv["open_amount"]) - applied.get(inv["invoice_id"], Decimal(0))
        out.append({**inv, "open_amount": str(max(left, Decimal(0)))})
    return out


def _independent_aging(data: Path) -> list[str]:
    names = {c["customer_id"]: c["name"] for c in _read(data / "erp" / "customers.csv")}
    per: dict[str, list[Decimal]] = {}
    for inv in _expected_open(data):
        amount = Decimal(inv["open_amount"])
        if not amount:
            continue
        late = (AS_OF - date.fromisoformat(inv["due_date"])).days
        index = 0 if late <= 0 else min(4, (late - 1) // 30 + 1)
        per.setdefault(inv["customer_id"], [Decimal(0)] * 5)[index] += amount
    lines = [HEADER]
    totals = [Decimal(0)] * 5
    for cid in sorted(per):
        values = per[cid]
        totals = [a + b for a, b in zip(totals, values, strict=True)]
        lines.append(
            ",".join([cid, names[cid], *(f"{v:.2f}" for v in values), f"{sum(values):.2f}"])
        )
    lines.append(",".join(["TOTAL", "", *(f"{v:.2f}" for v in totals), f"{sum(totals):.2f}"]))
    return lines


def _aging(data: Path) -> list[str]:
    config = data / "arbridge.yaml"
    return _run(config, "ar", "aging", "--as-of", AS_OF.isoformat(), "--format", "csv").splitlines()


def test_aging_after_one_run_and_after_a_second_matches_an_independent_count(data: Path) -> None:
    config = data / "arbridge.yaml"
    _run(config, "run", "--once")
    assert len(_read(data / "out" / "applications.csv")) == 15  # every payment was applied

    first = _aging(data)
    assert first == _independent_aging(data)  # posted after the pull: netted by the store
    _run(config, "run", "--once")  # reads the export again, net of applications.csv
    assert _aging(data) == first  # each payment counted once


def test_aging_covers_every_bucket_and_customer_with_money_open(data: Path) -> None:
    _run(data / "arbridge.yaml", "run", "--once")
    rows = list(csv.DictReader(io.StringIO("\n".join(_aging(data)))))

    assert rows[-1]["customer_id"] == "TOTAL"
    assert all(Decimal(rows[-1][b]) > 0 for b in HEADER.split(",")[2:])
    assert {r["customer_id"] for r in rows[:-1]} == {f"C{n:03d}" for n in range(1, 7)}


def _share(part: Decimal, whole: Decimal) -> float:
    return float((part / whole).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def test_kpis_json_matches_an_independent_count(data: Path) -> None:
    config = data / "arbridge.yaml"
    _run(config, "run", "--once")
    _run(config, "run", "--once")
    body = json.loads(_run(config, "ar", "kpis", "--as-of", AS_OF.isoformat(), "--format", "json"))

    total = past = over_20 = Decimal(0)
    over_90 = 0
    for inv in _expected_open(data):
        amount = Decimal(inv["open_amount"])
        late = (AS_OF - date.fromisoformat(inv["due_date"])).days
        total += amount
        past += amount if late > 0 else 0
        over_20 += amount if late > 20 else 0
        over_90 += 1 if late > 90 and amount > 0 else 0
    assert body["open_total"] == f"{total:.2f}"
    assert body["past_due_share"] == _share(past, total)
    assert body["past_due_over_20_days_share"] == _share(over_20, total)
    assert body["invoices_over_90_days"] == over_90 > 0
    assert {g["kpi"]: g["breached"] for g in body["guardrails"]}["invoices_over_90_days"] is True
    assert isinstance(body["dso"], float)
    assert isinstance(body["cei"], float)


def test_aging_options_invoice_date_basis_and_custom_buckets(data: Path) -> None:
    config = data / "arbridge.yaml"
    _run(config, "run", "--once")
    out = _run(
        config,
        "ar",
        "aging",
        "--as-of",
        AS_OF.isoformat(),
        "--format",
        "json",
        "--basis",
        "invoice_date",
        "--buckets",
        "45,120",
    )
    body = json.loads(out)

    assert body["buckets"] == ["current", "days_1_45", "days_46_120", "days_over_120"]
    by_due = _aging(data)[-1].split(",")
    assert body["total"]["total"] == by_due[-1]  # same money, other buckets
    assert body["total"]["current"] == "0.00"  # every invoice is dated before the as-of day


def test_before_any_run_the_commands_say_what_to_do(data: Path) -> None:
    result = CliRunner().invoke(cli, ["--config", str(data / "arbridge.yaml"), "ar", "aging"])

    assert result.exit_code == 1
    assert "run --once" in result.output
