"""Deposits, down payments and retainage held for an order until its final invoice. Pure."""

from arbridge.deposits.held import (
    DEPOSIT_KINDS,
    FINAL_KINDS,
    HeldLine,
    held,
    held_csv,
    is_deposit,
)

__all__ = ["DEPOSIT_KINDS", "FINAL_KINDS", "HeldLine", "held", "held_csv", "is_deposit"]
