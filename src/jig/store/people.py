"""Users, roles and tokens of the joint cell. Tokens are shown once and kept as SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select

from jig.store import audit
from jig.store.store import JOINT, Store, now
from jig.store.tables import Token, User

ROLES = ("analyst", "lead", "reviewer", "observer")
PARTY_ROLES = ("analyst", "lead")


@dataclass(frozen=True)
class Principal:
    """Who is asking: a user with a role, and for party roles the party (its workspace)."""

    name: str
    role: str  # analyst, lead, reviewer, observer; "open" when the store has no users
    party: str | None = None

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


def issue_token(store: Store, name: str, by: str = "admin") -> str:
    token = "jig_" + secrets.token_urlsafe(32)
    with store.writing() as s:
        user = s.scalar(select(User).where(User.name == name))
        if user is None:
            raise ValueError(f"no user {name!r}")
        s.add(Token(user_row=user.row, token_hash=digest(token), created_at=now()))
        audit.append(s, by, "token.issue", f"user {name}", {})
    return token


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
    with store.sessions() as s:
        row = s.execute(select(User).join(Token, Token.user_row == User.row).where(
            Token.token_hash == digest(token), Token.revoked_at.is_(None))).scalar()
        return Principal(row.name, row.role, row.party) if row is not None else None


def list_users(store: Store) -> list[User]:
    with store.sessions() as s:
        return list(s.scalars(select(User).order_by(User.name)))
