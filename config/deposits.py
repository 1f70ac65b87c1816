"""How deposits are recognised and where their cash goes (`deposits:`), all optional."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from arbridge.config._base import Settings


class DepositSettings(Settings):
    """Deposits, down payments and retainers (`arbridge deposits`, and the cycle)."""

    enabled: bool = Field(
        default=True,
        description="Recognise deposits in the cycle (needs invoices with an order or a kind).",
    )
    on_receipt: Literal["apply", "hold"] = Field(
        default="apply",
        description="apply: pay the deposit invoice where there is one (else hold the cash for "
        "the order's final invoice); hold: always hold it for the final invoice.",
    )
    words: list[str] = Field(
        default_factory=lambda: [
            "deposit",
            "down payment",
            "downpayment",
            "down pmt",
            "prepayment",
            "retainer",
        ],
        min_length=1,
        description="Words in a bank line's text that mark a deposit (whole words, any case).",
    )
    wait_days: int = Field(
        default=30,
        ge=0,
        description="A held deposit with no final invoice after this many days is overdue.",
    )
