"""Commitments with deadlines in the store: status records kept as sent, and the findings of
every must_by clause judged on them again whenever a record or a new agreement version
arrives (`jig.engine.commitments` judges; this module only reads and writes).

Status records are verification records ("withdrawal verified by the UN", "claimed done by a
party"), not a party's private reports: like notices they go to the joint centre at once, and
every role that may read incidents may read them and the findings. A record's id is its
sender's party's own (another party's record under the same id is another record); the same
content sent again is kept once. A finding is added only when its outcome, reason or
evidence changes; the heads point at the newest, and the log keeps every one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jig.agreement.model import Agreement
from jig.engine.commitments import Commitment, judge_commitments
from jig.errors import RowError
from jig.findings import Evidence
from jig.readers.status import to_status
from jig.records import StatusRecord
from jig.store import audit
from jig.store.judging import now
from jig.store.revisions import Stored, store_revision
from jig.store.store import Store
from jig.store.tables import (
    AgreementVersion,
    CommitmentHead,
    CommitmentRecord,
    StatusHead,
    StatusRevision,
)
from jig.times import format_instant


@dataclass(frozen=True)
class StoredStatus:
    """A status record as the store holds it: its party, revision and fields as sent."""

    party: str
    revision: int
    fields: dict[str, Any]


def add_status_records(store: Store, records: Sequence[dict[str, Any]], party: str,
                       user: str = "local") -> list[Stored]:
    """Store status records (`fields` as sent, each already read by `to_status` against an
    agreement in force) for `party` ("" for the joint centre), then judge every current
    agreement's commitments again, in the same transaction and log entry."""
    out: list[Stored] = []
    with store.writing() as s:
        for fields in records:
            _, stored = store_revision(s, StatusRevision, StatusHead, "status_id",
                                       str(fields["id"]), dict(fields), party=party)
            out.append(stored)
        new = [st.id for st in out if st.status != "unchanged"]
        if new:
            changed = {v.agreement_id: _judge(store, s, v) for v in store.current_versions()}
            audit.append(s, user, "status", party or "joint",
                         {"status_records": new, "commitments_changed": changed})
    return out


def rejudge_commitments(store: Store, version: AgreementVersion, user: str = "system") -> int:
    """Judge `version`'s commitments on the stored status records (a new version arrived);
    returns how many findings changed."""
    with store.writing() as s:
        changed = _judge(store, s, version)
        if changed:
            audit.append(s, user, "commitments",
                         f"agreement {version.agreement_id} v{version.version}",
                         {"commitments_changed": changed})
    return changed


def stored_status(s: Session) -> list[StoredStatus]:
    """The newest revision of every status record, in the order they were first stored."""
    rows = s.scalars(select(StatusRevision).join(StatusHead, StatusHead.row == StatusRevision.row)
                     .order_by(StatusRevision.row))
    return [StoredStatus(r.party, r.revision, r.record) for r in rows]


def readable(agreement: Agreement, stored: Sequence[StoredStatus]) -> list[StatusRecord]:
    """The stored records this agreement's clauses can read (a record about a clause a later
    version dropped is kept, not judged); ids are the sender's: another party's record under
    the same id stays apart."""
    out = []
    for st in stored:
        try:
            rec = to_status(st.fields, agreement)
        except RowError:
            continue
        if st.party:
            rec = StatusRecord(f"{st.party}:{rec.id}", rec.clause, rec.span, rec.time_text,
                               rec.status, rec.source, rec.actor, rec.notes, rec.origin)
        out.append(rec)
    return out


def _judge(store: Store, s: Session, version: AgreementVersion) -> int:
    a = store.load(version)
    if not any(c.rule == "must_by" for c in a.clauses):
        return 0
    at = now()
    found = judge_commitments(a, readable(a, stored_status(s)), at.timestamp())
    changed = 0
    for c in found:
        head = s.get(CommitmentHead, (version.agreement_id, c.clause, c.actor))
        last = s.get(CommitmentRecord, head.row) if head is not None else None
        evidence = [e.as_dict() for e in c.evidence]
        if (last is not None and last.agreement_row == version.row and last.outcome == c.outcome
                and last.reason == c.reason and last.evidence == evidence):
            continue
        row = CommitmentRecord(agreement_row=version.row, clause=c.clause, actor=c.actor,
                               deadline=c.deadline, outcome=c.outcome, reason=c.reason,
                               evidence=evidence, as_of=at, judged_at=at)
        s.add(row)
        s.flush()
        if head is None:
            s.add(CommitmentHead(agreement_id=version.agreement_id, clause=c.clause,
                                 actor=c.actor, row=row.row))
        else:
            head.row = row.row
        changed += 1
    return changed


def commitment_findings(store: Store, version: AgreementVersion) -> list[dict[str, Any]]:
    """The newest finding of each of `version`'s commitments, in the agreement's clause order,
    as `POST /commitments/check` gives them, with the moment it was judged as of."""
    a = store.load(version)
    order = {c.id: i for i, c in enumerate(a.clauses)}
    with store.sessions() as s:
        rows = s.execute(select(CommitmentRecord).join(
            CommitmentHead, CommitmentHead.row == CommitmentRecord.row).where(
            CommitmentHead.agreement_id == version.agreement_id)).scalars().all()
        out = []
        for r in sorted(rows, key=lambda r: (order.get(r.clause, len(order)), r.clause, r.actor)):
            item = {"commitment": r.clause, "actor": r.actor, "deadline": r.deadline,
                    "outcome": r.outcome, "reason": r.reason,
                    "as_of": format_instant(r.as_of.timestamp(), a.tz),
                    "current": r.agreement_row == version.row}
            if r.evidence:
                item["evidence"] = r.evidence
            out.append(item)
    return out


def as_commitments(findings: Sequence[dict[str, Any]]) -> list[Commitment]:
    """Stored findings as the engine's Commitment objects (for reports)."""
    return [Commitment(f["commitment"], f["actor"], f["outcome"], f["reason"], f["deadline"],
                       tuple(Evidence(e["kind"], e["id"], e.get("note", ""))
                             for e in f.get("evidence", [])))
            for f in findings]

