"""`arbridge run` (the daemon, or one cycle) and `arbridge status`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import click

from arbridge.app.monitoring import Monitor, serve
from arbridge.config import ArbridgeSettings
from arbridge.connectors.errors import ConnectorError
from arbridge.scheduler import Book, CycleDeps, make_trigger, run_cycle, run_forever, run_once
from arbridge.scheduler.audit import audit_if_due
from arbridge.store import Store
from arbridge.store.lease import lease_for
from arbridge.store.status import StatusReport, status_report

if TYPE_CHECKING:
    from arbridge.cli import Context


EXIT_CONNECTOR_DOWN = 3


@click.command()
@click.option(
    "--once", is_flag=True, help="Run one cycle and exit (0 unless the cycle could not run)."
)
@click.option(
    "--strict",
    is_flag=True,
    help="With --once: exit 3 when a connector was down during the cycle (for cron).",
)
@click.pass_obj
def run(ctx: Context, once: bool, strict: bool) -> None:
    """Run the daemon (or a single cycle with --once)."""
    if strict and not once:
        raise click.UsageError("--strict goes with --once")
    app = ctx.app
    lease = None if ctx.settings.store.shared else lease_for(app.store.engine)
    monitor = Monitor(app.store, lease=lease, stale_after=_stale_after(ctx.settings))
    down: list[int] = []
    book = None if once else Book()  # the daemon keeps the ERP's records between cycles

    def cycle() -> None:
        deps = app.cycle_deps(book)
        summary = run_cycle(deps)
        monitor.record(summary)
        click.echo(summary.render())
        down.append(summary.counts.get("connector_errors", 0))
        if not once:
            _daily_audit(app.store, deps)

    if once:
        run_once(cycle, lease=lease)
        if strict and any(down):
            ctx.close()
            raise SystemExit(EXIT_CONNECTOR_DOWN)
        return
    schedule = ctx.settings.schedule
    trigger = make_trigger(
        interval_seconds=schedule.interval_seconds,
        cron=schedule.cron,
        jitter_seconds=schedule.jitter_seconds,
    )
    listen = ctx.settings.monitoring.listen
    if listen:
        host, port = listen.rsplit(":", 1)
        try:
            serve(monitor, host, int(port))
        except OSError as exc:
            message = f"monitoring cannot listen on {listen}: {exc.strerror}"
            raise click.ClickException(message) from None
        click.echo(f"health and metrics on http://{listen}/healthz and /metrics")
    _start_web(ctx.settings, app.store)
    click.echo(f"arbridge running ({trigger}); Ctrl-C or SIGTERM stops it.")
    run_forever(cycle, trigger=trigger, lease=lease, grace_seconds=schedule.misfire_grace_seconds)


AUDIT_EVERY = timedelta(days=1)


def _daily_audit(store: Store, deps: CycleDeps) -> None:
    """The ledger audit, once a day (findings become review items); never stops the daemon."""
    try:
        audit_if_due(store, deps.erp, every=AUDIT_EVERY, clock=deps.clock)
    except ConnectorError as exc:
        click.echo(f"ledger audit skipped: cannot read the ERP: {exc}", err=True)


def _start_web(settings: ArbridgeSettings, store: Store) -> None:
    if not settings.web.listen:
        return
    from arbridge.app.webserver import ensure_demo_users, serve_web  # noqa: PLC0415 - web only when served

    made = ensure_demo_users(store) if settings.web.demo_user else None
    serve_web(settings, store)
    click.echo(f"finance web page on http://{settings.web.listen}/")
    for name, role, password in made or ():
        click.echo(f"demo login ({role}): user {name}, password {password}")
    if settings.web.demo_user and made is None:
        click.echo(
            "demo logins were printed on the first run; new ones: "
            "arbridge user add NAME --role clerk|admin"
        )


def _stale_after(settings: ArbridgeSettings) -> timedelta:
    if settings.monitoring.stale_after_seconds:
        return timedelta(seconds=settings.monitoring.stale_after_seconds)
    if settings.schedule.cron:
        return timedelta(days=1)
    return timedelta(seconds=3 * settings.schedule.interval_seconds)


@click.command()
@click.pass_obj
def status(ctx: Context) -> None:
    """How the daemon is doing: last cycle, connectors, outbox, review queue, lease."""
    app = ctx.app
    with app.store.transaction() as session:
        report = status_report(session)
    holder = lease_for(app.store.engine).holder()
    for line in render_status(report, holder, now=datetime.now(UTC)):
        click.echo(line)
    for line in guardrail_lines(app.store):
        click.echo(line)


def guardrail_lines(store: Store) -> list[str]:
    """One line per receivables KPI past its target (from the last cycle's check)."""
    from arbridge.store import ar_health  # noqa: PLC0415 - read only by `status`

    with store.transaction() as session:
        rows = ar_health.guardrails(session)
    return [
        f"AR guardrail BREACHED: {r.kpi} {r.value} above target {r.target} "
        f"since {r.since:%Y-%m-%d %H:%M} UTC ({r.erp})"
        for r in rows
        if r.breached and r.since is not None
    ]


def render_status(report: StatusReport, holder: str, *, now: datetime) -> list[str]:
    """The report as lines for a person."""
    run = report.last_run
    lines = [f"daemon lease: {holder or 'free (no daemon running)'}"]
    if run is None:
        lines.append("last cycle: none yet")
    else:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(run.counts.items()) if v)
        lines.append(
            f"last cycle: {_ago(run.started_at, now)}, {run.status}; {counts or 'nothing to do'}"
        )
        lines += [f"  problem: {e}" for e in run.errors]
    for c in report.connectors:
        since = _ago(c.last_success_at, now) if c.last_success_at else "never"
        state = (
            c.status
            if c.status == "up"
            else f"DOWN ({c.consecutive_failures} failures): {c.last_error}"
        )
        lines.append(f"connector {c.name} ({c.role}): {state}; last success {since}")
    pending = report.outbox.get("pending", 0)
    oldest = f", oldest {_ago(report.oldest_pending_at, now)}" if report.oldest_pending_at else ""
    lines.append(
        f"outbox: {pending} pending{oldest}, {report.outbox.get('sent', 0)} sent, "
        f"{report.outbox.get('rejected', 0)} rejected"
    )
    review = ", ".join(f"{v} {k}" for k, v in sorted(report.review.items())) or "empty"
    lines.append(f"review queue: {review}")
    return lines


def _ago(when: datetime | None, now: datetime) -> str:
    if when is None:
        return "never"
    seconds = int((now - when).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago ({when:%Y-%m-%d %H:%M} UTC)"
    return f"{seconds}s ago ({when:%Y-%m-%d %H:%M} UTC)"
