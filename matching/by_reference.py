"""Lines that name invoices (or PO numbers): check each against the payer and fit the amount."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from arbridge.domain.money import format_money
from arbridge.domain.records import ZERO, BankLine, Invoice, Proposal
from arbridge.domain.review import ReviewReason
from arbridge.matching import amounts
from arbridge.matching.amounts import FIT_CONFIDENCE, Fit, FitKind, Open
from arbridge.matching.context import Books
from arbridge.matching.payers import PayerMatch
from arbridge.matching.plans import REF_CONFIDENCE, Plan, listed, named_as, review, suggest
from arbridge.matching.references import RefHit, RefHow
from arbridge.matching.subsets import find_subsets
from arbridge.matching.swaps import swapped_to_fit, untransposed

REF_PAYER_BASE = 0.80
"""How sure the payer is when only the invoice numbers name it, before other evidence."""
AMOUNT_AGREES = 0.17
NAME_RESEMBLES = 0.15
CLOSED_NAMED = 0.95  # some named invoices were already paid
STRONG_FITS = frozenset({FitKind.EXACT, FitKind.DISCOUNT, FitKind.BANK_FEE})


@dataclass(frozen=True, slots=True)
class _Named:
    payer_id: str
    payer_note: str
    resemblance: float | None
    """None: payer recognised by name; else how far (0-1) the text resembles the owner's name."""
    hits: tuple[tuple[RefHit, Invoice], ...]


def by_reference(
    line: BankLine, hits: Sequence[RefHit], payer: PayerMatch | None, books: Books
) -> Plan | Proposal | None:
    """Decide a line from the invoices it names; None when none of them is the payer's."""
    resolved = _resolve(line, hits, payer, books)
    if resolved is None or isinstance(resolved, Proposal):
        return resolved
    swapped = swapped_to_fit(line, resolved.payer_id, resolved.hits, books)
    if isinstance(swapped, Proposal):
        return swapped
    named = replace(resolved, hits=swapped)
    ids = list(dict.fromkeys(inv.invoice_id for _, inv in named.hits))
    opens = books.ledger.opens(ids)
    open_now = [(inv, rem) for inv, rem in opens if rem > 0]
    closed = [inv for inv, rem in opens if rem <= 0]
    ref_note = named_as(named.hits)
    duplicate = _second_payment(line, open_now, closed, named, ref_note)
    if duplicate is not None:
        return duplicate
    fit = _fit(line, open_now, named, books)
    if isinstance(fit, Proposal):
        return fit
    plan = _plan(fit, named, ref_note)
    if closed:
        left_out = f"; {listed(i.invoice_id for i in closed)} already paid, left out"
        return replace(
            plan, confidence=plan.confidence * CLOSED_NAMED, explanation=plan.explanation + left_out
        )
    return plan


def _second_payment(
    line: BankLine, open_now: list[Open], closed: list[Invoice], named: _Named, ref_note: str
) -> Proposal | None:
    """Every named invoice already paid, or the payment includes one that is."""
    paid = listed(i.invoice_id for i in closed)
    if not open_now:
        why = f"{ref_note}; {paid} already paid in full: a second payment?"
    elif closed and line.amount == amounts.total(open_now) + sum((i.amount for i in closed), ZERO):
        why = f"{ref_note}; {paid} already paid: this pays it a second time"
    else:
        return None
    sugg = suggest(closed, "already paid")
    return review(line, ReviewReason.DUPLICATE_PAYMENT, why, sugg, named.payer_id)


def _plan(fit: Fit, named: _Named, ref_note: str) -> Plan:
    ref_conf = min(REF_CONFIDENCE[hit.how] for hit, _ in named.hits)
    confidence = _payer_confidence(fit, named) * ref_conf * FIT_CONFIDENCE[fit.kind]
    text = f"{named.payer_note}; {ref_note}; {fit.note}"
    doubt = None if named.resemblance is None else ReviewReason.UNIDENTIFIED_PAYER
    return Plan(named.payer_id, fit, confidence, text, doubt)


def _payer_confidence(fit: Fit, named: _Named) -> float:
    """How sure the payer is: certain by name, else the invoice numbers plus what agrees.

    The evidence adds up: an amount that agrees (exactly, when a number was mistyped)
    and a name that resembles the owner's each make the owner likelier the payer.
    """
    if named.resemblance is None:
        return 1.0
    transposed = any(hit.how is RefHow.TRANSPOSED for hit, _ in named.hits)
    agrees = fit.kind is FitKind.EXACT or (fit.kind in STRONG_FITS and not transposed)
    return min(1.0, REF_PAYER_BASE + AMOUNT_AGREES * agrees + NAME_RESEMBLES * named.resemblance)


def _resolve(
    line: BankLine, hits: Sequence[RefHit], payer: PayerMatch | None, books: Books
) -> _Named | Proposal | None:
    ledger = books.ledger
    chosen: list[tuple[RefHit, Invoice]] = []
    foreign: list[Invoice] = []
    for named_hit in hits:
        hit = untransposed(named_hit, line, payer, books)
        candidates = [ledger.by_id[i] for i in hit.invoice_ids]
        mine = [
            c
            for c in candidates
            if payer is None or ledger.related(payer.customer_id, c.customer_id)
        ]
        if not mine:
            foreign += candidates
            continue
        picked = _pick(mine, line, books, strict=hit.how is RefHow.TRANSPOSED)
        if picked is None:
            why = f"'{hit.text}' in the text could be any of {listed(c.invoice_id for c in mine)}"
            return review(
                line, ReviewReason.LOOKALIKE_INVOICES, why, suggest(mine, f"named as {hit.text}")
            )
        chosen.append((hit, picked))
    if not chosen:
        return _foreign(line, foreign, payer, books)
    if payer is not None:
        note = f"payer {books.ledger.name(payer.customer_id)} ({payer.how})"
        return _Named(payer.customer_id, note, None, tuple(chosen))
    owners = {inv.customer_id for _, inv in chosen}
    payer_id = _common_payer(owners, books)
    if payer_id is None:
        why = (
            f"{named_as(chosen)}, but they belong to different customers ({listed(sorted(owners))})"
        )
        return review(
            line, ReviewReason.NO_MATCH, why, suggest((i for _, i in chosen), "named in the text")
        )
    score = books.payers.name_score(line, payer_id)
    threshold = books.settings.name_threshold
    if score >= threshold:
        note = f"payer {ledger.name(payer_id)} (name matches {score:.0%}, confirmed by the invoice numbers)"
        return _Named(payer_id, note, None, tuple(chosen))
    note = f"payer identified by the invoice numbers as {ledger.name(payer_id)}"
    if score > 0:
        note += f" (name resembles {score:.0%})"
    return _Named(payer_id, note, score / threshold, tuple(chosen))


def _pick(
    candidates: list[Invoice], line: BankLine, books: Books, *, strict: bool
) -> Invoice | None:
    """One invoice among those a reference may mean, or None when they cannot be told apart.

    `strict` (a mistyped number): two open invoices that fit are never told apart by amount.
    """
    if len(candidates) == 1:
        return candidates[0]
    remaining = books.ledger.remaining
    open_ones = [c for c in candidates if remaining[c.invoice_id] > 0] or candidates
    if len(open_ones) == 1:
        return open_ones[0]
    if strict:
        return None
    fitting = [c for c in open_ones if remaining[c.invoice_id] == line.amount]
    return fitting[0] if len(fitting) == 1 else None


def _common_payer(owners: set[str], books: Books) -> str | None:
    if len(owners) == 1:
        return next(iter(owners))
    parents = {
        books.ledger.customers[o].parent_id or o for o in owners if o in books.ledger.customers
    }
    if len(parents) == 1:
        parent = next(iter(parents))
        if all(books.ledger.related(parent, o) for o in owners):
            return parent
    return None


def _foreign(
    line: BankLine, foreign: list[Invoice], payer: PayerMatch | None, books: Books
) -> Proposal | None:
    """Named invoices all belong to customers other than the payer."""
    fitting = [i for i in foreign if books.ledger.remaining[i.invoice_id] == line.amount]
    if not fitting or payer is None:
        return None
    owner = books.ledger.name(fitting[0].customer_id)
    why = (
        f"{listed(i.invoice_id for i in fitting)} named in the text belongs to {owner}, "
        f"but the payer looks like {books.ledger.name(payer.customer_id)} ({payer.how})"
    )
    return review(
        line,
        ReviewReason.NO_MATCH,
        why,
        suggest(fitting, "named in the text", 0.5),
        payer.customer_id,
    )


def _fit(line: BankLine, opens: list[Open], named: _Named, books: Books) -> Fit | Proposal:
    settings = books.settings
    amount = line.amount
    fit = amounts.exact(opens, amount) or amounts.retained(opens, amount)
    if fit is None:
        terms_of, grace = books.ledger.terms_of, settings.discount_grace_days
        fit, late = amounts.discounted(opens, amount, line.booked_on, terms_of, grace)
        if fit is None:
            questioned = _questioned(line, opens, named, late)
            if questioned is not None:
                return questioned
            share = settings.bank_fee_max_share
            fit = amounts.bank_fee(opens, amount, settings.bank_fee_tolerance, share)
    if fit is not None:
        return fit
    if amount > amounts.total(opens):
        return _with_unlisted(line, opens, named, books)
    return _short(line, opens, named, books)


def _questioned(
    line: BankLine, opens: list[Open], named: _Named, late: str | None
) -> Proposal | None:
    """Short payments a clerk asks about: a discount taken late, or exactly the tax left unpaid."""
    tax = _short_by_tax(opens, line.amount)
    if late is not None:
        why, hint = f"{named_as(named.hits)}; {late}", "named; discount questioned"
    elif tax is not None:
        owed = format_money(amounts.total(opens))
        why = (
            f"{named_as(named.hits)}; paid {format_money(line.amount)} of {owed}: "
            f"short by exactly the tax ({format_money(tax)}), a tax-exemption claim?"
        )
        hint = "named; tax not paid"
    else:
        return None
    sugg = suggest((i for i, _ in opens), hint, 0.5)
    return review(line, ReviewReason.SHORT_PAYMENT, why, sugg, named.payer_id)


def _short_by_tax(opens: list[Open], amount: Decimal) -> Decimal | None:
    """The tax on the named invoices when the payment is short by exactly that, else None."""
    taxes = [inv.tax_amount for inv, _ in opens]
    if any(t is None for t in taxes):
        return None
    tax = sum((t for t in taxes if t is not None), ZERO)
    return tax if tax > 0 and amounts.total(opens) - amount == tax else None


def _with_unlisted(
    line: BankLine, opens: list[Open], named: _Named, books: Books
) -> Fit | Proposal:
    """More than the named invoices: other open invoices that make up the rest, else credit."""
    settings, ledger = books.settings, books.ledger
    extra = line.amount - amounts.total(opens)
    ids = {inv.invoice_id for inv, _ in opens}
    others = [
        o for o in ledger.open_of(ledger.family(named.payer_id)) if o[0].invoice_id not in ids
    ]
    same = [o for o in others if o[1] == extra]
    if len(same) > 1:
        why = f"{named_as(named.hits)}; the remaining {format_money(extra)} fits {listed(i.invoice_id for i, _ in same)} equally"
        return review(
            line,
            ReviewReason.LOOKALIKE_INVOICES,
            why,
            suggest((i for i, _ in same), "equal open amount"),
            named.payer_id,
        )
    chosen = same
    if not chosen:
        found = find_subsets(
            others[: settings.subset_max_invoices],
            extra,
            max_size=settings.subset_max_size,
            budget=settings.subset_node_budget,
        )
        if len(found.solutions) > 1:
            why = f"{named_as(named.hits)}; the remaining {format_money(extra)} fits several combinations of open invoices"
            return review(line, ReviewReason.LOOKALIKE_INVOICES, why, [], named.payer_id)
        chosen = [others[k] for k in found.unique or ()]
    if chosen:
        fit = amounts.exact([*opens, *chosen], line.amount)
        assert fit is not None
        note = f"the remaining {format_money(extra)} equals the open amount of {listed(i.invoice_id for i, _ in chosen)} (not named)"
        return Fit(FitKind.EXACT, fit.parts, f"{note}; amount equals the open amounts")
    over = amounts.overpaid(opens, line.amount)
    assert over is not None
    return over


def _short(line: BankLine, opens: list[Open], named: _Named, books: Books) -> Fit | Proposal:
    """Less than the named invoices: some of them paid in full, or one paid in part."""
    settings = books.settings
    if len(opens) > 1:
        same = [o for o in opens if o[1] == line.amount]
        found = find_subsets(
            opens,
            line.amount,
            max_size=settings.subset_max_size,
            budget=settings.subset_node_budget,
        )
        options = [[o] for o in same] + [[opens[k] for k in sol] for sol in found.solutions]
        if len(options) == 1 and found.complete:
            fit = amounts.exact(options[0], line.amount)
            assert fit is not None
            paid = listed(i.invoice_id for i, _ in options[0])
            return Fit(
                FitKind.EXACT,
                fit.parts,
                f"amount equals the open amount of {paid}, the others stay open",
            )
    elif settings.apply_partial_payments:
        fit = amounts.partial(opens, line.amount)
        if fit is not None:
            return fit
    owed = format_money(amounts.total(opens))
    why = f"{named_as(named.hits)}; open {owed}, paid {format_money(line.amount)}"
    return review(
        line,
        ReviewReason.SHORT_PAYMENT,
        why,
        suggest((i for i, _ in opens), "named in the text", 0.5),
        named.payer_id,
    )
