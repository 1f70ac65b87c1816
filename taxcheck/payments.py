"""Short payments that equal an invoice's tax: the customer claims to be exempt."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from arbridge.domain.money import format_money
from arbridge.domain.records import ZERO, Invoice
from arbridge.domain.tax import TaxCertificate, TaxFinding, TaxFlag
from arbridge.taxcheck.certificates import CertificatesByCustomer, covering


@dataclass(frozen=True, slots=True, kw_only=True)
class ShortPayment:
    """A payment that fell short of the invoices it names; `subject` identifies the bank line."""

    subject: str
    amount: Decimal
    invoice_ids: tuple[str, ...]


def exemption_claim(
    payment: ShortPayment, invoices: Mapping[str, Invoice], certificates: CertificatesByCustomer
) -> TaxFinding | None:
    """Recognise a short payment whose shortfall equals the tax of the invoices it names.

    The shortfall must equal the tax of all named invoices together, or of exactly one
    of them. With a certificate valid for each such invoice's region and date the
    suggestion is a credit memo; otherwise it is to request a certificate.
    """
    named = [invoices[i] for i in payment.invoice_ids if i in invoices]
    if not named or len(named) != len(payment.invoice_ids):
        return None
    shortfall = sum((inv.open_amount for inv in named), ZERO) - payment.amount
    taxed = _taxed_part(named, shortfall)
    if shortfall <= 0 or not taxed:
        return None
    uncovered = [inv for inv in taxed if _covering(inv, certificates) is None]
    ids = tuple(inv.invoice_id for inv in taxed)
    money = format_money(shortfall)
    if uncovered:
        suggestion = "no valid certificate on file: request one (arbridge tax request)"
    else:
        suggestion = f"valid certificate on file: issue a credit memo of {money} for the tax"
    return TaxFinding(
        flag=TaxFlag.EXEMPTION_CLAIM,
        subject=payment.subject,
        message=f"payment short by {money}, the tax on {', '.join(ids)}: an exemption claim",
        suggestion=suggestion,
        customer_id=named[0].customer_id,
        invoice_ids=ids,
        amount=shortfall,
    )


def _taxed_part(named: Sequence[Invoice], shortfall: Decimal) -> list[Invoice]:
    taxes = [inv.tax_amount for inv in named]
    if all(t is not None for t in taxes) and sum((t or ZERO for t in taxes), ZERO) == shortfall:
        return [inv for inv in named if inv.tax_amount]
    single = [inv for inv in named if inv.tax_amount is not None and inv.tax_amount == shortfall]
    return single if len(single) == 1 else []


def _covering(invoice: Invoice, certificates: CertificatesByCustomer) -> TaxCertificate | None:
    if not invoice.ship_to_region:
        return None
    return covering(certificates, invoice.customer_id, invoice.ship_to_region, invoice.invoice_date)
