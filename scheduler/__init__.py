"""One cycle (pull -> match -> push -> queue) as plain functions, and the loop around it."""

from arbridge.scheduler._book import Book
from arbridge.scheduler._payouts import PayoutRules
from arbridge.scheduler._summary import RunSummary
from arbridge.scheduler.cycle import CycleDeps, run_cycle
from arbridge.scheduler.loop import make_trigger, run_forever, run_once

__all__ = [
    "Book",
    "CycleDeps",
    "PayoutRules",
    "RunSummary",
    "make_trigger",
    "run_cycle",
    "run_forever",
    "run_once",
]
