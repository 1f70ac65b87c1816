"""`arbridge doctor`: can every configured connector be reached? Reads only, writes nothing."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click
import httpx

from arbridge.domain.errors import ArbridgeError

if TYPE_CHECKING:
    from arbridge.cli import Context
    from arbridge.config import ArbridgeSettings
    from arbridge.connectors.base import ErpGateway

Check = tuple[str, Callable[[], str]]


@click.command()
@click.pass_obj
def doctor(ctx: Context) -> None:
    """Resolve each connector's hosts, authenticate, read one page; print OK or the vendor's words.

    Exits 1 when any check fails. Opens no store and posts nothing.
    """
    failed = 0
    for name, check in _checks(ctx.settings):
        try:
            click.echo(f"OK    {name}: {check()}")
        except (ArbridgeError, OSError, httpx.HTTPError) as exc:
            failed += 1
            click.echo(f"FAIL  {name}: {exc}")
    if failed:
        raise SystemExit(1)


def _checks(settings: ArbridgeSettings) -> list[Check]:
    from arbridge.app.erp_gateways import build_erp_gateway, erp_hosts  # noqa: PLC0415

    erp = settings.connectors.erp
    checks: list[Check] = [(f"{erp.name} host {url}", _resolver(url)) for url in erp_hosts(erp)]
    checks.append((f"{erp.name} (erp)", lambda: _probe_erp(build_erp_gateway(erp))))
    for bank in settings.connectors.bank:
        checks.append((f"{bank.name} (bank)", _folder(bank.path)))
    return checks


def _resolver(url: str) -> Callable[[], str]:
    def resolve() -> str:
        host = httpx.URL(url).host
        try:
            found = socket.getaddrinfo(host, None)
        except socket.gaierror as exc:
            raise OSError(f"cannot resolve {host}: {exc.strerror}") from None
        return f"{host} resolves to {found[0][4][0]}"

    return resolve


def _probe_erp(gateway: ErpGateway) -> str:
    probe = getattr(gateway, "probe", None)
    if probe is not None:
        return str(probe())
    return f"{len(gateway.fetch_customers())} customers read"


def _folder(folder: Path) -> Callable[[], str]:
    def check() -> str:
        if not folder.is_dir():
            raise OSError(f"folder {folder} does not exist")
        return f"folder {folder} is there ({sum(1 for _ in folder.iterdir())} entries)"

    return check
