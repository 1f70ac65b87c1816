"""Users, passwords (argon2id), server-side sessions and CSRF tokens.

The cookie carries a random token; the store keeps only its SHA-256, the user's name and
when the session started and was last used. Every request reads the user's role afresh,
so logout, a role change, a password reset or `arbridge user disable` take effect at once.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from hashlib import sha256

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from arbridge.store import Store, users

SESSION_COOKIE = "arbridge_session"
_HASHER = PasswordHasher()
_TOUCH_EVERY = timedelta(seconds=60)  # how stale `seen_at` may be before it is written again


class Role(IntEnum):
    """What a user may do; each role from VIEWER up may do what the ones below it may.

    Two roles stand beside that ladder (see `permits`):
    SALES_MANAGER, below it, reads the commissions page (as admins do) and nothing else,
    and changes nothing. COLLECTOR works the collections (worklist, notes, promises, plans,
    disputes, dunning) and reads the rest like a viewer, but resolves no cash items; its
    value 0 keeps every `role >= CLERK` check false for it.
    """

    SALES_MANAGER = -1
    COLLECTOR = 0
    VIEWER = 1
    CLERK = 2
    ADMIN = 3


def permits(have: Role, need: Role) -> bool:
    """Whether a user of role `have` may do what needs role `need`."""
    if have is Role.COLLECTOR:
        return need in (Role.VIEWER, Role.COLLECTOR)
    if need is Role.COLLECTOR:
        return have >= Role.CLERK
    return have >= need


COMMISSION_READERS = frozenset({Role.ADMIN, Role.SALES_MANAGER})
"""Who may see commissions."""
SALES_MANAGER_PATHS = ("/commissions", "/logout")
"""The only pages a sales manager may open."""


@dataclass(frozen=True, slots=True)
class User:
    """A logged-in person."""

    name: str
    role: Role


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    """How long a session lives: since its last use, and at most in all."""

    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=8)
    secure_cookie: bool = False


def hash_password(password: str) -> str:
    """An argon2id hash to store instead of the password."""
    return _HASHER.hash(password)


def add_user(store: Store, name: str, password: str, role: str) -> None:
    """Create (or reset, ending their sessions) a user."""
    Role[role.upper()]  # raises KeyError for an unknown role
    with store.transaction() as session:
        users.add_user(session, name, hash_password(password), role.lower(), datetime.now(UTC))


def check_login(store: Store, name: str, password: str) -> User | None:
    """The user when name and password match and they are enabled, else None (one answer)."""
    with store.transaction() as session:
        row = users.find_user(session, name)
    if row is None:
        _HASHER.hash(password)  # spend the same time as a real check
        return None
    try:
        _HASHER.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if row.disabled:
        return None
    return User(row.name, Role[row.role.upper()])


def _digest(token: str) -> str:
    return sha256(token.encode()).hexdigest()


class Sessions:
    """Starts, finds and ends sessions in the store; derives each session's CSRF token."""

    def __init__(
        self,
        store: Store,
        secret_key: str | None,
        policy: SessionPolicy = SessionPolicy(),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store, self.policy, self._clock = store, policy, clock
        self._key = (secret_key or secrets.token_urlsafe(32)).encode()

    def start(self, user: User) -> str:
        """A fresh session of the user; returns the cookie value."""
        token = secrets.token_urlsafe(32)
        now = self._clock()
        with self._store.transaction() as session:
            users.end_stale_sessions(session, now - self.policy.idle, now - self.policy.absolute)
            users.start_session(session, _digest(token), user.name, now)
        return token

    def user_of(self, cookie: str | None) -> tuple[User, str] | None:
        """The user and session token behind a cookie; None if unknown, ended or timed out."""
        if not cookie or len(cookie) > 100:  # noqa: PLR2004 - tokens are 43 characters
            return None
        digest, now = _digest(cookie), self._clock()
        with self._store.transaction() as session:
            live = users.live_session(session, digest)
            if live is None:
                return None
            if (
                now - live.seen_at > self.policy.idle
                or now - live.created_at > self.policy.absolute
            ):
                users.end_session(session, digest)
                return None
            if now - live.seen_at > _TOUCH_EVERY:
                users.touch_session(session, digest, now)
        return User(live.name, Role[live.role.upper()]), cookie

    def end(self, token: str) -> None:
        """End one session (logout)."""
        with self._store.transaction() as session:
            users.end_session(session, _digest(token))

    def csrf_token(self, session_token: str) -> str:
        """The CSRF token of one session (an HMAC of its token)."""
        return hmac.new(self._key, session_token.encode(), sha256).hexdigest()

    def csrf_ok(self, session_token: str, token: str | None) -> bool:
        """Whether a submitted form carries this session's CSRF token."""
        return bool(token) and hmac.compare_digest(self.csrf_token(session_token), token or "")
