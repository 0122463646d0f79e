"""Withheld fields encrypted at rest, with a key per workspace, when one is configured.

A party's incident revisions are stored with every field that a release can withhold (all but
the judged ones) sealed with AES-GCM under that party's key: a copy of the database hands over
where and when things happened and who did them, not a party's sources, grades or notes. The
judged fields stay in clear: the store indexes and judges on them, and they are never withheld.
The associated data binds each ciphertext to its workspace, incident and revision, so a sealed
value cannot be moved to another record.

Keys are files `<workspace>.key` (32 random bytes, base64) in a folder given to the service;
`jig admin key PARTY --keys DIR` makes one. Sealing and opening happen as rows are written and
loaded (SQLAlchemy events), so the rest of the store reads plain records. A party's air
notices are sealed the same way (all but id and party), and so are the workspace's commitment
secret and the rows its bulk jobs set aside.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from jig.records import JUDGED_FIELDS
from jig.store.audit import AT_REST
from jig.store.tables import AirNoticeRevision, IncidentRevision

log = logging.getLogger("jig.store")
SEALED = "_sealed"
# The fields the engine judges on: never withheld, so never sealed.
OPEN = JUDGED_FIELDS
_KEYS: dict[int, dict[str, bytes]] = {}  # by engine


def read_keys(folder: Path) -> dict[str, bytes]:
    """Every `<workspace>.key` in the folder; ValueError naming a file that is not a key, or
    a folder that does not exist (a typo in a unit file made a server that reported itself
    ready while no party with a key could file anything: an operator's review)."""
    if not folder.is_dir():
        raise ValueError(f"{folder}: no such folder of at-rest keys (`jig admin key PARTY "
                         f"--keys {folder}` makes one)")
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


@dataclass(frozen=True)
class Kind:
    """A kind of record kept sealed: the fields left in clear, whose key seals it, and the
    associated data that binds a ciphertext to its record."""

    name: str
    clear: frozenset[str]
    owner: Callable[[Any], str]
    aad: Callable[[Any], bytes]


# The judged fields of an incident stay in clear: the store indexes and judges on them. Of an
# air notice, the other side may learn where and when two flights come too close (an alert),
# never its shape, band, kind or actor: only the id and party stay in clear, as their columns.
KINDS = {
    IncidentRevision: Kind("incident", OPEN, lambda r: r.workspace, lambda r: (
        f"incident\x1f{r.workspace}\x1f{r.incident_id}\x1f{r.revision}".encode())),
    AirNoticeRevision: Kind("air notice", frozenset({"id", "party"}), lambda r: r.party,
                            lambda r: f"air\x1f{r.party}\x1f{r.notice_id}\x1f{r.revision}".encode()),
}
UNOPENED = "_unopened"  # set on a row whose sealed fields its key was not there to open


def _seal_record(kind: Kind, row: Any, key: bytes) -> dict[str, Any]:
    record = dict(row.record)
    hidden = {k: v for k, v in record.items() if k not in kind.clear}
    if not hidden:
        return record
    out = {k: v for k, v in record.items() if k in kind.clear}
    out[SEALED] = seal_bytes(key, json.dumps(hidden, sort_keys=True).encode(), kind.aad(row))
    return out


def as_stored(s: Session, row: Any) -> dict[str, Any]:
    """The record of a revision as it is stored (sealed when its workspace has a key), for
    inserts that bypass the ORM's events (`jig.store.bulk`)."""
    key = key_for(s, row.workspace)
    return row.record if key is None else _seal_record(KINDS[IncidentRevision], row, key)


_TOLD: set[tuple[str, str]] = set()  # (kind, owner) whose missing key was logged


def _open_record(kind: Kind, row: Any, key: bytes | None) -> dict[str, Any]:
    record = dict(row.record)
    sealed = record.pop(SEALED, None)
    if sealed is None:
        return record
    owner = kind.owner(row)
    if key is None:
        if (kind.name, owner) not in _TOLD:  # once: a line a row was 6,027 lines of verify
            _TOLD.add((kind.name, owner))
            log.warning("%ss of %s are sealed and its key is not configured: their sealed "
                        "fields are not shown (first: %s)", kind.name, owner, record.get("id"))
        row.__dict__[UNOPENED] = True
        return record
    try:
        return record | json.loads(open_bytes(key, sealed, kind.aad(row)))
    except InvalidTag:
        log.error("%s %s of %s: its sealed fields do not open with the configured key",
                  kind.name, record.get("id"), owner)
        row.__dict__[UNOPENED] = True
        return record


class SealedWithoutKey(LookupError):
    """A record is needed whole, and its owner's key is not configured to open it."""


def require_open(row: Any) -> Any:
    """The row, whose record must be whole (to deconflict an air notice, say)."""
    if row.__dict__.get(UNOPENED):
        kind = KINDS[type(row)]
        # The party, not the record: the message goes to whoever asked, the other side too.
        owner = kind.owner(row)
        raise SealedWithoutKey(f"{kind.name}s of {owner} are sealed at rest and {owner}'s key "
                               "is not configured, or does not open them (jig serve --keys)")
    return row


def _listen(cls: type, kind: Kind) -> None:
    @event.listens_for(cls, "before_insert")
    def before_insert(mapper: Any, connection: Any, row: Any) -> None:
        key = _KEYS.get(id(connection.engine), {}).get(kind.owner(row))
        if key is not None:
            row._plain = row.record
            row.record = _seal_record(kind, row, key)

    @event.listens_for(cls, "after_insert")
    def after_insert(mapper: Any, connection: Any, row: Any) -> None:
        plain = row.__dict__.pop("_plain", None)
        if plain is not None:  # the rest of the transaction works with the plain record
            row.__dict__[AT_REST] = {"record": row.record}  # what the log records, as stored
            set_committed_value(row, "record", plain)

    @event.listens_for(cls, "load")
    def on_load(row: Any, context: Any) -> None:
        if isinstance(row.__dict__.get("record"), dict) and SEALED in row.record:
            row.__dict__[AT_REST] = {"record": row.record}
            set_committed_value(row, "record", _open_record(
                kind, row, key_for(context.session, kind.owner(row))))

    @event.listens_for(cls, "refresh")
    def on_refresh(row: Any, context: Any, attrs: Any) -> None:
        on_load(row, context)


for _cls, _kind in KINDS.items():
    _listen(_cls, _kind)


# -- free text kept beside a party's records (a bulk job's rejected rows) -----------------------

TEXT = "jig-sealed-v1:"


def seal_text(s: Session, owner: str, text: str, aad: bytes) -> str:
    """`text` sealed under the owner's key, or as it is when the owner has none."""
    key = key_for(s, owner)
    return text if key is None else TEXT + seal_bytes(key, text.encode(), aad)


def open_text(s: Session, owner: str, stored: str, aad: bytes) -> str:
    """What `seal_text` sealed, or "(sealed)" when the owner's key is not configured."""
    if not stored.startswith(TEXT):
        return stored
    key = key_for(s, owner)
    try:
        if key is not None:
            return open_bytes(key, stored[len(TEXT):], aad).decode()
    except (InvalidTag, ValueError):
        pass
    return "(sealed: the key of " + owner + " is not configured)"
