"""Agreements: upload (a new version), list, and the versions of one."""

from __future__ import annotations

import dataclasses
import json
import re
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Query, Response, status
from sqlalchemy import select

from jig.agreement import Agreement, agreement_document, parse_agreement
from jig.agreement.yamlsource import YamlLimits
from jig.errors import AgreementError, Location, Problem
from jig.service.context import Context, RowNumber, Who, allow, allow_agreement_change, context
from jig.service.convert import version_out
from jig.service.errors import ERRORS, ApiError
from jig.service.jobs import create_job
from jig.service.limits import plain_name, vertices
from jig.service.schemas import AgreementStored, AgreementUpload, AgreementVersionOut
from jig.store import proposals as pr
from jig.store.proposals import needs_parties
from jig.store.tables import AgreementProposal, AgreementVersion
from jig.times import parse_time

router = APIRouter(tags=["agreements"])


def effective_from(upload: AgreementUpload, agreement: Agreement) -> datetime | None:
    """When the version takes effect: a date, or a time without an offset, in the agreement's
    timezone, as every time of the format is (docs/rules.md). Read as UTC, a version both
    parties accepted "from 2016-08-01" took effect at 03:00 in Damascus, and acts of the
    first hours of the day were judged under the old text (an operator's review)."""
    when = upload.effective_from
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=agreement.tz)
    return when


def read_upload(ctx: Context, upload: AgreementUpload) -> tuple[Agreement, str]:
    """The agreement and its canonical document; 422 naming the file and line of each
    problem, or the limit it passes."""
    limit = ctx.settings.max_vertices
    for name, doc in upload.files.items():
        if vertices(doc, limit) > limit:
            raise ApiError(422, "agreement.too_many_vertices", f"{name}: its geometries have "
                           f"more than {limit:,} vertices (the server's `max_vertices`)",
                           [Problem("agreement.too_many_vertices", f"more than {limit:,} "
                                    "vertices", Location(file=name))])
    limits = YamlLimits(ctx.settings.yaml_alias_values, ctx.settings.yaml_depth)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        for name, doc in upload.files.items():
            plain_name(name, f"files.{name}")
            (base / name).write_text(json.dumps(doc), encoding="utf-8")
        try:
            agreement = parse_agreement(upload.yaml, name="agreement.yaml", base_dir=base,
                                        yaml_limits=limits)
        except AgreementError as exc:
            raise ApiError(422, "agreement.invalid", f"the agreement is invalid: "
                           f"{len(exc.problems)} problem(s)",
                           [_over_http(_as_uploaded(p, base)) for p in exc.problems]) from None
        return agreement, agreement_document(upload.yaml, base, limits)


def _as_uploaded(p: Problem, base: Path) -> Problem:
    """A problem in one of the upload's `files` names it as uploaded ("zones.geojson"), not
    the server's temporary copy, whose path changed at every request (an operator's review)."""
    file = p.where.file
    if file is None or not Path(file).is_relative_to(base):
        return p
    return dataclasses.replace(p, where=dataclasses.replace(
        p.where, file=str(Path(file).relative_to(base))))


def _over_http(p: Problem) -> Problem:
    """A file the agreement names and the upload lacks, said as an upload's fix: over HTTP
    there is no folder to put it in, only `files`."""
    named = re.match(r"cannot read \w+ file ('.+'):", p.message)
    if p.code != "geojson.unreadable" or named is None:
        return p
    return Problem(p.code, f"the agreement names {named.group(1)}, which is not among the "
                   "upload's `files`", p.where,
                   f"add it to `files`: {{{named.group(1)}: its GeoJSON document}}")


def rejudge_job(ctx: Context, version: AgreementVersion) -> int:
    job = create_job(ctx.store, "rejudge", {"agreement_id": version.agreement_id,
                                            "version": version.version})
    if ctx.worker is not None:
        ctx.worker.poke()
    return job


def store_agreement(ctx: Context, upload: AgreementUpload, user: str = "local",
                    first_only: bool = False) -> tuple[AgreementStored, bool]:
    """Validate and store a version. `first_only`: a new agreement only, not an amendment
    (which, in a store with parties, only every party's lead together can make)."""
    agreement, document = read_upload(ctx, upload)
    history = ctx.store.versions(agreement.id)
    if first_only and history and history[-1].content_hash != agreement.content_hash:
        raise ApiError(409, "agreement.needs_parties", f"{agreement.id} is in force: an "
                       "amendment needs every party. A party's lead proposes it (POST "
                       f"/agreements/{agreement.id}/proposals) and every party's lead accepts")
    # Another agreement beside the cell's binds its parties as much as an amendment does: the
    # reviewer alone put one in force, first by id, that every intake was then checked against.
    # Any agreement stored, in force or not yet: one that takes effect next month is the
    # cell's agreement as much.
    if first_only and not history and ctx.store.agreement_ids():
        raise ApiError(409, "agreement.needs_parties", f"the cell already works under an "
                       f"agreement: a second one ({agreement.id}) binds its parties too, and is "
                       "not taken from one role over the API; the operator starts the server "
                       "with it (jig serve --agreement FILE), which the log records")
    version, created = ctx.store.add_agreement(agreement, document,
                                               effective_from(upload, agreement), user=user)
    job = rejudge_job(ctx, version) if created else None
    out = AgreementStored(**version_out(version).model_dump(), created=created, rejudge_job=job)
    return out, created


@router.post("/agreements", response_model=AgreementStored, status_code=201,
             responses={200: {"model": AgreementStored, "description": "Stored before"}} | ERRORS)
def upload_agreement(upload: AgreementUpload, response: Response, p: Who,
                     ctx: Context = Depends(context)) -> Any:
    """Store an agreement (or an amendment: a new version of the same `id`).

    Stored incidents are re-judged against a new version in a background job; the verdicts
    under earlier versions stay. Sending the same content again stores nothing (200). In a
    store with party users, an amendment is not taken here (409): it is proposed by a party's
    lead and adopted when every party's lead accepts (`/agreements/{id}/proposals`).
    """
    allow_agreement_change(ctx, p, "reviewer")
    out, created = store_agreement(ctx, upload, p.name, first_only=needs_parties(ctx.store))
    if not created:
        response.status_code = status.HTTP_200_OK
    return out


@router.get("/agreements", response_model=list[AgreementVersionOut], responses=ERRORS)
def list_agreements(p: Who, ctx: Context = Depends(context),
                    at: str | None = Query(None, description="A date or date-time (ISO 8601; "
                                           "a date means its start, in the agreement's "
                                           "timezone): the version governing acts then.")
                    ) -> Any:
    """The version of each agreement in force now, or governing acts at `at`."""
    if at is None:
        return [version_out(v) for v in ctx.store.current_versions()]
    try:
        instant = parse_time(at, ctx.store.intake_tz()).start
    except ValueError as exc:
        raise ApiError(422, "query.at", f"`at`: {exc}") from None
    return [version_out(v) for v in ctx.store.governing_versions(instant)]


@router.get("/agreements/{agreement_id}", response_model=list[AgreementVersionOut],
            responses=ERRORS)
def agreement_versions(agreement_id: str, p: Who, ctx: Context = Depends(context)) -> Any:
    """Every version of one agreement, oldest first."""
    versions = ctx.store.versions(agreement_id)
    if not versions:
        raise ApiError(404, "not_found", f"no agreement {agreement_id!r}")
    return [version_out(v) for v in versions]


@router.get("/agreements/{agreement_id}/versions/{number}", responses=ERRORS)
def agreement_document_of(agreement_id: str, number: RowNumber, p: Who,
                          ctx: Context = Depends(context)) -> dict[str, Any]:
    """The stored document of one version (format 1, GeoJSON inlined)."""
    try:
        v = ctx.store.version(agreement_id, number)
    except KeyError as exc:
        raise ApiError(404, "not_found", str(exc.args[0])) from None
    return {"version": version_out(v).model_dump(mode="json"),
            "document": json.loads(ctx.store.document(v))}


@router.post("/agreements/{agreement_id}/rejudge", status_code=202, responses=ERRORS)
def rejudge(agreement_id: str, p: Who, ctx: Context = Depends(context)) -> dict[str, int]:
    """Re-judge every stored incident against the current version (for evidence or notices
    that arrived out of order); verdicts are added only where the findings change."""
    allow_agreement_change(ctx, p, "reviewer")
    try:
        v = ctx.store.version(agreement_id)
    except KeyError as exc:
        raise ApiError(404, "not_found", str(exc.args[0])) from None
    job = create_job(ctx.store, "rejudge", {"agreement_id": v.agreement_id,
                                            "version": v.version})
    if ctx.worker is not None:
        ctx.worker.poke()
    return {"job": job}


# -- amendments both parties make --------------------------------------------------------------

def _proposal_run(fn: Any, *args: Any) -> AgreementProposal:
    try:
        return fn(*args)
    except pr.ProposalError as exc:
        raise ApiError(exc.status, exc.code, str(exc)) from None


def _proposal_out(ctx: Context, prop: AgreementProposal) -> dict[str, Any]:
    with ctx.store.sessions() as s:
        out = pr.proposal_dict(s, s.get(AgreementProposal, prop.row))
    if prop.state == "adopted" and prop.version_row is not None:
        version = next(v for v in ctx.store.versions(prop.agreement_id)
                       if v.row == prop.version_row)
        out["rejudge_job"] = rejudge_job(ctx, version)
    return out


@router.post("/agreements/{agreement_id}/proposals", status_code=201, responses=ERRORS)
def propose(agreement_id: str, upload: AgreementUpload, p: Who,
            ctx: Context = Depends(context)) -> dict[str, Any]:
    """Propose an amendment (a new version: zones redrawn, targets agreed or withdrawn,
    parties added or removed), as your party's lead; your party accepts by proposing. It
    takes effect once every party's lead has accepted, governing acts from its
    `effective_from`."""
    allow_agreement_change(ctx, p, "lead")
    agreement, document = read_upload(ctx, upload)
    if agreement.id != agreement_id:
        raise ApiError(422, "proposal.agreement", f"the document is agreement "
                       f"{agreement.id!r}, not {agreement_id!r}")
    return _proposal_out(ctx, _proposal_run(pr.propose, ctx.store, agreement, document,
                                            effective_from(upload, agreement), p.party or "",
                                            p.name))


@router.get("/agreements/{agreement_id}/proposals", responses=ERRORS)
def list_proposals(agreement_id: str, p: Who, ctx: Context = Depends(context)
                   ) -> list[dict[str, Any]]:
    """Every proposed amendment of an agreement, with its diff and who has accepted."""
    allow(p, "analyst", "lead", "reviewer")
    with ctx.store.sessions() as s:
        return [pr.proposal_dict(s, prop) for prop in s.scalars(
            select(AgreementProposal).where(AgreementProposal.agreement_id == agreement_id)
            .order_by(AgreementProposal.proposed_at, AgreementProposal.row))]


@router.post("/agreements/{agreement_id}/proposals/{proposal_id}/accept", responses=ERRORS)
def accept_proposal(agreement_id: str, proposal_id: RowNumber, p: Who,
                    ctx: Context = Depends(context)) -> dict[str, Any]:
    """Accept a proposal for your party; the last acceptance makes it a version."""
    allow_agreement_change(ctx, p, "lead")
    return _proposal_out(ctx, _proposal_run(pr.accept, ctx.store, proposal_id,
                                            p.party or "", p.name, agreement_id))


@router.post("/agreements/{agreement_id}/proposals/{proposal_id}/decline", responses=ERRORS)
def decline_proposal(agreement_id: str, proposal_id: RowNumber, p: Who,
                     ctx: Context = Depends(context)) -> dict[str, Any]:
    """Decline a proposal for your party: it will not be adopted."""
    allow_agreement_change(ctx, p, "lead")
    return _proposal_out(ctx, _proposal_run(pr.decline, ctx.store, proposal_id,
                                            p.party or "", p.name, agreement_id))
