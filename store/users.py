"""Repository of web users. Passwords arrive hashed; this module never sees one in clear."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, func, select

from arbridge.store.tables import UserRow


def add_user(session: Session, name: str, password_hash: str, role: str, now: datetime) -> None:
    """Create or replace a user (replacing resets the password and role)."""
    session.merge(UserRow(name=name, password_hash=password_hash, role=role, created_at=now))


def find_user(session: Session, name: str) -> UserRow | None:
    """The user of that name, if any."""
    return session.get(UserRow, name)


def user_count(session: Session) -> int:
    """How many users exist."""
    return int(session.exec(select(func.count()).select_from(UserRow)).one())


def all_users(session: Session) -> list[UserRow]:
    """Every user, by name."""
    return list(session.exec(select(UserRow).order_by(col(UserRow.name))))
