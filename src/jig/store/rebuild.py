"""`jig audit verify`: rebuild the state from the log and compare it with the tables.

Every entry is read in order: its number must follow the one before, its leaf must be what
its body commits to. The row images it holds are replayed; the result must be exactly the
state tables: a row the log does not know was inserted behind its back, a row it knows
differently was edited, a row it has that the table lacks was deleted. The heads the server
signed (one in every entry, and any a reader saved) must be heads of the rebuilt tree, and
every party's determination must carry that party's signature. The map's counts, derived
from the verdict heads and not logged, must be what the heads make.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, DateTime, Text, cast, select
from sqlalchemy.orm import Session

from jig import merkle
from jig.signing import determination_valid, head_problem, public_text
from jig.store import audit, mapcounts
from jig.store.keys import Keys
from jig.store.tables import (
    JOB_SEAL,
    AuditEntry,
    Base,
    Determination,
    Job,
    Review,
    UtcDateTime,
)

MISSING = object()


@dataclass
class Verification:
    entries: int = 0
    rows: int = 0
    root: str = merkle.EMPTY_ROOT.hex()
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _json(value: Any) -> Any:
    return json.loads(audit.canonical(value))


class _Flag:
    """A JSON true or false inside a JSON column, compared only with another: Python holds
    `True == 1`, but PostgreSQL's jsonb does not, and a filter on `true` misses a `1`, so an
    edit of one into the other changes what the filters see. (0 and 0.0 are the same number
    to both databases and stay equal.)"""

    __slots__ = ("value",)

    def __init__(self, value: bool):
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Flag) and other.value is self.value

    def __hash__(self) -> int:
        return hash(self.value)

    def __repr__(self) -> str:
        return "true" if self.value else "false"


def _strict(value: Any, inside: bool = False) -> Any:
    """A column's value with the flags inside a JSON document (dicts and lists) made `_Flag`s;
    a Boolean column's own value is the database's boolean, as before."""
    if isinstance(value, bool):
        return _Flag(value) if inside else value
    if isinstance(value, dict):
        return {k: _strict(v, True) for k, v in value.items()}
    if isinstance(value, list):
        return [_strict(v, True) for v in value]
    return value


def _strict_row(image: dict[str, Any]) -> dict[str, Any]:
    return {column: _strict(value) for column, value in image.items()}


def _differences(in_db: dict[str, Any], in_log: dict[str, Any], prefix: str = "") -> list[str]:
    """Which columns differ (and inside JSON columns, which keys), with both values."""
    out = []
    for col in sorted(set(in_db) | set(in_log)):
        a, b = in_db.get(col, MISSING), in_log.get(col, MISSING)
        if a == b:
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            out += _differences(a, b, f"{prefix}{col}.")
            continue
        shown = [("(none)" if v is MISSING else repr(v)[:80]) for v in (a, b)]
        out.append(f"{prefix}{col} is {shown[0]} in the table, {shown[1]} in the log")
    return out


def verify(s: Session, keys: Keys | None = None, heads: Sequence[dict[str, Any]] = ()
           ) -> Verification:
    """Check the log and rebuild the state from it; every problem found, each naming where."""
    v = Verification()
    tree = merkle.Tree()
    state: dict[str, dict[str, Any]] = {}
    key = public_text(keys.server()) if keys is not None else None
    # Entries migrated from the hash chain (up to the `log.upgrade` marker) are unsigned; the
    # first signed entry's head covers them.
    unsigned_until = audit.upgrade_marker(s) or 0
    for entry in s.scalars(select(AuditEntry).order_by(AuditEntry.seq)
                           .execution_options(yield_per=500)):
        expected = len(tree) + 1
        if entry.seq != expected:
            v.problems.append(f"log: entry {expected} is missing: the log jumps from "
                              f"{expected - 1} to {entry.seq} (removed)")
        try:
            body = json.loads(entry.body)
            leaf = audit.canonical(audit.leaf_of(body))
        except (ValueError, KeyError, TypeError) as exc:
            v.problems.append(f"log: entry {entry.seq} cannot be read ({exc})")
            tree.append(bytes.fromhex(entry.leaf_hash) if len(entry.leaf_hash) == 64
                        else b"")
            continue
        h = merkle.leaf_hash(leaf)
        first = body["acts"][0]
        if h.hex() != entry.leaf_hash or body["seq"] != entry.seq or \
                (body["at"], first["actor"], first["action"], first["subject"]) != \
                (entry.at, entry.actor, entry.action, entry.subject):
            v.problems.append(f"log: entry {entry.seq} ({entry.action} {entry.subject}) was "
                              "altered: it no longer matches its leaf hash")
        tree.append(h)
        _check_entry_head(entry, tree, key, unsigned_until, v)
        for table, row, image in body["rows"]:
            state.setdefault(table, {})[row] = image
    v.entries, v.root = len(tree), tree.root().hex()
    _compare_tables(s, state, v)
    _check_json_texts(s, v)
    _check_time_texts(s, v)
    # The map's counts are derived from the heads just checked: made again and compared.
    v.problems += mapcounts.differences(s)
    saved = [(_saved_as(n, head, len(heads)), head) for n, head in enumerate(heads, 1)]
    if keys is not None and len(tree):
        kept = audit.witnessed_head(keys, tree.leaves[0])
        if kept is not None:
            saved.append((f"the head this server kept in "
                          f"{audit.witness_path(keys, tree.leaves[0])}", kept))
    _check_saved_heads(s, tree, key, saved, v)
    _check_determinations(s, keys, v)
    _check_jobs(s, v)
    return v


def _check_entry_head(entry: AuditEntry, tree: merkle.Tree, key: str | None,
                      unsigned_until: int, v: Verification) -> None:
    """Each entry's head is the root of the log up to it, signed by the server: an entry
    written by anyone without the server's key, or any earlier entry changed, fails here."""
    root = tree.root().hex()
    if entry.root_hash != root:
        v.problems.append(f"log: entry {entry.seq} carries a head that is not the log's root "
                          f"up to it: entries up to {entry.seq} were changed")
    if entry.signature is None:
        if entry.seq > unsigned_until:
            v.problems.append(f"log: entry {entry.seq} is not signed (written directly in "
                              "the database)")
        return
    head = {"tree_size": entry.seq, "root_hash": root, "timestamp": entry.at,
            "public_key": key or "", "signature": entry.signature}
    if key is not None and head_problem(head, key) is not None:
        v.problems.append(f"log: entry {entry.seq} is not signed by the server's key (written "
                          "or re-signed without it)")


def _compare_tables(s: Session, state: dict[str, dict[str, Any]], v: Verification) -> None:
    for mapper in sorted(Base.registry.mappers, key=lambda m: m.local_table.name):
        table = mapper.local_table.name
        if table in audit.NOT_STATE:
            continue
        logged = state.pop(table, {})
        for obj in s.scalars(select(mapper.class_).execution_options(yield_per=2000)):
            v.rows += 1
            key = audit.row_key(obj)
            image = logged.pop(key, MISSING)
            if image is MISSING or image is None:
                v.problems.append(f"{table}: row {key} is not in the log (inserted or "
                                  "restored directly in the database)")
                continue
            mine, image = _strict_row(_json(audit.row_image(obj))), _strict_row(image)
            if mine != image:
                v.problems.append(f"{table}: row {key} differs from the log (edited "
                                  f"directly): {'; '.join(_differences(mine, image))}")
        for key, image in logged.items():
            if image is not None:
                v.problems.append(f"{table}: row {key} is in the log but not in the table "
                                  "(deleted directly)")
    for table in state:
        v.problems.append(f"log: rows of table {table!r}, which this jig does not know")


class _Repeated(ValueError):
    pass


def _once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    for k in keys:
        if keys.count(k) > 1:
            raise _Repeated(k)
    return dict(pairs)


# A JSON string token, escapes included: matched one after another from the start of valid
# JSON text, every token found is a whole string (a key when a colon follows).
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _odd_key(text: str) -> str | None:
    """A key written otherwise than jig's writers write it (`"\u0073ource"` for `"source"`),
    or None. Python reads the two alike, as the log has them, but the database's JSON paths
    do not: `$.source` misses the escaped key, so the edit hid a record from the filters."""
    for m in _STRING.finditer(text):
        if text[m.end():m.end() + 2].lstrip()[:1] != ":":
            continue
        raw = m.group()
        key = json.loads(raw)
        if raw not in (json.dumps(key), json.dumps(key, ensure_ascii=False)):
            return raw
    return None


def _check_json_texts(s: Session, v: Verification) -> None:
    """A JSON column's stored text with a key twice, or a key spelt with escapes, passes the
    comparison above (Python keeps the last value and reads escapes, as the log has them)
    while the database's own JSON functions, which the filters use, read the first or miss
    the escaped key: an edit that shows one value to one and another to the other."""
    for mapper in sorted(Base.registry.mappers, key=lambda m: m.local_table.name):
        table = mapper.local_table
        if table.name in audit.NOT_STATE:
            continue
        pk = list(table.primary_key.columns)
        for column in (c for c in table.columns if isinstance(c.type, JSON)):
            rows = s.execute(select(*pk, cast(column, Text)).execution_options(yield_per=2000))
            for *key, text in rows:
                try:
                    json.loads(text or "null", object_pairs_hook=_once)
                except _Repeated as exc:
                    v.problems.append(f"{table.name}: row {'/'.join(map(str, key))} has key "
                                      f"{exc.args[0]!r} twice in {column.name} (edited "
                                      "directly: the database's JSON functions read one value, "
                                      "the log holds another)")
                    continue
                except ValueError:
                    continue  # not JSON text: the comparison above names what differs
                odd = _odd_key(text or "")
                if odd is not None:
                    v.problems.append(f"{table.name}: row {'/'.join(map(str, key))} spells the "
                                      f"key {json.loads(odd)!r} as {odd} in {column.name} "
                                      "(edited directly: the database's JSON paths miss it, "
                                      "the log reads it)")


def _saved_as(n: int, head: Any, count: int) -> str:
    size = head.get("tree_size") if isinstance(head, dict) else None
    return (f"the saved head of {size} entries" if isinstance(size, int)
            else f"saved head {n} (of {count})")


# How jig writes a time into SQLite, which keeps it as text (UTC; SQLAlchemy's form, with
# microseconds; stores of earlier versions have '+00:00' after it and no fraction). Texts of
# this form sort as their instants do.
_SQLITE_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{6})?(?:\+00:00)?")


def _check_time_texts(s: Session, v: Verification) -> None:
    """On SQLite a time is text: another spelling of the same instant
    ('20261203T142948.781738+0000') reads back equal, as the log has it, but sorts otherwise
    in the database, which orders drafts, reviews and proposals and pages them."""
    if s.get_bind().dialect.name != "sqlite":
        return  # a timestamp type: one value, one order
    for mapper in sorted(Base.registry.mappers, key=lambda m: m.local_table.name):
        table = mapper.local_table
        if table.name in audit.NOT_STATE:
            continue
        pk = list(table.primary_key.columns)
        for column in (c for c in table.columns if isinstance(c.type, DateTime | UtcDateTime)):
            rows = s.execute(select(*pk, cast(column, Text)).where(column.is_not(None))
                             .execution_options(yield_per=2000))
            for *key, text in rows:
                if not _SQLITE_TIME.fullmatch(text):
                    v.problems.append(f"{table.name}: row {'/'.join(map(str, key))} has "
                                      f"{column.name} written {text!r}, not as jig writes a "
                                      "time (edited directly: it sorts otherwise than it reads)")


def _check_saved_heads(s: Session, tree: merkle.Tree, key: str | None,
                       saved: list[tuple[str, Any]], v: Verification) -> None:
    for what, head in saved:
        problem = head_problem(head, key)
        if problem is not None:
            v.problems.append(f"heads: {what}: {problem}")
        elif head["tree_size"] > len(tree):
            v.problems.append(f"heads: {what}: the log has only {len(tree)}: entries were "
                              "removed from its end")
        elif tree.root(head["tree_size"]).hex() != head["root_hash"]:
            v.problems.append(f"heads: {what} does not match the log: entries up to "
                              f"{head['tree_size']} were changed since it was signed")
    for review in s.scalars(select(Review.row).where(Review.state == "published")):
        if audit.publication(s, review) is None:
            v.problems.append(f"heads: published review {review} has no publication entry")


def _check_jobs(s: Session, v: Verification) -> None:
    """Jobs are not state, but each was queued in an entry of its own with its orders' digest:
    one answered 202 and then deleted, or given other orders, is named."""
    for entry in s.scalars(select(AuditEntry).where(AuditEntry.action == "job.queue")
                           .order_by(AuditEntry.seq)):
        try:
            detail = json.loads(entry.body)["acts"][0]["detail"]
            row = int(detail["job"])
        except (ValueError, IndexError, KeyError, TypeError):
            continue  # an altered entry: named above, by its leaf hash
        job = s.get(Job, row)
        if job is None:
            v.problems.append(f"jobs: job {row}, queued in entry {entry.seq}, is gone "
                              "(deleted directly)")
            continue
        seal = (job.params or {}).get(JOB_SEAL) or {}
        orders = {k: job.params.get(k) for k in seal.get("keys", ()) if isinstance(k, str)}
        if (job.kind, audit.orders_digest(orders)) != (detail.get("kind"), detail.get("orders")):
            v.problems.append(f"jobs: job {row} is not the one queued in entry {entry.seq} "
                              "(its kind or orders edited directly)")


def _check_determinations(s: Session, keys: Keys | None, v: Verification) -> None:
    from jig.store.reviews import statement

    if keys is None:
        return  # without the key folder there are no party keys to check against
    for d, review in s.execute(select(Determination, Review).join(
            Review, Review.row == Determination.review_row)):
        if not keys.has_party(d.party) or not d.signature or not determination_valid(
                statement(review, d), d.signature, public_text(keys.party(d.party))):
            v.problems.append(f"determinations: row {d.row} ({d.party}, review {review.row}) "
                              f"is not signed by {d.party}'s key")
