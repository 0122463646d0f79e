"""What every route needs: the store, the job worker, the settings, and who is asking."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from sqlalchemy.orm import Session

from jig.service.errors import ApiError
from jig.service.jobs import Worker
from jig.service.settings import Settings
from jig.store import Store
from jig.store.asking import ask
from jig.store.people import OPEN, Principal, has_users, principal_for
from jig.store.reviews import EVERYONE


@dataclass
class Context:
    settings: Settings
    store: Store
    worker: Worker | None
    _locked: bool = field(default=False)

    def locked(self) -> bool:
        """Whether the store has users: from then on every request needs a token. A store
        without users is one analyst's own (the README's first steps); it answers openly."""
        if not self._locked:
            self._locked = has_users(self.store)
        return self._locked


def context(request: Request) -> Context:
    return request.app.state.jig


def _bearer(request: Request) -> str:
    """The request's token; 401 when it sends none."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "auth.missing", "sign in: send Authorization: Bearer <token>")
    return token.strip()


def _known(p: Principal | None) -> Principal:
    if p is None:
        raise ApiError(401, "auth.invalid", "the token is unknown, expired or revoked")
    return p


def who(request: Request) -> Principal:
    ctx: Context = request.app.state.jig
    if not ctx.locked():
        return OPEN
    return _known(principal_for(ctx.store, _bearer(request)))


def signs_in(request: Request) -> None:
    """For the routes that look up who asks with `reading`: a request whose parameters are
    invalid is answered 401 first when it is not signed in (`errors.install`), as the routes
    taking `Who` do (FastAPI checks dependencies before parameters)."""
    request.state.signs_in = True


@contextmanager
def reading(request: Request) -> Iterator[tuple[Principal, Session]]:
    """`who` and a session to read with, for the map's requests (made on every pan and zoom):
    who asks, whether the store has users and the agreement versions' stamp are one statement
    on the session the request then reads through (`store.asking`), not three on connections
    of their own. The session's reads use the versions as of that statement."""
    ctx: Context = request.app.state.jig
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    with ctx.store.sessions() as s:
        asked = ask(s, token.strip() if scheme.lower() == "bearer" else None)
        ctx._locked = ctx._locked or asked.locked
        p = OPEN
        if ctx._locked:
            _bearer(request)  # 401 when none is sent
            p = _known(asked.principal)
        yield p, s


Who = Annotated[Principal, Depends(who)]


def allow(p: Principal, *roles: str) -> None:
    """403 unless the principal has one of `roles` (an open store allows everything)."""
    if p.role != "open" and p.role not in roles:
        raise ApiError(403, "forbidden", f"a {p.role} may not do this "
                       f"(needs: {', '.join(roles)})")


def viewer(p: Principal) -> str | None:
    """Whose determinations in progress a user may read (`jig.store.reviews.sealed_for`):
    its own party's; none for a reviewer; every party's in a store without users."""
    return EVERYONE if p.role == "open" else p.party


def allow_agreement_change(ctx: Context, p: Principal, *roles: str) -> None:
    """`allow`, and in a store without users (where nobody signs in), only with the
    operator's `open_agreements` (`jig serve --open`): an agreement decides every verdict, and
    parsing one is the costliest thing a request can ask, so anyone who can reach the port
    must not be able to replace it."""
    if p.role == "open" and not ctx.settings.open_agreements:
        raise ApiError(403, "agreement.open_store", "this store has no users, so nobody can "
                       "sign in to change its agreements: give them to `jig serve --agreement "
                       "FILE`, add users (`jig admin add-user`), or start the server with --open")
    allow(p, *roles)


def own_party(p: Principal, party: str | None, what: str) -> str | None:
    """A party role acts for its own party only; 403 naming the mismatch."""
    if p.role in ("analyst", "lead") and party is not None and party != p.party:
        raise ApiError(403, "forbidden", f"{p.name} acts for {p.party}, not for {party} "
                       f"({what})")
    return p.party if party is None and p.party is not None else party


# Numbers a caller sends for stored rows: out of range is a 422 naming the parameter, never
# a database overflow (500).
MAX_ROW = 2**62
RowNumber = Annotated[int, Path(ge=1, le=MAX_ROW)]
After = Annotated[int, Query(ge=0, le=MAX_ROW, description="Rows after this one")]
Limit = Annotated[int, Query(ge=1, le=10_000, description="At most this many")]
