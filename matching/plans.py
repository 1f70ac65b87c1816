"""What a decision step returns: a plan to apply (still subject to policy) or a review proposal."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from arbridge.domain.records import BankLine, Invoice, Proposal, ProposalOutcome, Suggestion
from arbridge.domain.review import ReviewReason
from arbridge.matching.amounts import Fit, FitKind
from arbridge.matching.references import RefHit, RefHow

REF_CONFIDENCE = {
    RefHow.EXACT: 1.0,
    RefHow.NORMALISED: 0.99,
    RefHow.PO: 0.97,
    RefHow.TRANSPOSED: 0.88,
}
REVIEW_REASON = {
    FitKind.PARTIAL: ReviewReason.SHORT_PAYMENT,
    FitKind.OVERPAYMENT: ReviewReason.OVERPAYMENT,
    FitKind.BANK_FEE: ReviewReason.SHORT_PAYMENT,
}


@dataclass(frozen=True, slots=True)
class Plan:
    """An application the engine would make, before the auto-posting policy has its say."""

    customer_id: str
    fit: Fit
    confidence: float
    explanation: str
    doubt: ReviewReason | None = None
    """The weakest evidence, named as the review reason should the plan be held."""

    @property
    def invoice_ids(self) -> tuple[str, ...]:
        """The invoices the plan pays."""
        return tuple(p.invoice.invoice_id for p in self.fit.parts)

    def as_suggestion(self) -> Suggestion:
        """The plan offered to a person instead of applied."""
        return Suggestion(
            invoice_ids=self.invoice_ids,
            customer_id=self.customer_id,
            explanation=self.explanation,
            confidence=round(self.confidence, 3),
        )


def review(
    line: BankLine,
    reason: ReviewReason,
    text: str,
    suggestions: Sequence[Suggestion] = (),
    customer_id: str | None = None,
) -> Proposal:
    """A proposal for a person to decide, with the engine's reasons and suggestions."""
    if customer_id is None and len({s.customer_id for s in suggestions}) == 1:
        customer_id = suggestions[0].customer_id
    return Proposal(
        line=line,
        outcome=ProposalOutcome.REVIEW,
        explanation=text,
        reason=reason,
        customer_id=customer_id,
        suggestions=tuple(suggestions),
    )


def suggest(invoices: Iterable[Invoice], why: str, confidence: float = 0.3) -> list[Suggestion]:
    """One suggestion per invoice, each with the same reason."""
    return [
        Suggestion(
            invoice_ids=(inv.invoice_id,),
            customer_id=inv.customer_id,
            explanation=why,
            confidence=confidence,
        )
        for inv in invoices
    ]


def listed(ids: Iterable[str]) -> str:
    """`INV-1, INV-2`."""
    return ", ".join(ids)


def named_as(hits: Sequence[tuple[RefHit, Invoice]]) -> str:
    """How the invoices were named: `invoice INV-0042 named in the text as 42`."""
    parts = []
    for hit, inv in hits:
        if hit.how is RefHow.EXACT:
            parts.append(inv.invoice_id)
        elif hit.how is RefHow.PO:
            parts.append(f"{inv.invoice_id} (by its PO number {hit.text})")
        elif hit.how is RefHow.TRANSPOSED:
            parts.append(f"{inv.invoice_id} (as {hit.text}, two digits swapped)")
        else:
            parts.append(f"{inv.invoice_id} (as {hit.text})")
    noun = "invoice" if len(parts) == 1 else "invoices"
    return f"{noun} {', '.join(parts)} named in the text"
