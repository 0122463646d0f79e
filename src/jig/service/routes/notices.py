"""Notices: parties invoking an exception, for an incident or an area."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from sqlalchemy import select

from jig.errors import Location, Problem, RowError
from jig.readers.fields import to_notice
from jig.service.context import Context, Who, allow, context, own_party
from jig.service.convert import as_records
from jig.service.errors import ERRORS, ApiError
from jig.service.schemas import StoredOut
from jig.store.tables import NoticeHead, NoticeRevision

router = APIRouter(tags=["notices"])
EXAMPLE = {"id": "N-1", "party": "RU", "time": "2016-08-05T08:00",
           "exception": "imminent-threat", "incident": "A-09"}


@router.post("/notices", response_model=list[StoredOut], responses=ERRORS)
def post_notices(body: Annotated[Any, Body(examples=[EXAMPLE])], p: Who,
                 ctx: Context = Depends(context)) -> Any:
    """Take one notice or a list. Incidents it names or covers are judged again; a verdict
    that changes (a breach now excepted) is added, the earlier one stays."""
    allow(p, "analyst", "lead")
    items = as_records(body, "notice")
    for fields in items:
        own_party(p, str(fields.get("party")), "a notice is its party's act")
    versions = ctx.store.current_versions()
    if not versions:
        raise ApiError(409, "agreement.none", "the store holds no agreement: upload one first")
    agreement = ctx.store.load(versions[0])
    parties = {p for v in versions for p in ctx.store.load(v).parties}
    exceptions = {e for v in versions for e in ctx.store.load(v).exceptions}
    notices, problems = [], []
    for i, fields in enumerate(items):
        try:
            notices.append(to_notice(fields, agreement.tz, parties=parties,
                                     exceptions=exceptions))
        except RowError as exc:
            problems.append(Problem(exc.code, str(exc), Location(path=f"[{i}].{exc.field}")))
    if problems:
        raise ApiError(422, "records.invalid", f"{len(problems)} of {len(items)} notices are "
                       "invalid; nothing was stored", problems)
    return [StoredOut(id=r.id, status=r.status, revision=r.revision)
            for r in ctx.store.add_notices(notices, user=p.name)]


@router.get("/notices", responses=ERRORS)
def get_notices(p: Who, ctx: Context = Depends(context)) -> list[dict[str, Any]]:
    """The newest revision of every notice (notices go to the joint centre at once), with when
    the cell received it: the time a notice gives is its party's word, and a notice dated
    before an act but received after it is there to be seen (and its exception reviewed)."""
    allow(p, "analyst", "lead", "reviewer")
    with ctx.store.sessions() as s:
        rows = s.scalars(select(NoticeRevision).join(NoticeHead, NoticeHead.row ==
                                                     NoticeRevision.row).order_by(NoticeRevision.row))
        return [r.record | {"revision": r.revision, "received_at": r.received_at.isoformat()}
                for r in rows]
