"""The printed cycle summary: counts per kind of problem and the first three of each."""

from __future__ import annotations

from arbridge.scheduler._summary import RunSummary


def test_problems_are_counted_per_kind_with_three_examples_each() -> None:
    summary = RunSummary(run_id="0123456789")
    for n in range(40):
        summary.error(f"ERP rejected TX{n}: invoice paid", kind="erp_rejected")
    summary.error("bc: HTTP 503", kind="connector_down")

    text = summary.render()

    tail = text.split("; 41 problem(s): ", 1)[1]
    assert tail == (
        "40 erp_rejected: ERP rejected TX0: invoice paid | ERP rejected TX1: invoice paid"
        " | ERP rejected TX2: invoice paid | +37 more; 1 connector_down: bc: HTTP 503"
    )
    assert len(summary.errors) == 41  # every message is still recorded with the run
