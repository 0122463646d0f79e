"""The store's tables. Records and decisions are append-only: a correction is a new revision,
an amendment a new version, a re-judgement a new verdict. Only the `*_heads` tables, which
point at the newest of each, are ever updated."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    select,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# SQLite only makes INTEGER PRIMARY KEY an auto-increment alias of the row id.
RowId = BigInteger().with_variant(Integer(), "sqlite")


# Ids a caller is shown for rows that several workspaces write (jobs, reviews, determinations,
# proposals, air alerts) are random, not counted: numbered in one sequence, a party seeing job
# 7 and then job 9 would learn that the other party wrote something in between. Below 2**53,
# so that a browser's numbers hold them exactly. Rows written before are kept as they were.
OPAQUE_BELOW = 2**53


def opaque_id(context: Any) -> int:
    """A fresh random id for the column being inserted (a context-sensitive default)."""
    column = context.current_column
    while True:
        n = secrets.randbelow(OPAQUE_BELOW - 1) + 1
        if context.connection.execute(select(column).where(column == n)).first() is None:
            return n


def opaque_key() -> Any:
    return mapped_column(RowId, primary_key=True, autoincrement=False, default=opaque_id)


class UtcDateTime(TypeDecorator[datetime]):
    """Times in UTC, given back with their zone on every backend (SQLite keeps none)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("store times with their timezone")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    pass


class AgreementVersion(Base):
    """One version of an agreement: its canonical document (GeoJSON inlined) and hash."""

    __tablename__ = "agreement_versions"
    __table_args__ = (UniqueConstraint("agreement_id", "version"),
                      UniqueConstraint("agreement_id", "content_hash"))

    row: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    agreement_id: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(Text)
    # canonical JSON, reloadable as format 1; read only when asked for (it can be megabytes)
    document: Mapped[str] = mapped_column(Text, deferred=True)
    effective_from: Mapped[datetime] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class IncidentRevision(Base):
    """An incident record as received. A different record under the same id is a new revision."""

    __tablename__ = "incident_revisions"
    __table_args__ = (UniqueConstraint("workspace", "incident_id", "revision"),
                      UniqueConstraint("workspace", "incident_id", "content_hash"),
                      Index("ix_incident_revisions_place", "lon", "lat"),
                      Index("ix_incident_revisions_time", "t_start", "t_end"),
                      # Evidence and re-judged acts: a workspace's records in a time window
                      # and a box; acts longer than two days through their own index
                      # (migration 0007).
                      Index("ix_incident_revisions_scope_time", "workspace", "t_start", "lon",
                            "lat"),
                      Index("ix_incident_revisions_long_spans", "workspace", "t_start",
                            sqlite_where=text("t_end - t_start > 172800"),
                            postgresql_where=text("t_end - t_start > 172800")))

    row: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(String(200))
    revision: Mapped[int] = mapped_column(Integer)
    # A commitment, not a plain digest: HMAC under the workspace's secret (see `secrets`),
    # so that nobody can test a guess of a withheld field against it.
    content_hash: Mapped[str] = mapped_column(String(64))
    record: Mapped[dict] = mapped_column(JSON)  # the fields of format 1, as given
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    precision_m: Mapped[float] = mapped_column(Float)
    t_start: Mapped[float] = mapped_column(Float)
    t_end: Mapped[float] = mapped_column(Float)
    actor: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    origin: Mapped[str | None] = mapped_column(Text)
    # The party whose headquarters holds it until released, or "joint" (the shared centre).
    workspace: Mapped[str] = mapped_column(String(100), default="joint", server_default="joint")


class IncidentHead(Base):
    """The newest revision of each incident. Ids are scoped by workspace: the same id sent by
    another party is another incident."""

    __tablename__ = "incident_heads"

    workspace: Mapped[str] = mapped_column(String(100), primary_key=True)
    incident_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    row: Mapped[int] = mapped_column(ForeignKey("incident_revisions.row"), index=True)


class NoticeRevision(Base):
    """A party's notice as received; ids are the party's own (keyed by party and id)."""

    __tablename__ = "notice_revisions"
    __table_args__ = (UniqueConstraint("party", "notice_id", "revision"),
                      UniqueConstraint("party", "notice_id", "content_hash"))

    row: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    notice_id: Mapped[str] = mapped_column(String(200))
    party: Mapped[str] = mapped_column(String(100), default="", server_default="")
    revision: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    record: Mapped[dict] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())


class NoticeHead(Base):
    __tablename__ = "notice_heads"

    party: Mapped[str] = mapped_column(String(100), primary_key=True)
    notice_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    row: Mapped[int] = mapped_column(ForeignKey("notice_revisions.row"), index=True)


class VerdictRecord(Base):
    """A decision: one incident revision judged against one agreement version, at a time."""

    __tablename__ = "verdicts"

    row: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    incident_row: Mapped[int] = mapped_column(ForeignKey("incident_revisions.row"), index=True)
    agreement_row: Mapped[int] = mapped_column(ForeignKey("agreement_versions.row"), index=True)
    agreement_hash: Mapped[str] = mapped_column(String(64))
    incident_id: Mapped[str] = mapped_column(String(200))
    verdict: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[str | None] = mapped_column(String(200))
    findings_hash: Mapped[str] = mapped_column(String(64))
    judged_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # What the judging could see: one party's headquarters (its records and the released
    # ones) or the joint centre (released records only).
    scope: Mapped[str] = mapped_column(String(100), default="joint", server_default="joint")


class FindingRecord(Base):
    __tablename__ = "findings"

    row: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    verdict_row: Mapped[int] = mapped_column(ForeignKey("verdicts.row"), index=True)
    clause: Mapped[str] = mapped_column(String(200), index=True)
    outcome: Mapped[str] = mapped_column(String(20), index=True)
    reason: Mapped[str] = mapped_column(Text)
    p: Mapped[float | None] = mapped_column(Float)
    detail: Mapped[dict] = mapped_column(JSON)  # zone/site/target, exception, evidence, missing


class VerdictHead(Base):
    """The newest verdict of each incident (of a workspace) under each agreement, in each
    scope."""

    __tablename__ = "verdict_scope_heads"

    incident_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    agreement_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    scope: Mapped[str] = mapped_column(String(100), primary_key=True)
    # the incident's own workspace
    workspace: Mapped[str] = mapped_column(String(100), primary_key=True)
    verdict_row: Mapped[int] = mapped_column(ForeignKey("verdicts.row"), index=True)
    incident_row: Mapped[int] = mapped_column(ForeignKey("incident_revisions.row"), index=True)


# The key of a job's params holding the server's signature of its orders (`jig.service.jobs`).
JOB_SEAL = "seal"


class Job(Base):
    """A bulk intake or re-judging run, done in the background, with progress to poll."""

    __tablename__ = "jobs"

    row: Mapped[int] = opaque_key()
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))  # queued, running, done, failed
    params: Mapped[dict] = mapped_column(JSON)
    read: Mapped[int] = mapped_column(Integer, default=0)
    stored: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class JobReject(Base):
    __tablename__ = "job_rejects"

    row: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    job_row: Mapped[int] = mapped_column(ForeignKey("jobs.row"), index=True)
    file: Mapped[str | None] = mapped_column(Text)
    line: Mapped[int | None] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(60))
    field: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)


class AirNoticeRevision(Base):
    """An air-activity notice as received (`jig.air`); a different one under a known id is a
    new revision."""

    __tablename__ = "air_notice_revisions"
    __table_args__ = (UniqueConstraint("party", "notice_id", "revision"),
                      UniqueConstraint("party", "notice_id", "content_hash"),
                      Index("ix_air_notice_revisions_time", "t_start", "t_end"))

    row: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    notice_id: Mapped[str] = mapped_column(String(200))
    party: Mapped[str] = mapped_column(String(100), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    record: Mapped[dict] = mapped_column(JSON)
    t_start: Mapped[float] = mapped_column(Float)
    t_end: Mapped[float] = mapped_column(Float)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())


class AirNoticeHead(Base):
    __tablename__ = "air_notice_heads"

    party: Mapped[str] = mapped_column(String(100), primary_key=True)
    notice_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    row: Mapped[int] = mapped_column(ForeignKey("air_notice_revisions.row"), index=True)


class AirAlert(Base):
    """A conflict between two notice revisions of different parties, as found at intake."""

    __tablename__ = "air_alerts"

    row: Mapped[int] = opaque_key()
    a_row: Mapped[int] = mapped_column(ForeignKey("air_notice_revisions.row"), index=True)
    b_row: Mapped[int] = mapped_column(ForeignKey("air_notice_revisions.row"), index=True)
    a_party: Mapped[str] = mapped_column(String(100))
    b_party: Mapped[str] = mapped_column(String(100))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    t_start: Mapped[float] = mapped_column(Float)
    t_end: Mapped[float] = mapped_column(Float)
    detail: Mapped[dict] = mapped_column(JSON)  # gaps and margins
    detected_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Release(Base):
    """A party's release of an incident revision to the joint centre, with fields withheld."""

    __tablename__ = "releases"

    row: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(String(200), index=True)
    incident_row: Mapped[int] = mapped_column(ForeignKey("incident_revisions.row"))
    workspace: Mapped[str] = mapped_column(String(100))
    withheld: Mapped[list] = mapped_column(JSON)
    released_by: Mapped[str] = mapped_column(String(200))
    released_at: Mapped[datetime] = mapped_column(UtcDateTime())


class User(Base):
    __tablename__ = "users"

    row: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(40))  # analyst, lead, reviewer, observer
    party: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class WorkspaceSecret(Base):
    """Each workspace's secret for content commitments (HMAC), made on first use."""

    __tablename__ = "workspace_secrets"

    workspace: Mapped[str] = mapped_column(String(100), primary_key=True)
    secret: Mapped[str] = mapped_column(String(200))  # hex


class Token(Base):
    """An API token: only its SHA-256 is kept."""

    __tablename__ = "tokens"

    row: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    user_row: Mapped[int] = mapped_column(ForeignKey("users.row"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Review(Base):
    """The review of a released incident's breach or undetermined verdict."""

    __tablename__ = "reviews"

    row: Mapped[int] = opaque_key()
    incident_id: Mapped[str] = mapped_column(String(200), index=True)
    incident_workspace: Mapped[str] = mapped_column(String(100), default="joint",
                                                    server_default="joint")
    agreement_id: Mapped[str] = mapped_column(String(200))
    # The parties of the version in force when the review was opened: its quorum, which a
    # later amendment cannot change.
    parties: Mapped[list | None] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(20))  # queried, answered, determined, published
    queried_party: Mapped[str] = mapped_column(String(100))
    query: Mapped[str] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)
    answer_evidence: Mapped[list] = mapped_column(JSON, default=list)
    opened_by: Mapped[str] = mapped_column(String(200))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Determination(Base):
    """A party lead's signed determination of the facts of a review."""

    __tablename__ = "determinations"
    __table_args__ = (UniqueConstraint("review_row", "party"),)

    row: Mapped[int] = opaque_key()
    review_row: Mapped[int] = mapped_column(ForeignKey("reviews.row"), index=True)
    party: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(20))  # breach, no_breach, excepted, unresolved
    text: Mapped[str] = mapped_column(Text)
    signed_by: Mapped[str] = mapped_column(String(200))
    signed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # Ed25519 over the determination's statement (`jig.signing`), by the party's key.
    signature: Mapped[str | None] = mapped_column(String(100))


class AuditEntry(Base):
    """One entry of the append-only log: a leaf of its Merkle tree (`jig.store.audit`).

    `body` is the entry as written: what was done, by whom, and the image of every state row
    the write inserted, changed or deleted. The leaf commits to each of those through a salted
    hash, so a proof can open one part (a published determination) and no other. Each entry
    carries the signed head of the log it completes: a review's publication entry carries
    the head frozen at its publication.
    """

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))  # ISO 8601 UTC
    actor: Mapped[str] = mapped_column(String(200))  # of the first act, for listing
    action: Mapped[str] = mapped_column(String(60), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)  # canonical JSON: acts, rows, salt
    leaf_hash: Mapped[str] = mapped_column(String(64))  # SHA-256(0x00 || leaf), hex
    # The signed tree head once this entry was in: the root of entries 1..seq and the
    # server's Ed25519 signature over (seq, root, at). Only the server's key writes entries.
    root_hash: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str | None] = mapped_column(String(100))  # None: before migration 0004


class AgreementProposal(Base):
    """An amendment proposed by one party's lead in a store with parties: it becomes a version
    only once every party's lead has accepted it."""

    __tablename__ = "agreement_proposals"

    row: Mapped[int] = opaque_key()
    agreement_id: Mapped[str] = mapped_column(String(200), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(Text)
    document: Mapped[str] = mapped_column(Text)
    effective_from: Mapped[datetime] = mapped_column(UtcDateTime())
    base_row: Mapped[int] = mapped_column(ForeignKey("agreement_versions.row"))  # amended
    parties: Mapped[list] = mapped_column(JSON)  # whose leads must accept: old and new ones
    state: Mapped[str] = mapped_column(String(20))  # proposed, adopted, withdrawn
    proposed_by: Mapped[str] = mapped_column(String(200))
    proposed_party: Mapped[str] = mapped_column(String(100))
    proposed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    version_row: Mapped[int | None] = mapped_column(ForeignKey("agreement_versions.row"))


class ProposalAcceptance(Base):
    __tablename__ = "proposal_acceptances"
    __table_args__ = (UniqueConstraint("proposal_row", "party"),)

    row: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    proposal_row: Mapped[int] = mapped_column(ForeignKey("agreement_proposals.row"), index=True)
    party: Mapped[str] = mapped_column(String(100))
    accepted_by: Mapped[str] = mapped_column(String(200))
    accepted_at: Mapped[datetime] = mapped_column(UtcDateTime())


class StatusRevision(Base):
    """A status record of a must_by commitment (a verification: "withdrawal verified", with
    its time and source) as received; ids are the sender's party's own, like notices'."""

    __tablename__ = "status_revisions"
    __table_args__ = (UniqueConstraint("party", "status_id", "revision"),
                      UniqueConstraint("party", "status_id", "content_hash"))

    row: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    status_id: Mapped[str] = mapped_column(String(200))
    party: Mapped[str] = mapped_column(String(100), default="", server_default="")
    revision: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    record: Mapped[dict] = mapped_column(JSON)  # the fields as sent
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())


class StatusHead(Base):
    __tablename__ = "status_heads"

    party: Mapped[str] = mapped_column(String(100), primary_key=True)
    status_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    row: Mapped[int] = mapped_column(ForeignKey("status_revisions.row"), index=True)


class CommitmentRecord(Base):
    """A decision on a commitment: one must_by clause, for one bound actor, judged under one
    agreement version on the status records stored, as of `as_of`."""

    __tablename__ = "commitment_findings"

    row: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    agreement_row: Mapped[int] = mapped_column(ForeignKey("agreement_versions.row"), index=True)
    clause: Mapped[str] = mapped_column(String(200))
    actor: Mapped[str] = mapped_column(String(200))
    deadline: Mapped[str] = mapped_column(String(40))  # ISO 8601 in the agreement's zone
    outcome: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list] = mapped_column(JSON)  # [{kind: status, id, note}]
    as_of: Mapped[datetime] = mapped_column(UtcDateTime())
    judged_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CommitmentHead(Base):
    """The newest finding of each commitment under each agreement."""

    __tablename__ = "commitment_heads"

    agreement_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    clause: Mapped[str] = mapped_column(String(200), primary_key=True)
    actor: Mapped[str] = mapped_column(String(200), primary_key=True)
    row: Mapped[int] = mapped_column(ForeignKey("commitment_findings.row"), index=True)


class Draft(Base):
    """A candidate incident read from prose (`jig.extract`), waiting in its party's workspace
    for a person to edit, confirm (it then becomes an incident) or discard. `content` holds
    the source text, the fields, each field's span and what was edited, as JSON; sealed at
    rest under the workspace's key when one is configured (it is the party's own text). Its
    id is random: nobody can count another workspace's drafts by it."""

    __tablename__ = "drafts"

    row: Mapped[int] = opaque_key()
    workspace: Mapped[str] = mapped_column(String(100), index=True)
    revision: Mapped[int] = mapped_column(Integer)  # 1 when made, +1 at each edit
    content: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())



class MapCount(Base):
    """Incidents by verdict in one grid cell and block of days, as one scope sees one
    workspace's records under one agreement (`jig.store.mapcounts`): derived from the verdict
    heads, kept in the transaction that moves them, never logged (rebuilt and checked). Per
    verdict (`findings.OUTCOMES`): how many, and the sums of their longitudes and latitudes
    in millionths of a degree."""

    __tablename__ = "map_counts"

    agreement_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    level: Mapped[int] = mapped_column(Integer, primary_key=True)  # cell side 2**level degrees
    span: Mapped[int] = mapped_column(Integer, primary_key=True)  # days per block
    block: Mapped[int] = mapped_column(Integer, primary_key=True)  # day // span
    x: Mapped[int] = mapped_column(Integer, primary_key=True)  # floor((lon + 180) / side)
    y: Mapped[int] = mapped_column(Integer, primary_key=True)  # floor((lat + 90) / side)
    scope: Mapped[str] = mapped_column(String(100), primary_key=True)
    workspace: Mapped[str] = mapped_column(String(100), primary_key=True)
    n_breach: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    lon_breach: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    lat_breach: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    n_undetermined: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    lon_undetermined: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    lat_undetermined: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    n_excepted: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    lon_excepted: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    lat_excepted: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    n_complies: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    lon_complies: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    lat_complies: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    n_not_applicable: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    lon_not_applicable: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    lat_not_applicable: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
