"""The log over HTTP: signed heads, inclusion and consistency proofs, the public keys.

Heads and consistency proofs are hashes of salted commitments: anyone signed in may have
them. An inclusion proof is given only for an entry the caller may see (reviewers: every
entry; a party: the entries its own users wrote and those judging its workspace again;
everybody: the steps of published reviews),
and opens no part of it; the proof of a determination opens that determination's part only.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from jig.service.context import (
    MAX_ROW,
    After,
    Context,
    Limit,
    RowNumber,
    Who,
    allow,
    context,
    viewer,
)
from jig.service.errors import ERRORS, ApiError
from jig.signing import public_text
from jig.store import audit
from jig.store.people import Principal
from jig.store.reviews import review_dict, sealed_for
from jig.store.tables import AuditEntry, Determination, Review, User

router = APIRouter(tags=["audit log"])


def _tree(ctx: Context) -> Any:
    with ctx.store.sessions() as s:
        try:
            return ctx.store.log.current(s)
        except audit.BrokenLog as exc:
            raise ApiError(503, "log.broken", str(exc)) from None


def _head(ctx: Context, size: int) -> dict[str, Any]:
    """The signed head of the log of `size` entries: the one entry `size` carries."""
    key = public_text(ctx.store.keys.server())
    with ctx.store.sessions() as s:
        entry = s.get(AuditEntry, size) if size else None
        if entry is None or entry.signature is None:
            raise ApiError(404, "not_found", f"no signed head of {size} entries: the log's "
                           "first signed entry is later")
        return audit.head_of(entry, key)


@router.get("/audit", responses=ERRORS)
def audit_log(p: Who, after: After = 0, limit: Limit = 1000,
              ctx: Context = Depends(context)) -> list[dict[str, Any]]:
    """The log's entries, oldest first: who did what to what, and each leaf hash
    (reviewers)."""
    allow(p, "reviewer")
    with ctx.store.sessions() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.seq > after)
                         .order_by(AuditEntry.seq).limit(limit))
        return [{"seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action,
                 "subject": e.subject, "leaf_hash": e.leaf_hash} for e in rows]


@router.get("/audit/head", responses=ERRORS)
def audit_head(p: Who, ctx: Context = Depends(context)) -> dict[str, Any]:
    """The log's current head, signed by the server: tree_size, root_hash, timestamp,
    public_key, signature. Save it; later ask for a consistency proof from it."""
    return _head(ctx, len(_tree(ctx)))


@router.get("/audit/keys", responses=ERRORS)
def audit_keys(p: Who, ctx: Context = Depends(context)) -> dict[str, Any]:
    """The public keys: the server's (tree heads) and each party's (its determinations;
    null until the party signs its first)."""
    parties = sorted({x for v in ctx.store.current_versions() for x in ctx.store.load(v).parties})
    keys = {x: ctx.store.keys.party_if_any(x) for x in parties}
    return {"server": public_text(ctx.store.keys.server()),
            "parties": {x: public_text(k) if k is not None else None for x, k in keys.items()}}


@router.get("/audit/consistency", responses=ERRORS)
def audit_consistency(p: Who, first: int = Query(ge=0, le=MAX_ROW),
                      second: int | None = Query(None, ge=0, le=MAX_ROW),
                      ctx: Context = Depends(context)) -> dict[str, Any]:
    """RFC 9162 consistency proof that the log of `second` entries (now, by default) extends
    the one of `first` entries, with the signed head of `second`."""
    tree = _tree(ctx)
    second = len(tree) if second is None else second
    if not first <= second <= len(tree):
        raise ApiError(422, "log.size", f"the log has {len(tree)} entries: ask for "
                       f"0 <= first <= second <= {len(tree)}")
    return {"first": first, "second": second,
            "proof": [h.hex() for h in tree.consistency(first, second)],
            "head": _head(ctx, second)}


def _may_see(s: Any, p: Principal, entry: AuditEntry) -> bool:
    if p.role in ("open", "reviewer"):
        return True
    if p.party is not None and s.scalar(select(User.party).where(
            User.name == entry.actor)) == p.party:
        return True
    if p.party is not None and entry.actor == "system" and \
            entry.subject == f"workspace {p.party}":
        return True  # its own view judged again (`Store.add_notices`)
    if entry.action.startswith("review.") and entry.subject.startswith("review "):
        review = s.get(Review, int(entry.subject.split()[1]))
        return review is not None and review.state == "published"
    return False


@router.get("/audit/proof/{seq}", responses=ERRORS)
def audit_proof(seq: RowNumber, p: Who, size: int | None = Query(None, ge=1, le=MAX_ROW),
                ctx: Context = Depends(context)) -> dict[str, Any]:
    """RFC 9162 inclusion proof of entry `seq` in the log of `size` entries (now, by
    default): the entry's leaf (its salted digests only), the audit path and the signed
    head. Only for entries the caller may see; any other answers 404."""
    tree = _tree(ctx)
    with ctx.store.sessions() as s:
        entry = s.get(AuditEntry, seq)
        if entry is None or seq > len(tree) or not _may_see(s, p, entry):
            raise ApiError(404, "not_found", f"no entry {seq} for you")
        leaf = audit.leaf_of(audit.body_of(entry))
    size = len(tree) if size is None else size
    if not seq <= size <= len(tree):
        raise ApiError(422, "log.size", f"entry {seq} is in trees of {seq} to {len(tree)} "
                       "entries")
    return {"seq": seq, "leaf": leaf, "leaf_index": seq - 1, "tree_size": size,
            "path": [h.hex() for h in tree.inclusion(seq - 1, size)],
            "head": _head(ctx, size)}


@router.get("/audit/determinations/{determination_id}/proof", responses=ERRORS)
def determination_proof(determination_id: RowNumber, p: Who, ctx: Context = Depends(context)
                        ) -> dict[str, Any]:
    """That a determination is in the log: the determination, its party's signature and
    public key, its entry's leaf with the determination's part opened, the audit path, and
    the head it is proven in: for a published review the head frozen at its publication."""
    tree = _tree(ctx)
    with ctx.store.sessions() as s:
        d = s.get(Determination, determination_id)
        review = s.get(Review, d.review_row) if d is not None else None
        if review is None or (review.state != "published"
                              and p.role not in ("open", "analyst", "lead", "reviewer")) \
                or sealed_for(review, d.party, viewer(p)):
            raise ApiError(404, "not_found", f"no determination {determination_id} for you")
        found = audit.entry_writing(s, "determinations", str(d.row), "review.determination")
        if found is None:
            raise ApiError(409, "log.missing", f"determination {determination_id} is in no "
                           "entry of the log: run jig audit verify")
        entry, body, index = found
        frozen = audit.publication(s, review.row)
        shown = next(x for x in review_dict(s, review)["determinations"] if x["id"] == d.row)
        key = ctx.store.keys.party_if_any(d.party)
        party_key = public_text(key) if key is not None else ""
    head = _head(ctx, frozen.seq if frozen is not None else len(tree))
    size = head["tree_size"]
    return {"determination": shown | {"review": review.row, "incident": review.incident_id},
            "party_public_key": party_key,
            "entry": {"seq": entry.seq, "leaf": audit.leaf_of(body),
                      "opening": audit.opening(body, index)},
            "leaf_index": entry.seq - 1, "tree_size": size,
            "path": [h.hex() for h in tree.inclusion(entry.seq - 1, size)], "head": head}
