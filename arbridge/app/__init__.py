"""Composition root: settings -> concrete connectors, store, queue and cycle."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import make_url
from sqlalchemy.exc import OperationalError

from arbridge.app.erp_gateways import build_erp_gateway, build_payment_reader
from arbridge.app.logs import MASKER
from arbridge.app.profiles import csv_profile
from arbridge.app.settlements import build_settlement_source, payout_rules
from arbridge.config import ArbridgeSettings, FolderBankSettings
from arbridge.config.misapplied import MisappliedSettings
from arbridge.config.models import MatchingSettings
from arbridge.config.secrets import SecretRef
from arbridge.connectors.bank import FolderBankSource
from arbridge.connectors.base import BankSource, ErpGateway, PostedPaymentReader
from arbridge.connectors.erp._http import RequestLimiter, Window
from arbridge.connectors.tax import AvaTaxSystem, InMemoryTaxSystem
from arbridge.connectors.tax_base import TaxSystem
from arbridge.deposits.recognise import DepositRules
from arbridge.domain.errors import ConfigError, ConfigProblem
from arbridge.matching import CustomerPolicy, MatchSettings
from arbridge.receivables import Buckets
from arbridge.receivables.guardrails import Targets
from arbridge.review import ReviewQueue
from arbridge.scheduler import Book, CycleDeps, make_trigger
from arbridge.scheduler.ar_health import ArDeps
from arbridge.scheduler.tax import TaxCheckDeps
from arbridge.store import Store, StoreUnavailableError, create_store_engine, upgrade
from arbridge.store.ratebudget import SharedRateBudget


@dataclass(frozen=True, slots=True)
class App:
    """Everything the CLI works with."""

    settings: ArbridgeSettings
    store: Store
    queue: ReviewQueue

    def cycle_deps(self, book: Book | None = None) -> CycleDeps:
        """The collaborators of one cycle; `book`: the ERP records a daemon keeps between cycles."""
        return CycleDeps(
            store=self.store,
            bank_sources=[build_bank_source(s) for s in self.settings.connectors.bank],
            erp=build_erp(self.settings, store=self.store),
            match_settings=match_settings(self.settings.matching, self.settings.misapplied),
            claim_lease=timedelta(seconds=self.settings.store.claim_seconds),
            shared=self.settings.store.shared,
            claim_batch=self.settings.store.claim_batch,
            decide_chunk=self.settings.store.decide_chunk,
            snapshot_reuse=snapshot_reuse(self.settings),
            pull_triggers={
                name: make_trigger(interval_seconds=rule.interval_seconds or 0, cron=rule.cron)
                for name, rule in self.settings.schedule.connectors.items()
            },
            tax=build_tax_deps(self.settings),
            settlement_sources=[
                build_settlement_source(s) for s in self.settings.connectors.settlements
            ],
            payout_rules=payout_rules(self.settings),
            ar=build_ar_deps(self.settings),
            payments=build_payments(self.settings, store=self.store),
            deposits=deposit_rules(self.settings),
            book=book,
        )


def snapshot_reuse(settings: ArbridgeSettings) -> timedelta | None:
    """How old an ERP snapshot another daemon read may be to be reused (None: never)."""
    seconds = settings.store.snapshot_reuse_seconds
    if seconds is None:
        seconds = settings.schedule.interval_seconds / 2
    return timedelta(seconds=seconds) if settings.store.shared and seconds > 0 else None


def deposit_rules(settings: ArbridgeSettings) -> DepositRules | None:
    """How the cycle recognises and holds deposits (None when `deposits.enabled` is off)."""
    d = settings.deposits
    if not d.enabled:
        return None
    return DepositRules(on_receipt=d.on_receipt, words=tuple(d.words), wait_days=d.wait_days)


def match_settings(
    settings: MatchingSettings, misapplied: MisappliedSettings | None = None
) -> MatchSettings:
    """The engine's settings from the `matching:` section; keys left out keep the engine's defaults.

    `misapplied:` gives the confidence a finding about a recorded payment needs to be queued.
    """
    given = settings.model_dump(exclude_unset=True, exclude_none=True, exclude={"customers"})
    customers = {
        cid: CustomerPolicy(**c.model_dump(exclude_none=True))
        for cid, c in settings.customers.items()
    }
    if misapplied is not None and "min_confidence" in misapplied.model_fields_set:
        given["misapplied_min_confidence"] = misapplied.min_confidence
    return MatchSettings(**given, customers=customers)


def store_url(settings: ArbridgeSettings) -> str:
    """The store URL, read from its secret reference when it is one."""
    url = settings.store.url
    if url.startswith(("env:", "file:")):
        url = SecretRef(url).resolve()
        MASKER.register(url)
        password = make_url(url).password
        if password:
            MASKER.register(str(password))
    return url


def open_store(settings: ArbridgeSettings, *, migrate: bool = True) -> Store:
    """Open the store, applying migrations first unless told not to."""
    engine = create_store_engine(
        store_url(settings), busy_timeout_seconds=settings.store.busy_timeout_seconds
    )
    if migrate:
        try:
            upgrade(engine)
        except OperationalError as exc:
            raise StoreUnavailableError(f"store unavailable: {exc.orig}") from exc
    return Store(engine)


def build_app(settings: ArbridgeSettings) -> App:
    """Open the store (migrating it) and build the queue."""
    store = open_store(settings)
    return App(settings=settings, store=store, queue=ReviewQueue(store))


def build_bank_source(settings: FolderBankSettings) -> BankSource:
    """A bank source from its settings."""
    profile = csv_profile(settings.csv) if settings.csv is not None else None
    return FolderBankSource(
        name=settings.name,
        path=settings.path,
        currency=settings.currency,
        csv_profile=profile,
        pattern=settings.pattern,
        move_files=settings.move_files,
        strict=settings.strict,
    )


def build_erp(settings: ArbridgeSettings, store: Store | None = None) -> ErpGateway:
    """The ERP gateway from its settings."""
    if store is None or not settings.store.shared:
        return build_erp_gateway(settings.connectors.erp)
    name = settings.connectors.erp.name

    def shared_budget(windows: Sequence[Window]) -> RequestLimiter:
        return SharedRateBudget(store.engine, name, [(w.limit, w.seconds) for w in windows])

    return build_erp_gateway(settings.connectors.erp, limiter_factory=shared_budget)


def build_payments(
    settings: ArbridgeSettings, store: Store | None = None
) -> PostedPaymentReader | None:
    """The reader of payments recorded in the ERP (sharing the ERP's rate budget), or None."""
    if store is None or not settings.store.shared:
        return build_payment_reader(settings.connectors.erp)
    name = settings.connectors.erp.name

    def shared_budget(windows: Sequence[Window]) -> RequestLimiter:
        return SharedRateBudget(store.engine, name, [(w.limit, w.seconds) for w in windows])

    return build_payment_reader(settings.connectors.erp, limiter_factory=shared_budget)


def build_tax_system(settings: ArbridgeSettings) -> TaxSystem | None:
    """The tax system from its settings, or None when none is configured."""
    tax = settings.connectors.tax
    if tax is None:
        return None
    if tax.kind == "memory":
        return InMemoryTaxSystem(name=tax.name)
    try:
        license_key = tax.license_key.resolve()
    except LookupError as exc:
        where = "connectors.tax.license_key"
        raise ConfigError(where, [ConfigProblem(path=where, message=str(exc))]) from None
    MASKER.register(license_key)
    return AvaTaxSystem(
        name=tax.name,
        account_id=tax.account_id,
        license_key=license_key,
        environment=tax.environment,
        company_id=tax.company_id,
        company_code=tax.company_code,
    )


def build_tax_deps(settings: ArbridgeSettings) -> TaxCheckDeps | None:
    """The tax step's collaborators, or None when no tax system is configured."""
    system = build_tax_system(settings)
    if system is None:
        return None
    return TaxCheckDeps(
        system=system,
        expiry_warning_days=settings.tax.expiry_warning_days,
        uploads=settings.tax.uploads,
    )


def build_ar_deps(settings: ArbridgeSettings) -> ArDeps | None:
    """The receivables step of the cycle (None when `ar.snapshots` is off)."""
    ar = settings.ar
    if not ar.snapshots:
        return None
    notify = None
    if ar.alert_emails and settings.smtp is not None:
        from arbridge.app.mail import SmtpMailer  # noqa: PLC0415 - smtplib only when mail is configured

        mailer, recipients = SmtpMailer(settings.smtp), ar.alert_emails

        def notify(subject: str, body: str) -> None:
            mailer.send(recipients, subject, body)

    t = ar.targets
    return ArDeps(
        buckets=Buckets(ar.aging.buckets),
        targets=Targets(t.past_due_share, t.past_due_over_20_days_share, t.invoices_over_90_days),
        period_days=ar.kpi_period_days,
        notify=notify,
        every=timedelta(minutes=ar.snapshot_minutes),
    )
