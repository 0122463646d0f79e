"""Request and response bodies of the API, as OpenAPI describes them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class RequestBody(BaseModel):
    """A request's JSON body: a key it does not know is refused (422, naming it), never
    ignored. A misspelt `withhold` in a release would otherwise release the very field it
    meant to hold back."""

    model_config = ConfigDict(extra="forbid")


class AgreementUpload(RequestBody):
    yaml: str = Field(description="The agreement file, format 1 (YAML or JSON text).")
    files: dict[str, Any] = Field(default_factory=dict, description="GeoJSON documents the "
                                  "agreement names by file name (zones.geojson, ...).")
    effective_from: datetime | None = Field(None, description="When this version takes "
                                            "effect; default: now. A date, or a time without "
                                            "an offset, is in the agreement's timezone.")


class AgreementVersionOut(BaseModel):
    agreement_id: str
    version: int
    content_hash: str
    title: str | None = None
    effective_from: datetime
    created_at: datetime


class AgreementStored(AgreementVersionOut):
    created: bool = Field(description="False when the same content was stored before.")
    rejudge_job: int | None = Field(None, description="The job re-judging stored incidents "
                                    "against this version.")


class StoredOut(BaseModel):
    id: str
    status: str = Field(description="stored, revised (a new revision), restored (an earlier "
                        "revision's content sent again: it is the record again) or unchanged "
                        "(the record's current content)")
    revision: int


class VerdictOut(BaseModel):
    agreement_id: str
    version: int
    agreement_hash: str
    verdict: str
    findings: list[dict[str, Any]]
    judged_at: datetime
    revision: int = Field(description="The incident revision judged.")


class IntakeOut(BaseModel):
    results: list[StoredOut]
    verdicts: dict[str, list[VerdictOut]] = Field(
        description="Current verdicts of the records sent, by incident id.")


class IncidentOut(BaseModel):
    id: str
    workspace: str = Field(description="Whose record: a party's, or `joint`. Ids are scoped "
                           "by workspace: the same id from another party is another record.")
    revision: int
    record: dict[str, Any]
    received_at: datetime
    verdict: VerdictOut | None = None


class IncidentDetail(IncidentOut):
    revisions: list[dict[str, Any]] = Field(description="Every revision, oldest first.")
    history: list[VerdictOut] = Field(description="Every verdict ever recorded, oldest first.")
    releases: list[dict[str, Any]] = Field(default_factory=list, description="Your party's "
                                           "releases of its own incident: revision, fields "
                                           "withheld, by whom, when (empty for others).")


class Page(BaseModel):
    items: list[IncidentOut]
    next: str | None = Field(None, description="Pass as `cursor` for the next page.")


class JobOut(BaseModel):
    id: int
    kind: str
    status: str
    read: int
    stored: int
    unchanged: int
    rejected: int
    # Rejected rows kept for /jobs/{id}/rejects: all of them up to the server's
    # `max_rejects_kept`, which bounds what a file of garbage can leave in the store.
    rejects_kept: int = 0
    error: str | None = None
    created_at: datetime
    finished_at: datetime | None = None
    # How many times a worker took it: more than 1 when a server stopped (or died) while it
    # ran and the next one ran it again from the start (intake is idempotent: the records the
    # earlier run stored count as `unchanged`).
    attempts: int = 0
    # Progress of a job this server process ran or runs (absent after a restart): bytes of the
    # file read, of how many; seconds since the worker took it; rows read per second.
    bytes_read: int | None = None
    bytes_total: int | None = None
    elapsed_s: float | None = None
    rows_per_s: float | None = None


class RejectOut(BaseModel):
    file: str | None
    line: int | None
    code: str
    field: str | None
    reason: str
    raw: str


class ClauseExplanationOut(BaseModel):
    clause: str
    rule: str
    quote: str | None
    outcome: str
    steps: list[str]
    finding: dict[str, Any] | None


class ExplanationOut(BaseModel):
    incident: str
    verdict: str
    verdict_reason: str | None = Field(None, description="Why the verdict is what it is when "
                                       "no finding has it: a record naming two sides, judged "
                                       "as each side's act over every clause.")
    agreement_id: str
    version: int
    preamble: list[str]
    clauses: list[ClauseExplanationOut]
