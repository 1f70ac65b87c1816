"""Composition of the ERP gateway from its settings (one branch per `kind`)."""

from __future__ import annotations

from typing import TypedDict

from arbridge.app.logs import MASKER
from arbridge.config import (
    AcumaticaErpSettings,
    BusinessCentralErpSettings,
    CsvErpSettings,
    QuickBooksErpSettings,
)
from arbridge.config.secrets import SecretRef
from arbridge.connectors.base import ErpGateway, PostedPaymentReader
from arbridge.connectors.erp import (
    CsvErpGateway,
    CsvPaymentReader,
    acumatica,
    business_central,
    quickbooks,
)
from arbridge.connectors.erp._http import (
    AdaptiveRateLimiter,
    FileRefreshTokenStore,
    LimiterFactory,
    RateLimiter,
)
from arbridge.connectors.erp.acumatica import payments as acumatica_payments
from arbridge.connectors.erp.business_central import payments as bc_payments
from arbridge.connectors.erp.csv_reversals import reversals_path
from arbridge.connectors.erp.quickbooks import payments as quickbooks_payments

ErpSettings = (
    CsvErpSettings | BusinessCentralErpSettings | AcumaticaErpSettings | QuickBooksErpSettings
)


def secret(ref: SecretRef) -> str:
    """Resolve a secret and make sure the log masker hides it from now on."""
    value = ref.resolve()
    MASKER.register(value)
    return value


class _BcConnection(TypedDict):
    """What a Business Central gateway and its payment reader share, resolved once."""

    name: str
    tenant: str
    environment: str
    company: str
    client_id: str
    client_secret: str
    token_url: str
    requests_per_minute: int
    timeout: float


class _AcumaticaConnection(TypedDict):
    """What an Acumatica gateway and its payment reader share, resolved once."""

    name: str
    site: str
    endpoint_version: str
    username: str
    password: str
    company: str
    branch: str | None
    requests_per_minute: int
    timeout: float


class _QuickBooksConnection(TypedDict):
    """What a QuickBooks gateway and its payment reader share, resolved once."""

    name: str
    realm_id: str
    client_id: str
    client_secret: str
    tokens: FileRefreshTokenStore
    sandbox: bool
    api_url: str | None
    token_url: str
    requests_per_minute: int
    timeout: float


def _bc_connection(erp: BusinessCentralErpSettings) -> tuple[_BcConnection, str]:
    """The connection settings and the API host (the gateway's `api_url`, the reader's `api_host`)."""
    connection = _BcConnection(
        name=erp.name,
        tenant=erp.tenant,
        environment=erp.environment,
        company=erp.company,
        client_id=erp.client_id,
        client_secret=secret(erp.client_secret),
        token_url=erp.token_url.replace("{tenant}", erp.tenant),
        requests_per_minute=erp.requests_per_minute,
        timeout=erp.timeout_seconds,
    )
    return connection, erp.api_url


def _acumatica_connection(erp: AcumaticaErpSettings) -> _AcumaticaConnection:
    return _AcumaticaConnection(
        name=erp.name,
        site=erp.site,
        endpoint_version=erp.endpoint_version,
        username=erp.username,
        password=secret(erp.password),
        company=erp.company,
        branch=erp.branch,
        requests_per_minute=erp.requests_per_minute,
        timeout=erp.timeout_seconds,
    )


def _quickbooks_connection(erp: QuickBooksErpSettings) -> _QuickBooksConnection:
    return _QuickBooksConnection(
        name=erp.name,
        realm_id=erp.realm_id,
        client_id=erp.client_id,
        client_secret=secret(erp.client_secret),
        tokens=FileRefreshTokenStore(erp.refresh_token_file, connector=erp.name),
        sandbox=erp.sandbox,
        api_url=erp.api_url,
        token_url=erp.token_url,
        requests_per_minute=erp.requests_per_minute,
        timeout=erp.timeout_seconds,
    )


def build_erp_gateway(
    erp: ErpSettings, limiter_factory: LimiterFactory = AdaptiveRateLimiter
) -> ErpGateway:
    """The concrete gateway for the configured ERP kind (its rate limiter from the factory)."""
    if isinstance(erp, BusinessCentralErpSettings):
        bc, api_url = _bc_connection(erp)
        return business_central.build(
            **bc,
            api_url=api_url,
            journal_code=erp.journal_code,
            currency=erp.currency,
            post_journal=erp.post_journal,
            payment_discounts=erp.payment_discounts,
            write_offs=_bc_write_offs(erp),
            corrections=_bc_corrections(erp),
            limiter_factory=limiter_factory,
        )
    if isinstance(erp, AcumaticaErpSettings):
        return acumatica.build(
            **_acumatica_connection(erp),
            payment_method=erp.payment_method,
            cash_account=erp.cash_account,
            write_off_reason=erp.write_off_reason,
            write_off_reasons=erp.write_off_reasons,
            currency=erp.currency,
            concurrent_requests=erp.concurrent_requests,
            limiter_factory=limiter_factory,
            sales_rep_field=erp.sales_rep_field,
        )
    if isinstance(erp, QuickBooksErpSettings):
        return quickbooks.build(
            **_quickbooks_connection(erp),
            currency=erp.currency,
            limiter_factory=limiter_factory,
            sales_rep_field=erp.sales_rep_field,
            discount_item=erp.discount_item,
            write_off_item=erp.write_off_item,
        )
    return CsvErpGateway(
        name=erp.name, customers=erp.customers, invoices=erp.invoices, applications=erp.applications
    )


def _bc_write_offs(erp: BusinessCentralErpSettings) -> business_central.WriteOffPlan:
    target = business_central.WriteOffTarget
    default = None
    if erp.write_off_journal and erp.write_off_account:
        default = target(erp.write_off_journal.upper(), erp.write_off_account)
    mapped = {c: target(t.journal.upper(), t.account) for c, t in erp.write_off_journals.items()}
    return business_central.WriteOffPlan(default=default, by_reason=mapped)


def _bc_corrections(
    erp: BusinessCentralErpSettings,
) -> business_central.CorrectionSettings | None:
    if not erp.corrections:
        return None
    return business_central.CorrectionSettings(
        journal=erp.correction_journal.upper(), account=erp.correction_account
    )


def build_payment_reader(
    erp: ErpSettings, limiter_factory: LimiterFactory = RateLimiter
) -> PostedPaymentReader | None:
    """The reader of payments already recorded in the ERP, or None when none is configured.

    Each HTTP reader is built from the same connection settings as its gateway.
    """
    if isinstance(erp, CsvErpSettings):
        if not erp.payments:
            return None
        undone = reversals_path(erp.applications)
        return CsvPaymentReader(name=erp.name, path=erp.payments, reversals=undone)
    if not erp.read_payments:
        return None
    if isinstance(erp, BusinessCentralErpSettings):
        bc, api_url = _bc_connection(erp)
        return bc_payments.build_reader(**bc, api_host=api_url, limiter_factory=limiter_factory)
    if isinstance(erp, AcumaticaErpSettings):
        return acumatica_payments.build_reader(
            **_acumatica_connection(erp), limiter_factory=limiter_factory
        )
    return quickbooks_payments.build_reader(
        **_quickbooks_connection(erp), limiter_factory=limiter_factory
    )


def erp_hosts(erp: ErpSettings) -> list[str]:
    """The URLs an ERP connector will call (for `arbridge doctor` to resolve)."""
    if isinstance(erp, BusinessCentralErpSettings):
        return [erp.api_url, erp.token_url.replace("{tenant}", erp.tenant)]
    if isinstance(erp, QuickBooksErpSettings):
        default = quickbooks.SANDBOX_HOST if erp.sandbox else quickbooks.API_HOST
        return [erp.api_url or default, erp.token_url]
    if isinstance(erp, AcumaticaErpSettings):
        return [erp.site]
    return []
