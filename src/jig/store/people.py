"""Users, roles and tokens of the joint cell. Tokens are shown once and kept as SHA-256."""

from __future__ import annotations

import getpass
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from jig.store import audit
from jig.store.store import JOINT, Store, now
from jig.store.tables import Token, User

ROLES = ("analyst", "lead", "reviewer", "observer")
PARTY_ROLES = ("analyst", "lead")
TOKEN_DAYS = 90  # a token's life unless the admin says otherwise
# A sign-in is an audit entry at most this often per token: a token holder calling /me in a
# loop must not be able to flood the log.
SIGN_IN_EVERY = timedelta(hours=1)


def operator() -> str:
    """Who runs a command-line admin act: the operating-system user, for the audit trail."""
    try:
        return f"os:{getpass.getuser()}"
    except (KeyError, OSError):  # no name for this uid (a bare container)
        import os

        return f"os:uid {os.getuid()}"


@dataclass(frozen=True)
class Principal:
    """Who is asking: a user with a role, and for party roles the party (its workspace)."""

    name: str
    role: str  # analyst, lead, reviewer, observer; "open" when the store has no users
    party: str | None = None
    token: int | None = None  # the token's number, to sign in once per `SIGN_IN_EVERY`

    @property
    def scope(self) -> str:
        """What the principal sees: its party's headquarters, or the joint centre."""
        return self.party if self.party is not None else JOINT


OPEN = Principal("local", "open", None)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_user(store: Store, name: str, role: str, party: str | None, by: str = "admin") -> User:
    if role not in ROLES:
        raise ValueError(f"role {role!r}: use one of {', '.join(ROLES)}")
    if (role in PARTY_ROLES) != (party is not None):
        raise ValueError("analysts and leads belong to a party (--party); reviewers and "
                         "observers to none")
    with store.writing() as s:
        if s.scalar(select(User).where(User.name == name)) is not None:
            raise ValueError(f"user {name!r} exists")
        user = User(name=name, role=role, party=party, created_at=now())
        s.add(user)
        s.flush()
        audit.append(s, by, "user.add", f"user {name}", {"role": role, "party": party})
        return user


def issue_token(store: Store, name: str, by: str = "admin", days: float = TOKEN_DAYS) -> str:
    """A new token for the user, valid for `days` (shown once: only its hash is kept)."""
    if not 0 < days <= 3660:
        raise ValueError(f"a token lives between a moment and ten years, not {days} days")
    token = "jig_" + secrets.token_urlsafe(32)
    with store.writing() as s:
        user = s.scalar(select(User).where(User.name == name))
        if user is None:
            raise ValueError(f"no user {name!r}")
        t = Token(user_row=user.row, token_hash=digest(token), created_at=now(),
                  expires_at=now() + timedelta(days=days))
        s.add(t)
        s.flush()
        audit.append(s, by, "token.issue", f"user {name}",
                     {"token": t.row, "expires_at": t.expires_at.isoformat()})
    return token


def list_tokens(store: Store, name: str) -> list[Token]:
    with store.sessions() as s:
        user = s.scalar(select(User).where(User.name == name))
        if user is None:
            raise ValueError(f"no user {name!r}")
        return list(s.scalars(select(Token).where(Token.user_row == user.row)
                              .order_by(Token.row)))


def revoke_token(store: Store, token_id: int, by: str = "admin") -> Token:
    """Revoke one token by its number (`jig admin tokens NAME` lists them)."""
    with store.writing() as s:
        t = s.get(Token, token_id)
        if t is None:
            raise ValueError(f"no token {token_id}")
        if t.revoked_at is None:
            t.revoked_at = now()
        user = s.get(User, t.user_row)
        audit.append(s, by, "token.revoke", f"user {user.name if user else '?'}",
                     {"token": token_id})
        return t


def revoke_tokens(store: Store, name: str, by: str = "admin") -> int:
    with store.writing() as s:
        user = s.scalar(select(User).where(User.name == name))
        if user is None:
            raise ValueError(f"no user {name!r}")
        # Row by row, not one UPDATE statement: the log records each row a session changes.
        live = list(s.scalars(select(Token).where(Token.user_row == user.row,
                                                  Token.revoked_at.is_(None))))
        for token in live:
            token.revoked_at = now()
        audit.append(s, by, "token.revoke", f"user {name}", {"revoked": len(live)})
        return len(live)


def has_users(store: Store) -> bool:
    with store.sessions() as s:
        return bool(s.scalar(select(func.count()).select_from(User)))


def principal_for(store: Store, token: str) -> Principal | None:
    """Who holds this token, unless it is unknown, revoked or expired."""
    with store.sessions() as s:
        got = s.execute(select(User, Token).join(Token, Token.user_row == User.row).where(
            Token.token_hash == digest(token), Token.revoked_at.is_(None))).first()
        if got is None:
            return None
        user, t = got
        if t.expires_at is not None and t.expires_at <= now():
            return None
        return Principal(user.name, user.role, user.party, t.row)


def sign_in(store: Store, p: Principal) -> bool:
    """Record a sign-in in the audit trail, unless this token signed in within the last
    `SIGN_IN_EVERY`. Returns whether it was recorded."""
    if p.token is None:
        return False
    with store.writing() as s:
        t = s.get(Token, p.token)
        if t is None:
            return False
        last: datetime | None = t.last_login_at
        if last is not None and now() - last < SIGN_IN_EVERY:
            return False
        t.last_login_at = now()
        audit.append(s, p.name, "login", f"user {p.name}", {"role": p.role})
        return True


def list_users(store: Store) -> list[User]:
    with store.sessions() as s:
        return list(s.scalars(select(User).order_by(User.name)))
