"""Store rows to API bodies."""

from __future__ import annotations

from jig.service.schemas import AgreementVersionOut, IncidentOut, VerdictOut
from jig.store import Row, finding_dict
from jig.store.tables import AgreementVersion, IncidentRevision, VerdictRecord


def version_out(v: AgreementVersion) -> AgreementVersionOut:
    return AgreementVersionOut(agreement_id=v.agreement_id, version=v.version,
                               content_hash=v.content_hash, title=v.title,
                               effective_from=v.effective_from, created_at=v.created_at)


def verdict_out(v: VerdictRecord, version: AgreementVersion, findings: list,
                revision: int) -> VerdictOut:
    return VerdictOut(agreement_id=version.agreement_id, version=version.version,
                      agreement_hash=v.agreement_hash, verdict=v.verdict,
                      findings=[finding_dict(f) for f in findings], judged_at=v.judged_at,
                      revision=revision)


def incident_out(inc: IncidentRevision, verdict: VerdictOut | None = None,
                 withheld: list[str] | None = None) -> IncidentOut:
    hidden = set(withheld or ())
    return IncidentOut(id=inc.incident_id, revision=inc.revision,
                       record={k: v for k, v in inc.record.items() if k not in hidden},
                       received_at=inc.received_at, verdict=verdict)


def row_out(r: Row, version: AgreementVersion) -> IncidentOut:
    verdict = verdict_out(r.verdict, version, r.findings, r.incident.revision) \
        if r.verdict is not None else None
    return incident_out(r.incident, verdict, r.withheld)


def feature(r: Row, version: AgreementVersion) -> dict:
    """An incident as a GeoJSON Feature for map clients."""
    out = row_out(r, version)
    props = {"id": out.id, "revision": out.revision, "time": out.record.get("time"),
             "actor": out.record.get("actor"), "act": out.record.get("act"),
             "precision_m": r.incident.precision_m,
             "verdict": out.verdict.verdict if out.verdict else None,
             "findings": out.verdict.findings if out.verdict else []}
    return {"type": "Feature", "id": out.id, "properties": props,
            "geometry": {"type": "Point", "coordinates": [r.incident.lon, r.incident.lat]}}
