"""The log that binds the store's state: every write is an entry, every entry a leaf of a
Merkle tree (RFC 9162, `jig.merkle`), and the tree's heads are signed (`jig.signing`).

One path for every write: the store's sessions are watched (`watch`), so each state row a
transaction inserts, changes or deletes is recorded with its full image in an entry of that
transaction. `append` names the act (who did what to what) and closes the entry; rows written
without one still get an entry at commit, as "write". `jig audit verify`
(`jig.store.rebuild`) replays the images and compares them with the tables.

An entry commits to each of its parts (the acts, then each row) through a salted hash,
HMAC-SHA256 under a salt of its own derived from a random per-entry secret. The leaf, what the
tree and every proof are made of, holds only those digests: an inclusion proof can open one
part (a published determination) and gives nothing to test a guess of another against.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, event, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker

from jig import merkle
from jig.signing import sign_head
from jig.store.keys import Keys
from jig.store.tables import AuditEntry, UtcDateTime

# Not state: the log itself (each entry carries its signed head), and the background jobs'
# bookkeeping (progress and the rows a job set aside, which decide nothing).
# map_counts is derived from the verdict heads: rebuilt and checked, not logged (`mapcounts`).
# Names of tables only (a test holds them to it): a name that is none would leave a future
# table of that name out of the log unseen.
NOT_STATE = frozenset({"audit_log", "jobs", "job_rejects", "map_counts"})
# Columns the log holds as a digest, not as they are: a workspace's commitment secret in the
# log would let whoever reads the log test guesses against its commitments; its digest still
# shows any change to it.
DIGESTED = {"workspace_secrets": frozenset({"secret"})}
_PENDING = "jig.log.rows"  # rows this transaction wrote and no entry holds yet
_OWN = "jig.log.own"  # (seq, leaf hash) of the entries this transaction wrote
_HEAD = "jig.log.head"  # the signed head of the last entry this transaction wrote
# The newest signed head this server committed, kept beside its key, outside the database:
# someone who can write the database but not this folder could otherwise delete the last
# entries together with the rows they wrote (a token's revocation, say), leaving an earlier
# log that verifies. `verify` checks the log extends it. One file a log, named by its first
# entry's leaf hash: a key folder can serve several stores (a restored copy shares its log's).
WITNESS = "log-head-{log}.json"
LOG = "jig.log"  # the store's Log, in every session's info
AT_REST = "_at_rest"  # an object's column values as stored, where they differ (`sealing`)


def witness_path(keys: Keys, first_leaf: bytes) -> Path:
    return keys.folder / WITNESS.format(log=first_leaf.hex()[:16])


# One encoder for every call: `json.dumps` with options builds a new one each time, an eighth
# of encoding a row's image (and intake encodes every row it writes).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                              default=str)


def canonical(value: Any) -> bytes:
    return _CANONICAL.encode(value).encode()


def plain(value: Any) -> Any:
    """A column value as the log keeps it: times in UTC ISO 8601, the rest as JSON has it."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value


@functools.cache
def _shape(cls: type) -> tuple[str | None, tuple[str, ...], tuple[str, ...]]:
    """A mapped class's state table (None if not state), key attributes and columns: looked up
    once, since every row a transaction writes asks."""
    mapper = inspect(cls)
    name = mapper.local_table.name
    return (None if name in NOT_STATE else name,
            tuple(mapper.get_property_by_column(c).key for c in mapper.primary_key),
            tuple(a.key for a in mapper.column_attrs))


@functools.cache
def _digested(cls: type) -> frozenset[str]:
    """The columns of a class's table that the log keeps as digests (secrets)."""
    return DIGESTED.get(inspect(cls).local_table.name, frozenset())


def _digest(image: dict[str, Any], digested: frozenset[str]) -> dict[str, Any]:
    for k in digested:
        if image[k] is not None:
            image[k] = "sha256:" + hashlib.sha256(str(image[k]).encode()).hexdigest()
    return image


@functools.cache
def _time_columns(cls: type) -> tuple[str, ...]:
    mapper = inspect(cls)
    return tuple(a.key for a in mapper.column_attrs
                 if isinstance(a.columns[0].type, DateTime | UtcDateTime))


def table_of(obj: Any) -> str | None:
    """The state table an ORM object is a row of, or None for what is not state."""
    return _shape(type(obj))[0]


def row_key(obj: Any) -> str:
    # Not `identity`: new objects get theirs only after the flush's events.
    return "/".join(str(getattr(obj, k)) for k in _shape(type(obj))[1])


def row_image(obj: Any) -> dict[str, Any]:
    """The row as stored: a value kept sealed at rest (`sealing`) is logged sealed, so the
    log hands a thief no more than the table does; a secret is logged as its digest."""
    stored = obj.__dict__.get(AT_REST, {})
    _, _, columns = _shape(type(obj))
    image = {k: plain(stored.get(k, getattr(obj, k))) for k in columns}
    return _digest(image, _digested(type(obj)))


def written(s: Session, obj: Any) -> None:
    """Log a row written past the session's watch (a Core insert) with this transaction."""
    s.info.setdefault(_PENDING, {})[(table_of(obj), row_key(obj))] = obj


# -- capturing every write --------------------------------------------------------------------

def watch(sessions: sessionmaker) -> None:
    """Record the state rows every session of `sessions` writes, and log them at commit."""
    event.listen(sessions, "after_flush", _collect)
    event.listen(sessions, "before_commit", _close)
    event.listen(sessions, "after_rollback", _forget)
    event.listen(sessions, "after_commit", _committed)


def _collect(session: Session, _ctx: Any) -> None:
    # After a flush the objects have their keys and the lists still show what was flushed.
    pending: dict[tuple[str, str], Any] = session.info.setdefault(_PENDING, {})
    for obj in session.new:
        if (t := table_of(obj)) is not None:
            pending[(t, row_key(obj))] = obj
    for obj in session.dirty:
        if (t := table_of(obj)) is not None and session.is_modified(obj):
            pending[(t, row_key(obj))] = obj
    for obj in session.deleted:
        if (t := table_of(obj)) is not None:
            pending[(t, row_key(obj))] = None


def stage(s: Session, cls: type, values: Iterable[dict[str, Any]]) -> None:
    """Rows a bulk insert wrote without ORM objects (`jig.store.bulk`), for this transaction's
    entry: each given with every column as stored, so its image is those values."""
    table, keys, columns = _shape(cls)
    if table is None:
        return
    pending: dict[tuple[str, str], Any] = s.info.setdefault(_PENDING, {})
    times = _time_columns(cls)  # the only columns `plain` changes
    digested = _digested(cls)
    for v in values:
        image = {c: v.get(c) for c in columns}
        for c in times:
            image[c] = plain(image[c])
        pending[(table, "/".join(str(v[k]) for k in keys))] = _digest(image, digested)


def _close(session: Session) -> None:
    session.flush()
    pending = session.info.get(_PENDING)
    if pending:
        tables = sorted({t for t, _ in pending})
        _write(session, [{"actor": "system", "action": "write", "subject": ", ".join(tables),
                          "detail": {}}])


def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_OWN, None)
    session.info.pop(_HEAD, None)


def _committed(session: Session) -> None:
    session.info.pop(_OWN, None)
    head = session.info.pop(_HEAD, None)
    log: Log | None = session.info.get(LOG)
    if head is not None and log is not None:
        log.witness(*head)


def append(s: Session, actor: str, action: str, subject: str,
           detail: dict[str, Any] | None = None) -> AuditEntry:
    """Close the entry of this transaction's writes so far, naming the act (who, what, on
    what); inside the caller's transaction, so the write and its entry commit together."""
    s.flush()
    act = {"actor": actor, "action": action, "subject": subject,
           "detail": json.loads(canonical(detail or {}))}
    return _write(s, [act])


def orders_digest(orders: dict[str, Any]) -> str:
    """A job's orders as its `job.queue` entry holds them: their SHA-256 (a bulk job's spool
    path is the server's business)."""
    return hashlib.sha256(canonical(orders)).hexdigest()


def hold_end(s: Session) -> None:
    """Hold the log's end until the transaction ends: one writer at a time appends, and a
    transaction that takes it before reading sees every write committed before its own (the
    acceptances of two proposals at once, each checking the other was not adopted)."""
    if s.get_bind().dialect.name == "postgresql":
        # Released at commit, so entries commit in the order of their numbers.
        s.execute(text("SELECT pg_advisory_xact_lock(727100)"))
    else:
        # SQLite takes its write lock at a transaction's first write, and reads before it
        # see whatever was committed then: an entry with no row written before it (the
        # log.adopt of an empty table, as two servers start on one fresh file) read the
        # log's end, and another process could append the same number before this insert
        # (`UNIQUE constraint failed: audit_log.seq`). A write that changes nothing takes
        # the lock first, so the end read below is the end this entry follows.
        s.execute(text("UPDATE audit_log SET seq = seq WHERE 0"))


def _write(s: Session, acts: list[dict[str, Any]]) -> AuditEntry:
    log: Log | None = s.info.get(LOG)
    if log is None:
        raise LookupError("this store has no key folder to sign its log with: open it with "
                          "one (jig --data, Store.open(key_folder=...))")
    pending = s.info.pop(_PENDING, {})
    rows = [[t, k, None if obj is None else obj if isinstance(obj, dict) else row_image(obj)]
            for (t, k), obj in pending.items()]
    hold_end(s)
    # This transaction's earlier entries are not committed: not in the cache, but in the tree.
    own: list[tuple[int, bytes]] = s.info.setdefault(_OWN, [])
    tree = log.tree.current(s, upto=own[0][0] - 1 if own else None)
    log.check_kept(tree)
    seq = len(tree) + len(own) + 1
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    salt = secrets.token_hex(16)
    # Each part is encoded once: its text is both what its digest covers and a piece of the
    # body's canonical JSON (keys in sorted order: acts, at, rows, salt, seq).
    acts_text, rows_text = [canonical(a) for a in acts], [canonical(r) for r in rows]
    leaf = merkle.leaf_hash(canonical({"seq": seq, "at": at,
                                       "parts": digests(salt, acts_text + rows_text)}))
    body = b'{"acts":[%s],"at":%s,"rows":[%s],"salt":"%s","seq":%d}' % (
        b",".join(acts_text), canonical(at), b",".join(rows_text), salt.encode(), seq)
    own.append((seq, leaf))
    head = sign_head(log.keys.server(), seq, tree.root_with([h for _, h in own]).hex(), at)
    s.info[_HEAD] = (head, tree.leaves[0] if len(tree) else own[0][1])
    first = acts[0]
    entry = AuditEntry(seq=seq, at=at, actor=first["actor"], action=first["action"],
                       subject=first["subject"], body=body.decode(), leaf_hash=leaf.hex(),
                       root_hash=head["root_hash"], signature=head["signature"])
    s.add(entry)
    s.flush()
    return entry


# -- leaves and their parts -------------------------------------------------------------------

def parts_of(body: dict[str, Any]) -> list[Any]:
    """What an entry commits to, in order: its acts, then each row as [table, key, image]."""
    return [*body["acts"], *body["rows"]]


def part_salt(body: dict[str, Any], index: int) -> bytes:
    return _salt(bytes.fromhex(body["salt"]), index)


def _salt(secret: bytes, index: int) -> bytes:
    return hmac.digest(secret, str(index).encode(), "sha256")


def digests(salt: str, texts: list[bytes]) -> list[str]:
    """The salted digest of each part's canonical text: HMAC-SHA256 under the part's salt
    (hmac.digest, the one-shot C path: intake computes two for every row it writes)."""
    secret = bytes.fromhex(salt)
    return [hmac.digest(_salt(secret, i), t, "sha256").hex() for i, t in enumerate(texts)]


def leaf_of(body: dict[str, Any]) -> dict[str, Any]:
    """The public form of an entry: its number, time and the salted digest of each part."""
    return {"seq": body["seq"], "at": body["at"],
            "parts": digests(body["salt"], [canonical(p) for p in parts_of(body)])}


def opening(body: dict[str, Any], index: int) -> dict[str, Any]:
    """One part of an entry opened: its index, salt and content, to check against the leaf."""
    return {"index": index, "salt": part_salt(body, index).hex(),
            "content": parts_of(body)[index]}


def body_of(entry: AuditEntry) -> dict[str, Any]:
    return json.loads(entry.body)


# -- the tree and its heads -------------------------------------------------------------------

class BrokenLog(RuntimeError):
    """The log's numbering has a gap: heads and proofs are refused until it is verified."""


class TreeCache:
    """The committed log's tree, kept in memory and extended with what was committed since."""

    def __init__(self) -> None:
        self.tree = merkle.Tree()
        self._lock = threading.Lock()

    def current(self, s: Session, upto: int | None = None) -> merkle.Tree:
        """The tree of the committed entries (up to `upto`: a writer holding the end of the
        log names where the committed ones stop)."""
        with self._lock:
            if upto is not None and len(self.tree) > upto:
                raise BrokenLog(f"the log has lost entries: it ends at {upto}, this server "
                                f"has seen {len(self.tree)}; run jig audit verify")
            q = select(AuditEntry.seq, AuditEntry.leaf_hash).where(
                AuditEntry.seq > len(self.tree)).order_by(AuditEntry.seq)
            if upto is not None:
                q = q.where(AuditEntry.seq <= upto)
            for seq, h in s.execute(q):
                if seq != len(self.tree) + 1:
                    raise BrokenLog(f"the log jumps from entry {len(self.tree)} to {seq}: "
                                    "run jig audit verify")
                self.tree.append(bytes.fromhex(h))
            return self.tree


@dataclass
class Log:
    """What a store's sessions need to write the log: its tree and the server's key."""

    tree: TreeCache
    keys: Keys
    witnessed: int = 0  # the size of the newest head this process kept in WITNESS
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _checked: bool = False

    def check_kept(self, tree: merkle.Tree) -> None:
        """Before this process first writes, the log must extend the head kept in WITNESS:
        written onto a log whose newest entries were removed, the next head would replace
        the one that shows it (a running server sees a loss itself: `TreeCache`)."""
        if self._checked or not len(tree):
            return
        kept = witnessed_head(self.keys, tree.leaves[0])
        if kept is not None and "unreadable" not in kept:
            size, root = kept.get("tree_size"), kept.get("root_hash")
            if not isinstance(size, int) or size > len(tree) or (
                    size > 0 and tree.root(size).hex() != root):
                raise BrokenLog(
                    f"the log does not extend the head this server kept in "
                    f"{witness_path(self.keys, tree.leaves[0])} ({size} entries; the log has "
                    f"{len(tree)}): "
                    "entries were removed or changed. Run jig audit verify; after restoring a "
                    "backup, move that file aside to accept what the restore lost")
        self._checked = True

    def witness(self, head: dict[str, Any], first_leaf: bytes) -> None:
        """Keep a committed head in WITNESS, replaced whole (a reader never sees half of one);
        not fsynced: a head lost in a crash leaves an older one, which the log still
        extends."""
        with self._lock:
            if head["tree_size"] <= self.witnessed:
                return
            path = witness_path(self.keys, first_leaf)
            tmp = path.with_name(f".{path.name}.{os.getpid()}")
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(head, fh)
                os.replace(tmp, path)
            except OSError as exc:  # a read-only folder: the log itself is still whole
                logging.getLogger("jig.log").warning("cannot keep the log's head in %s: %s",
                                                     path, exc)
                return
            self.witnessed = head["tree_size"]


def witnessed_head(keys: Keys, first_leaf: bytes) -> dict[str, Any] | None:
    """The head kept for the log that begins with `first_leaf`, or None when there is none
    (a store written before it, or by a process without the folder); a file that is not JSON
    is returned as it reads, for verify to name."""
    try:
        return json.loads(witness_path(keys, first_leaf).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        return {"unreadable": str(exc)}


def head_of(entry: AuditEntry, public_key: str) -> dict[str, Any]:
    """The signed tree head an entry carries: the log as it stood once the entry was in."""
    return {"tree_size": entry.seq, "root_hash": entry.root_hash, "timestamp": entry.at,
            "public_key": public_key, "signature": entry.signature}


def last_entry(s: Session) -> AuditEntry | None:
    return s.scalar(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))


def publication(s: Session, review_row: int) -> AuditEntry | None:
    """The entry that published a review: its head is the one frozen at publication."""
    return s.scalar(select(AuditEntry).where(AuditEntry.action == "review.publish",
                                             AuditEntry.subject == f"review {review_row}")
                    .order_by(AuditEntry.seq).limit(1))


def entry_writing(s: Session, table: str, key: str, action: str | None = None
                  ) -> tuple[AuditEntry, dict[str, Any], int] | None:
    """The entry that last wrote a row, its body and the index of the row's part."""
    q = select(AuditEntry).order_by(AuditEntry.seq.desc())
    if action is not None:
        q = q.where(AuditEntry.action == action)
    for entry in s.scalars(q):
        body = body_of(entry)
        for i, part in enumerate(parts_of(body)):
            if isinstance(part, list) and part[0] == table and part[1] == key:
                return entry, body, i
    return None


# -- stores made before the log bound the state -------------------------------------------------

def adopt(sessions: sessionmaker, cls: type) -> None:
    """Bring a table the log did not cover into it, once: one entry holding every row it has
    (a store written by a jig that kept the table out of the log). Rows written since are
    logged as they are written."""
    table = cls.__tablename__  # type: ignore[attr-defined]
    with sessions.begin() as s:
        if LOG not in s.info:
            return  # no key to sign with: the next open with one adopts it
        if s.get_bind().dialect.name == "postgresql":
            s.execute(text("SELECT pg_advisory_xact_lock(727100)"))
        if s.scalar(select(AuditEntry.seq).where(AuditEntry.action == "log.adopt",
                                                 AuditEntry.subject == table).limit(1)):
            return
        rows = list(s.scalars(select(cls)))
        for obj in rows:
            written(s, obj)
        append(s, "system", "log.adopt", table, {"rows": len(rows)})


def upgrade_marker(s: Session) -> int | None:
    """The number of migration 0004's `log.upgrade` entry, which closes the entries it made
    from the old hash chain (unsigned: it had no key), or None. Only a marker that no signed
    entry precedes is that one: an unsigned `log.upgrade` appended to a signed log was written
    by someone editing the database without the key, and taken as the marker it would excuse
    itself in `jig audit verify` and have the next open sign a snapshot of the tables it
    edited."""
    marker = s.scalar(select(AuditEntry.seq).where(AuditEntry.action == "log.upgrade")
                      .order_by(AuditEntry.seq).limit(1))
    if marker is None or s.scalar(select(AuditEntry.seq).where(
            AuditEntry.seq <= marker, AuditEntry.signature.is_not(None)).limit(1)) is not None:
        return None
    return marker


def snapshot_if_upgraded(sessions: sessionmaker) -> None:
    """A store upgraded from a jig whose log did not hold rows (migration 0004 leaves a
    `log.upgrade` entry): log every state row once, so the log accounts for all of them."""
    from jig.store.tables import Base

    with sessions.begin() as s:
        if s.get_bind().dialect.name == "postgresql":
            s.execute(text("SELECT pg_advisory_xact_lock(727100)"))
        marker = upgrade_marker(s)
        if marker is None or s.scalar(select(AuditEntry.seq).where(
                AuditEntry.action == "log.snapshot").limit(1)) is not None:
            return
        pending: dict[tuple[str, str], Any] = s.info.setdefault(_PENDING, {})
        for mapper in Base.registry.mappers:
            name = mapper.local_table.name
            if name not in NOT_STATE:
                for obj in s.scalars(select(mapper.class_)):
                    pending[(name, row_key(obj))] = obj
        append(s, "system", "log.snapshot", "every state row", {"after_entry": marker})
