"""Reading the store: incidents with their current verdicts, filtered and paged."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session

from jig.store.judging import JOINT
from jig.store.tables import (
    AgreementVersion,
    FindingRecord,
    IncidentHead,
    IncidentRevision,
    Release,
    VerdictHead,
    VerdictRecord,
)


@dataclass(frozen=True)
class Filters:
    t_from: float | None = None
    t_to: float | None = None
    bbox: tuple[float, float, float, float] | None = None
    within: BaseGeometry | None = None  # lon/lat polygon
    actor: str | None = None  # agreement actor id
    clause: str | None = None
    outcome: str | None = None
    verdict: str | None = None
    source: str | None = None  # the record's `source` or `dataset` (as given)
    grade: str | None = None


@dataclass
class Row:
    incident: IncidentRevision
    verdict: VerdictRecord | None
    findings: list[FindingRecord] = field(default_factory=list)
    version: AgreementVersion | None = None
    withheld: list[str] = field(default_factory=list)  # fields this viewer may not see

    @property
    def record(self) -> dict[str, Any]:
        return {k: v for k, v in self.incident.record.items() if k not in self.withheld}


def scope_condition(viewer: str) -> Any:
    """Which verdict heads a viewer sees: the joint centre its scope; a party its own
    headquarters' and, for the other side's records, the joint centre's."""
    if viewer == JOINT:
        return VerdictHead.scope == JOINT
    return or_(VerdictHead.scope == viewer,
               and_(VerdictHead.scope == JOINT, VerdictHead.workspace != viewer))


def withheld_for(s: Session, viewer: str, rows: Sequence[IncidentRevision]) -> dict[int, list]:
    """The fields withheld from `viewer` for each of these revisions (released by others)."""
    others = [r.row for r in rows if r.workspace not in (viewer, JOINT)]
    out: dict[int, list] = {}
    if others:
        for rel in s.scalars(select(Release).where(Release.incident_row.in_(others))
                             .order_by(Release.row)):
            out[rel.incident_row] = list(rel.withheld)
    return out


def finding_dict(f: FindingRecord) -> dict[str, Any]:
    out: dict[str, Any] = {"clause": f.clause, "outcome": f.outcome}
    detail = dict(f.detail or {})
    for key in ("zone", "site", "target"):
        if key in detail:
            out[key] = detail.pop(key)
    if f.p is not None:
        out["p"] = f.p
    out["reason"] = f.reason
    out.update(detail)
    return out


def _findings(s: Session, verdict_rows: Sequence[int]) -> dict[int, list[FindingRecord]]:
    out: dict[int, list[FindingRecord]] = {v: [] for v in verdict_rows}
    if verdict_rows:
        for f in s.scalars(select(FindingRecord).where(FindingRecord.verdict_row.in_(verdict_rows))
                           .order_by(FindingRecord.row)):
            out[f.verdict_row].append(f)
    return out


def search(s: Session, agreement_id: str, filters: Filters, after: int = 0, limit: int = 100,
           viewer: str = JOINT) -> tuple[list[Row], int | None]:
    """A page of the incidents `viewer` sees, with their current verdict under the agreement,
    ordered by storage order; returns the rows and the cursor of the next page (or None)."""
    q = (select(IncidentRevision, VerdictRecord)
         .join(VerdictHead, and_(VerdictHead.incident_row == IncidentRevision.row,
                                 VerdictHead.agreement_id == agreement_id,
                                 scope_condition(viewer)))
         .join(VerdictRecord, VerdictRecord.row == VerdictHead.verdict_row)
         .where(IncidentRevision.row > after))
    f = filters
    if f.t_from is not None:
        q = q.where(IncidentRevision.t_end >= f.t_from)
    if f.t_to is not None:
        q = q.where(IncidentRevision.t_start < f.t_to)
    box = f.bbox
    if f.within is not None:
        wb = f.within.bounds
        box = wb if box is None else (max(box[0], wb[0]), max(box[1], wb[1]),
                                      min(box[2], wb[2]), min(box[3], wb[3]))
    if box is not None:
        q = q.where(IncidentRevision.lon >= box[0], IncidentRevision.lon <= box[2],
                    IncidentRevision.lat >= box[1], IncidentRevision.lat <= box[3])
    if f.actor is not None:
        q = q.where(VerdictRecord.actor_id == f.actor)
    if f.verdict is not None:
        q = q.where(VerdictRecord.verdict == f.verdict)
    if f.clause is not None or f.outcome is not None:
        cond = [FindingRecord.verdict_row == VerdictRecord.row]
        if f.clause is not None:
            cond.append(FindingRecord.clause == f.clause)
        if f.outcome is not None:
            cond.append(FindingRecord.outcome == f.outcome)
        q = q.where(exists().where(*cond))
    q = q.order_by(IncidentRevision.row)
    rows: list[Row] = []
    last = after
    if f.within is not None:
        shapely.prepare(f.within)
    # Source and grade live in the record as given: tested here, after the indexed filters.
    # Fetch in batches: the polygon test runs here, after the bounding box did the coarse work.
    batch = max(limit * 2, 200)
    while len(rows) < limit:
        got = s.execute(q.where(IncidentRevision.row > last).limit(batch)).all()
        if not got:
            last = None  # type: ignore[assignment]
            break
        for inc, ver in got:
            last = inc.row
            if f.within is not None and not shapely.intersects_xy(f.within, inc.lon, inc.lat):
                continue
            if f.source is not None and f.source not in (inc.record.get("source"),
                                                         inc.record.get("dataset")):
                continue
            if f.grade is not None and inc.record.get("grade") != f.grade:
                continue
            rows.append(Row(inc, ver))
            if len(rows) == limit:
                break
        if len(got) < batch and len(rows) < limit:
            last = None  # type: ignore[assignment]
            break
    found = _findings(s, [r.verdict.row for r in rows if r.verdict is not None])
    hidden = withheld_for(s, viewer, [r.incident for r in rows])
    for r in rows:
        if r.verdict is not None:
            r.findings = found[r.verdict.row]
        r.withheld = hidden.get(r.incident.row, [])
    more = last if len(rows) == limit and last is not None else None
    return rows, more


def incident(s: Session, incident_id: str, viewer: str = JOINT
             ) -> tuple[IncidentRevision, list[IncidentRevision], list[str]]:
    """The newest revision of an incident the viewer may see, the revisions it may see, and
    the fields withheld from it. KeyError when it may see none: an unreleased record of the
    other side is answered exactly as a record that does not exist."""
    head = s.get(IncidentHead, incident_id)
    if head is None:
        raise KeyError(incident_id)
    revisions = list(s.scalars(select(IncidentRevision).where(
        IncidentRevision.incident_id == incident_id).order_by(IncidentRevision.revision)))
    newest = next(r for r in revisions if r.row == head.row)
    if newest.workspace in (viewer, JOINT):
        return newest, revisions, []
    released = list(s.scalars(select(Release).where(Release.incident_id == incident_id)
                              .order_by(Release.row)))
    if not released:
        raise KeyError(incident_id)
    last = released[-1]
    shown = [r for r in revisions if r.row in {x.incident_row for x in released}]
    newest_released = next(r for r in revisions if r.row == last.incident_row)
    return newest_released, shown, list(last.withheld)


def verdicts_of(s: Session, incident_id: str, viewer: str = JOINT) -> list[Row]:
    """Every verdict recorded for an incident that the viewer may see, oldest first: the joint
    centre's, and for its own records a party's headquarters' too."""
    out = []
    q = (select(VerdictRecord, IncidentRevision, AgreementVersion)
         .join(IncidentRevision, IncidentRevision.row == VerdictRecord.incident_row)
         .join(AgreementVersion, AgreementVersion.row == VerdictRecord.agreement_row)
         .where(VerdictRecord.incident_id == incident_id).order_by(VerdictRecord.row))
    got = [(v, inc, ver) for v, inc, ver in s.execute(q).all()
           if v.scope == JOINT or (v.scope == viewer and inc.workspace == viewer)]
    found = _findings(s, [v.row for v, _, _ in got])
    for v, inc, ver in got:
        out.append(Row(inc, v, found[v.row], ver))
    return out
