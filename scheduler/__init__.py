"""One cycle (pull -> match -> push -> queue) as plain functions, and the loop around it."""

from scheduler._summary import RunSummary
from scheduler.cycle import CycleDeps, run_cycle
from scheduler.loop import run_forever

__all__ = ["CycleDeps", "RunSummary", "run_cycle", "run_forever"]
