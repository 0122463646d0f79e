"""Agreements: upload (a new version), list, and the versions of one."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Query, Response, status

from jig.agreement import agreement_document, parse_agreement
from jig.errors import AgreementError
from jig.service.context import Context, Who, allow, context
from jig.service.convert import version_out
from jig.service.errors import ERRORS, ApiError
from jig.service.jobs import create_job
from jig.service.schemas import AgreementStored, AgreementUpload, AgreementVersionOut
from jig.times import parse_time

router = APIRouter(tags=["agreements"])


def store_agreement(ctx: Context, upload: AgreementUpload, user: str = "local"
                    ) -> tuple[AgreementStored, bool]:
    """Validate (errors name the file and line of the upload) and store a version."""
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        for name, doc in upload.files.items():
            if Path(name).name != name:
                raise ApiError(422, "agreement.file_name", f"file name {name!r} must be a plain "
                               "name, as the agreement refers to it")
            (base / name).write_text(json.dumps(doc), encoding="utf-8")
        try:
            agreement = parse_agreement(upload.yaml, name="agreement.yaml", base_dir=base)
        except AgreementError as exc:
            raise ApiError(422, "agreement.invalid", f"the agreement is invalid: "
                           f"{len(exc.problems)} problem(s)", exc.problems) from None
        document = agreement_document(upload.yaml, base)
    version, created = ctx.store.add_agreement(agreement, document, upload.effective_from,
                                               user=user)
    job = None
    if created:
        job = create_job(ctx.store, "rejudge", {"agreement_id": version.agreement_id,
                                                "version": version.version})
        if ctx.worker is not None:
            ctx.worker.poke()
    out = AgreementStored(**version_out(version).model_dump(), created=created, rejudge_job=job)
    return out, created


@router.post("/agreements", response_model=AgreementStored, status_code=201,
             responses={200: {"model": AgreementStored, "description": "Stored before"}} | ERRORS)
def upload_agreement(upload: AgreementUpload, response: Response, p: Who,
                     ctx: Context = Depends(context)) -> Any:
    """Store an agreement (or an amendment: a new version of the same `id`).

    Stored incidents are re-judged against a new version in a background job; the verdicts
    under earlier versions stay. Sending the same content again stores nothing (200).
    """
    allow(p, "reviewer")
    out, created = store_agreement(ctx, upload, p.name)
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
def agreement_document_of(agreement_id: str, number: int, p: Who,
                          ctx: Context = Depends(context)) -> dict[str, Any]:
    """The stored document of one version (format 1, GeoJSON inlined)."""
    try:
        v = ctx.store.version(agreement_id, number)
    except KeyError as exc:
        raise ApiError(404, "not_found", str(exc.args[0])) from None
    return {"version": version_out(v).model_dump(mode="json"),
            "document": json.loads(v.document)}


@router.post("/agreements/{agreement_id}/rejudge", status_code=202, responses=ERRORS)
def rejudge(agreement_id: str, p: Who, ctx: Context = Depends(context)) -> dict[str, int]:
    """Re-judge every stored incident against the current version (for evidence or notices
    that arrived out of order); verdicts are added only where the findings change."""
    allow(p, "reviewer")
    try:
        v = ctx.store.version(agreement_id)
    except KeyError as exc:
        raise ApiError(404, "not_found", str(exc.args[0])) from None
    job = create_job(ctx.store, "rejudge", {"agreement_id": v.agreement_id,
                                            "version": v.version})
    if ctx.worker is not None:
        ctx.worker.poke()
    return {"job": job}
