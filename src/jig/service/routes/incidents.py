"""Incidents: intake (one, many, or a whole file), queries, one incident, its explanation."""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import uuid
from dataclasses import replace
from typing import Annotated, Any

import shapely
from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import Field
from shapely.geometry import shape
from sqlalchemy.orm import Session

from jig.engine import explain
from jig.errors import Location, Problem, RowError
from jig.readers import IncidentReader
from jig.readers.fields import to_incident
from jig.readers.files import RawRecord
from jig.records import JUDGED_FIELDS, Incident, Origin
from jig.service.context import MAX_ROW, Context, Who, allow, context, reading, signs_in
from jig.service.convert import (
    as_records,
    brief_feature,
    feature,
    incident_out,
    row_out,
    verdict_out,
)
from jig.service.errors import ERRORS, ApiError, ErrorResponse
from jig.service.jobs import create_job, fsync_folder
from jig.service.limits import plain_name, vertices
from jig.service.metrics import taken
from jig.service.schemas import (
    ExplanationOut,
    IncidentDetail,
    IntakeOut,
    Page,
    RequestBody,
    StoredOut,
    VerdictOut,
)
from jig.store import Filters, search
from jig.store import queries as q
from jig.store.secrets import open_cursor, seal_cursor
from jig.store.store import JOINT
from jig.store.tables import AgreementVersion
from jig.times import parse_time

# Fields the engine judges on: withholding them would leave the joint centre judging
# something else than what happened.
JUDGED = JUDGED_FIELDS


class ReleaseIn(RequestBody):
    withhold: list[str] | None = Field(None, description="Fields the other side must not see "
                                       "(not the judged ones); default: what the previous "
                                       "release of this incident withheld, or nothing.")


router = APIRouter(tags=["incidents"])
BULK_TYPES = {"text/csv": ".csv", "application/x-ndjson": ".jsonl", "application/jsonl": ".jsonl",
              "application/geo+json": ".geojson", "application/json": ".json"}

RECORDS_EXAMPLE = {"id": "A-01", "time": "2016-07-20T10:15", "lon": 36.675, "lat": 35.648,
                   "actor": "Military Forces of Syria (2000-)", "act": "air_strike"}


def parse_records(ctx: Context, items: list[dict[str, Any]]) -> list[Incident]:
    """Every record, or a 422 naming each bad one: a request is taken whole or not at all.
    Records are checked as a bulk file's rows are: fields, then the agreement's area."""
    current = ctx.store.current_versions()
    agreement = ctx.store.load(current[0]) if current else None
    tz = agreement.tz if agreement is not None else ctx.store.intake_tz()
    extent = agreement.extent if agreement is not None else None
    out: list[tuple[RawRecord, Incident]] = []
    problems = []
    seen: set[str] = set()
    for i, fields in enumerate(items):
        try:
            inc = to_incident(fields, tz, extent=extent)
        except RowError as exc:
            problems.append(Problem(exc.code, str(exc), Location(path=f"[{i}].{exc.field}")))
            continue
        if inc.id in seen:
            problems.append(Problem("row.duplicate_id", f"id {inc.id!r} twice in one request",
                                    Location(path=f"[{i}].id")))
        seen.add(inc.id)
        out.append((RawRecord(Origin("request", feature=i), fields, ""), inc))
    if agreement is not None and not problems:
        for (rec, _), checked in zip(out, IncidentReader(agreement).in_area(out), strict=True):
            if not isinstance(checked, Incident):
                problems.append(Problem(checked.code, checked.reason, Location(
                    path=f"[{rec.origin.feature}].{checked.field or 'lon'}")))
    if problems:
        raise ApiError(422, "records.invalid", f"{len(problems)} of {len(items)} records are "
                       "invalid; nothing was stored", problems)
    return [inc for _, inc in out]


def current_verdicts(ctx: Context, ids: list[str], viewer: str) -> dict[str, list[VerdictOut]]:
    out: dict[str, list[VerdictOut]] = {i: [] for i in ids}
    with ctx.store.sessions() as s:
        for incident_id in ids:
            history = [r for r in q.verdicts_of(s, incident_id, viewer, viewer)
                       if r.verdict is not None and r.verdict.scope == viewer]
            newest: dict[str, q.Row] = {}
            for row in history:
                newest[row.version.agreement_id] = row  # type: ignore[union-attr]
            for row in newest.values():
                assert row.verdict is not None and row.version is not None
                out[incident_id].append(verdict_out(row.verdict, row.version, row.findings,
                                                    row.incident.revision))
    return out


@router.post("/incidents", response_model=IntakeOut, responses=ERRORS)
def post_incidents(body: Annotated[Any, Body(examples=[RECORDS_EXAMPLE])], p: Who,
                   ctx: Context = Depends(context)) -> Any:
    """Take one record or a list (the fields of format 1) and judge them at once.

    Idempotent: a record sent again is stored once (`unchanged`); a different record under a
    known id is a correction (`revised`, a new revision; the old one stays readable). The
    request is taken whole or not at all. The answer comes once the records and their verdicts
    are on disk.
    """
    allow(p, "analyst", "lead")
    incidents = parse_records(ctx, as_records(body, "record", ctx.settings.max_records))
    stored = ctx.store.add_incidents(incidents, origin="api", workspace=p.scope, user=p.name)
    taken(r.status for r in stored)
    return IntakeOut(results=[StoredOut(id=r.id, status=r.status, revision=r.revision)
                              for r in stored],
                     verdicts=current_verdicts(ctx, [r.id for r in stored], p.scope))


@router.post("/incidents/bulk", status_code=202, responses=ERRORS | {
    415: {"model": ErrorResponse, "description": "The body's content type is not a file "
          "jig reads (and no `filename` says what it is)"},
    202: {"description": "Accepted; poll the job",
          "content": {"application/json": {"example": {"job": 1, "status": "/jobs/1"}}}}})
async def post_bulk(request: Request, p: Who, filename: str | None = None,
                    ctx: Context = Depends(context)) -> dict[str, Any]:
    """Take a whole file of any form jig reads (format 1 CSV / JSON Lines / GeoJSON, ACLED,
    UCDP GED, Airwars, CJTF-OIR), sent as the request body, up to the server's
    `max_bulk_bytes` (413 beyond). It is spooled to disk, then read and judged by a background
    job; poll `/jobs/{id}` for progress and `/jobs/{id}/rejects` for the rows set aside."""
    allow(p, "analyst", "lead")
    name = plain_name(filename, "filename") if filename else None
    ctype = (request.headers.get("content-type") or "").split(";")[0].strip()
    suffix = BULK_TYPES.get(ctype)
    if filename:
        suffix = "." + filename.rsplit(".", 1)[-1] if "." in filename else suffix
    if suffix is None:
        raise ApiError(415 if ctype else 400, "request.content_type",
                       f"send the file as one of {', '.join(BULK_TYPES)}, or give ?filename=")
    # One folder per upload, the file under its own name: readers take the kind of file from
    # the extension and the dataset from the name.
    spool = ctx.settings.data_dir / "spool"
    spool.mkdir(mode=0o700, parents=True, exist_ok=True)
    spool = spool / uuid.uuid4().hex
    spool.mkdir(mode=0o700)
    name = name or f"upload{suffix}"
    path = spool / name
    # Readable by this user only (it holds a party's records); removed when its job is done.
    digest = hashlib.sha256()  # the job runs this file only (`jobs.orders_problem`)
    try:
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as fh:
            async for chunk in request.stream():
                fh.write(chunk)
                digest.update(chunk)
            # On disk before the 202: an accepted file survives the machine losing power.
            fh.flush()
            os.fsync(fh.fileno())
        fsync_folder(spool)
    except BaseException:  # over the size limit, or the client went away: nothing is kept
        shutil.rmtree(spool, ignore_errors=True)
        raise
    job = create_job(ctx.store, "bulk", {"path": str(path), "filename": name,
                                         "workspace": p.scope, "user": p.name,
                                         "sha256": digest.hexdigest()})
    if ctx.worker is not None:
        ctx.worker.poke()
    return {"job": job, "status": f"/jobs/{job}"}


def _version(ctx: Context, agreement: str | None, s: Session | None = None
             ) -> AgreementVersion:
    try:
        return ctx.store.version(agreement, s=s)
    except KeyError as exc:
        raise ApiError(404 if agreement else 400, "agreement.unknown", str(exc.args[0])) from None


def _filters(ctx: Context, t_from: str | None, t_to: str | None, bbox: str | None,
             within: str | None, actor: str | None, clause: str | None, outcome: str | None,
             verdict: str | None, s: Session | None = None) -> Filters:
    tz = ctx.store.intake_tz(s)
    max_vertices = ctx.settings.max_vertices
    problems = []
    start = end = None
    try:
        start = parse_time(t_from, tz).start if t_from else None
        end = parse_time(t_to, tz).end if t_to else None
    except ValueError as exc:
        problems.append(Problem("query.time", str(exc), Location(path="from/to")))
    box = None
    if bbox:
        try:
            box = tuple(float(v) for v in bbox.split(","))
            if len(box) != 4 or box[0] > box[2] or box[1] > box[3] or \
                    not all(math.isfinite(v) for v in box) or \
                    not (box[0] >= -180 and box[2] <= 180 and box[1] >= -90 and box[3] <= 90):
                raise ValueError
        except ValueError:
            problems.append(Problem("query.bbox", f"bbox {bbox!r} is not minlon,minlat,maxlon,"
                                    "maxlat (finite degrees, lon -180..180, lat -90..90)",
                                    Location(path="bbox")))
    area = None
    if within:
        try:
            geometry = json.loads(within)
            if vertices(geometry, max_vertices) > max_vertices:
                problems.append(Problem("query.within", f"within has more than {max_vertices:,} "
                                        "vertices (the server's `max_vertices`)",
                                        Location(path="within")))
                raise ApiError(422, "query.invalid", "the query is invalid", problems)
            area = shape(geometry)
            if area.geom_type not in ("Polygon", "MultiPolygon") or not area.is_valid:
                raise ValueError
        except (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError,
                shapely.errors.ShapelyError):
            problems.append(Problem("query.within", "within must be a valid GeoJSON Polygon or "
                                    "MultiPolygon geometry", Location(path="within")))
    if problems:
        raise ApiError(422, "query.invalid", "the query is invalid", problems)
    return Filters(start, end, box, area, actor, clause, outcome, verdict)  # type: ignore[arg-type]


@router.get("/incidents", response_model=Page, responses=ERRORS | {200: {
    "description": "A page of incidents with their current verdicts; a GeoJSON "
    "FeatureCollection when `format=geojson` or `Accept: application/geo+json`",
    "content": {"application/geo+json": {}}}}, dependencies=[Depends(signs_in)])
def get_incidents(
    request: Request,
    agreement: str | None = Query(None, description="Agreement id (default: the only one)"),
    t_from: str | None = Query(None, alias="from", description="Acts overlapping from this "
                               "time (ISO 8601 date or date-time)"),
    t_to: str | None = Query(None, alias="to", description="... until this time"),
    bbox: str | None = Query(None, description="minlon,minlat,maxlon,maxlat"),
    within: str | None = Query(None, description="A GeoJSON Polygon geometry"),
    actor: str | None = Query(None, description="An actor id of the agreement"),
    clause: str | None = Query(None, description="Incidents with a finding under this clause"),
    outcome: str | None = Query(None, description="... with this outcome"),
    verdict: str | None = Query(None, description="Incidents with this verdict"),
    source: str | None = Query(None, description="The record's source or dataset"),
    grade: str | None = Query(None, description="The record's grade"),
    limit: int = Query(100, ge=1, le=MAX_ROW, description="At most this many (and at most "
                       "the server's page limit)"),
    cursor: str | None = Query(None, description="From the `next` of the previous page"),
    fmt: str | None = Query(None, alias="format", description="json (default) or geojson"),
    brief: bool = Query(False, description="GeoJSON features with only id, verdict and time "
                        "(what a map draws; a click asks for the rest)"),
    *, ctx: Context = Depends(context),
) -> Any:
    """Incidents and their current verdicts under one agreement, filtered, in pages: a party
    sees its headquarters' records and what was released to the joint centre (less the fields
    withheld from it); the joint reviewer what was released."""
    # The map's points on each pan and zoom: who asks and the versions in one statement.
    with reading(request) as (p, s):
        allow(p, "analyst", "lead", "reviewer")
        if limit > ctx.settings.page_limit:
            raise ApiError(422, "query.limit", f"limit is at most {ctx.settings.page_limit}")
        version = _version(ctx, agreement, s)
        filters = _filters(ctx, t_from, t_to, bbox, within, actor, clause, outcome, verdict, s)
        filters = replace(filters, source=source, grade=grade)
        try:
            after = open_cursor(s, cursor) if cursor else 0
        except ValueError:
            raise ApiError(422, "query.cursor", "cursor must come from `next`") from None
        rows, more = search(s, version.agreement_id, filters, after, limit, viewer=p.scope)
        nxt = seal_cursor(s, more) if more is not None else None
    geo = fmt == "geojson" or "application/geo+json" in request.headers.get("accept", "")
    if geo:
        body = {"type": "FeatureCollection",
                "features": [brief_feature(r) if brief else feature(r, version) for r in rows],
                "next": nxt}
        return JSONResponse(body, media_type="application/geo+json")
    return Page(items=[row_out(r, version) for r in rows], next=nxt)


WORKSPACE = Query(None, description="Whose record, when records of several workspaces "
                  "have this id (default: your own, then the joint centre's, then the one "
                  "released to you)")


def shown(s: Any, incident_id: str, p: Any, workspace: str | None) -> q.Shown:
    """The incident as the asker may see it, or 404 exactly as for an id nobody holds."""
    try:
        return q.incident(s, incident_id, p.scope, workspace)
    except q.Ambiguous as exc:
        raise ApiError(409, "incident.ambiguous", str(exc)) from None
    except KeyError:
        raise ApiError(404, "not_found", f"no incident {incident_id!r}") from None


@router.get("/incidents/{incident_id}", response_model=IncidentDetail, responses=ERRORS)
def get_incident(incident_id: str, p: Who, workspace: str | None = WORKSPACE,
                 ctx: Context = Depends(context)) -> Any:
    """One incident: its newest record, every revision, and every verdict ever recorded, as
    far as the asker may see them. Another party's record shows only its released
    revisions, each less the fields its own release withheld, numbered as released, with a
    content hash over the fields shown."""
    allow(p, "analyst", "lead", "reviewer")
    with ctx.store.sessions() as s:
        view = shown(s, incident_id, p, workspace)
        history = q.verdicts_of(s, incident_id, p.scope, view.workspace)
    newest = view.newest
    outs = [verdict_out(r.verdict, r.version, r.findings, r.revision)  # type: ignore[arg-type]
            for r in history]
    mine = newest.workspace == p.scope
    current = next((v for v, r in zip(reversed(outs), reversed(history), strict=True)
                    if r.incident.row == newest.row and (mine or r.verdict.scope == JOINT)),
                   None)
    base = incident_out(newest, current, view.withheld, view.number)
    releases = []
    if newest.workspace == p.scope and p.scope != JOINT:  # the owner's own releases
        with ctx.store.sessions() as s:
            numbers = {r.row: r.revision for r, _ in view.revisions}
            releases = [{"revision": numbers.get(rel.incident_row), "withheld": rel.withheld,
                         "released_by": rel.released_by,
                         "released_at": rel.released_at.isoformat()}
                        for rel in q.releases_of(s, p.scope, incident_id)]
    return IncidentDetail(**base.model_dump(), history=outs,
                          revisions=view.revisions_for(p.scope), releases=releases)


@router.post("/incidents/{incident_id}/release", responses=ERRORS)
def release_incident(incident_id: str, p: Who, body: Annotated[ReleaseIn, Body()] = None,
                     preview: bool = Query(False, description="Only show what the other "
                                           "side would see; release nothing"),
                     ctx: Context = Depends(context)) -> dict[str, Any]:
    """Release the newest revision of one of your party's incidents to the joint centre,
    optionally withholding fields that are not judged (a source's identity, notes). The joint
    centre judges it with what it sees. The answer shows exactly the record the other side
    sees (`shown`); with `preview=true` nothing is released."""
    allow(p, "lead")
    party = p.party or ""
    with ctx.store.sessions() as s:
        try:
            view = q.incident(s, incident_id, party, workspace=party)
        except KeyError:
            raise ApiError(404, "not_found", f"no incident {incident_id!r} in your workspace") \
                from None
        previous = q.last_release(s, party, incident_id)
    record = view.newest.record
    asked = body.withhold if body is not None and body.withhold is not None else None
    def at(code: str, names: list[str], why: str) -> list[Problem]:  # each named where
        listed = list(asked or ())
        return [Problem(code, why, Location(path=f"withhold[{listed.index(n)}]"))
                for n in names]

    judged = sorted(set(asked or ()) & JUDGED)
    if judged:
        code = "release.judged_field"
        raise ApiError(422, code, f"{', '.join(judged)} cannot be withheld: the joint centre "
                       "judges on them", at(code, judged, "the joint centre judges on it"))
    # A misspelt field name would withhold nothing and release the field it meant.
    unknown = sorted(set(asked or ()) - set(record))
    if unknown:
        code = "release.unknown_field"
        fields = ", ".join(sorted(set(record) - JUDGED))
        raise ApiError(422, code, f"{', '.join(unknown)}: not a field of {incident_id} (its "
                       f"fields: {fields})", at(code, unknown, f"not a field of {incident_id}"))
    withhold = sorted(set(asked if asked is not None else
                          (previous.withheld if previous is not None else ())))
    out = {"incident": incident_id, "revision": view.newest.revision, "withheld": withhold,
           "shown": q.as_seen(record, withhold)}
    if preview:
        return out | {"preview": True}
    rel = ctx.store.release(incident_id, party, withhold, p.name)
    return out | {"released_at": rel.released_at.isoformat()}


@router.get("/incidents/{incident_id}/explain", response_model=ExplanationOut, responses=ERRORS)
def explain_incident(incident_id: str, p: Who, agreement: str | None = None,
                     workspace: str | None = WORKSPACE, ctx: Context = Depends(context)) -> Any:
    """Every clause's reasoning for one incident, step by step, under the version in force at
    its time (most of it), with the evidence the asker's scope sees."""
    allow(p, "analyst", "lead", "reviewer")
    version = _version(ctx, agreement)
    a = ctx.store.load(version)
    with ctx.store.sessions() as s:
        view = shown(s, incident_id, p, workspace)
        newest = view.newest
        inc = to_incident(q.as_seen(newest.record, view.withheld), a.tz)
        version = ctx.store.governing(s, version, inc.span)
        a = ctx.store.load(version)
        scope = p.scope if newest.workspace == p.scope else JOINT
        pool = ctx.store.evidence(s, a, inc.span.start, inc.span.end, scope, near=[inc])
        notices = ctx.store.notices(s, a, ctx.store.barred_notices(s, [newest])[0])
    others = [p for p in pool if p.id != inc.id]
    ex = explain(a, [inc, *others], inc.id, notices)
    return ExplanationOut(
        incident=inc.id, verdict=ex.verdict.verdict, verdict_reason=ex.verdict_reason,
        agreement_id=version.agreement_id,
        version=version.version, preamble=ex.preamble,
        clauses=[{"clause": c.clause.id, "rule": c.clause.rule, "quote": c.clause.quote,
                  "outcome": c.outcome, "steps": c.steps,
                  "finding": c.finding.as_dict() if c.finding else None} for c in ex.clauses])
