"""A customer's contact details on the collections page, each labelled by where it comes from.

Three places hold contact details, and statements and dunning letters take each field from
the first that has it (typed into arbridge, else the ERP's customer record, else the
config's `ar.contacts` / `ar.contacts_file`). The page lists every place that has anything,
so a collector sees which address the letters go to and why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import astuple, dataclass

from sqlmodel import Session

from arbridge.receivables.contacts import Contact, first_of
from arbridge.store.ar_tables import ArCustomerRow
from arbridge.store.tables import CustomerRow

TYPED = "typed into arbridge"
ERP = "the ERP's customer record"
CONFIG = "arbridge's config (ar.contacts, ar.contacts_file)"


@dataclass(frozen=True, slots=True)
class ContactSource:
    """What one place says of the customer's contact."""

    label: str
    contact: Contact


@dataclass(frozen=True, slots=True)
class ContactView:
    """Every place with a contact detail, in order of precedence, and what the letters use."""

    sources: list[ContactSource]
    used: Contact


def contact_view(
    session: Session, erp: str, customer_id: str, configured: Mapping[str, Contact]
) -> ContactView:
    """The customer's contact by source; `configured` is the config's, by customer id."""
    profile = session.get(ArCustomerRow, (erp, customer_id))
    record = session.get(CustomerRow, (erp, customer_id))
    typed = _typed(profile)
    from_erp = Contact(None, record.email, record.phone, record.language) if record else None
    places = [(TYPED, typed), (ERP, from_erp), (CONFIG, configured.get(customer_id))]
    sources = [ContactSource(label, c) for label, c in places if c is not None and any(astuple(c))]
    return ContactView(sources, first_of(typed, from_erp, configured.get(customer_id)))


def _typed(profile: ArCustomerRow | None) -> Contact | None:
    if profile is None:
        return None
    return Contact(
        profile.contact_name, profile.contact_email, profile.contact_phone, profile.language
    )
