"""Aliases and bank accounts proposed from history, for an admin to accept."""

from __future__ import annotations

from arbridge.domain.records import BankLine
from arbridge.matching import MatchSettings, PayerHints, match_lines
from arbridge.matching.learning import LinkKind, ProposedLink, propose_links
from tests.matching.books import context, line


def _paid(text: str, account: str | None = None, payer: str | None = None) -> BankLine:
    return line(text, "10.00", payer_account=account, payer_name=payer)


def test_a_name_and_an_account_always_paid_for_one_customer_are_proposed() -> None:
    history = [
        (_paid("ACH", account="DE44 5001", payer="ZENITH TRADING CCD"), "C400"),
        (_paid("ACH", account="DE445001", payer="ZENITH TRADING PPD"), "C400"),
    ]
    assert propose_links(history, PayerHints()) == [
        ProposedLink(LinkKind.ACCOUNT, "DE445001", "C400", 2),
        ProposedLink(LinkKind.ALIAS, "ZENITH TRADING", "C400", 2),
    ]


def test_what_was_paid_for_two_customers_or_seen_once_is_not_proposed() -> None:
    history = [
        (_paid("ACH", account="111", payer="OMEGA VENTURES"), "C100"),
        (_paid("ACH", account="111", payer="OMEGA VENTURES"), "C200"),
        (_paid("ACH", account="222", payer="K WONG"), "C300"),
    ]
    assert propose_links(history, PayerHints()) == []


def test_links_known_already_are_not_proposed_again() -> None:
    history = [(_paid("ACH", account="DE44 5001", payer="ZENITH TRADING"), "C400")] * 3
    known = PayerHints(accounts={"DE445001": "C400"}, aliases={"Zenith Trading": "C400"})
    assert propose_links(history, known) == []


def test_an_accepted_alias_identifies_the_payer_afterwards() -> None:
    history = [(_paid("ZENITH TRADING WIRE"), "C400")] * 2
    [proposal] = propose_links(history, PayerHints())
    hints = PayerHints(aliases={proposal.value: proposal.customer_id})

    [before] = match_lines([line("ZENITH TRADING WIRE", "1234.56")], context(), MatchSettings())
    [after] = match_lines([line("ZENITH TRADING WIRE", "1234.56")], context(hints=hints))

    assert before.allocations == ()
    assert [a.invoice_id for a in after.allocations] == ["INV-3003"]
