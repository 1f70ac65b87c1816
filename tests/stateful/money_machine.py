"""A hypothesis state machine over the whole money path: bank files, cycles, every clerk action,
ERP faults and restarts, with the ERP keeping its own ledger.

ERPs: in-memory, csv, and Business Central, QuickBooks and Acumatica through their
fakes (`bench/erp_fakes`, on respx), whose faults are on the wire (429, 503, no answer,
an answer lost after the ERP acted). After every step the invariants I1-I4 of
`store.ledger` are checked against the ERP's own ledger (applications.csv and its
sidecar, the in-memory ERP's postings, or the fake's journal, G/L and payments, I5
with it) and against the store.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import func
from sqlmodel import col, select

from arbridge.connectors.bank import FolderBankSource
from arbridge.connectors.base import ErpGateway, PostedRecord
from arbridge.connectors.erp import CsvErpGateway, InMemoryErpGateway
from arbridge.domain.records import Customer, Invoice
from arbridge.review import ReviewQueue, ReviewStateError
from arbridge.review.limits import WriteOffPolicy
from arbridge.review.resolutions import Resolver
from arbridge.scheduler import CycleDeps, run_cycle
from arbridge.scheduler.audit import run_audit
from arbridge.store import Store, audit, create_store_engine, upgrade
from arbridge.store.tables import ApplicationRow, BankLineRow, OutboxRow
from tests.conftest import CONTRACT_PROFILE
from tests.stateful.faulty_erp import FaultyErp
from tests.stateful.http_erps import FAULTS as WIRE_FAULTS
from tests.stateful.http_erps import HTTP_KINDS, OPERATIONS, HttpErp

CENT = Decimal("0.01")
ACCOUNTS = ("operating", "payroll")
CUSTOMERS = {"C1": "ALPHA TRADING", "C2": "BETA FOODS", "C3": "GAMMA MINING"}
FAULTS = ("transient", "lost", "rejected")
ERP = "books"


@functools.cache
def _template() -> Path:
    """One migrated SQLite store, copied for each example (migrating each time is slow)."""
    path = Path(tempfile.mkdtemp(prefix="money-template-")) / "state.db"
    engine = create_store_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


amounts = st.integers(min_value=1_000, max_value=200_000).map(lambda c: Decimal(c) / 100)


class MoneyMachine(RuleBasedStateMachine):
    """Random books, bank lines, cycles, clerk decisions, faults and restarts."""

    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="money-"))
        shutil.copy(_template(), self.root / "state.db")
        self.invoices: dict[str, Decimal] = {}  # id -> open amount when created
        self.files = 0
        self.faults: list[str] = []
        self.kind = "memory"
        self.memory: InMemoryErpGateway | None = None
        self.http: HttpErp | None = None

    # -- set-up and restarts ------------------------------------------------------------

    KINDS: tuple[str, ...] = ("memory", "csv")
    """The ERPs an example is drawn for (a subclass per connector narrows it)."""

    @initialize(data=st.data(), first=st.lists(amounts, min_size=2, max_size=4))
    def books(self, data: st.DataObject, first: list[Decimal]) -> None:
        self.kind = kind = data.draw(st.sampled_from(self.KINDS))
        for account in ACCOUNTS:
            (self.root / "bank" / account).mkdir(parents=True)
        (self.root / "erp").mkdir()
        if kind in HTTP_KINDS:
            self.http = HttpErp(kind, self.root, CUSTOMERS)
        if kind == "memory":
            self.memory = InMemoryErpGateway(
                name=ERP,
                customers=[Customer(customer_id=c, name=n) for c, n in CUSTOMERS.items()],
            )
        self._write_customers()
        for amount in first:
            self._add_invoice(amount)
        self._open()

    def _open(self) -> None:
        """Everything built afresh from the store and the ERP's files: a restart."""
        self.store = Store(create_store_engine(f"sqlite:///{self.root / 'state.db'}"))
        self.gateway = self._gateway()
        banks = [
            FolderBankSource(
                name=a, path=self.root / "bank" / a, currency="USD", csv_profile=CONTRACT_PROFILE
            )
            for a in ACCOUNTS
        ]
        self.deps = CycleDeps(
            store=self.store, bank_sources=banks, erp=self.gateway, retry_sleep=lambda _s: None
        )
        policy = WriteOffPolicy(Decimal("50.00"), ("bank_fee",))
        self.resolver = Resolver(self.store, ERP, write_off=policy)
        self.queue = ReviewQueue(self.store)

    def _gateway(self) -> ErpGateway:
        if self.http is not None:  # a new client each time: nothing kept but the token file
            return self.http.gateway(ERP)
        self.erp = self.memory or CsvErpGateway(
            name=ERP,
            customers=self.root / "erp" / "customers.csv",
            invoices=self.root / "erp" / "invoices.csv",
            applications=self.root / "out" / "applications.csv",
        )
        return FaultyErp(self.erp, self.faults)

    @rule()
    def restart(self) -> None:
        self.store.dispose()
        self._open()

    def teardown(self) -> None:
        if hasattr(self, "store"):
            self.store.dispose()
        if self.http is not None:
            self.http.close()
        shutil.rmtree(self.root, ignore_errors=True)
        progress = os.environ.get("ARBRIDGE_STATEFUL_PROGRESS")
        if progress:  # the long run's examples so far, one line each (for its figures)
            with open(progress, "a", encoding="utf-8") as fh:
                fh.write(f"{self.kind}\n")

    # -- the world: invoices, bank lines, faults, cycles -----------------------------------

    def _write_customers(self) -> None:
        rows = [f"{c},{n},,NET30,USD" for c, n in CUSTOMERS.items()]
        text = "customer_id,name,parent_id,terms,currency\n" + "\n".join(rows) + "\n"
        (self.root / "erp" / "customers.csv").write_text(text, encoding="utf-8")

    def _add_invoice(self, amount: Decimal) -> None:
        invoice_id = f"INV-{len(self.invoices) + 101}"
        customer = sorted(CUSTOMERS)[len(self.invoices) % len(CUSTOMERS)]
        self.invoices[invoice_id] = amount
        invoice = Invoice(
            invoice_id=invoice_id,
            customer_id=customer,
            invoice_date=date(2026, 10, 1),
            due_date=date(2026, 10, 31),
            amount=amount,
            open_amount=amount,
        )
        if self.http is not None:
            self.http.add_invoice(invoice)
            return
        if self.memory is not None:
            self.memory.put_invoice(invoice)
            return
        header = "invoice_id,customer_id,invoice_date,due_date,amount,open_amount\n"
        path = self.root / "erp" / "invoices.csv"
        text = path.read_text(encoding="utf-8") if path.exists() else header
        text += f"{invoice_id},{customer},2026-10-01,2026-10-31,{amount},{amount}\n"
        path.write_text(text, encoding="utf-8")

    @rule(amount=amounts)
    def new_invoice(self, amount: Decimal) -> None:
        self._add_invoice(amount)

    @rule(
        account=st.sampled_from(ACCOUNTS),
        lines=st.lists(
            st.tuples(
                st.integers(min_value=1, max_value=6),  # bank ids repeat across accounts
                st.sampled_from(["exact", "part", "short", "named", "stranger", "interest"]),
                st.integers(min_value=0, max_value=50),
            ),
            min_size=1,
            max_size=3,
        ),
    )
    def bank_file(self, account: str, lines: list[tuple[int, str, int]]) -> None:
        self.files += 1
        rows = ["Date,Description,Amount,Transaction ID"]
        invoices = sorted(self.invoices)
        for n, kind, pick in lines:
            invoice = invoices[pick % len(invoices)]
            customer = sorted(CUSTOMERS)[(int(invoice[4:]) - 101) % len(CUSTOMERS)]
            amount = self.invoices[invoice]
            text, value = {
                "exact": (f"{CUSTOMERS[customer]} {invoice}", amount),
                "part": (f"{CUSTOMERS[customer]} {invoice}", (amount / 2).quantize(CENT)),
                "short": (
                    f"{CUSTOMERS[customer]} {invoice}",
                    amount - min(Decimal(pick % 25 + 1), (amount / 4).quantize(CENT)),
                ),
                "named": (f"{CUSTOMERS[customer]} PAYMENT", amount),
                "stranger": ("WIRE REF 99", Decimal(pick + 1)),
                "interest": ("INTEREST PAYMENT", Decimal("1.25")),
            }[kind]
            rows.append(f"11/{10 + self.files % 18:02d}/2026,{text},{value},T{n}")
        path = self.root / "bank" / account / f"statement-{self.files}.csv"
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
        run_cycle(self.deps)  # a statement arrives: the daemon's next cycle reads it

    @rule(fault=st.sampled_from(FAULTS), data=st.data())
    def erp_fault(self, fault: str, data: st.DataObject) -> None:
        if self.http is None:
            self.faults.append(fault)
            return
        operation = data.draw(st.sampled_from(OPERATIONS[self.http.kind]))
        kind = data.draw(st.sampled_from(WIRE_FAULTS))
        times = data.draw(st.integers(min_value=1, max_value=5))  # 4 attempts per request
        self.http.fault(operation, kind, times)
        event(f"wire fault: {kind}")

    @rule()
    def answer_lost(self) -> None:
        """The ERP acts on the next payment write and the answer never comes (HTTP ERPs)."""
        if self.http is not None:
            self.http.lose_next_write()
        else:
            self.faults.append("lost")

    @rule()
    def finance_posts_the_journal(self) -> None:
        """Business Central: finance posts the journal in BC (elsewhere: nothing happens)."""
        if self.http is not None:
            self.http.finance_posts()

    @rule()
    def cycle(self) -> None:
        run_cycle(self.deps)

    # -- clerk actions, through what the web page and the CLI call ---------------------------

    def _pick(self, data: st.DataObject, *, open_: bool) -> int | None:
        statuses = ("open", "assigned") if open_ else ("resolved", "dismissed")
        items = [i for i in self.queue.open_items(statuses=statuses) if i.amount is not None]
        if not items:
            return None
        return data.draw(st.sampled_from([i.item_id for i in items]))

    def _try(self, what: str, action: Callable[[], object]) -> str | None:
        """Run a clerk action; the refusal's message (never empty), or None when done."""
        refusal = None
        try:
            action()
        except ReviewStateError as exc:
            refusal = str(exc) or "(no message)"
        event(f"{what}: {'refused' if refusal else 'done'}")
        assert refusal != "(no message)", f"{what} refused without a message"
        return refusal

    @rule(data=st.data(), third_decimal=st.booleans())
    def clerk_applies(self, data: st.DataObject, third_decimal: bool) -> None:
        item = self._pick(data, open_=True)
        if item is None:
            return
        total = self.queue.show(item)[0].amount
        assert total is not None
        invoices = data.draw(
            st.lists(st.sampled_from(sorted(self.invoices)), min_size=1, max_size=2, unique=True)
        )
        cents = int(total * 100)
        first = Decimal(data.draw(st.integers(min_value=1, max_value=max(cents - 1, 1)))) / 100
        chosen = (
            [(invoices[0], total)]
            if len(invoices) == 1 or cents < 2
            else [
                (invoices[0], first),
                (invoices[1], total - first),
            ]
        )
        if third_decimal and len(chosen) == 2:
            chosen = [
                (chosen[0][0], chosen[0][1] + Decimal("0.005")),
                (chosen[1][0], chosen[1][1] - Decimal("0.005")),
            ]
            refusal = self._try(
                "apply 3 decimals", lambda: self.resolver.apply(item, chosen, actor="c")
            )
            assert refusal is not None, f"a third decimal was accepted: {chosen}"
            assert "more than two decimals" in refusal, refusal
            return
        self._try("apply", lambda: self.resolver.apply(item, chosen, actor="clerk"))

    @rule(
        data=st.data(),
        customer=st.sampled_from(sorted(CUSTOMERS)),
        how=st.sampled_from(
            ["on_account", "refund", "refund_stranger", "not_ar", "dismiss", "write_off"]
        ),
    )
    def clerk_decides(self, data: st.DataObject, customer: str, how: str) -> None:
        item = self._pick(data, open_=True)
        if item is None:
            return
        invoice = data.draw(st.sampled_from(sorted(self.invoices)))
        actions = {
            "on_account": lambda: self.resolver.on_account(item, customer, actor="clerk"),
            "refund": lambda: self.resolver.refund(item, customer, actor="clerk"),
            "refund_stranger": lambda: self.resolver.refund(item, None, actor="clerk"),
            "not_ar": lambda: self.resolver.not_receivable(item, "interest", actor="clerk"),
            "dismiss": lambda: self.queue.dismiss(item, actor="clerk", comment="not ours"),
            "write_off": lambda: self.resolver.write_off(item, invoice, "bank_fee", actor="clerk"),
        }
        self._try(how, actions[how])

    @rule(data=st.data())
    def clerk_reopens(self, data: st.DataObject) -> None:
        item = self._pick(data, open_=False)
        if item is not None:
            self._try("reopen", lambda: self.queue.reopen(item, actor="clerk"))

    @rule(data=st.data(), after_cycle=st.booleans())
    def clerk_corrects(self, data: st.DataObject, after_cycle: bool) -> None:
        if after_cycle:  # the daemon posted what the clerk decided, then the clerk corrects it
            run_cycle(self.deps)
        item = self._pick(data, open_=False)
        if item is None:
            return
        total = self.queue.show(item)[0].amount
        invoice = data.draw(st.sampled_from(sorted(self.invoices)))
        assert total is not None
        self._try(
            "correct",
            lambda: self.resolver.correct(item, [(invoice, total)], actor="clerk", reason="wrong"),
        )

    # -- the invariants, after every step ----------------------------------------------------

    @invariant()
    def money_is_never_over_applied_nor_posted_twice(self) -> None:
        if not hasattr(self, "gateway"):
            return
        records = self._erp_ledger()
        with self.store.transaction() as session:  # the bank lines as the bank gave them
            lines = audit.line_amounts(session)
        cash: dict[tuple[str, str], Decimal] = {}
        closing: dict[str, Decimal] = {}
        for r in records:
            for value in (r.amount, r.adjustment):  # I4 in the ERP's ledger
                assert value.is_finite(), r
                assert value >= 0, r
                assert value == value.quantize(CENT), r
            cash[r.bank_account, r.bank_id] = cash.get((r.bank_account, r.bank_id), 0) + r.amount
            if r.invoice_id:
                closing[r.invoice_id] = closing.get(r.invoice_id, 0) + r.amount + r.adjustment
        for line, taken in cash.items():  # I1 against the ERP's ledger
            assert line in lines, f"the ERP holds cash from {line}, a line the bank never gave"
            assert taken <= lines[line], f"bank line {line}: {taken} of {lines[line]}"
        for invoice, taken in closing.items():  # I2 against the ERP's ledger
            assert taken <= self.invoices[invoice], (
                f"{invoice}: {taken} of {self.invoices[invoice]}"
            )
        self._store_holds_i1_to_i3()

    def _erp_ledger(self) -> list[PostedRecord]:
        """What the ERP itself holds (a fake's own ledger, read under the store's keys)."""
        if self.http is None:
            return list(self.erp.find_posted())
        with self.store.transaction() as session:
            keys = set(session.exec(select(ApplicationRow.idempotency_key)))
        return self.http.held(keys)

    def _store_holds_i1_to_i3(self) -> None:
        with self.store.transaction() as session:
            live = session.exec(
                select(ApplicationRow.bank_line_id, func.count())
                .where(
                    col(ApplicationRow.reverses_id).is_(None), col(ApplicationRow.ended).is_(None)
                )
                .group_by(col(ApplicationRow.bank_line_id))
            ).all()
            ignored = set(
                session.exec(select(BankLineRow.id).where(BankLineRow.status == "ignored"))
            )
            queued = session.exec(
                select(ApplicationRow.allocations)
                .join(OutboxRow, col(OutboxRow.application_id) == col(ApplicationRow.id))
                .where(
                    col(ApplicationRow.reverses_id).is_(None), col(ApplicationRow.ended).is_(None)
                )
            ).all()
        assert all(n == 1 for _, n in live), f"I3: lines with several live applications {live}"
        both = {line for line, _ in live} & ignored
        assert not both, f"I3: lines set aside that also have a live application: {both}"
        taken: dict[str, Decimal] = {}
        for allocations in queued:
            for a in allocations:
                if a["invoice_id"]:
                    taken[a["invoice_id"]] = (
                        taken.get(a["invoice_id"], 0)
                        + Decimal(a["amount"])
                        + Decimal(a["adjustment"])
                    )
        for invoice, amount in taken.items():  # I2 in the store: live, queued or sent
            assert amount <= self.invoices[invoice], f"I2 (store): {invoice} {amount}"

    @rule()
    def settle(self) -> None:
        """Faults stop; two cycles later nothing waits, every line is decided, the audit is clean."""
        self.faults.clear()
        if self.http is not None:
            self.http.clear_faults()
        run_cycle(self.deps)
        run_cycle(self.deps)
        with self.store.transaction() as session:
            waiting = session.exec(select(func.count()).where(OutboxRow.status == "pending")).one()
            undecided = session.exec(
                select(func.count()).where(BankLineRow.status == "pending")
            ).one()
        assert (waiting, undecided) == (0, 0)
        event(f"{self.kind}: the ERP holds {'some' if self._erp_ledger() else 'no'} postings")
        report = run_audit(self.store, self.gateway)
        assert report.findings == [], report.render()
        event("settled clean")
