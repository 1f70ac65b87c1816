"""Repository of web users and their sessions. Passwords arrive hashed; tokens as hashes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, delete, func, select

from arbridge.store.tables import UserRow, WebSessionRow


def add_user(session: Session, name: str, password_hash: str, role: str, now: datetime) -> None:
    """Create a user, or reset one's password and role (which ends their sessions)."""
    row = session.get(UserRow, name)
    if row is None:
        session.add(UserRow(name=name, password_hash=password_hash, role=role, created_at=now))
        return
    row.password_hash, row.role = password_hash, role
    session.add(row)
    end_sessions(session, name)


def find_user(session: Session, name: str) -> UserRow | None:
    """The user of that name, if any."""
    return session.get(UserRow, name)


def user_count(session: Session) -> int:
    """How many users exist."""
    return int(session.exec(select(func.count()).select_from(UserRow)).one())


def all_users(session: Session) -> list[UserRow]:
    """Every user, by name."""
    return list(session.exec(select(UserRow).order_by(col(UserRow.name))))


def set_disabled(session: Session, name: str, disabled: bool) -> bool:
    """Disable (ending their sessions) or enable a user; False when there is no such user."""
    row = session.get(UserRow, name)
    if row is None:
        return False
    row.disabled = disabled
    session.add(row)
    if disabled:
        end_sessions(session, name)
    return True


def set_role(session: Session, name: str, role: str) -> bool:
    """Change a user's role, ending their sessions; False when there is no such user."""
    row = session.get(UserRow, name)
    if row is None:
        return False
    row.role = role
    session.add(row)
    end_sessions(session, name)
    return True


def end_sessions(session: Session, name: str) -> int:
    """End every session of a user; how many there were."""
    result = session.exec(delete(WebSessionRow).where(col(WebSessionRow.user_name) == name))
    return int(result.rowcount or 0)


def start_session(session: Session, token_hash: str, name: str, now: datetime) -> None:
    """Record a new session of a user."""
    session.add(WebSessionRow(token_hash=token_hash, user_name=name, created_at=now, seen_at=now))


def end_session(session: Session, token_hash: str) -> None:
    """End one session (logout)."""
    session.exec(delete(WebSessionRow).where(col(WebSessionRow.token_hash) == token_hash))


@dataclass(frozen=True, slots=True)
class LiveSession:
    """A session still valid, and the user behind it as the store has them now."""

    name: str
    role: str
    created_at: datetime
    seen_at: datetime


def live_session(session: Session, token_hash: str) -> LiveSession | None:
    """The session of this token hash with its user's current role; None if gone or disabled."""
    query = (
        select(WebSessionRow, UserRow)
        .join(UserRow, col(UserRow.name) == col(WebSessionRow.user_name))
        .where(col(WebSessionRow.token_hash) == token_hash)
    )
    found = session.exec(query).first()
    if found is None or found[1].disabled:
        return None
    row, user = found
    return LiveSession(user.name, user.role, row.created_at, row.seen_at)


def touch_session(session: Session, token_hash: str, now: datetime) -> None:
    """Note that a session was used now (for the idle timeout)."""
    row = session.get(WebSessionRow, token_hash)
    if row is not None:
        row.seen_at = now
        session.add(row)


def end_stale_sessions(session: Session, idle_before: datetime, started_before: datetime) -> None:
    """Drop sessions idle since `idle_before` or started before `started_before`."""
    session.exec(
        delete(WebSessionRow).where(
            (col(WebSessionRow.seen_at) < idle_before)
            | (col(WebSessionRow.created_at) < started_before)
        )
    )


def session_count(session: Session, name: str) -> int:
    """How many sessions a user has open."""
    query = select(func.count()).select_from(WebSessionRow)
    return int(session.exec(query.where(col(WebSessionRow.user_name) == name)).one())
