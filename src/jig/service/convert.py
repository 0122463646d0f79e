"""Store rows to API bodies."""

from __future__ import annotations

from typing import Any

from jig.service.errors import ApiError
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
                 withheld: list[str] | None = None, number: int | None = None) -> IncidentOut:
    """An incident revision as a viewer sees it: less the fields withheld from it, under the
    revision number it sees (another party's revisions are numbered as released)."""
    hidden = set(withheld or ())
    return IncidentOut(id=inc.incident_id, workspace=inc.workspace,
                       revision=number if number is not None else inc.revision,
                       record={k: v for k, v in inc.record.items() if k not in hidden},
                       received_at=inc.received_at, verdict=verdict)


def row_out(r: Row, version: AgreementVersion) -> IncidentOut:
    verdict = verdict_out(r.verdict, version, r.findings, r.revision) \
        if r.verdict is not None else None
    return incident_out(r.incident, verdict, r.withheld, r.revision)


def feature(r: Row, version: AgreementVersion) -> dict:
    """An incident as a GeoJSON Feature for map clients."""
    out = row_out(r, version)
    props = {"id": out.id, "workspace": out.workspace, "revision": out.revision,
             "time": out.record.get("time"),
             "actor": out.record.get("actor"), "act": out.record.get("act"),
             "precision_m": r.incident.precision_m,
             "verdict": out.verdict.verdict if out.verdict else None,
             "findings": out.verdict.findings if out.verdict else []}
    return {"type": "Feature", "id": out.id, "properties": props,
            "geometry": {"type": "Point", "coordinates": [r.incident.lon, r.incident.lat]}}


def brief_feature(r: Row) -> dict:
    """An incident as the map draws and lists it: a point, its id, verdict, time, actor and
    act (judged fields: never withheld)."""
    return {"type": "Feature", "id": r.incident.incident_id,
            "properties": {"id": r.incident.incident_id, "workspace": r.incident.workspace,
                           "verdict": r.verdict.verdict if r.verdict else None,
                           "time": r.record.get("time"), "actor": r.record.get("actor"),
                           "act": r.record.get("act")},
            "geometry": {"type": "Point", "coordinates": [r.incident.lon, r.incident.lat]}}


def as_records(body: Any, what: str, most: int = 10_000) -> list[dict[str, Any]]:
    """A JSON body of one record or a list of them, as a list; 422 or 413 otherwise."""
    items = body if isinstance(body, list) else [body]
    if not items or not all(isinstance(i, dict) for i in items):
        raise ApiError(422, "request.invalid", f"send a {what} object or a list of them")
    if len(items) > most:
        raise ApiError(413, "request.too_large", f"{len(items)} {what}s in one request; send at "
                       f"most {most} (the server's `max_records`), or a file to /incidents/bulk")
    return items
