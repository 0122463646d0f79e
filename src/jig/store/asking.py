"""What a request asks the store before it reads, in one statement: whether the store has
users, who holds the token, and whether the agreement versions this process knows are still
all there are.

The map asks on every pan and zoom, and each round trip to the database costs more than the
work on a busy machine: asked one by one (users, the token, the versions twice) these were
three of a view's five statements, each on its own connection. Nothing is cached between
requests here: the token is looked up on every request, so a revoked or expired token is
refused on the next one, and the versions' stamp is read in the same statement, so a version
accepted through another process is used from the next request on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, false, select, true
from sqlalchemy.orm import Session

from jig.store.judging import now
from jig.store.people import Principal, digest
from jig.store.tables import AgreementVersion, Token, User
from jig.store.versions import STAMP, stamp_columns


@dataclass(frozen=True)
class Asked:
    locked: bool  # the store has users: every request needs a token
    principal: Principal | None  # who holds the token; None: none given, unknown, revoked, expired


def ask(s: Session, token: str | None) -> Asked:
    """Who holds `token` and whether the store has users, in one statement that also reads
    the versions' stamp into the session (`versions.Catalog` reads the versions through it
    without asking again). Use the session for the request's reads."""
    count, last = stamp_columns()
    versions = select(count.label("n"), last.label("last")).select_from(AgreementVersion) \
        .subquery()
    match = Token.token_hash == digest(token) if token else false()
    holder = (select(User.name, User.role, User.party, Token.row.label("token"),
                     Token.expires_at)
              .join(Token, Token.user_row == User.row)
              .where(match, Token.revoked_at.is_(None))).subquery()
    row = s.execute(select(versions.c.n, versions.c.last, exists(select(User.row)),
                           holder.c.name, holder.c.role, holder.c.party, holder.c.token,
                           holder.c.expires_at)
                    .select_from(versions.outerjoin(holder, true()))).one()
    n, last_row, locked, name, role, party, token_row, expires_at = row
    s.info[STAMP] = (n, last_row)
    principal = None
    if name is not None and not _expired(expires_at):
        principal = Principal(name, role, party, token_row)
    return Asked(bool(locked), principal)


def _expired(at: datetime | None) -> bool:
    return at is not None and at <= now()


__all__ = ["Asked", "ask"]
