"""The settings tree: one frozen pydantic model per YAML section.

Every model forbids unknown keys, so a typo stops startup instead of being ignored.
Relative paths are resolved against the config file's folder (passed as validation
context `base_dir`).
"""

from __future__ import annotations

import codecs
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from arbridge.config._base import ResolvedPath
from arbridge.config._base import Settings as _Settings
from arbridge.config.ar import ArSettings, SmtpSettings
from arbridge.config.commissions import CommissionSettings
from arbridge.config.daemon import (
    LoggingSettings,
    MonitoringSettings,
    ScheduleSettings,
    WebSettings,
)
from arbridge.config.deposits import DepositSettings
from arbridge.config.misapplied import MisappliedSettings
from arbridge.config.review import ReviewSettings
from arbridge.config.secrets import SecretField
from arbridge.config.settlements import PayoutSettings, SettlementSourceSettings
from arbridge.config.tax import TaxSettings, TaxSystemSettings

_PASSWORD_IN_URL = re.compile(r"://[^/@:]+:[^/@]+@")


def _check_encoding(value: str) -> str:
    codecs.lookup(value)  # raises LookupError -> reported as a config problem
    return value


class StoreSettings(_Settings):
    """Where arbridge keeps its state."""

    url: str = Field(
        default="sqlite:///arbridge.db",
        description="SQLAlchemy URL (sqlite:///file.db or postgresql+psycopg://host/db), "
        "or a secret reference env:NAME / file:/path when the URL holds a password.",
    )
    shared: bool = Field(
        default=False,
        description="Several arbridge daemons work on this store at once, sharing the work "
        "(PostgreSQL only). Off: one daemon per store; a second one waits for the first.",
    )
    claim_seconds: int = Field(
        default=60,
        ge=5,
        description="With shared: true, how long a daemon's claim on a batch of work lasts "
        "before another daemon may take it over (it is renewed while the work goes on).",
    )
    claim_batch: int = Field(
        default=200,
        ge=1,
        le=10_000,
        description="With shared: true, how many outbox entries a daemon claims at once.",
    )
    decide_chunk: int = Field(
        default=500,
        ge=1,
        le=100_000,
        description="With shared: true, at most this many bank lines are decided in one "
        "transaction; daemons decide different customers' lines at once.",
    )
    snapshot_reuse_seconds: float | None = Field(
        default=None,
        ge=0,
        description="With shared: true, reuse an ERP snapshot another daemon read at most "
        "this many seconds ago instead of reading the ERP again (0: never; default: half "
        "of schedule.interval_seconds).",
    )
    busy_timeout_seconds: float = Field(
        default=30,
        gt=0,
        description="How long to wait for a locked database before giving the cycle up "
        "(it is retried on the next one).",
    )

    @model_validator(mode="after")
    def _shared_needs_postgresql(self) -> StoreSettings:
        if self.shared and self.url.startswith("sqlite"):
            raise ValueError("shared: true needs a PostgreSQL store; SQLite serves one daemon")
        return self

    @field_validator("url")
    @classmethod
    def _no_literal_password(cls, url: str) -> str:
        if _PASSWORD_IN_URL.search(url):
            raise ValueError(
                "the store URL contains a password; put the URL in an environment "
                "variable or file and write url: env:NAME (or file:/path) instead"
            )
        return url


class ColumnSettings(_Settings):
    """A single CSV column, by header name."""

    column: str = Field(min_length=1)


class DateColumnSettings(ColumnSettings):
    """A date column and its strftime format."""

    format: str = "%Y-%m-%d"


class AmountSettings(_Settings):
    """Where the amount is: one signed column, or a debit/credit pair."""

    column: str | None = None
    debit: str | None = None
    credit: str | None = None
    decimal: Literal[".", ","] = "."
    thousands: Literal[",", ".", " ", "'"] | None = None
    invert: bool = Field(default=False, description="Flip the sign (bank writes credits negative).")

    @model_validator(mode="after")
    def _one_layout(self) -> AmountSettings:
        pair = self.debit is not None or self.credit is not None
        if (self.column is None) == (not pair):
            raise ValueError("give either 'column' (signed amount) or 'debit' and 'credit'")
        if pair and (self.debit is None or self.credit is None):
            raise ValueError("'debit' and 'credit' go together")
        if self.thousands is not None and self.thousands == self.decimal:
            raise ValueError("'thousands' and 'decimal' separators must differ")
        return self


class DescriptionSettings(_Settings):
    """Columns joined into the free text that carries payer and remittance."""

    columns: list[str] = Field(min_length=1)
    separator: str = " "


class CsvProfileSettings(_Settings):
    """How to read one bank's CSV export: a named preset, or its columns one by one."""

    preset: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9_]+$",
        description="A bank's export layout by name (README lists them); no other keys then.",
    )
    date: DateColumnSettings | None = None
    amount: AmountSettings | None = None
    description: DescriptionSettings | None = None
    transaction_id: ColumnSettings | None = None
    payer: ColumnSettings | None = None
    delimiter: str = Field(default=",", min_length=1, max_length=1)
    encoding: Annotated[str, AfterValidator(_check_encoding)] = "utf-8-sig"
    skip_lines: int = Field(default=0, ge=0, description="Lines before the header row.")

    @model_validator(mode="after")
    def _preset_or_columns(self) -> CsvProfileSettings:
        columns = (self.date, self.amount, self.description)
        if self.preset is not None and any(c is not None for c in columns):
            raise ValueError("give either 'preset' or 'date', 'amount' and 'description'")
        if self.preset is None and any(c is None for c in columns):
            raise ValueError("'date', 'amount' and 'description' are required without 'preset'")
        return self


class FolderBankSettings(_Settings):
    """A folder of statement files for one bank account."""

    kind: Literal["folder"]
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    path: ResolvedPath
    csv: CsvProfileSettings | None = None
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    pattern: str = Field(default="*", description="Glob of files to read in the folder.")
    move_files: bool = Field(
        default=False,
        description="Move imported files to archive/ and bad ones to quarantine/ (beside a "
        "<name>.error.txt). Off: files stay in place; each is read once (by content hash).",
    )
    strict: bool = Field(
        default=False,
        description="Reject a file whose control totals (BAI2 49/98/99) do not add up; "
        "off: the file is read and the mismatch is logged as a note.",
    )


BankSourceSettings = FolderBankSettings


class CsvErpSettings(_Settings):
    """The file-based ERP: customers and invoices in, applications out."""

    kind: Literal["csv"]
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    customers: ResolvedPath
    invoices: ResolvedPath
    applications: ResolvedPath
    payments: ResolvedPath | None = Field(
        default=None,
        description="Payments already recorded in the ERP (CONTRACT.md §6); lines found there are never posted again.",
    )


_NAME = r"^[A-Za-z0-9_.-]+$"
_URL = r"^https?://[^\s/]+(/[^\s]*)?$"
BC_API_URL = "https://api.businesscentral.dynamics.com"
BC_TOKEN_URL = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"  # noqa: S105 - a URL
QBO_API_URL = "https://quickbooks.api.intuit.com"
QBO_SANDBOX_URL = "https://sandbox-quickbooks.api.intuit.com"
QBO_TOKEN_URL = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"  # noqa: S105 - a URL


def _no_credentials(url: str) -> str:
    if _PASSWORD_IN_URL.search(url):
        raise ValueError("a URL must not carry a user or password; put secrets in env:/file: refs")
    return url.rstrip("/")


HttpUrl = Annotated[str, Field(pattern=_URL), AfterValidator(_no_credentials)]


def _token_file(path: Path) -> Path:
    if not path.is_file():
        raise ValueError(
            f"refresh token file {path} does not exist: authorize the app and put its first "
            "refresh token there"
        )
    if not os.access(path, os.R_OK | os.W_OK):
        raise ValueError(f"refresh token file {path} must be readable and writable by arbridge")
    return path


"""An http(s) URL without credentials, trailing slash dropped."""


class _HttpErpSettings(_Settings):
    """What every HTTP ERP connector shares."""

    name: str = Field(pattern=_NAME)
    currency: str = Field(
        default="USD", pattern=r"^[A-Z]{3}$", description="When the ERP leaves it blank."
    )
    timeout_seconds: float = Field(default=60.0, gt=0, le=600)
    read_payments: bool = Field(
        default=False,
        description="Read the payments people recorded in the ERP; lines found there are never posted again.",
    )


_BC_CODE = r"^[A-Za-z0-9_.\-]{1,10}$"
"""A BC journal batch code (Code[10])."""
_BC_ACCOUNT = r"^[A-Za-z0-9_.\-]{1,20}$"
"""A BC G/L account number (Code[20])."""


class BcWriteOffTarget(_Settings):
    """Where a Business Central write-off goes: a customer payment journal and its G/L account."""

    journal: str = Field(pattern=_BC_CODE, description="Customer payment journal batch code.")
    account: str = Field(pattern=_BC_ACCOUNT, description="G/L account it balances to.")


class BusinessCentralErpSettings(_HttpErpSettings):
    """Dynamics 365 Business Central online (API v2.0, Entra ID client credentials)."""

    kind: Literal["business_central"]
    tenant: str = Field(min_length=1, description="Entra tenant id or domain.")
    environment: str = Field(default="Production", min_length=1)
    company: str = Field(min_length=1, description="Company name (or display name).")
    client_id: str = Field(min_length=1)
    client_secret: SecretField
    api_url: HttpUrl = Field(
        default=BC_API_URL,
        description="API host (a sandbox, proxy or regional endpoint); /v2.0/{tenant}/... follows.",
    )
    token_url: HttpUrl = Field(
        default=BC_TOKEN_URL,
        description="Entra ID token endpoint; {tenant} is replaced by `tenant`.",
    )
    journal_code: str = Field(default="CASHRCPT", min_length=1, max_length=10)
    post_journal: bool = Field(
        default=False,
        description="Post the cash receipt journal after adding lines (else finance posts it).",
    )
    payment_discounts: bool = Field(
        default=False,
        description=(
            "Take early-payment discounts: the cash line is applied to the invoice and BC "
            "grants the discount when it posts the line within the invoice's discount date."
        ),
    )
    requests_per_minute: int = Field(default=1200, ge=1, le=6000)
    write_off_journal: str | None = Field(
        default=None,
        pattern=_BC_CODE,
        description=(
            "Customer payment journal (batch code) for write-off lines; its balancing account "
            "is `write_off_account` (created so if absent). Without it write-offs are refused."
        ),
    )
    write_off_account: str | None = Field(
        default=None,
        validate_default=True,
        pattern=_BC_ACCOUNT,
        description="G/L account number the write-off journal balances to (the write-off expense).",
    )
    write_off_journals: dict[str, BcWriteOffTarget] = Field(
        default_factory=dict,
        description=(
            "Deduction code (the allocation's adjustment reason) -> its own journal and "
            "G/L account; codes not listed use write_off_journal / write_off_account."
        ),
    )
    corrections: bool = Field(
        default=False,
        description=(
            "Correct a misapplied payment by a reversing general journal line (API v2.0 "
            "cannot unapply): the customer is debited again, the applied invoice stays closed."
        ),
    )
    correction_journal: str = Field(
        default="ARBRIDGE",
        pattern=_BC_CODE,
        description="General journal batch (default template) for reversing lines; created if absent.",
    )
    correction_account: str | None = Field(
        default=None,
        pattern=_BC_ACCOUNT,
        description=(
            "G/L account a reversal credits (the cash side); default: the balancing account "
            "of the cash receipt journal `journal_code`."
        ),
    )

    @field_validator("write_off_account")
    @classmethod
    def _account_with_journal(cls, account: str | None, info: ValidationInfo) -> str | None:
        if "write_off_journal" in info.data and (info.data["write_off_journal"] is None) != (
            account is None
        ):
            raise ValueError(
                "write_off_journal and write_off_account go together: set both or neither"
            )
        return account

    @field_validator("write_off_journal", "correction_journal")
    @classmethod
    def _own_journal(cls, code: str | None, info: ValidationInfo) -> str | None:
        cash = str(info.data.get("journal_code", "")).upper()
        if code is not None and code.upper() == cash:
            raise ValueError(
                f"{code!r} is the cash receipt journal (journal_code): give it a journal of its own"
            )
        return code

    @field_validator("write_off_journals")
    @classmethod
    def _one_account_per_journal(
        cls, targets: dict[str, BcWriteOffTarget], info: ValidationInfo
    ) -> dict[str, BcWriteOffTarget]:
        cash = str(info.data.get("journal_code", "")).upper()
        accounts: dict[str, str] = {}
        default = info.data.get("write_off_journal"), info.data.get("write_off_account")
        if default[0] and default[1]:
            accounts[str(default[0]).upper()] = str(default[1])
        for code, target in targets.items():
            journal = target.journal.upper()
            if journal == cash:
                raise ValueError(
                    f"{code}: {target.journal!r} is the cash receipt journal (journal_code): "
                    "give write-offs a journal of their own"
                )
            if accounts.setdefault(journal, target.account) != target.account:
                raise ValueError(
                    f"{code}: journal {target.journal!r} is given two accounts "
                    f"({accounts[journal]} and {target.account}): one journal balances to one account"
                )
        return targets


class AcumaticaErpSettings(_HttpErpSettings):
    """Acumatica contract-based REST, Default endpoint at a pinned version, cookie login."""

    kind: Literal["acumatica"]
    site: HttpUrl = Field(
        description="Site URL incl. instance path (any host: a sandbox, a proxy); "
        "login is {site}/entity/auth/login, the API {site}/entity/Default/{endpoint_version}/."
    )
    endpoint_version: str = Field(
        pattern=r"^[0-9]+\.[0-9]{3}\.[0-9]{3}$", description="e.g. 24.200.001"
    )
    username: str = Field(min_length=1)
    password: SecretField
    company: str = Field(min_length=1, description="Tenant name sent at login.")
    branch: str | None = None
    payment_method: str = Field(min_length=1)
    cash_account: str = Field(min_length=1)
    write_off_reason: str | None = Field(
        default=None, description="WriteOffReasonCode for write-offs without a mapped code."
    )
    write_off_reasons: dict[str, str] = Field(
        default_factory=dict,
        description="Deduction code (the allocation's adjustment reason) -> WriteOffReasonCode.",
    )
    requests_per_minute: int = Field(default=100, ge=1)
    concurrent_requests: int = Field(
        default=2,
        ge=1,
        le=16,
        description="Requests in flight at once while posting, each on its own login session "
        "(a licence seat): at most the licence's concurrent API requests and API users.",
    )
    sales_rep_field: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z][A-Za-z0-9_]*\.[A-Za-z][A-Za-z0-9_]*$",
        description="The invoice's salesperson as a `$custom` field, `View.Field` "
        "(e.g. `Document.SalesPersonID`): the sales rep of commissions.",
    )


class QuickBooksErpSettings(_HttpErpSettings):
    """QuickBooks Online (v3, OAuth2 with rotating refresh tokens)."""

    kind: Literal["quickbooks"]
    realm_id: str = Field(pattern=r"^[0-9]+$")
    client_id: str = Field(min_length=1)
    client_secret: SecretField
    refresh_token_file: Annotated[ResolvedPath, AfterValidator(_token_file)] = Field(
        description="File holding the newest refresh token; replaced atomically on every rotation."
    )
    sandbox: bool = False
    api_url: HttpUrl | None = Field(
        default=None,
        description=f"API host; default {QBO_API_URL} ({QBO_SANDBOX_URL} when `sandbox`).",
    )
    token_url: HttpUrl = Field(default=QBO_TOKEN_URL, description="OAuth2 token endpoint.")
    requests_per_minute: int = Field(default=500, ge=1, le=500)
    timeout_seconds: float = Field(default=120.0, gt=0, le=600)
    sales_rep_field: str | None = Field(
        default=None,
        min_length=1,
        description="The name of the invoice custom field that holds the sales rep.",
    )
    discount_item: str | None = Field(
        default=None,
        pattern=r"^[0-9]+$",
        description=(
            "QuickBooks item `Id` a credit memo books early-payment discounts on; "
            "without it, applications with a discount are refused."
        ),
    )
    write_off_item: str | None = Field(
        default=None,
        pattern=r"^[0-9]+$",
        description=(
            "QuickBooks item `Id` a credit memo books write-offs on; "
            "without it, applications with a write-off are refused."
        ),
    )


ErpSettings = Annotated[
    CsvErpSettings | BusinessCentralErpSettings | AcumaticaErpSettings | QuickBooksErpSettings,
    Field(discriminator="kind"),
]


class ConnectorsSettings(_Settings):
    """Every connector arbridge talks to."""

    bank: list[BankSourceSettings] = Field(default_factory=list)
    erp: ErpSettings
    tax: TaxSystemSettings | None = None
    settlements: list[SettlementSourceSettings] = Field(
        default_factory=list,
        description="Card and e-commerce processors' payouts (clearing accounts).",
    )

    @model_validator(mode="after")
    def _unique_names(self) -> ConnectorsSettings:
        names = [b.name for b in self.bank] + [self.erp.name] + [s.name for s in self.settlements]
        names += [self.tax.name] if self.tax is not None else []
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"connector names must be unique; repeated: {', '.join(dupes)}")
        return self


class CustomerMatchingSettings(_Settings):
    """Auto-posting limits for one customer (each optional)."""

    auto_apply: bool | None = Field(default=None, description="false: always review this customer.")
    max_auto_amount: Decimal | None = Field(default=None, ge=0, decimal_places=2)
    min_confidence: float | None = Field(default=None, ge=0, le=1)


class MatchingSettings(_Settings):
    """Knobs of the matching engine and the auto-posting policy; every key is optional."""

    max_suggestions: int = Field(default=5, ge=0, le=50)
    min_confidence: float | None = Field(
        default=None, ge=0, le=1, description="Proposals below this confidence are reviewed."
    )
    max_auto_amount: Decimal | None = Field(
        default=None, ge=0, decimal_places=2, description="Lines above this are always reviewed."
    )
    review_first_time_payers: bool | None = Field(
        default=None, description="Review the first payment of a customer never paid before."
    )
    bank_fee_tolerance: Decimal | None = Field(
        default=None,
        ge=0,
        decimal_places=2,
        description="Largest shortfall written off as a bank fee.",
    )
    bank_fee_max_share: Decimal | None = Field(
        default=None, ge=0, le=1, description="Largest bank fee as a share of the open amount."
    )
    discount_grace_days: int | None = Field(
        default=None, ge=0, le=30, description="Days after the discount window still accepted."
    )
    apply_partial_payments: bool | None = Field(
        default=None, description="Apply a short payment of the one invoice it names."
    )
    name_threshold: float | None = Field(
        default=None,
        ge=0.5,
        le=1,
        description="Lowest payer-name score that identifies a customer.",
    )
    subset_max_invoices: int | None = Field(default=None, ge=2, le=200)
    subset_max_size: int | None = Field(default=None, ge=2, le=20)
    customers: dict[str, CustomerMatchingSettings] = Field(
        default_factory=dict, description="Per-customer overrides, by ERP customer id."
    )


class ArbridgeSettings(_Settings):
    """The whole configuration file."""

    store: StoreSettings = Field(default_factory=StoreSettings)
    connectors: ConnectorsSettings
    matching: MatchingSettings = Field(default_factory=MatchingSettings)
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
    monitoring: MonitoringSettings = Field(default_factory=MonitoringSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    review: ReviewSettings = Field(default_factory=ReviewSettings)
    misapplied: MisappliedSettings = Field(default_factory=MisappliedSettings)
    tax: TaxSettings = Field(default_factory=TaxSettings)
    payouts: PayoutSettings = Field(default_factory=PayoutSettings)
    ar: ArSettings = Field(default_factory=ArSettings)
    smtp: SmtpSettings | None = None
    commissions: CommissionSettings | None = None
    deposits: DepositSettings = Field(default_factory=DepositSettings)

    @model_validator(mode="after")
    def _scheduled_connectors_exist(self) -> ArbridgeSettings:
        names = {b.name for b in self.connectors.bank} | {self.connectors.erp.name}
        unknown = sorted(set(self.schedule.connectors) - names)
        if unknown:
            raise ValueError(
                f"schedule.connectors names unknown connector(s): {', '.join(unknown)}"
            )
        if self.ar.alert_emails and self.smtp is None:
            raise ValueError("ar.alert_emails needs an smtp: section to send through")
        return self
