"""Pure tax checks: invoices and payments against exemption certificates. Imports only domain."""

from arbridge.taxcheck.certificates import by_customer, covering, expiring, missing_customers
from arbridge.taxcheck.invoices import check_invoice, check_invoices
from arbridge.taxcheck.payments import ShortPayment, exemption_claim

__all__ = [
    "ShortPayment",
    "by_customer",
    "check_invoice",
    "check_invoices",
    "covering",
    "exemption_claim",
    "expiring",
    "missing_customers",
]
