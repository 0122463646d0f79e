"""Drafts: prose read into candidate incidents (`jig extract`), which a person of the party
edits and confirms (then it is an incident, judged and logged as any intake) or discards.

A draft is its workspace's alone: another party, the reviewer and observers never see one.
Another workspace's draft answers exactly as one that does not exist (404), its ids are random
and no answer counts anything but the asker's own drafts.
"""

from __future__ import annotations

import secrets
import threading
from datetime import date as Day
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from jig.errors import InputFileError, Location, Problem
from jig.extract import PlaceIndex, extract
from jig.extract.extract import detect_language
from jig.readers import Gazetteer
from jig.service.context import MAX_ROW, Context, Limit, RowNumber, Who, allow, context
from jig.service.errors import ERRORS, ApiError
from jig.service.routes.incidents import current_verdicts, parse_records
from jig.service.schemas import IntakeOut, RequestBody, StoredOut
from jig.store import drafts
from jig.store.drafts import DraftConflict, DraftView

router = APIRouter(tags=["drafts"])
# A bulletin or a day's releases, not a book: reading costs time in proportion to the text.
MAX_TEXT = 100_000
MAX_FIELD = 100  # the longest field name an edit may set


class DraftIn(RequestBody):
    text: str = Field(min_length=1, max_length=MAX_TEXT, description="The prose: a bulletin, "
                      "a strike release, a monitor's note, a press item (English, Russian or "
                      "Arabic).")
    date: Day | None = Field(None, description="The document's date, for 'yesterday' and "
                              "dates without a year; default: the first full date it gives.")
    lang: Literal["auto", "en", "ru", "ar"] = "auto"
    gazetteers: list[str] | None = Field(None, description="Names of gazetteers the server was "
                                         "started with (`jig serve --gazetteer`) to place names "
                                         "by; default: all of them. The agreement's own zones, "
                                         "sites and targets are always used.")


class DraftOut(BaseModel):
    id: int
    revision: int = Field(description="1 when read, one more at each edit.")
    created_by: str
    created_at: str
    updated_at: str
    text: str = Field(description="The part of the text the draft was read from: its "
                      "sentence, and the span of any field read elsewhere in the document (a "
                      "dateline's date), joined by ' … '.")
    lang: str
    document_date: str | None
    fields: dict[str, Any] = Field(description="The candidate incident: the format's fields, "
                                   "and `place`, `place_ref`, `place_note`, `count`, `notes`.")
    evidence: dict[str, dict[str, Any]] = Field(description="Per field: the span of `text` it "
                                                "was read from (start, end, text) and a "
                                                "confidence (0-1).")
    edited: list[str] = Field(description="Fields a person changed since it was read.")


class DraftsOut(BaseModel):
    drafts: list[DraftOut]
    lang: str | None = None
    note: str | None = None


class DraftEdit(RequestBody):
    fields: dict[str, str | int | float | bool | None] = Field(
        description="Fields to set (null clears one); the others stay as they are.")


def _out(v: DraftView) -> DraftOut:
    return DraftOut(id=v.id, revision=v.revision, created_by=v.created_by,
                    created_at=v.created_at.isoformat(), updated_at=v.updated_at.isoformat(),
                    text=v.text, lang=v.lang, document_date=v.document_date, fields=v.fields,
                    evidence=v.evidence, edited=v.edited)


def _missing(draft_id: int) -> ApiError:
    return ApiError(404, "not_found", f"no draft {draft_id}")


class _Places:
    """Place indexes by agreement version and gazetteers: building one reads the gazetteers,
    seconds for a large one, so each is built once per process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._built: dict[tuple[str, tuple[Path, ...]], PlaceIndex] = {}

    def index(self, content_hash: str, agreement: Any, paths: tuple[Path, ...]) -> PlaceIndex:
        key = (content_hash, paths)
        with self._lock:
            if key not in self._built:
                try:
                    gaz = [Gazetteer.from_files(list(paths))] if paths else []
                except InputFileError as exc:
                    raise ApiError(503, "gazetteer.unreadable", f"the server's gazetteer "
                                   f"cannot be read: {exc}") from None
                if len(self._built) >= 8:  # old agreement versions: let them go
                    self._built.clear()
                self._built[key] = PlaceIndex(agreement, gaz)
            return self._built[key]


PLACES = _Places()


def _gazetteers(ctx: Context, names: list[str] | None) -> tuple[Path, ...]:
    known = {p.name: p for p in ctx.settings.gazetteer}
    if names is None:
        return tuple(ctx.settings.gazetteer)
    unknown = [n for n in names if n not in known]
    if unknown:
        offered = ", ".join(known) or "none: the server was started without --gazetteer"
        raise ApiError(422, "draft.gazetteer", f"no gazetteer {', '.join(map(repr, unknown))} "
                       f"on this server (it has: {offered})",
                       [Problem("draft.gazetteer", f"unknown gazetteer {n!r}",
                                Location(path="gazetteers")) for n in unknown])
    return tuple(known[n] for n in dict.fromkeys(names))


@router.post("/drafts", response_model=DraftsOut, status_code=201, responses=ERRORS)
def post_drafts(body: DraftIn, p: Who, ctx: Context = Depends(context)) -> Any:
    """Read prose into candidate incidents, one per act, each field with the span of the text
    it came from and a confidence, and keep them as drafts in your workspace. Nothing is
    judged until a person confirms a draft (`POST /drafts/{id}/confirm`). A place the
    agreement and the gazetteers do not know is left empty, its words kept in `place`."""
    allow(p, "analyst", "lead")
    current = ctx.store.current_versions()
    if not current:
        raise ApiError(409, "agreement.none", "the store holds no agreement: drafts are read "
                       "against one's actors, zones, sites and targets")
    version = current[0]
    agreement = ctx.store.load(version)
    index = PLACES.index(version.content_hash, agreement, _gazetteers(ctx, body.gazetteers))
    lang = detect_language(body.text) if body.lang == "auto" else body.lang
    found = extract(body.text, agreement, index, lang=lang, doc_date=body.date,
                    id_prefix=f"draft-{secrets.token_hex(3)}", source="prose (jig extract)")
    made = drafts.create(ctx.store, p.scope, p.name, body.text, lang,
                         body.date.isoformat() if body.date else None, found)
    return DraftsOut(drafts=[_out(v) for v in made], lang=lang,
                     note=None if made else "no act found in the text: nothing was kept")


@router.get("/drafts", response_model=DraftsOut, responses=ERRORS)
def get_drafts(p: Who, limit: Limit = 1000, ctx: Context = Depends(context)) -> Any:
    """Your workspace's drafts, oldest first."""
    allow(p, "analyst", "lead")
    return DraftsOut(drafts=[_out(v) for v in drafts.listing(ctx.store, p.scope, limit)])


@router.get("/drafts/{draft_id}", response_model=DraftOut, responses=ERRORS)
def get_draft(draft_id: RowNumber, p: Who, ctx: Context = Depends(context)) -> Any:
    """One of your workspace's drafts."""
    allow(p, "analyst", "lead")
    try:
        return _out(drafts.get(ctx.store, p.scope, draft_id))
    except KeyError:
        raise _missing(draft_id) from None


@router.patch("/drafts/{draft_id}", response_model=DraftOut, responses=ERRORS)
def patch_draft(draft_id: RowNumber, body: DraftEdit, p: Who,
                ctx: Context = Depends(context)) -> Any:
    """Edit a draft's fields. Values are checked when it is confirmed, as intake checks them;
    the spans stay as read, and `edited` lists what a person changed."""
    allow(p, "analyst", "lead")
    bad = [Problem("draft.field", why, Location(path=f"fields.{k}"))
           for k in body.fields if (why := _field_problem(k))]
    if bad:
        raise ApiError(422, "draft.invalid", "the edit is invalid; nothing was changed", bad)
    try:
        return _out(drafts.edit(ctx.store, p.scope, draft_id, body.fields, p.name))
    except KeyError:
        raise _missing(draft_id) from None


def _field_problem(name: str) -> str | None:
    if not name.strip():
        return "a field name is not empty"
    if len(name) > MAX_FIELD:
        return f"a field name is at most {MAX_FIELD} characters"
    if name in drafts.RESERVED:
        return "what the draft was read from is kept as read, not edited"
    return None


@router.post("/drafts/{draft_id}/confirm", response_model=IntakeOut, responses=ERRORS)
def confirm_draft(draft_id: RowNumber, p: Who,
                  revision: int | None = Query(None, ge=1, le=MAX_ROW, description="The "
                                               "revision you checked: 409 if it was edited "
                                               "since"),
                  ctx: Context = Depends(context)) -> Any:
    """Store the draft as an incident of your workspace, through the same checks and path as
    `POST /incidents`: judged at once, logged, with the text it was read from and each field's
    span as its `provenance`. A bad field is a 422 naming it (`fields.<name>`) and the draft
    stays as it is; an id your workspace already holds is a 409 (edit the id)."""
    allow(p, "analyst", "lead")
    try:
        view = drafts.get(ctx.store, p.scope, draft_id)
    except KeyError:
        raise _missing(draft_id) from None
    if revision is not None and revision != view.revision:
        raise ApiError(409, "draft.changed", f"draft {draft_id} is at revision "
                       f"{view.revision}, not {revision}: check it again")
    try:
        [incident] = parse_records(ctx, [view.record()])
    except ApiError as exc:
        # Named as the draft's fields, not as item 0 of a list the caller never sent.
        raise ApiError(exc.status, "draft.invalid", f"draft {draft_id} cannot be confirmed: "
                       f"{'; '.join(pr.message for pr in exc.problems)}; it is kept as it is",
                       [Problem(pr.code, pr.message, Location(
                           path="fields." + (pr.where.path or "").split(".", 1)[-1]))
                        for pr in exc.problems]) from None
    try:
        stored = drafts.confirm(ctx.store, p.scope, draft_id, view.revision, incident, p.name)
    except KeyError:
        raise _missing(draft_id) from None
    except DraftConflict as exc:
        raise ApiError(409, exc.code, str(exc)) from None
    return IntakeOut(results=[StoredOut(id=stored.id, status=stored.status,
                                        revision=stored.revision)],
                     verdicts=current_verdicts(ctx, [stored.id], p.scope))


@router.delete("/drafts/{draft_id}", status_code=204, responses=ERRORS)
def delete_draft(draft_id: RowNumber, p: Who, ctx: Context = Depends(context)) -> None:
    """Discard a draft (it is kept in the log, as every write is)."""
    allow(p, "analyst", "lead")
    try:
        drafts.discard(ctx.store, p.scope, draft_id, p.name)
    except KeyError:
        raise _missing(draft_id) from None
