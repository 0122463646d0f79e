"""Background jobs: progress of bulk intake and re-judging, and the rows a job set aside."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy import func, select

from jig.service.context import After, Context, Limit, RowNumber, Who, allow, context
from jig.service.errors import ERRORS, ApiError
from jig.service.jobs import reject_aad
from jig.service.schemas import JobOut, RejectOut
from jig.store.judging import JOINT
from jig.store.sealing import open_text
from jig.store.tables import Job, JobReject

router = APIRouter(tags=["jobs"])


def _visible(s: Any, job_id: int, scope: str) -> Job:
    """A bulk job belongs to the workspace its file went to; others answer 404."""
    job = s.get(Job, job_id)
    if job is None or job.params.get("workspace", "joint") not in (scope, "joint"):
        raise ApiError(404, "not_found", f"no job {job_id}")
    return job


@router.get("/jobs/{job_id}", response_model=JobOut, responses=ERRORS)
def get_job(job_id: RowNumber, p: Who, ctx: Context = Depends(context)) -> Any:
    """A job's status (queued, running, done, failed) and counts: read = stored + unchanged +
    rejected once it is done."""
    allow(p, "analyst", "lead", "reviewer")
    with ctx.store.sessions() as s:
        job = _visible(s, job_id, p.scope)
        stored = job.stored
        if "added" in job.params and p.role != "open":
            # A re-judging job counts verdicts in every scope; a side sees the joint
            # centre's and its own, so the other side's held-back records count for nothing.
            added = job.params["added"]
            stored = added.get(JOINT, 0) + (added.get(p.scope, 0) if p.scope != JOINT else 0)
        live = ctx.worker.progress.get(job.row) if ctx.worker is not None else None
        finished = job.finished_at
        if job.kind != "bulk" and p.role != "open":
            # A re-judging job's pace is the size of every workspace together: no progress,
            # nor when it ended (its start is when the party's own request made it).
            live, finished = None, None
        kept = s.scalar(select(func.count()).select_from(JobReject)
                        .where(JobReject.job_row == job.row))
        return JobOut(id=job.row, kind=job.kind, status=job.status, read=job.read,
                      stored=stored, unchanged=job.unchanged, rejected=job.rejected,
                      rejects_kept=kept,
                      error=job.error, created_at=job.created_at, finished_at=finished,
                      attempts=job.params.get("attempts", 0),
                      **(live.as_dict() if live is not None else {}))


@router.get("/jobs/{job_id}/rejects", response_model=list[RejectOut], responses=ERRORS)
def get_rejects(job_id: RowNumber, p: Who, after: After = 0, limit: Limit = 1000,
                ctx: Context = Depends(context)) -> Any:
    """The rows a bulk job set aside, with line, reason and raw text."""
    allow(p, "analyst", "lead", "reviewer")
    with ctx.store.sessions() as s:
        job = _visible(s, job_id, p.scope)
        owner = job.params.get("workspace", JOINT)
        rows = s.scalars(select(JobReject).where(JobReject.job_row == job_id,
                                                 JobReject.row > after)
                         .order_by(JobReject.row).limit(min(limit, 10_000)))
        return [RejectOut(file=r.file, line=r.line, code=r.code, field=r.field,
                          reason=open_text(s, owner, r.reason, reject_aad(job_id, "reason")),
                          raw=open_text(s, owner, r.raw, reject_aad(job_id, "raw")))
                for r in rows]
