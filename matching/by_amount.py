"""Lines from a recognised payer that name no invoice: decide by amount alone.

In order: one open invoice of that amount; one invoice less its early-payment
discount; one progress bill less its retainage; a unique combination of open invoices (bounded search); one invoice
less a bank fee. Two equally good answers are never guessed between.
"""

from __future__ import annotations

from arbridge.domain.money import format_money
from arbridge.domain.records import BankLine, Invoice, Proposal
from arbridge.domain.review import ReviewReason
from arbridge.matching import amounts
from arbridge.matching.amounts import FIT_CONFIDENCE, Fit, FitKind, Open
from arbridge.matching.context import Books
from arbridge.matching.payers import PayerMatch
from arbridge.matching.plans import Plan, listed, review, suggest
from arbridge.matching.subsets import find_subsets

ONE_BY_AMOUNT = 0.99
SUBSET = 0.93
ALL_OPEN = 0.97
MIN_ALL = 2
COMBINATION_CHECK_BUDGET = 20_000
"""Search steps spent looking for a combination equal to an invoice that alone fits."""


def by_amount(line: BankLine, payer: PayerMatch, books: Books) -> Plan | Proposal:
    """Decide a line of a known payer that names no invoice."""
    ledger = books.ledger
    opens = ledger.open_of(ledger.family(payer.customer_id))
    who = f"payer {ledger.name(payer.customer_id)} ({payer.how}); no invoice number in the text"
    late: str | None = None
    steps = (_single_exact, _single_discount, _single_retained, _all_open, _subset, _single_fee)
    for step in steps:
        result = step(line, opens, books)
        if isinstance(result, str):
            late = late or result
            continue
        if isinstance(result, tuple):
            fit, confidence = result
            return Plan(payer.customer_id, fit, payer.score * confidence, f"{who}; {fit.note}")
        if isinstance(result, list):
            why = (
                f"{who}; {format_money(line.amount)} fits {_options(result)} equally: not guessing"
            )
            sugg = [
                Plan(payer.customer_id, f, payer.score * 0.5, f.note).as_suggestion()
                for f in result
            ]
            return review(line, ReviewReason.LOOKALIKE_INVOICES, why, sugg, payer.customer_id)
    return _unmatched(line, payer, opens, books, who=who, late=late)


_Step = tuple[Fit, float] | list[Fit] | str | None


def _options(fits: list[Fit]) -> str:
    return " or ".join(listed(p.invoice.invoice_id for p in f.parts) for f in fits)


def _single_exact(line: BankLine, opens: list[Open], books: Books) -> _Step:
    """One open invoice of the amount, unless other invoices add up to it as well."""
    same = [o for o in opens if o[1] == line.amount]
    fits = [f for o in same if (f := amounts.exact([o], line.amount)) is not None]
    if len(fits) != 1:
        return fits if fits else None
    note = f"{fits[0].parts[0].invoice.invoice_id} is the payer's only open invoice of this amount"
    single = Fit(FitKind.EXACT, fits[0].parts, note)
    others = [o for o in opens if o[1] != line.amount]
    combined = _subset(line, others, books, COMBINATION_CHECK_BUDGET)
    if isinstance(combined, tuple):
        return [single, combined[0]]
    if isinstance(combined, list):
        return [single, *combined]
    return single, ONE_BY_AMOUNT


def _single_discount(line: BankLine, opens: list[Open], books: Books) -> _Step:
    fits: list[Fit] = []
    late: str | None = None
    for o in opens:
        fit, too_late = amounts.discounted(
            [o],
            line.amount,
            line.booked_on,
            books.ledger.terms_of,
            books.settings.discount_grace_days,
        )
        late = late or too_late
        if fit is not None:
            fits.append(Fit(fit.kind, fit.parts, f"{o[0].invoice_id}: {fit.note}"))
    if len(fits) == 1:
        return fits[0], FIT_CONFIDENCE[FitKind.DISCOUNT]
    return fits or late


def _single_retained(line: BankLine, opens: list[Open], books: Books) -> _Step:
    """One progress bill paid less its contract's retainage (the retainage stays open)."""
    fits = [
        Fit(f.kind, f.parts, f"{o[0].invoice_id}: {f.note}")
        for o in opens
        if o[0].retainage_pct and (f := amounts.retained([o], line.amount)) is not None
    ]
    if len(fits) == 1:
        return fits[0], FIT_CONFIDENCE[FitKind.PARTIAL]
    return fits or None


def _all_open(line: BankLine, opens: list[Open], books: Books) -> _Step:
    if len(opens) < MIN_ALL or amounts.total(opens) != line.amount:
        return None
    fit = amounts.exact(opens, line.amount)
    assert fit is not None
    return Fit(
        FitKind.EXACT,
        fit.parts,
        f"amount equals all {len(opens)} open invoices of the payer together",
    ), ALL_OPEN


def _subset(line: BankLine, opens: list[Open], books: Books, budget: int | None = None) -> _Step:
    settings = books.settings
    pool = opens[: settings.subset_max_invoices]
    budget = min(budget or settings.subset_node_budget, settings.subset_node_budget)
    found = find_subsets(pool, line.amount, max_size=settings.subset_max_size, budget=budget)
    fits = []
    for solution in found.solutions:
        fit = amounts.exact([pool[k] for k in solution], line.amount)
        assert fit is not None
        ids = listed(p.invoice.invoice_id for p in fit.parts)
        fits.append(Fit(FitKind.EXACT, fit.parts, f"open amounts of {ids} add up to the payment"))
    if found.unique is not None:
        return fits[0], SUBSET
    return fits or None


def _single_fee(line: BankLine, opens: list[Open], books: Books) -> _Step:
    tolerance, share = books.settings.bank_fee_tolerance, books.settings.bank_fee_max_share
    fits = [
        f for o in opens if (f := amounts.bank_fee([o], line.amount, tolerance, share)) is not None
    ]
    if len(fits) == 1:
        inv = fits[0].parts[0].invoice.invoice_id
        return Fit(FitKind.BANK_FEE, fits[0].parts, f"{inv}: {fits[0].note}"), FIT_CONFIDENCE[
            FitKind.BANK_FEE
        ]
    return fits or None


def _unmatched(
    line: BankLine,
    payer: PayerMatch,
    opens: list[Open],
    books: Books,
    *,
    who: str,
    late: str | None,
) -> Proposal:
    ledger = books.ledger
    if late is not None:
        return review(line, ReviewReason.SHORT_PAYMENT, f"{who}; {late}", [], payer.customer_id)
    paid = [
        inv
        for inv in ledger.invoices_of(ledger.family(payer.customer_id))
        if ledger.remaining[inv.invoice_id] <= 0 and inv.amount == line.amount
    ]
    if paid:
        why = f"{who}; {listed(i.invoice_id for i in paid)} of this amount is already paid: a second payment?"
        return review(
            line,
            ReviewReason.DUPLICATE_PAYMENT,
            why,
            suggest(paid, "already paid"),
            payer.customer_id,
        )
    nearest: list[Invoice] = [
        inv for inv, _ in sorted(opens, key=lambda o: (abs(o[1] - line.amount), o[0].invoice_id))
    ]
    limit = books.settings.max_suggestions
    why = f"{who}; no open invoice or combination of open invoices matches {format_money(line.amount)}"
    return review(
        line,
        ReviewReason.NO_MATCH,
        why,
        suggest(nearest[:limit], "closest open amount", 0.1),
        payer.customer_id,
    )
