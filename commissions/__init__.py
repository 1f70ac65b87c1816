"""Commissions on cash collected: a plan, cash events in, report lines out. Pure: no I/O, no store."""

from arbridge.commissions.calc import Key, Portion, compute, portions_of
from arbridge.commissions.periods import landing_day, last_day, parse_period, period_of
from arbridge.commissions.plan import Plan, PlanError, Tier, rep_shares
from arbridge.commissions.report import lines_csv, totals, totals_csv

__all__ = [
    "Key",
    "Plan",
    "PlanError",
    "Portion",
    "Tier",
    "compute",
    "landing_day",
    "last_day",
    "lines_csv",
    "parse_period",
    "period_of",
    "portions_of",
    "rep_shares",
    "totals",
    "totals_csv",
]
