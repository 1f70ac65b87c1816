"""Links by amount between recorded payments and bank lines, made only where nothing is guessed.

A payment of the payer's customer with the line's exact amount, recorded at most 7 days
before the line was booked or 14 after, links when the two see only each other; or when
every payment and every line of their group are interchangeable (same customer, amount and
invoices; same payer, amount and named invoices), paired in date order, the extra
payments of a group on its last line (recorded twice). Another customer's payment links
only on a distinctive amount (cents, or not a multiple of ten) seen by no other line; on a
round amount, or one several lines could be, those lines are asked about. Within a few cents, or two digits swapped, from the
payer's customer: a swap links when unique (and the amount has cents or the payment pays an
invoice the line names), cents are asked about.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from arbridge.domain.posted import PostedPayment

if TYPE_CHECKING:
    from arbridge.matching.erp_links import Linker

AMOUNT_BEFORE, AMOUNT_AFTER = 7, 14
"""An amount-only link: recorded at most 7 days before the line was booked or 14 after."""
FEW_CENTS = Decimal("1.00")
"""An amount this close to the line's (but not equal) from the payer's customer is asked about."""
SWAP = 2
"""A transposition changes exactly two neighbouring digits."""


def transposed(a: Decimal, b: Decimal) -> bool:
    """Whether two amounts differ by two neighbouring digits swapped (1,243.56 for 1,234.56)."""
    x, y = f"{a:.2f}", f"{b:.2f}"
    if len(x) != len(y) or x == y:
        return False
    diff = [i for i in range(len(x)) if x[i] != y[i]]
    return (
        len(diff) == SWAP
        and diff[1] == diff[0] + 1
        and x[diff[0]] == y[diff[1]]
        and x[diff[1]] == y[diff[0]]
    )


def distinctive(amount: Decimal) -> bool:
    """An amount unlikely to recur by chance: cents, or not a multiple of 10."""
    return amount % 1 != 0 or amount % 10 != 0


def by_amount(linker: Linker, payments: Sequence[PostedPayment]) -> None:
    """Amount links of the payments no text linked, into `linker.out`."""
    taken = set(linker.out.linked) | set(linker.out.unsure)
    agreeing: dict[str, list[int]] = {}
    strangers: dict[str, list[int]] = {}
    for p in payments:
        cands = [k for k in linker.amount_candidates(p) if k not in taken]
        agreeing[p.payment_id] = [k for k in cands if linker.agrees(k, p)]
        strangers[p.payment_id] = [k for k in cands if not linker.agrees(k, p)]
    by_pid = {p.payment_id: p for p in payments}
    linked_pids: set[str] = set()
    for pids, keys in _groups(agreeing):
        pairs = _interchangeable(linker, [by_pid[p] for p in pids], keys, agreeing)
        if pairs is None:
            for pid in pids:
                for k in agreeing[pid]:
                    linker.out.unsure.setdefault(k, []).append(pid)
            continue
        for k, linked in pairs.items():
            linker.out.linked[k] = linked
            linker.out.how[k] = "the ERP payment has the line's amount and the payer's customer"
            linked_pids.update(linked)
    _strangers(linker, by_pid, strangers, agreeing, linked_pids)
    _near(
        linker,
        [p for p in payments if p.payment_id not in linked_pids and not agreeing[p.payment_id]],
    )


def _groups(edges: Mapping[str, list[int]]) -> Iterable[tuple[list[str], list[int]]]:
    """Connected groups of payments and lines."""
    per_line: dict[int, list[str]] = defaultdict(list)
    for pid, keys in edges.items():
        for k in keys:
            per_line[k].append(pid)
    seen: set[str] = set()
    for start, keys in edges.items():
        if start in seen or not keys:
            continue
        pids, lines, todo = {start}, set(), [start]
        while todo:
            for k in edges[todo.pop()]:
                if k not in lines:
                    lines.add(k)
                    fresh = [p for p in per_line[k] if p not in pids]
                    pids.update(fresh)
                    todo += fresh
        seen |= pids
        yield sorted(pids), sorted(lines)


def _interchangeable(
    linker: Linker, payments: list[PostedPayment], keys: list[int], edges: Mapping[str, list[int]]
) -> dict[int, list[str]] | None:
    """Line -> payments when the group can be paired without a choice that matters, else None."""
    if len(payments) == 1 and len(keys) == 1:
        return {keys[0]: [payments[0].payment_id]}
    same_payments = {(p.customer_id, p.amount, frozenset(p.invoice_ids)) for p in payments}
    same_lines = {(linker.payer[k], linker.lines[k].amount, linker.named(k)) for k in keys}
    complete = all(set(edges[p.payment_id]) == set(keys) for p in payments)
    if len(same_payments) != 1 or len(same_lines) != 1 or not complete:
        return None
    ordered = sorted(payments, key=lambda p: (p.paid_on, p.payment_id))
    lines = sorted(keys, key=lambda k: (linker.lines[k].booked_on, k))
    pairs: dict[int, list[str]] = {}
    for n, p in enumerate(ordered):
        pairs.setdefault(lines[min(n, len(lines) - 1)], []).append(p.payment_id)
    return pairs


def _strangers(
    linker: Linker,
    by_pid: Mapping[str, PostedPayment],
    strangers: Mapping[str, list[int]],
    agreeing: Mapping[str, list[int]],
    linked_pids: set[str],
) -> None:
    """Payments no line of their customer explains: a link when sure, else the lines are asked about."""
    per_line: dict[int, list[str]] = defaultdict(list)
    for pid, keys in strangers.items():
        if pid not in linked_pids:
            for k in keys:
                per_line[k].append(pid)
    for pid, keys in strangers.items():
        if pid in linked_pids or agreeing[pid] or not keys:
            continue
        k = keys[0]
        alone = len(keys) == 1 and per_line[k] == [pid]
        if alone and distinctive(by_pid[pid].amount) and k not in linker.out.unsure:
            linker.out.linked[k] = [pid]
            linker.out.how[k] = (
                "the ERP payment has the line's exact amount and date, and no other line does"
            )
            continue
        for other in keys:  # it may be any of these, posted to the wrong customer: ask
            if other not in linker.out.linked:
                linker.out.unsure.setdefault(other, []).append(pid)


def _near(linker: Linker, payments: Sequence[PostedPayment]) -> None:
    """Payments from the payer's customer within a few cents, or with two digits swapped."""
    if not payments:
        return
    done = set(linker.out.linked) | set(linker.out.unsure)
    swapped: dict[int, list[str]] = defaultdict(list)
    per_pid: dict[str, list[int]] = defaultdict(list)
    for p in payments:
        family = {p.customer_id, *linker.books.ledger.family(p.customer_id)}
        owner = linker.books.ledger.customers.get(p.customer_id)
        if owner is not None and owner.parent_id:
            family.add(owner.parent_id)
        for k in (k for c in sorted(family) for k in linker.by_payer.get(c, ())):
            line = linker.lines[k]
            if k in done or not linker.agrees(k, p):
                continue
            if not linker.in_window(p, k, AMOUNT_BEFORE, AMOUNT_AFTER):
                continue
            if transposed(p.amount, line.amount) and (
                p.amount % 1 != 0 or set(p.invoice_ids) & linker.named(k)
            ):
                swapped[k].append(p.payment_id)
                per_pid[p.payment_id].append(k)
            elif abs(p.amount - line.amount) <= FEW_CENTS:
                linker.out.unsure.setdefault(k, []).append(p.payment_id)
    for k, pids in swapped.items():
        if len(pids) == 1 and per_pid[pids[0]] == [k] and k not in linker.out.unsure:
            linker.out.linked[k] = pids
            linker.out.how[k] = "the ERP payment's amount has two digits of the line's swapped"
        else:
            for pid in pids:
                linker.out.unsure.setdefault(k, []).append(pid)
