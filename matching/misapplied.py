"""Applications already made (by people or other tools) that the bank line behind them contradicts.

Four checks per bank line: more applied than was paid; an invoice applied twice; an
invoice of a customer other than the recognised payer; invoices other than those the
remittance names. Each finding is a review proposal whose suggestion is what the engine
would have applied instead, when it would apply anything.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal

from arbridge.domain.money import format_money
from arbridge.domain.records import ZERO, BankLine, Proposal, ProposalOutcome, Suggestion
from arbridge.domain.review import ReviewReason
from arbridge.matching.backtest import PostedRow, replay_invoices
from arbridge.matching.context import Books
from arbridge.matching.engine import MatchContext, match_lines
from arbridge.matching.ledger import Ledger
from arbridge.matching.payers import PayerIndex
from arbridge.matching.plans import listed, review
from arbridge.matching.references import ReferenceIndex, RefHow
from arbridge.matching.settings import MatchSettings

_NAMED = frozenset({RefHow.EXACT, RefHow.NORMALISED, RefHow.PO})


def find_misapplications(
    lines: Sequence[BankLine],
    history: Sequence[PostedRow],
    context: MatchContext,
    settings: MatchSettings | None = None,
) -> list[Proposal]:
    """Review proposals for the applications in `history` that their bank lines contradict."""
    settings = settings or MatchSettings()
    invoices = replay_invoices(context.invoices, history)
    books = Books(
        ledger=Ledger(context.customers, invoices),
        refs=ReferenceIndex(invoices),
        payers=PayerIndex(context.customers, context.hints),
        settings=settings,
        hints=context.hints,
    )
    rows: dict[str, list[PostedRow]] = defaultdict(list)
    for row in history:
        rows[row.bank_id].append(row)
    twice = _applied_twice(history, books.ledger)
    replay = MatchContext(customers=context.customers, invoices=invoices, hints=context.hints)
    out = []
    for line in sorted(lines, key=lambda ln: (ln.booked_on, ln.account, ln.bank_id)):
        posted = rows.get(line.bank_id)
        if not posted or not line.is_credit:
            continue
        problems = _problems(line, posted, books, twice)
        if problems:
            out.append(finding(line, problems, replay, settings))
    return out


def _applied_twice(history: Sequence[PostedRow], ledger: Ledger) -> dict[str, list[str]]:
    """Invoices applied from several bank lines for more than the invoice's amount."""
    lines: dict[str, list[str]] = defaultdict(list)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for row in history:
        if row.invoice_id and row.invoice_id in ledger.by_id:
            lines[row.invoice_id].append(row.bank_id)
            totals[row.invoice_id] += row.amount + row.adjustment
    return {
        inv: sorted(set(ids))
        for inv, ids in lines.items()
        if len(set(ids)) > 1 and totals[inv] > ledger.by_id[inv].amount
    }


def _problems(
    line: BankLine, posted: list[PostedRow], books: Books, twice: dict[str, list[str]]
) -> list[str]:
    cash = sum((r.amount for r in posted), ZERO)
    found = []
    if cash > line.amount:
        found.append(
            f"{format_money(cash)} applied but the payment was {format_money(line.amount)}"
        )
    applied = [r.invoice_id for r in posted if r.invoice_id and r.invoice_id in books.ledger.by_id]
    return found + contradictions(line, applied, (), books, twice)


def contradictions(
    line: BankLine,
    applied: Sequence[str],
    customers: Sequence[str],
    books: Books,
    twice: Mapping[str, Sequence[str]],
) -> list[str]:
    """What contradicts a line in a recording of it (the texts of `kinds_of_contradictions`)."""
    return [text for _, text in kinds_of_contradictions(line, applied, customers, books, twice)]


def kinds_of_contradictions(
    line: BankLine,
    applied: Sequence[str],
    customers: Sequence[str],
    books: Books,
    twice: Mapping[str, Sequence[str]],
) -> list[tuple[str, str]]:
    """(kind, text) of what contradicts a line in a recording of it.

    Kinds: `paid_twice` (an invoice paid more than once), `other_customer`,
    `other_invoices` (the remittance names others), `left_on_account` (it names open
    invoices and none was applied).

    Args:
        line: the bank line the recording is of.
        applied: the invoices the recording applied the line to (known to the ledger).
        customers: the customers it was recorded on (beside the applied invoices' owners).
        books: the ledger, references and payers to judge with.
        twice: invoices paid more than once, with who else paid them.
    """
    ledger = books.ledger
    found = [
        ("paid_twice", f"{i} applied more than once ({listed(twice[i])})")
        for i in applied
        if i in twice
    ]
    payer = books.payers.identify(line, books.settings)
    if payer is not None:
        foreign = [
            i
            for i in applied
            if _stranger(line, payer.customer_id, ledger.by_id[i].customer_id, books)
        ]
        strangers = [c for c in customers if _stranger(line, payer.customer_id, c, books)]
        if foreign or strangers:
            owner = ledger.name(ledger.by_id[foreign[0]].customer_id if foreign else strangers[0])
            what = listed(foreign) if foreign else "the payment"
            found.append(
                (
                    "other_customer",
                    f"{what} belongs to {owner}, but the payer is {ledger.name(payer.customer_id)} ({payer.how})",
                )
            )
    named = named_invoices(line, books)
    if named and not named & set(applied):
        kind = "other_invoices" if applied else "left_on_account"
        found.append(
            (
                kind,
                f"the remittance names {listed(sorted(named))}, but {listed(applied) or 'no invoice'} was applied",
            )
        )
    return found


def _stranger(line: BankLine, payer: str, customer: str, books: Books) -> bool:
    """Whether `customer` is plainly not who paid: not the payer's family, nor a name the text fits too."""
    if books.ledger.related(payer, customer):
        return False
    return books.payers.name_score(line, customer) < books.settings.name_threshold


def named_invoices(line: BankLine, books: Books) -> set[str]:
    """The invoices the line's remittance names without doubt (exact, normalised or PO)."""
    return {
        i
        for hit in books.refs.find(line.description, line.references)
        if hit.how in _NAMED
        for i in hit.invoice_ids
        if len(hit.invoice_ids) == 1
    }


def finding(
    line: BankLine, problems: list[str], replay: MatchContext, settings: MatchSettings
) -> Proposal:
    """The review proposal for a contradicted line: the problems in words, the engine's own answer."""
    [engine] = match_lines([line], replay, settings)
    return finding_with(line, problems, engine)


def finding_with(line: BankLine, problems: list[str], engine: Proposal) -> Proposal:
    """The review proposal for a contradicted line, given what the engine would do with it."""
    suggestions: list[Suggestion] = []
    if engine.outcome is ProposalOutcome.APPLY:
        ids = tuple(a.invoice_id for a in engine.allocations if a.invoice_id)
        suggestions.append(
            Suggestion(
                invoice_ids=ids,
                customer_id=engine.customer_id,
                explanation=f"correction: {engine.explanation}",
                confidence=engine.confidence,
            )
        )
    why = "suspected misapplication: " + "; ".join(problems)
    return review(line, ReviewReason.SUSPECTED_MISAPPLICATION, why, suggestions, engine.customer_id)
