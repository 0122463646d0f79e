"""A report from the store: the verdicts a viewer may see, as the store holds them.

Role-safe by construction: the incidents and verdicts come through `jig.store.queries.search`
with the viewer's scope (a party sees its headquarters' records and what was released to the
joint centre; the joint centre what was released), and fields withheld from the viewer are
dropped from each record before the report sees it (the judged fields, place and time among
them, cannot be withheld: the store refuses). The header names the store's audit head, so a
reader can check what the report was built from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from sqlalchemy import select

from jig.engine.commitments import judge_commitments
from jig.findings import Evidence, Finding, Reading, Verdict
from jig.records import Incident, Notice, Origin
from jig.report.render import JOINT_CENTRE, RELEASED_BY, ReportInputs
from jig.report.tally import Period, ReportBuilder
from jig.signing import public_text
from jig.store import audit
from jig.store.commitments import readable, stored_status
from jig.store.judging import JOINT
from jig.store.queries import Filters, Row, search
from jig.store.tables import AgreementVersion
from jig.times import Span

PAGE = 2000
_OWN = ("id", "time", "lon", "lat", "precision_m", "actor", "target", "act", "weapon")


@dataclass
class StoreReport:
    builder: ReportBuilder
    notices: list[Notice]
    inputs: ReportInputs


def _incident(r: Row, tz: tzinfo, viewer: str) -> Incident:
    inc, rec = r.incident, r.record  # rec: the record less the fields withheld from the viewer
    # The file a record came from is its owner's business (a name can tell a source): the
    # other side sees whose release it was, never the file.
    origin = (Origin.parse(inc.origin) if inc.origin else None) if inc.workspace == viewer \
        else Origin(JOINT_CENTRE if inc.workspace == JOINT else f"{RELEASED_BY}{inc.workspace}")
    return Incident(
        id=inc.incident_id, span=Span(inc.t_start, inc.t_end),
        time_text=str(rec.get("time", "")), lon=inc.lon, lat=inc.lat,
        precision_m=inc.precision_m,
        actor=rec.get("actor"), target=rec.get("target"), act=rec.get("act") or "unknown",
        weapon=rec.get("weapon"),
        extra={k: v for k, v in rec.items() if k not in _OWN},
        origin=origin)


def _finding(f: Any) -> Finding:
    detail = dict(f.detail or {})
    return Finding(f.clause, f.outcome, f.reason, zone=detail.get("zone"),
                   site=detail.get("site"), target=detail.get("target"), p=f.p,
                   exception=detail.get("exception"),
                   evidence=tuple(Evidence(e["kind"], e["id"], e.get("note", ""))
                                  for e in detail.get("evidence", ())),
                   missing=tuple(detail.get("missing", ())),
                   readings=tuple(Reading(r["actor"], r["outcome"])
                                  for r in detail.get("readings", ())))


def audit_head(store: Any, s: Any) -> dict[str, Any]:
    """The log's newest signed head (tree size, root hash, time, key, signature): what the
    report was built from, checkable against `GET /audit/head` and `jig audit verify`."""
    entry = audit.last_entry(s)
    if entry is None:
        return {"tree_size": 0}
    try:
        key = public_text(store.keys.server())
    except LookupError:  # a store opened without its key folder: the unsigned head
        return {"tree_size": entry.seq, "root_hash": entry.root_hash}
    return audit.head_of(entry, key)


def store_verdicts(store: Any, version: AgreementVersion, viewer: str, filters: Filters,
                   most: int) -> list[Verdict]:
    """At most `most` of the verdicts `viewer` sees under the filters, with their incidents
    as the viewer sees them, in storage order."""
    out: list[Verdict] = []
    agreement = store.load(version)
    after: int | None = 0
    with store.sessions() as s:
        while after is not None and len(out) < most:
            rows, after = search(s, version.agreement_id, filters, after,
                                 min(PAGE, most - len(out)), viewer=viewer)
            out += [Verdict(_incident(r, agreement.tz, viewer),
                            tuple(_finding(f) for f in r.findings))
                    for r in rows]
    return out


def report_from_store(store: Any, version: AgreementVersion, viewer: str, period: Period,
                      compare: Period | None) -> StoreReport:
    """Tally the verdicts `viewer` sees under `version`'s agreement for the two periods."""
    agreement = store.load(version)
    # Only the two periods' records are fetched: their dates cannot tell what the store holds
    # outside them.
    builder = ReportBuilder(agreement, period, compare, whole_inputs=False)
    first = compare.start if compare is not None and compare.start < period.start else period.start
    filters = Filters(t_from=first, t_to=max(period.end, compare.end if compare else period.end))
    after = 0
    with store.sessions() as s:
        while True:
            rows, more = search(s, version.agreement_id, filters, after, PAGE, viewer=viewer)
            for r in rows:
                builder.add(Verdict(_incident(r, agreement.tz, viewer),
                                    tuple(_finding(f) for f in r.findings)))
            if more is None:
                break
            after = more
        head = audit_head(store, s)
        notices = store.notices(s, agreement)
        status = readable(agreement, stored_status(s))
    inputs = ReportInputs(incident_files=sorted(builder.inputs), audit_head=head, scope=viewer,
                          version=str(version.version),
                          commitments=judge_commitments(agreement, status, period.end),
                          commitments_as_of=period.end)
    return StoreReport(builder, builder.notices_in_period(notices), inputs)


def dossier_from_store(store: Any, version: AgreementVersion, viewer: str, incident_id: str
                       ) -> tuple[Any, Any]:
    """The explanation (the stored findings, clause by clause) and what the store adds:
    the revisions, every verdict recorded, the reviews. KeyError when the viewer may not see
    the incident, exactly as when it does not exist."""
    from jig.engine.check import ClauseExplanation, Explanation
    from jig.report.dossier import DossierExtras
    from jig.store import queries
    from jig.store.reviews import review_dict
    from jig.store.tables import Review

    agreement = store.load(version)
    with store.sessions() as s:
        shown = queries.incident(s, incident_id, viewer)
        newest = shown.newest
        revisions = shown.revisions_for(viewer)
        withheld = next((list(seen.withheld) for r, seen in shown.revisions
                         if r.row == newest.row), [])
        history = [r for r in queries.verdicts_of(s, incident_id, viewer, shown.workspace)
                   if r.verdict is not None and r.version is not None
                   and r.version.agreement_id == version.agreement_id]
        current = [r for r in history if r.incident.row == newest.row]
        reviews = [review_dict(s, rv) for rv in s.scalars(
            select(Review).where(Review.incident_id == incident_id).order_by(Review.opened_at, Review.row))]
        head = audit_head(store, s)
    row = Row(newest, current[-1].verdict if current else None,
              current[-1].findings if current else [], withheld=withheld)
    findings = {f.clause: _finding(f) for f in row.findings}
    verdict = Verdict(_incident(row, agreement.tz, viewer), tuple(findings.values()))
    clauses = [ClauseExplanation(c, findings[c.id].outcome if c.id in findings
                                 else "not_applicable", findings.get(c.id))
               for c in agreement.clauses]
    extras = DossierExtras(
        revisions=[{"revision": r["revision"], "received": r["received_at"],
                    "hash": r["content_hash"]} for r in revisions],
        history=[{"at": r.verdict.judged_at.isoformat(), "verdict": r.verdict.verdict,
                  "version": r.version.version} for r in history],
        reviews=reviews, audit_head=head)
    return Explanation(verdict, [], clauses), extras
