"""Drafts: candidate incidents read from prose, kept in a party's workspace until a person
edits and confirms them (then they are incidents, stored through the normal intake path) or
discards them. Only the workspace that made a draft ever reads it.

A draft is a stored fact like any other: each write (made, edited, confirmed, discarded) is an
audit entry holding the row's image, so `jig audit verify` rebuilds the drafts table from the
log with the rest. Its content (the source text, the fields, each field's span) is sealed at
rest under the workspace's key when one is configured, as a party's withheld fields are.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jig.extract import Candidate
from jig.records import Incident
from jig.store import audit
from jig.store.revisions import Stored
from jig.store.sealing import open_text, seal_text
from jig.store.store import Store, now
from jig.store.tables import OPAQUE_BELOW, Draft, IncidentHead

# What a person may not set by editing: what the draft was read from is kept as it was read.
RESERVED = frozenset({"provenance"})


class DraftConflict(ValueError):
    """The draft cannot be confirmed as it stands (its id is taken, it changed meanwhile)."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


@dataclass(frozen=True)
class DraftView:
    """A draft as its workspace reads it."""

    id: int
    revision: int
    created_by: str
    created_at: datetime
    updated_at: datetime
    text: str
    lang: str
    document_date: str | None
    fields: dict[str, Any]
    evidence: dict[str, dict[str, Any]]
    edited: list[str]

    def record(self) -> dict[str, Any]:
        """The incident record a confirmation stores: the fields as they now stand (empty ones
        left out) and, as provenance, the text they were read from with each field's span and
        the fields a person changed."""
        fields = {k: v for k, v in self.fields.items() if v not in (None, "")}
        return fields | {"provenance": {
            "draft": self.id, "text": self.text, "lang": self.lang,
            "document_date": self.document_date, "spans": self.evidence,
            "edited": self.edited, "read_by": "jig extract"}}


def _aad(row: int) -> bytes:
    return f"draft\x1f{row}".encode()


def _view(s: Session, d: Draft) -> DraftView:
    c = json.loads(open_text(s, d.workspace, d.content, _aad(d.row)))
    return DraftView(d.row, d.revision, d.created_by, d.created_at, d.updated_at, c["text"],
                     c["lang"], c["document_date"], c["fields"], c["evidence"], c["edited"])


def _store(s: Session, d: Draft, content: dict[str, Any]) -> None:
    d.content = seal_text(s, d.workspace, json.dumps(content, ensure_ascii=False), _aad(d.row))


def _new_id(s: Session) -> int:
    """Random, as jobs' and reviews' ids (`tables.opaque_id`); chosen here because the sealed
    content is bound to it before the row is written."""
    while True:
        n = secrets.randbelow(OPAQUE_BELOW - 1) + 1
        if s.get(Draft, n) is None:
            return n


def _mine(s: Session, workspace: str, draft_id: int) -> Draft:
    """The workspace's draft, or KeyError: another workspace's draft is one that does not
    exist."""
    d = s.get(Draft, draft_id)
    if d is None or d.workspace != workspace:
        raise KeyError(draft_id)
    return d


def create(store: Store, workspace: str, user: str, text: str, lang: str,
           document_date: str | None, candidates: Sequence[Candidate]) -> list[DraftView]:
    """One draft per candidate, each holding the part of `text` it was read from (its
    sentence, and the span of any field read elsewhere in the document: `Candidate.excerpt`)
    with its spans in that part: a bulletin of a hundred acts is not kept a hundred times."""

    def work(s: Session) -> list[int]:
        at, ids = now(), []
        for c in candidates:
            excerpt, evidence = c.excerpt(text)
            d = Draft(row=_new_id(s), workspace=workspace, revision=1, created_by=user,
                      created_at=at, updated_at=at)
            _store(s, d, {"text": excerpt, "lang": lang, "document_date": document_date,
                          "fields": c.fields, "edited": [], "evidence": {
                              k: {"start": e.start, "end": e.end, "text": e.text,
                                  "confidence": e.confidence} for k, e in evidence.items()}})
            s.add(d)
            ids.append(d.row)
        if ids:
            s.flush()
            audit.append(s, user, "draft.create", f"workspace {workspace}", {"drafts": ids})
        return ids

    ids = store.transaction(work)
    with store.sessions() as s:
        return [_view(s, s.get(Draft, i)) for i in ids]


def listing(store: Store, workspace: str, limit: int) -> list[DraftView]:
    """The workspace's drafts, oldest first."""
    with store.sessions() as s:
        rows = s.scalars(select(Draft).where(Draft.workspace == workspace)
                         .order_by(Draft.created_at, Draft.row).limit(limit))
        return [_view(s, d) for d in rows]


def get(store: Store, workspace: str, draft_id: int) -> DraftView:
    with store.sessions() as s:
        return _view(s, _mine(s, workspace, draft_id))


def edit(store: Store, workspace: str, draft_id: int, changes: Mapping[str, Any],
         user: str) -> DraftView:
    """Set fields (None clears one); the spans stay as read, the changed fields are listed."""
    reserved = sorted(set(changes) & RESERVED)
    if reserved:
        raise ValueError(f"{', '.join(reserved)}: kept as read, not edited")

    def work(s: Session) -> DraftView:
        d = _mine(s, workspace, draft_id)
        view = _view(s, d)
        fields = dict(view.fields)
        changed = [k for k, v in changes.items() if fields.get(k) != v]
        fields.update(changes)
        edited = view.edited + [k for k in changed if k not in view.edited]
        _store(s, d, {"text": view.text, "lang": view.lang,
                      "document_date": view.document_date, "fields": fields,
                      "evidence": view.evidence, "edited": edited})
        d.revision += 1
        d.updated_at = now()
        s.flush()
        audit.append(s, user, "draft.edit", f"workspace {workspace}",
                     {"draft": draft_id, "revision": d.revision, "fields": changed})
        return _view(s, d)

    return store.transaction(work)


def discard(store: Store, workspace: str, draft_id: int, user: str) -> None:
    def work(s: Session) -> None:
        s.delete(_mine(s, workspace, draft_id))
        audit.append(s, user, "draft.discard", f"workspace {workspace}", {"draft": draft_id})

    store.transaction(work)


def confirm(store: Store, workspace: str, draft_id: int, revision: int, incident: Incident,
            user: str) -> Stored:
    """Store the incident a person confirmed (judged, logged, as any intake) and remove its
    draft, in one transaction. `revision` is the draft's revision the incident was checked
    from: a draft edited meanwhile is not confirmed as it was. An id the workspace already
    holds is refused: a confirmation never revises another incident by accident."""

    def work(s: Session) -> Stored:
        d = _mine(s, workspace, draft_id)
        if d.revision != revision:
            raise DraftConflict("draft.changed", f"draft {draft_id} was edited meanwhile "
                                f"(revision {d.revision}): check it again")
        if s.get(IncidentHead, (workspace, incident.id)) is not None:
            raise DraftConflict("draft.id_taken", f"incident id {incident.id!r} is taken in "
                                "your workspace: give the draft another id")
        [stored] = store._add_incidents(s, [incident], "draft", workspace, user)
        s.delete(d)
        audit.append(s, user, "draft.confirm", f"workspace {workspace}",
                     {"draft": draft_id, "incident": incident.id})
        return stored

    return store.transaction(work)
