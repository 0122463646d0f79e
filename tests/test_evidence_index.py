"""Judging one record reads the incidents near it, not every incident of the time window: the
cost of intake does not grow with the store. Counted in incidents parsed and checked in the
query plan, never in seconds; and the verdicts stay those of the pure engine, on real data."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text
from tests.conftest import EXAMPLE, ROOT, incident

from jig.agreement import agreement_document, load_agreement
from jig.engine import check
from jig.readers import IncidentReader
from jig.records import Incident
from jig.store import Store
from jig.store.judging import JOINT
from jig.store.tables import IncidentRevision

UCDP = ROOT / "tests" / "data" / "ucdp_ged_syria_2016.csv"


class Counting(Store):
    """The store, counting the stored incidents it parses to judge with."""

    parsed = 0

    def parse(self, row, tz):  # type: ignore[no-untyped-def]
        self.parsed += 1
        return super().parse(row, tz)


def example_with_document() -> tuple:
    """The example agreement and its canonical document, as `jig import` stores it."""
    path = EXAMPLE / "agreement.yaml"
    return load_agreement(path), agreement_document(path.read_text(), path.parent)


def open_with_example(db_url: str, folder: Path) -> Counting:
    store = Store.open(db_url, key_folder=folder)
    store.__class__ = Counting
    agreement, document = example_with_document()
    store.add_agreement(agreement, document)
    return store  # type: ignore[return-value]


def test_one_record_is_judged_with_the_incidents_near_it_only(db_url, tmp_path):
    example = load_agreement(EXAMPLE / "agreement.yaml")
    store = open_with_example(db_url, tmp_path)
    try:
        # 300 incidents by the evidence actor in the same hours, 30 km and more away.
        far = [incident(example, f"F-{i}", time="2016-08-01T09:00", lon=36.2 + (i % 30) * 0.01,
                        lat=35.5 + (i // 30) * 0.01, actor="Jabhat Fateh al-Sham",
                        act="shelling") for i in range(300)]
        store.add_incidents(far)
        store.parsed = 0
        near = incident(example, "N-1", time="2016-08-01T10:00", lon=36.95, lat=36.05,
                        actor="Military Forces of Russia (2015-)", act="air_strike")
        store.add_incidents([near])
        # Before: all 300 were read and parsed to judge this one record.
        assert store.parsed <= 2, store.parsed
    finally:
        store.close()


def test_evidence_is_searched_through_the_scope_and_time_index(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'jig.db'}", key_folder=tmp_path)
    try:
        with store.engine.connect() as c:
            for part in store.visible_parts(JOINT)[:1]:
                q = select(IncidentRevision).where(
                    part, IncidentRevision.t_start >= 0, IncidentRevision.t_start <= 1,
                    IncidentRevision.lon >= 36, IncidentRevision.lon <= 37,
                    IncidentRevision.lat >= 35, IncidentRevision.lat <= 36)
                sql = str(q.compile(store.engine, compile_kwargs={"literal_binds": True}))
                plan = " ".join(str(r[-1]) for r in c.execute(text("EXPLAIN QUERY PLAN " + sql)))
        # Before: SQLite searched by the workspace alone, every record of it.
        assert "ix_incident_revisions_scope_time (workspace=? AND t_start>? AND t_start<?)" \
            in plan, plan
    finally:
        store.close()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_real_records_one_at_a_time_get_the_engines_verdicts(db_url, tmp_path):
    # UCDP GED 2016 (tests/data, with attribution there), each record sent alone: evidence
    # found through the box around each act, and late evidence re-judging earlier acts,
    # end where the pure engine judging them all at once ends.
    example = load_agreement(EXAMPLE / "agreement.yaml")
    rows: list[Incident] = [x for x in IncidentReader(example).iter([UCDP])
                            if isinstance(x, Incident)]
    assert len(rows) > 100
    store = open_with_example(db_url, tmp_path)
    try:
        for inc in rows:
            store.add_incidents([inc])
        with store.sessions() as s:
            from jig.store.tables import VerdictHead, VerdictRecord

            got = dict(s.execute(select(VerdictHead.incident_id, VerdictRecord.verdict).join(
                VerdictRecord, VerdictRecord.row == VerdictHead.verdict_row)).all())
    finally:
        store.close()
    want = {v.incident.id: v.verdict for v in check(example, rows, [], evidence=rows)}
    assert got == want
