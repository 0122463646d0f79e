"""Store intake writes its rows in bulk (`jig.store.bulk`), on SQLite and PostgreSQL: every row
is still a part of a signed log entry that `jig audit verify` replays, a party's withheld
fields are sealed as the ORM path seals them, and the verdicts stored are those `jig check`
gives for the same real rows (UCDP GED, Airwars)."""

from __future__ import annotations

import dataclasses
import json

import sqlalchemy as sa
from sqlalchemy import func, select
from tests.conftest import ROOT

from jig.engine import check
from jig.readers import read_incidents
from jig.readers.fields import to_incident
from jig.store import Store
from jig.store.importer import import_files
from jig.store.judging import _findings_hash
from jig.store.rebuild import verify
from jig.store.records import incident_record
from jig.store.sealing import SEALED
from jig.store.tables import (
    AuditEntry,
    FindingRecord,
    IncidentHead,
    IncidentRevision,
    VerdictHead,
    VerdictRecord,
)

EXPORTS = [ROOT / "tests" / "data" / "ucdp_ged_syria_2016.csv",
           ROOT / "tests" / "data" / "airwars_syria_2016.csv"]


def stored_verdicts(store: Store, scope: str) -> dict[str, tuple[str, str]]:
    with store.sessions() as s:
        q = (select(VerdictHead.incident_id, VerdictRecord.verdict, VerdictRecord.findings_hash)
             .join(VerdictRecord, VerdictRecord.row == VerdictHead.verdict_row)
             .where(VerdictHead.scope == scope))
        return {i: (v, h) for i, v, h in s.execute(q)}


def test_bulk_intake_is_logged_sealed_and_judged_as_check_judges(example_store):
    store, agreement = example_store
    # Real exports in several batches, into the joint centre and into a sealed workspace.
    joint = import_files(store, EXPORTS, batch=60)
    party = import_files(store, EXPORTS[:1], batch=1000, workspace="US")
    read = read_incidents(EXPORTS, agreement)
    assert joint.stored == len(read.records) > 250 and party.stored > 100
    # Two revisions of one incident in one call: both stored, the head on the second.
    first = read.records[0]
    again = dataclasses.replace(first, extra={**first.extra, "notes": "corrected"})
    twice = store.add_incidents([again, dataclasses.replace(
        again, extra={**first.extra, "notes": "corrected twice"})])
    assert [(r.status, r.revision) for r in twice] == [("revised", 2), ("revised", 3)]

    # What `jig check` finds for the same rows (evidence from all of them), stored.
    latest = {inc.id: inc for inc in read.records} | {first.id: dataclasses.replace(
        again, extra={**first.extra, "notes": "corrected twice"})}
    expected = {v.incident.id: (v.verdict, _findings_hash(v))
                for v in check(agreement, list(latest.values()))}
    assert stored_verdicts(store, "joint") == expected

    with store.sessions() as s:
        result = verify(s, store._keys)
        assert result.ok, result.problems
        counts = {t: s.scalar(select(func.count()).select_from(t)) for t in (
            IncidentRevision, IncidentHead, VerdictRecord, FindingRecord, VerdictHead)}
        head = s.scalar(select(IncidentHead.row).where(
            IncidentHead.workspace == "joint", IncidentHead.incident_id == first.id))
        assert s.scalar(select(IncidentRevision.revision).where(
            IncidentRevision.row == head)) == 3
        # Every row written is an image in the log, once per key (later images of the same
        # row replace earlier ones, as verify replays them).
        images: dict[str, set[str]] = {}
        for body in s.scalars(select(AuditEntry.body)):
            for table, key, _ in json.loads(body)["rows"]:
                images.setdefault(table, set()).add(key)
        for table, n in counts.items():
            assert len(images[table.__tablename__]) == n, table.__tablename__
        assert counts[FindingRecord] > 0
    # The party's withheld fields are sealed in the table, as the ORM path seals them.
    with store.engine.connect() as con:
        records = [r if isinstance(r, dict) else json.loads(r) for r in con.execute(
            sa.text("SELECT record FROM incident_revisions WHERE workspace = 'US'")).scalars()]
    assert records and all(SEALED in r and "source" not in r for r in records)
    with store.sessions() as s:  # and open again for the store itself
        row = s.scalars(select(IncidentRevision).where(
            IncidentRevision.workspace == "US")).first()
        assert SEALED not in row.record and "source" in row.record


def test_a_stored_record_reads_back_as_the_incident_it_was_read_as(example_store):
    # `jig import` judges the readers' incidents as they are (`read_in`) instead of reading
    # each stored record back: what it judges is what the record says only if the two are
    # one incident, for every source the readers know.
    _, agreement = example_store
    files = [*EXPORTS, ROOT / "examples" / "syria-2016-jig" / "incidents.csv"]
    read = read_incidents(files, agreement)
    assert len(read.records) > 300
    assert {inc.extra["dataset"] for inc in read.records} == {"UCDP GED", "Airwars",
                                                              "incidents.csv"}
    for inc in read.records:
        back = to_incident(incident_record(inc), agreement.tz, stored=True)
        assert back == dataclasses.replace(inc, origin=None), inc.origin
