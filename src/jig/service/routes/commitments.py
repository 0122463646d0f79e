"""Commitments with deadlines (must_by) judged on status records sent with the request.

The records are judged, not stored: the store has no table for them yet (docs/service.md)."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends

from jig.engine.commitments import judge_commitments
from jig.errors import Location, Problem, RowError
from jig.readers.status import to_status
from jig.service.context import Context, Who, allow, context
from jig.service.errors import ERRORS, ApiError
from jig.times import format_instant, parse_time

router = APIRouter(tags=["commitments"])
EXAMPLE = {"as_of": "2019-06-01", "records": [
    {"id": "HOD-S4", "clause": "hodeidah-2-redeploy-from-ports", "time": "2019-05-14",
     "status": "done", "actor": "HOUTHI", "source": "UN Redeployment Coordination Committee"}]}


@router.post("/commitments/check", responses=ERRORS)
def check_commitments(body: Annotated[dict[str, Any], Body(examples=[EXAMPLE])], p: Who,
                      agreement: str | None = None, ctx: Context = Depends(context)
                      ) -> dict[str, Any]:
    """Judge the current agreement's must_by clauses on the status records sent (`records`),
    as of `as_of` (ISO 8601; default now): complies, breach or undetermined for each clause and
    bound actor, with the reason. A bad record is refused with its index and field."""
    allow(p, "analyst", "lead", "reviewer")
    versions = ctx.store.current_versions()
    if agreement is not None:
        versions = [v for v in versions if v.agreement_id == agreement]
    if not versions:
        raise ApiError(404 if agreement else 409, "agreement.none",
                       f"no agreement {agreement!r} in force in the store" if agreement
                       else "the store holds no agreement: upload one first")
    if len(versions) > 1:
        raise ApiError(422, "agreement.ambiguous", "several agreements are in force; name one "
                       "with ?agreement=ID: " + ", ".join(v.agreement_id for v in versions))
    version = versions[0]
    a = ctx.store.load(version)
    items = body.get("records", [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ApiError(422, "request.invalid", "`records` must be a list of status records")
    try:
        as_of = parse_time(str(body["as_of"]), a.tz).end if body.get("as_of") else time.time()
    except ValueError as exc:
        raise ApiError(422, "request.invalid", f"`as_of`: {exc}") from None
    records, problems = [], []
    for i, fields in enumerate(items):
        try:
            records.append(to_status(fields, a))
        except RowError as exc:
            problems.append(Problem(exc.code, str(exc), Location(path=f"records[{i}].{exc.field}")))
    ids = [r.id for r in records]
    problems += [Problem("row.duplicate_id", f"id {d!r} is used twice", Location(path="records"))
                 for d in sorted({d for d in ids if ids.count(d) > 1})]
    if problems:
        raise ApiError(422, "records.invalid", f"{len(problems)} problems in {len(items)} status "
                       "records; nothing was judged", problems)
    return {"agreement": a.id, "version": version.version,
            "as_of": format_instant(as_of, a.tz),
            "commitments": [c.as_dict() for c in judge_commitments(a, records, as_of)]}
