"""Commitments with deadlines (must_by): status records stored (`POST /status`) and the
findings judged on them again as each arrives (`GET /commitments`), or records judged as sent
without storing them (`POST /commitments/check`, for what-if)."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends

from jig.engine.commitments import judge_commitments
from jig.errors import Location, Problem, RowError
from jig.readers.status import to_status
from jig.service.context import Context, Who, allow, context
from jig.service.convert import as_records
from jig.service.errors import ERRORS, ApiError
from jig.service.schemas import StoredOut
from jig.store.commitments import add_status_records, commitment_findings, stored_status
from jig.store.tables import AgreementVersion
from jig.times import format_instant, parse_time

router = APIRouter(tags=["commitments"])
EXAMPLE = {"as_of": "2019-06-01", "records": [
    {"id": "HOD-S4", "clause": "hodeidah-2-redeploy-from-ports", "time": "2019-05-14",
     "status": "done", "actor": "HOUTHI", "source": "UN Redeployment Coordination Committee"}]}


def in_force(ctx: Context, agreement: str | None) -> AgreementVersion:
    """The version in force of `agreement`, or of the only agreement; 404/409/422 saying why
    there is none or which to name."""
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
    return versions[0]


@router.post("/commitments/check", responses=ERRORS)
def check_commitments(body: Annotated[dict[str, Any], Body(examples=[EXAMPLE])], p: Who,
                      agreement: str | None = None, ctx: Context = Depends(context)
                      ) -> dict[str, Any]:
    """Judge the current agreement's must_by clauses on the status records sent (`records`),
    as of `as_of` (ISO 8601; default now): complies, breach or undetermined for each clause and
    bound actor, with the reason. A bad record is refused with its index and field."""
    allow(p, "analyst", "lead", "reviewer")
    version = in_force(ctx, agreement)
    a = ctx.store.load(version)
    unknown = sorted(set(body) - {"records", "as_of"})
    if unknown:  # a misspelt `as_of` would judge as of now, silently
        raise ApiError(422, "request.invalid", f"unknown key {', '.join(map(repr, unknown))}: "
                       "the body holds `records` and `as_of`")
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


STATUS_EXAMPLE = {"id": "HOD-S4", "clause": "hodeidah-2-redeploy-from-ports", "time": "2019-05-14",
                  "status": "done", "actor": "HOUTHI",
                  "source": "UN Redeployment Coordination Committee (UNMHA)"}


@router.post("/status", response_model=list[StoredOut], responses=ERRORS)
def post_status(body: Annotated[Any, Body(examples=[STATUS_EXAMPLE])], p: Who,
                ctx: Context = Depends(context)) -> Any:
    """Take one status record or a list (`id`, `clause`, `time`, `status`: done, not_done or
    claimed, `source`; `actor`, `notes`). Each is read against the agreements in force (its
    clause must be a must_by clause of one); the commitments are judged again at once. A bad
    record is refused with its index and field, and then nothing is stored."""
    allow(p, "analyst", "lead")
    items = as_records(body, "status record")
    agreements = [ctx.store.load(v) for v in ctx.store.current_versions()]
    if not agreements:
        raise ApiError(409, "agreement.none", "the store holds no agreement: upload one first")
    problems = []
    for i, fields in enumerate(items):
        error = None
        for a in agreements:
            try:
                to_status(fields, a)
            except RowError as exc:
                # The problem as the agreement that has the clause sees it, if one does.
                if error is None or exc.code != "row.unknown_clause":
                    error = exc
                continue
            # A party files status records on the commitments of its own agreements only:
            # the US recorded a Sochi withdrawal (Russia and Turkey's) done, and the shared
            # finding followed it.
            if p.party is not None and p.party not in a.parties:
                error = RowError("row.not_a_party", f"{p.party} is not a party of {a.id}, "
                                 f"whose clause {fields.get('clause')!r} this is", "clause")
                continue
            break
        else:
            assert error is not None
            problems.append(Problem(error.code, str(error),
                                    Location(path=f"[{i}].{error.field}")))
    ids = [str(f.get("id")) for f in items]
    problems += [Problem("row.duplicate_id", f"id {d!r} is used twice in the request",
                         Location(path="id")) for d in sorted({d for d in ids if ids.count(d) > 1})]
    if problems:
        raise ApiError(422, "records.invalid", f"{len(problems)} problems in {len(items)} status "
                       "records; nothing was stored", problems)
    stored = add_status_records(ctx.store, items, p.party or "", user=p.name)
    return [StoredOut(id=r.id, status=r.status, revision=r.revision) for r in stored]


@router.get("/status", responses=ERRORS)
def get_status(p: Who, ctx: Context = Depends(context)) -> list[dict[str, Any]]:
    """The newest revision of every status record, as sent, with the party that sent it
    ("" for the joint centre) and its revision."""
    allow(p, "analyst", "lead", "reviewer")
    with ctx.store.sessions() as s:
        return [st.fields | {"sent_by": st.party, "revision": st.revision}
                for st in stored_status(s)]


@router.get("/commitments", responses=ERRORS)
def get_commitments(p: Who, agreement: str | None = None, ctx: Context = Depends(context)
                    ) -> dict[str, Any]:
    """Every must_by commitment of the agreement in force (`agreement`: its id, when several
    are) as last judged on the stored status records: outcome, deadline, reason, evidence and
    the moment it was judged as of. `current` is false for a finding made under an earlier
    version (the version in force took effect later and no record has arrived since)."""
    allow(p, "analyst", "lead", "reviewer")
    v = in_force(ctx, agreement)
    return {"agreement": v.agreement_id, "version": v.version,
            "commitments": commitment_findings(ctx.store, v)}
