"""The audit trail: append-only entries, each chained by hash to the one before.

Entry n's hash is SHA-256 over its own fields and entry n-1's hash, so changing, removing or
reordering any entry breaks every hash after it; `verify` recomputes the chain and names the
first entry that does not hold. Entries are written in the same transaction as the write they
record.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from jig.store.tables import AuditEntry

GENESIS = "0" * 64


def entry_hash(seq: int, at: str, actor: str, action: str, subject: str, detail: Any,
               prev: str) -> str:
    body = json.dumps({"seq": seq, "at": at, "actor": actor, "action": action,
                       "subject": subject, "detail": detail, "prev": prev},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def append(s: Session, actor: str, action: str, subject: str,
           detail: dict[str, Any] | None = None) -> AuditEntry:
    """Add an entry at the end of the chain (inside the caller's transaction)."""
    if s.get_bind().dialect.name == "postgresql":
        # One writer at a time at the end of the chain; released at commit.
        s.execute(text("SELECT pg_advisory_xact_lock(727100)"))
    last = s.scalar(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))
    seq = (last.seq + 1) if last else 1
    prev = last.hash if last else GENESIS
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    detail = json.loads(json.dumps(detail or {}, default=str))
    entry = AuditEntry(seq=seq, at=at, actor=actor, action=action, subject=subject,
                       detail=detail, prev_hash=prev,
                       hash=entry_hash(seq, at, actor, action, subject, detail, prev))
    s.add(entry)
    s.flush()
    return entry


def head(s: Session) -> dict[str, Any]:
    last = s.scalar(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))
    return {"seq": last.seq, "hash": last.hash} if last else {"seq": 0, "hash": GENESIS}


@dataclass(frozen=True)
class Verification:
    ok: bool
    entries: int
    head: str
    problem: str | None = None
    seq: int | None = None  # the first entry that does not hold


def verify(s: Session) -> Verification:
    """Recompute the chain from the first entry; name the first break."""
    prev = GENESIS
    for count, e in enumerate(s.scalars(select(AuditEntry).order_by(AuditEntry.seq)), 1):
        expected = count
        if e.seq != expected:
            return Verification(False, count, prev, f"entry {expected} is missing: the log "
                                f"jumps from {expected - 1} to {e.seq} (removed)", expected)
        if e.prev_hash != prev:
            return Verification(False, count, prev, f"entry {e.seq} does not follow entry "
                                f"{e.seq - 1}: its chain link was changed, or entries were "
                                "reordered", e.seq)
        if entry_hash(e.seq, e.at, e.actor, e.action, e.subject, e.detail, e.prev_hash) != e.hash:
            return Verification(False, count, prev, f"entry {e.seq} ({e.action} {e.subject}) "
                                "was altered: its content no longer matches its hash", e.seq)
        prev = e.hash
    total = s.scalar(select(func.count()).select_from(AuditEntry)) or 0
    return Verification(True, total, prev)
