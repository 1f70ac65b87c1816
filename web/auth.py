"""Users, passwords (argon2id), signed session cookies and CSRF tokens."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum
from hashlib import sha256

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer

from arbridge.store import Store, users

SESSION_COOKIE = "arbridge_session"
SESSION_MAX_AGE = 8 * 3600  # a working day
_HASHER = PasswordHasher()


class Role(IntEnum):
    """What a user may do; each role may do what the ones below it may."""

    VIEWER = 1
    CLERK = 2
    ADMIN = 3


@dataclass(frozen=True, slots=True)
class User:
    """A logged-in person."""

    name: str
    role: Role


def hash_password(password: str) -> str:
    """An argon2id hash to store instead of the password."""
    return _HASHER.hash(password)


def add_user(store: Store, name: str, password: str, role: str) -> None:
    """Create (or reset) a user."""
    Role[role.upper()]  # raises KeyError for an unknown role
    with store.transaction() as session:
        users.add_user(session, name, hash_password(password), role.lower(), datetime.now(UTC))


def check_login(store: Store, name: str, password: str) -> User | None:
    """The user when name and password match, else None (same answer for either mistake)."""
    with store.transaction() as session:
        row = users.find_user(session, name)
    if row is None:
        _HASHER.hash(password)  # spend the same time as a real check
        return None
    try:
        _HASHER.verify(row.password_hash, password)
    except VerificationError:
        return None
    return User(row.name, Role[row.role.upper()])


class Sessions:
    """Signs the session cookie and derives each session's CSRF token."""

    def __init__(self, secret_key: str | None) -> None:
        self._key = secret_key or secrets.token_urlsafe(32)
        self._signer = URLSafeTimedSerializer(self._key, salt="arbridge-session")

    def cookie_for(self, user: User) -> str:
        """The signed cookie value for a fresh session."""
        return self._signer.dumps({"u": user.name, "r": user.role.name, "n": secrets.token_hex(8)})

    def user_of(self, cookie: str | None) -> tuple[User, str] | None:
        """The user and session token behind a cookie, or None if missing, forged or expired."""
        if not cookie:
            return None
        try:
            data = self._signer.loads(cookie, max_age=SESSION_MAX_AGE)
        except BadSignature:
            return None
        return User(str(data["u"]), Role[str(data["r"])]), str(data["n"])

    def csrf_token(self, session_token: str) -> str:
        """The CSRF token of one session (an HMAC of its random part)."""
        return hmac.new(self._key.encode(), session_token.encode(), sha256).hexdigest()

    def csrf_ok(self, session_token: str, token: str | None) -> bool:
        """Whether a submitted form carries this session's CSRF token."""
        return bool(token) and hmac.compare_digest(self.csrf_token(session_token), token or "")
