"""The contact details the config gives: `ar.contacts` in YAML, then `ar.contacts_file` (CSV)."""

from __future__ import annotations

from pathlib import Path

from arbridge.config.ar import ArSettings
from arbridge.connectors.erp._csvfiles import Row, read_rows
from arbridge.receivables.contacts import Contact, first_of


def configured_contacts(ar: ArSettings) -> dict[str, Contact]:
    """By customer id; a YAML entry's fields win over the file's."""
    from_yaml = {
        cid: Contact(c.name, c.email, c.phone, c.language) for cid, c in ar.contacts.items()
    }
    from_file = read_contacts(ar.contacts_file) if ar.contacts_file else {}
    ids = from_yaml.keys() | from_file.keys()
    return {cid: first_of(from_yaml.get(cid), from_file.get(cid)) for cid in ids}


def read_contacts(path: Path) -> dict[str, Contact]:
    """A CSV with `customer_id` and any of `name`, `email`, `phone`, `language`.

    Raises:
        BadInputError: naming the file, line and field of a bad value.
    """
    return {row.text("customer_id"): _contact(row) for row in read_rows(path, ("customer_id",))}


def _contact(row: Row) -> Contact:
    email = row.optional("email")
    if email is not None and "@" not in email:
        raise row.error("email", email, "is not an email address")
    return Contact(
        name=row.optional("name"),
        email=email,
        phone=row.optional("phone"),
        language=row.optional_language("language"),
    )
