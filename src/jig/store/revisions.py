"""A party's records kept append-only: each content once, as a numbered revision, and a head
that points at the one that is the record now; what became of each record at intake."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jig.store.judging import now
from jig.store.records import content_hash


@dataclass(frozen=True)
class Stored:
    """What became of one record at intake."""

    id: str
    # "stored" (new), "revised" (a correction: new revision), "restored" (an earlier
    # revision's content sent again: the head back to it), "unchanged" (the head's content)
    status: str
    revision: int
    row: int


def store_revision(s: Session, revisions: Any, heads: Any, key: str, ident: str,
                   record: dict[str, Any], party: str, secret: bytes | None = None,
                   **columns: Any) -> tuple[Any, Stored]:
    """Store a party's record as a new revision unless the same content is stored already,
    and point the head at it: the way every append-only record here is kept. Ids are the
    party's own: another party's record under the same id is another record. The content of
    an earlier revision, sent again after a later one, is that revision `restored`: the head
    goes back to it (A, B, then A again left the record at B, answered `unchanged`)."""
    h = content_hash(record, secret)
    id_col = getattr(revisions, key)
    mine = (revisions.party == party, id_col == ident)
    same = s.scalar(select(revisions).where(*mine, revisions.content_hash == h))
    if same is not None:
        head = s.get(heads, (party, ident))
        if head is not None and head.row != same.row:
            head.row = same.row
            return same, Stored(ident, "restored", same.revision, same.row)
        return same, Stored(ident, "unchanged", same.revision, same.row)
    last = s.scalar(select(func.max(revisions.revision)).where(*mine)) or 0
    row = revisions(**{key: ident}, party=party, revision=last + 1, content_hash=h,
                    record=record, received_at=now(), **columns)
    s.add(row)
    s.flush()
    head = s.get(heads, (party, ident))
    if head is None:
        s.add(heads(**{key: ident}, party=party, row=row.row))
    else:
        head.row = row.row
    return row, Stored(ident, "stored" if last == 0 else "revised", last + 1, row.row)
