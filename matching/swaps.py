"""Invoice numbers typed with two adjacent digits swapped: when to read them swapped back."""

from __future__ import annotations

from arbridge.domain.records import ZERO, BankLine, Invoice, Proposal
from arbridge.domain.review import ReviewReason
from arbridge.matching.context import Books
from arbridge.matching.payers import PayerMatch
from arbridge.matching.plans import listed, review, suggest
from arbridge.matching.references import RefHit, RefHow

Named = tuple[tuple[RefHit, Invoice], ...]


def untransposed(hit: RefHit, line: BankLine, payer: PayerMatch | None, books: Books) -> RefHit:
    """The hit read with two digits swapped back, when the number as written cannot be meant.

    A number that names another customer's invoice (or, payer unknown, an invoice whose
    open amount is not the payment) is read as a typing slip when exactly one open
    invoice of the payer (or, payer unknown, of any customer with the amount agreeing)
    fits with two adjacent digits swapped. Two that fit are both kept: a look-alike.
    A number naming one of the payer's own invoices is read swapped only when its open
    amount is not the payment and exactly one swapped reading's open amount is.
    """
    if not hit.alternatives:
        return hit
    ledger = books.ledger
    named = [ledger.by_id[i] for i in hit.invoice_ids]
    if any(
        ledger.remaining[c.invoice_id] == line.amount
        and (payer is None or ledger.related(payer.customer_id, c.customer_id))
        for c in named
    ):
        return hit  # the number as written names an invoice of the amount (the payer's, if known)
    swapped = [ledger.by_id[i] for i in hit.alternatives if ledger.remaining[i] > 0]
    if payer is not None:
        fits = [c for c in swapped if ledger.related(payer.customer_id, c.customer_id)]
        mine = [c for c in named if ledger.related(payer.customer_id, c.customer_id)]
        if mine:  # the payer's own number: swapped only when it cannot be the amount and one can
            fits = [c for c in fits if ledger.remaining[c.invoice_id] == line.amount]
            if len(fits) != 1:
                return hit
    else:
        fits = [c for c in swapped if ledger.remaining[c.invoice_id] == line.amount]
        best = max((books.payers.name_score(line, c.customer_id) for c in named), default=0.0)
        fits = [c for c in fits if books.payers.name_score(line, c.customer_id) >= best]
    if not fits:
        return hit
    return RefHit(hit.text, tuple(c.invoice_id for c in fits), RefHow.TRANSPOSED)


def swapped_to_fit(line: BankLine, payer_id: str, hits: Named, books: Books) -> Named | Proposal:
    """The named invoices, one read with two digits swapped when only that makes them add up.

    When the open amounts of the invoices as named are not the payment, and replacing
    exactly one of them by an open invoice of the payer that its number names with two
    digits swapped makes them equal to it, that reading is taken. Two such readings go
    to a person: which number was mistyped cannot be told.
    """
    ledger = books.ledger
    rem = ledger.remaining
    chosen = {inv.invoice_id for _, inv in hits}
    total = sum((max(rem[i], ZERO) for i in chosen), ZERO)
    if total == line.amount:
        return hits
    options: list[tuple[int, Invoice]] = []
    for k, (hit, inv) in enumerate(hits):
        for alt_id in hit.alternatives:
            alt = ledger.by_id[alt_id]
            usable = alt_id not in chosen and rem[alt_id] > 0
            fits = total - max(rem[inv.invoice_id], ZERO) + rem[alt_id] == line.amount
            if usable and fits and ledger.related(payer_id, alt.customer_id):
                options.append((k, alt))
    if not options:
        return hits
    if len(options) > 1:
        why = (
            f"the payment equals the named invoices with two digits swapped in more than one "
            f"way ({listed(alt.invoice_id for _, alt in options)})"
        )
        return review(
            line,
            ReviewReason.LOOKALIKE_INVOICES,
            why,
            suggest((alt for _, alt in options), "two digits swapped"),
            payer_id,
        )
    k, alt = options[0]
    out = list(hits)
    out[k] = (RefHit(hits[k][0].text, (alt.invoice_id,), RefHow.TRANSPOSED), alt)
    return tuple(out)
