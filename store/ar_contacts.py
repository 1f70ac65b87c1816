"""Customers' contact details: typed into arbridge, else from the ERP, else from the config."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select as sa_select
from sqlmodel import Session

from arbridge.receivables.contacts import Contact, first_of
from arbridge.store import ar_collections
from arbridge.store._core import table_of
from arbridge.store.tables import CustomerRow

_CUSTOMERS = table_of(CustomerRow)


def erp_contacts(session: Session, erp: str) -> dict[str, Contact]:
    """What the ERP snapshot says of each customer that has any contact detail."""
    c = _CUSTOMERS
    query = sa_select(c.c.customer_id, c.c.email, c.c.phone, c.c.language).where(
        c.c.erp == erp,
        (c.c.email.is_not(None)) | c.c.phone.is_not(None) | c.c.language.is_not(None),
    )
    return {
        cid: Contact(email=email, phone=phone, language=language)
        for cid, email, phone, language in session.connection().execute(query)
    }


def contacts(
    session: Session, erp: str, configured: Mapping[str, Contact] | None = None
) -> dict[str, Contact]:
    """Each customer's contact, field by field, from the first place that has it.

    Typed into arbridge (`ar customer --email`), else the ERP's, else the config's
    (`ar.contacts`, `ar.contacts_file`).
    """
    typed = {
        cid: Contact(p.contact_name, p.contact_email, p.contact_phone, p.language)
        for cid, p in ar_collections.profiles(session, erp).items()
    }
    from_erp = erp_contacts(session, erp)
    configured = configured or {}
    ids = typed.keys() | from_erp.keys() | configured.keys()
    return {cid: first_of(typed.get(cid), from_erp.get(cid), configured.get(cid)) for cid in ids}
