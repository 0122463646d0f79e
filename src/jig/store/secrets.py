"""Each workspace's secret, for the commitments (HMAC) that stand for its records' contents.

A plain digest of a record with a withheld field lets anyone who sees the digest test guesses
of that field offline; an HMAC under a secret only the store holds does not. The joint centre
withholds nothing, so its records keep plain SHA-256 (anyone may recompute it).
"""

from __future__ import annotations

import base64
import os
import secrets as _random

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from jig.store import audit
from jig.store.sealing import SealedWithoutKey, key_for, open_bytes, seal_bytes
from jig.store.tables import WorkspaceSecret

JOINT = "joint"


def workspace_secret(s: Session, workspace: str) -> bytes | None:
    """The workspace's secret (made on first use; None for the joint centre). With the
    workspace's at-rest key configured (`sealing`), it is stored sealed under that key, so a
    copy of the database cannot test guesses against the commitments either."""
    if workspace == JOINT:
        return None
    key = key_for(s, workspace)
    row = s.get(WorkspaceSecret, workspace)
    if row is None:
        insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
        fresh = _random.token_hex(32)
        stored = SEALED + seal_bytes(key, fresh.encode(), _aad(workspace)) if key else fresh
        # Two writers may make the first record of a workspace at once: the first secret wins.
        made = s.execute(insert(WorkspaceSecret).values(workspace=workspace, secret=stored)
                         .on_conflict_do_nothing(index_elements=["workspace"])
                         .returning(WorkspaceSecret.workspace)).first()
        row = s.get(WorkspaceSecret, workspace)
        assert row is not None
        if made is not None:  # this insert made it (rowcount is -1 here on PostgreSQL)
            audit.written(s, row)  # a Core insert: the session's watch does not see it
    if row.secret.startswith(SEALED):
        if key is None:
            raise SealedWithoutKey(f"workspace {workspace}'s secret is sealed at rest and "
                                   f"{workspace}'s key is not configured (jig serve --keys)")
        return bytes.fromhex(open_bytes(key, row.secret[len(SEALED):],
                                        _aad(workspace)).decode())
    plain = row.secret
    if key is not None:  # a key configured since: seal the secret (kept when writing)
        row.secret = SEALED + seal_bytes(key, plain.encode(), _aad(workspace))
    return bytes.fromhex(plain)


def _aad(workspace: str) -> bytes:
    return f"secret\x1f{workspace}".encode()


SEALED = "sealed:"


# The service's own secret, kept beside the workspaces' under a name no party can have.
SERVICE = "~service"


def seal_cursor(s: Session, row: int) -> str:
    """A page cursor that does not show the storage row it stands for: rows count every
    workspace's records, so a bare row number would tell how many were held back between two
    records one may see."""
    key = workspace_secret(s, SERVICE)
    assert key is not None
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, row.to_bytes(8, "big"), b"cursor")
    return base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def open_cursor(s: Session, cursor: str) -> int:
    """The row a cursor stands for; ValueError when it is not one this store sealed."""
    key = workspace_secret(s, SERVICE)
    assert key is not None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return int.from_bytes(AESGCM(key).decrypt(raw[:12], raw[12:], b"cursor"), "big")
    except (ValueError, InvalidTag) as exc:
        raise ValueError("not a cursor of this store") from exc
