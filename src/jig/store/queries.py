"""Reading the store: incidents with their current verdicts, filtered and paged."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Text, and_, cast, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from jig.store.judging import JOINT
from jig.store.records import content_hash
from jig.store.sealing import SEALED
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
    number: int | None = None  # the revision number this viewer sees, when not the stored one

    @property
    def record(self) -> dict[str, Any]:
        return as_seen(self.incident.record, self.withheld)

    @property
    def revision(self) -> int:
        return self.number if self.number is not None else self.incident.revision


def scope_condition(viewer: str, table: Any = VerdictHead) -> Any:
    """Which verdict heads a viewer sees: the joint centre its scope; a party its own
    headquarters' and, for the other side's records, the joint centre's. `table`: the heads,
    or a table keyed like them (the map's counts)."""
    if viewer == JOINT:
        return table.scope == JOINT
    return or_(table.scope == viewer, and_(table.scope == JOINT, table.workspace != viewer))


@dataclass(frozen=True)
class Seen:
    """How a viewer sees one revision of another party's record: the fields withheld by that
    revision's own (latest) release, and its number among the released revisions, so that
    revisions never released leave no gap to count."""

    withheld: list[str]
    number: int


def releases_seen(s: Session, viewer: str, rows: Sequence[IncidentRevision]
                  ) -> dict[int, Seen]:
    """For these revisions, those released to `viewer` by another party: how it sees them.
    Revisions of the viewer's own workspace or the joint centre's are not in the answer."""
    ids: dict[str, set[str]] = {}
    for r in rows:
        if r.workspace not in (viewer, JOINT):
            ids.setdefault(r.workspace, set()).add(r.incident_id)
    out: dict[int, Seen] = {}
    for workspace, wanted in ids.items():
        # A statement for many incidents: one each made a filter that tests every record of
        # the other party (`search`) take 0.45 s over 2,000 of them.
        withheld: dict[str, dict[int, list]] = {}
        listed = sorted(wanted)
        for i in range(0, len(listed), 500):
            for rel in s.scalars(select(Release).where(
                    Release.workspace == workspace,
                    Release.incident_id.in_(listed[i:i + 500])).order_by(Release.row)):
                withheld.setdefault(rel.incident_id, {})[rel.incident_row] = list(rel.withheld)
        for per in withheld.values():
            for n, row in enumerate(sorted(per), 1):
                out[row] = Seen(per[row], n)
    return out


def releases_of(s: Session, workspace: str, incident_id: str) -> list[Release]:
    """A workspace's releases of one of its incidents, oldest first."""
    return list(s.scalars(select(Release).where(Release.workspace == workspace,
                                                Release.incident_id == incident_id)
                          .order_by(Release.row)))


def last_release(s: Session, workspace: str, incident_id: str) -> Release | None:
    found = releases_of(s, workspace, incident_id)
    return found[-1] if found else None


def as_seen(record: dict[str, Any], withheld: Sequence[str]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in withheld}


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


def where_judged(q: Any, f: Filters) -> Any:
    """`q` (over verdicts) narrowed by the filters on what was judged: actor, verdict, and a
    finding's clause or outcome. The listing and the map's counts share it, so they count
    the same rows."""
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
    return q


def _text(s: Session, key: str) -> tuple[Any, Any]:
    """The record's field `key` as text, and whether it is a JSON string (a number given as
    the source is no match for the text of it, as in Python)."""
    rec = IncidentRevision.record
    if s.get_bind().dialect.name == "postgresql":
        return rec[key].as_string(), func.json_typeof(rec.op("->")(key)) == "string"
    return rec[key].as_string(), func.json_type(rec, f'$."{key}"') == "text"


def _given(s: Session, f: Filters, released: bool = False) -> list[Any]:
    """The source and grade filters on the records as given, in SQL; `released`: as another
    party's release shows them, a field it withholds matching nothing (`_shown`)."""
    def shown(key: str) -> list[Any]:
        return [_shown(key)] if released else []

    out = []
    if f.source is not None:
        (src, src_text), (ds, ds_text) = _text(s, "source"), _text(s, "dataset")
        out.append(or_(and_(*shown("source"), src == f.source, src_text),
                       and_(*shown("dataset"), ds == f.source, ds_text)))
    if f.grade is not None:
        grade, grade_text = _text(s, "grade")
        out.append(and_(*shown("grade"), grade == f.grade, grade_text))
    return out


def _shown(key: str) -> Any:
    """SQL: the newest release of the revision does not withhold `key`. First in its
    conjunction, so that it is asked of every row, whatever the value: asked only where the
    value matched, a right guess of a withheld value cost more than a wrong one."""
    rel, later = aliased(Release), aliased(Release)

    def of_this(r: Any) -> list[Any]:  # through the releases' (incident id) index
        return [r.workspace == IncidentRevision.workspace,
                r.incident_id == IncidentRevision.incident_id,
                r.incident_row == IncidentRevision.row]

    newest = ~exists(select(later.row).where(*of_this(later), later.row > rel.row)
                     .correlate(rel, IncidentRevision))
    return ~exists(select(rel.row).where(*of_this(rel), newest,
                                         cast(rel.withheld, Text).contains(f'"{key}"'))
                   .correlate(IncidentRevision))


def _sealed() -> Any:
    return IncidentRevision.record[SEALED].as_string().is_not(None)


def _own(viewer: str) -> Any:
    """Records nothing of which is withheld from the viewer: its workspace's or the joint
    centre's, in the clear."""
    return and_(IncidentRevision.workspace.in_((viewer, JOINT)), ~_sealed())


def given_in_sql(s: Session, f: Filters, viewer: str) -> tuple[list[Any], list[Any]]:
    """The source and grade filters split in two: the rows SQL decides (`_own`), and the
    rest, to be tested once opened and as the viewer sees them (`search`), whose candidates
    SQL narrows to those sealed at rest and those whose release shows a matching value.
    Narrowed on the value as given, a right guess of a value another party withheld read
    every record holding it and a wrong one none: 107 against 7 ms over 400 records (an
    adversarial review)."""
    own = _own(viewer)
    return [own, *_given(s, f)], [~own, _others(s, f)]


def _others(s: Session, f: Filters) -> Any:
    """Another party's rows that may match: sealed at rest (opened to be tested), or in the
    clear with the value shown."""
    return or_(_sealed(), and_(*_given(s, f, released=True)))


def search(s: Session, agreement_id: str, filters: Filters, after: int = 0, limit: int = 100,
           viewer: str = JOINT, where: Sequence[Any] = ()) -> tuple[list[Row], int | None]:
    """A page of the incidents `viewer` sees, with their current verdict under the agreement,
    ordered by storage order; returns the rows and the cursor of the next page (or None).
    `where`: more conditions (for the map's counts)."""
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
    q = where_judged(q, f).where(*where)
    if f.source is not None or f.grade is not None:
        # SQL narrows the rows to those that can match (reading every row made the filter
        # take seconds): the viewer's own on their values, another party's on the values its
        # release shows (or sealed at rest), for the test below on the record as the viewer
        # sees it. The same work for a right guess of a withheld value as for a wrong one.
        own = _own(viewer)
        q = q.where(or_(and_(own, *_given(s, f)), and_(~own, _others(s, f))))
    q = q.order_by(IncidentRevision.row)
    rows: list[Row] = []
    last = after
    if f.within is not None:
        shapely.prepare(f.within)
    # Source and grade live in the record as given: tested here, after the indexed filters,
    # on the record as the viewer sees it, so that a guess of a withheld value matches
    # nothing. Fetch in batches: the polygon test runs here too, after the bounding box.
    batch = max(limit * 2, 200)
    seen: dict[int, Seen] = {}
    while len(rows) < limit:
        got = s.execute(q.where(IncidentRevision.row > last).limit(batch)).all()
        if not got:
            last = None  # type: ignore[assignment]
            break
        if f.source is not None or f.grade is not None:
            seen |= releases_seen(s, viewer, [inc for inc, _ in got])
        for inc, ver in got:
            last = inc.row
            if f.within is not None and not shapely.intersects_xy(f.within, inc.lon, inc.lat):
                continue
            shown = as_seen(inc.record, seen[inc.row].withheld) if inc.row in seen \
                else inc.record
            if f.source is not None and f.source not in (shown.get("source"),
                                                         shown.get("dataset")):
                continue
            if f.grade is not None and shown.get("grade") != f.grade:
                continue
            rows.append(Row(inc, ver))
            if len(rows) == limit:
                break
        if len(got) < batch and len(rows) < limit:
            last = None  # type: ignore[assignment]
            break
    found = _findings(s, [r.verdict.row for r in rows if r.verdict is not None])
    seen = releases_seen(s, viewer, [r.incident for r in rows])
    for r in rows:
        if r.verdict is not None:
            r.findings = found[r.verdict.row]
        if r.incident.row in seen:
            r.withheld, r.number = seen[r.incident.row].withheld, seen[r.incident.row].number
    more = last if len(rows) == limit and last is not None else None
    return rows, more


class Ambiguous(LookupError):
    """Several records the viewer may see have this id (of different workspaces)."""

    def __init__(self, incident_id: str, workspaces: list[str]):
        self.workspaces = workspaces
        super().__init__(f"{len(workspaces)} incidents have the id {incident_id!r} (of "
                         f"{', '.join(workspaces)}): name one with `workspace`")


@dataclass
class Shown:
    """An incident as a viewer may see it: its newest revision it may see, and each revision
    it may see with that revision's own withholding and the number it sees."""

    newest: IncidentRevision
    revisions: list[tuple[IncidentRevision, Seen]]

    @property
    def workspace(self) -> str:
        return self.newest.workspace

    def seen(self, row: int) -> Seen | None:
        return next((v for r, v in self.revisions if r.row == row), None)

    @property
    def withheld(self) -> list[str]:
        seen = self.seen(self.newest.row)
        return seen.withheld if seen is not None else []

    @property
    def number(self) -> int:
        """The newest revision's number as the viewer sees it (an earlier revision restored
        is the newest, though not the last)."""
        seen = self.seen(self.newest.row)
        return seen.number if seen is not None else self.newest.revision

    def revisions_for(self, viewer: str) -> list[dict[str, Any]]:
        """Each revision as `viewer` may read it, whatever shows it (the API, a dossier): the
        number it sees, the record less what that revision's release withheld, when it came,
        and its content hash: another party's commitment is under that party's secret (a
        digest of what is shown stands in for it)."""
        out = []
        for r, seen in self.revisions:
            record = as_seen(r.record, seen.withheld)
            own = r.workspace in (viewer, JOINT)
            out.append({"revision": seen.number, "record": record,
                        "received_at": r.received_at.isoformat(),
                        "content_hash": r.content_hash if own else content_hash(record)})
        return out


def incident(s: Session, incident_id: str, viewer: str = JOINT, workspace: str | None = None
             ) -> Shown:
    """The incident `incident_id` as the viewer may see it. Ids are scoped by workspace: the
    viewer's own comes first, then the joint centre's, then one released by another party
    (`workspace` names which). KeyError when it may see none: an unreleased record of the
    other side is answered exactly as a record that does not exist."""
    heads = {h.workspace: h for h in s.scalars(select(IncidentHead).where(
        IncidentHead.incident_id == incident_id))}
    if workspace is not None:
        heads = {w: h for w, h in heads.items() if w == workspace}
    for own in (viewer, JOINT):
        if own in heads:
            revisions = list(s.scalars(select(IncidentRevision).where(
                IncidentRevision.workspace == own, IncidentRevision.incident_id == incident_id)
                .order_by(IncidentRevision.revision)))
            # The head's, not the highest number: an earlier revision can be restored.
            newest = next(r for r in revisions if r.row == heads[own].row)
            return Shown(newest, [(r, Seen([], r.revision)) for r in revisions])
    shown: dict[str, Shown] = {}
    for w in sorted(heads):
        released = list(s.scalars(select(IncidentRevision).where(
            IncidentRevision.row.in_(select(Release.incident_row).where(
                Release.workspace == w, Release.incident_id == incident_id)))
            .order_by(IncidentRevision.row)))
        if released:
            seen = releases_seen(s, viewer, released)
            latest = last_release(s, w, incident_id)
            assert latest is not None
            newest = next(r for r in released if r.row == latest.incident_row)
            shown[w] = Shown(newest, [(r, seen[r.row]) for r in released])
    if not shown:
        raise KeyError(incident_id)
    if len(shown) > 1:
        raise Ambiguous(incident_id, sorted(shown))
    return next(iter(shown.values()))


def verdicts_of(s: Session, incident_id: str, viewer: str = JOINT, workspace: str = JOINT
                ) -> list[Row]:
    """Every verdict recorded for the incident of `workspace` that the viewer may see,
    oldest first: the joint centre's on the revisions released to it, and for its own
    records a party's headquarters' too."""
    out = []
    # Found through the revisions' (workspace, id) index, then verdicts by revision: verdicts
    # have no index on the id, and filtering them by it read every verdict of the store
    # (a quarter of a single intake's answer at 100,000 incidents).
    q = (select(VerdictRecord, IncidentRevision, AgreementVersion)
         .join(IncidentRevision, IncidentRevision.row == VerdictRecord.incident_row)
         .join(AgreementVersion, AgreementVersion.row == VerdictRecord.agreement_row)
         .where(IncidentRevision.incident_id == incident_id,
                IncidentRevision.workspace == workspace).order_by(VerdictRecord.row))
    got = [(v, inc, ver) for v, inc, ver in s.execute(q).all()
           if v.scope == JOINT or (v.scope == viewer and inc.workspace == viewer)]
    found = _findings(s, [v.row for v, _, _ in got])
    seen = releases_seen(s, viewer, [inc for _, inc, _ in got])
    for v, inc, ver in got:
        if inc.workspace not in (viewer, JOINT) and inc.row not in seen:
            continue  # judged in the joint centre, then superseded: never released to it
        row = Row(inc, v, found[v.row], ver)
        if inc.row in seen:
            row.withheld, row.number = seen[inc.row].withheld, seen[inc.row].number
        out.append(row)
    return out
