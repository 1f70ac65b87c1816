"""What arbridge writes into an ERP payment's reference field, recognised when read back.

Every HTTP gateway puts `AB` + hex of a hash of the idempotency key in the payment's
reference (`PaymentRefNum`, `PaymentRef`, `externalDocumentNumber`): such a payment is
arbridge's own posting, never one recorded by a person.
"""

from __future__ import annotations

import re

_OWN = re.compile(r"^AB[0-9a-f]{12,18}$")


def is_own_reference(reference: str) -> bool:
    """Whether a payment reference is one arbridge wrote (`AB` + 12 to 18 lower-case hex)."""
    return bool(_OWN.match(reference.strip()))
