"""Withheld fields encrypted at rest, with a key per workspace, when one is configured.

A party's incident revisions are stored with every field that a release can withhold (all but
the judged ones) sealed with AES-GCM under that party's key: a copy of the database hands over
where and when things happened and who did them, not a party's sources, grades or notes. The
judged fields stay in clear: the store indexes and judges on them, and they are never withheld.
The associated data binds each ciphertext to its workspace, incident and revision, so a sealed
value cannot be moved to another record.

Keys are files `<workspace>.key` (32 random bytes, base64) in a folder given to the service;
`jig admin key PARTY --keys DIR` makes one. Sealing and opening happen as rows are written and
loaded (SQLAlchemy events), so the rest of the store reads plain records. The workspace's
commitment secret is sealed under the same key.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from jig.store.audit import AT_REST
from jig.store.tables import IncidentRevision

log = logging.getLogger("jig.store")
SEALED = "_sealed"
# The fields the engine judges on: never withheld, so never sealed.
OPEN = frozenset({"id", "time", "lon", "lat", "precision_m", "actor", "target", "act",
                  "weapon"})
_KEYS: dict[int, dict[str, bytes]] = {}  # by engine


def read_keys(folder: Path) -> dict[str, bytes]:
    """Every `<workspace>.key` in the folder; ValueError naming a file that is not a key."""
    keys = {}
    for f in sorted(folder.glob("*.key")):
        try:
            raw = base64.b64decode(f.read_text().strip(), validate=True)
        except ValueError:
            raw = b""
        if len(raw) != 32:
            raise ValueError(f"{f}: not a key (32 bytes, base64); make one with "
                             f"`jig admin key {f.stem} --keys {folder}`")
        keys[f.stem] = raw
    return keys


def write_key(folder: Path, workspace: str) -> Path:
    """A new random key for a workspace, readable by this user only; never overwrites."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / f"{workspace}.key"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(base64.b64encode(AESGCM.generate_key(bit_length=256)).decode() + "\n")
    return path


def configure(engine: Engine, keys: Mapping[str, bytes]) -> None:
    _KEYS[id(engine)] = dict(keys)


def key_for(s: Session, workspace: str) -> bytes | None:
    bind = s.get_bind()
    engine = getattr(bind, "engine", bind)
    return _KEYS.get(id(engine), {}).get(workspace)


def seal_bytes(key: bytes, data: bytes, aad: bytes) -> str:
    nonce = os.urandom(12)
    return base64.b64encode(nonce + AESGCM(key).encrypt(nonce, data, aad)).decode()


def open_bytes(key: bytes, sealed: str, aad: bytes) -> bytes:
    raw = base64.b64decode(sealed)
    return AESGCM(key).decrypt(raw[:12], raw[12:], aad)


def _aad(row: Any) -> bytes:
    return f"incident\x1f{row.workspace}\x1f{row.incident_id}\x1f{row.revision}".encode()


def _seal_record(row: Any, key: bytes) -> dict[str, Any]:
    record = dict(row.record)
    hidden = {k: v for k, v in record.items() if k not in OPEN}
    if not hidden:
        return record
    out = {k: v for k, v in record.items() if k in OPEN}
    out[SEALED] = seal_bytes(key, json.dumps(hidden, sort_keys=True).encode(), _aad(row))
    return out


def as_stored(s: Session, row: Any) -> dict[str, Any]:
    """The record of a revision as it is stored (sealed when its workspace has a key), for
    inserts that bypass the ORM's events (`jig.store.bulk`)."""
    key = key_for(s, row.workspace)
    return row.record if key is None else _seal_record(row, key)


def _open_record(row: IncidentRevision, key: bytes | None) -> dict[str, Any]:
    record = dict(row.record)
    sealed = record.pop(SEALED, None)
    if sealed is None:
        return record
    if key is None:
        log.warning("incident %s of %s is sealed and its workspace's key is not configured: "
                    "its unjudged fields are not shown", row.incident_id, row.workspace)
        return record
    try:
        return record | json.loads(open_bytes(key, sealed, _aad(row)))
    except InvalidTag:
        log.error("incident %s of %s: its sealed fields do not open with the configured key",
                  row.incident_id, row.workspace)
        return record


@event.listens_for(IncidentRevision, "before_insert")
def _before_insert(mapper: Any, connection: Any, row: IncidentRevision) -> None:
    key = _KEYS.get(id(connection.engine), {}).get(row.workspace)
    if key is not None:
        row._plain = row.record  # type: ignore[attr-defined]
        row.record = _seal_record(row, key)


@event.listens_for(IncidentRevision, "after_insert")
def _after_insert(mapper: Any, connection: Any, row: IncidentRevision) -> None:
    plain = row.__dict__.pop("_plain", None)
    if plain is not None:  # the rest of the transaction works with the plain record
        row.__dict__[AT_REST] = {"record": row.record}  # what the log records, as stored
        set_committed_value(row, "record", plain)


@event.listens_for(IncidentRevision, "load")
def _on_load(row: IncidentRevision, context: Any) -> None:
    if isinstance(row.__dict__.get("record"), dict) and SEALED in row.record:
        row.__dict__[AT_REST] = {"record": row.record}
        set_committed_value(row, "record", _open_record(row, key_for(context.session,
                                                                        row.workspace)))


@event.listens_for(IncidentRevision, "refresh")
def _on_refresh(row: IncidentRevision, context: Any, attrs: Any) -> None:
    _on_load(row, context)
