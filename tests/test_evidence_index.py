"""Judging one record reads the incidents near it, not every incident of the time window: the
cost of intake does not grow with the store. Counted in incidents parsed and checked in the
query plan, never in seconds; and the verdicts stay those of the pure engine, on real data."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select, text
from tests.conftest import EXAMPLE, ROOT, incident

from jig.agreement import agreement_document, load_agreement
from jig.engine import check
from jig.readers import IncidentReader
from jig.records import Incident
from jig.store import Store, cells
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


def test_evidence_is_searched_cell_by_cell_through_the_covering_index(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'jig.db'}", key_folder=tmp_path)
    try:
        box = (36.9, 35.9, 37.1, 36.1)
        near = cells.cells_in([box])
        assert near is not None and len(near) == 9
        with store.engine.connect() as c:
            for part in store.visible_parts(JOINT)[:1]:
                q = select(IncidentRevision.row, IncidentRevision.actor).where(
                    part, cells.in_cells("sqlite", near),
                    IncidentRevision.t_start >= 0, IncidentRevision.t_start <= 1,
                    IncidentRevision.lon >= box[0], IncidentRevision.lon <= box[2],
                    IncidentRevision.lat >= box[1], IncidentRevision.lat <= box[3])
                sql = str(q.compile(store.engine, compile_kwargs={"literal_binds": True}))
                plan = " ".join(str(r[-1]) for r in c.execute(text("EXPLAIN QUERY PLAN " + sql)))
        # Before: SQLite searched by the workspace alone, every record of it; then a time
        # range over the whole area, or (its planner's choice) a longitude strip, reading
        # each row's table entry.
        assert "COVERING INDEX ix_incident_revisions_cells (workspace=? AND <expr>=? AND " \
            "t_start>? AND t_start<?)" in plan, plan
    finally:
        store.close()


def test_cells_cover_every_point_of_a_box():
    # The database computes a row's cell with the same doubles: a point inside a box is in
    # one of the box's cells, on the cell edges too.
    rng = random.Random(5)
    for _ in range(2000):
        lon, lat = rng.uniform(-179.9, 179.9), rng.uniform(-89.9, 89.9)
        w, h = rng.choice([0.0, 1e-9, 0.05, 0.1, 0.37]), rng.choice([0.0, 1e-9, 0.1, 0.2])
        box = (lon, lat, lon + w, lat + h)
        got = set(cells.cells_in([box]) or ())
        for x, y in ((lon, lat), (lon + w, lat + h), (lon + w / 2, lat), (lon, lat + h / 3)):
            assert cells.cell(x, y) in got
    assert cells.cells_in([(-180.0, -90.0, 180.0, 90.0)]) is None  # a whole-Earth notice


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


def test_dense_records_with_late_evidence_get_the_engines_findings(db_url, tmp_path):
    # The load bench's kind of records, dense (a 25 x 25 km square, four days) and sent in
    # shuffled order: most acts have dozens of stored neighbours, and evidence often arrives
    # after the act it excuses. Every verdict, and each clause's outcome, ends as the pure
    # engine's judging them all at once: the store's searches, cells and parse cache change
    # nothing. (An act excepted already keeps the evidence it was excused by when a closer
    # report arrives later: its reason may name another incident than the engine's.)
    example = load_agreement(EXAMPLE / "agreement.yaml")
    rng = random.Random(3)
    actors = ["Military Forces of Russia (2015-)", "Military Forces of Syria (2000-)",
              "Jabhat Fateh al-Sham"]
    rows = [incident(example, f"D-{i}", time=f"2016-08-{rng.randint(1, 4):02d}T"
                     f"{rng.randint(0, 23):02d}:00", lon=round(rng.uniform(36.85, 37.15), 4),
                     lat=round(rng.uniform(35.95, 36.15), 4),
                     precision_m=rng.choice([0, 1000, 5000]), actor=rng.choice(actors),
                     target="Jabhat Fateh al-Sham", act=rng.choice(["air_strike", "shelling"]))
            for i in range(80)]
    # Every fourth names two sides but not which acted: as its target's act (Nusra against
    # Russia), late evidence may excuse it, which its actor column does not show.
    rows = [replace(r, actor="Jabhat Fateh al-Sham", target=r.actor,
                    extra=r.extra | {"sides": "either"})
            if k % 4 == 1 and r.actor != "Jabhat Fateh al-Sham" else r
            for k, r in enumerate(rows)]
    want = {v.incident.id: v for v in check(example, rows, [], evidence=rows)}
    assert any(v.incident.either_side and v.verdict == "excepted" for v in want.values())
    sent = {inc.id: k for k, inc in enumerate(rows)}
    late = [v for v in want.values() if v.verdict == "excepted" and all(
        sent[e.id] > sent[v.incident.id] for f in v.findings for e in f.evidence)]
    assert len(late) >= 3, "the test must hold acts excused only by evidence sent after them"
    store = open_with_example(db_url, tmp_path)
    try:
        for inc in rows:
            store.add_incidents([inc])
        with store.sessions() as s:
            from jig.store.tables import FindingRecord, VerdictHead, VerdictRecord

            got: dict[str, tuple[str, list[tuple[str, str]]]] = {}
            for ident, verdict, clause, outcome in s.execute(
                    select(VerdictHead.incident_id, VerdictRecord.verdict, FindingRecord.clause,
                           FindingRecord.outcome)
                    .join(VerdictRecord, VerdictRecord.row == VerdictHead.verdict_row)
                    .join(FindingRecord, FindingRecord.verdict_row == VerdictRecord.row)
                    .order_by(FindingRecord.row)):
                got.setdefault(ident, (verdict, []))[1].append((clause, outcome))
            verdicts = dict(s.execute(select(VerdictHead.incident_id, VerdictRecord.verdict)
                                      .join(VerdictRecord,
                                            VerdictRecord.row == VerdictHead.verdict_row)).all())
    finally:
        store.close()
    assert verdicts == {k: v.verdict for k, v in want.items()}
    assert got == {k: (v.verdict, [(f.clause, f.outcome) for f in v.findings])
                   for k, v in want.items() if v.findings}


def test_a_records_verdicts_are_read_through_indexes(tmp_path):
    # An intake answers with the record's verdicts. Before, they were found by filtering the
    # verdicts on the incident's id, which no index holds: every verdict of the store was
    # read for each answer (a quarter of the server's time at 100,000 incidents).
    from sqlalchemy import event

    from jig.store import queries

    store = open_with_example(f"sqlite:///{tmp_path / 'jig.db'}", tmp_path)
    example, _ = example_with_document()
    try:
        store.add_incidents([incident(example, f"V-{i}", lon=36.6 + i / 100, lat=35.8,
                                      actor="Military Forces of Syria (2000-)",
                                      act="air_strike") for i in range(5)])
        seen: list[tuple[str, tuple]] = []

        def record(conn, cursor, statement, parameters, context, executemany):
            seen.append((statement, parameters))

        event.listen(store.engine, "before_cursor_execute", record)
        with store.sessions() as s:
            rows = queries.verdicts_of(s, "V-3")
        event.remove(store.engine, "before_cursor_execute", record)
        assert [r.incident.incident_id for r in rows] == ["V-3"]
        plans = []
        with store.engine.connect() as c:
            raw = c.connection.driver_connection
            for statement, parameters in seen:
                if statement.lstrip().upper().startswith("SELECT"):
                    plans += [r[-1] for r in raw.execute("EXPLAIN QUERY PLAN " + statement,
                                                         parameters)]
        # Each table read by a key of the record: its id, a revision's or a verdict's row.
        keyed = ("incident_id=?", "rowid=?", "incident_row=?", "verdict_row=?")
        read = [p for p in plans if p.startswith(("SCAN", "SEARCH"))
                and ("verdicts" in p or "incident_revisions" in p)]
        assert read and [p for p in read if not any(k in p for k in keyed)] == [], plans
    finally:
        store.close()


def test_acts_are_searched_in_groups_near_in_time_and_place():
    # A batch of intakes from many clients holds acts days and tens of kilometres apart:
    # searched as one window and one box, they read every candidate between them.
    from jig.store.nearby import GROUPED, groups

    example = load_agreement(EXAMPLE / "agreement.yaml")
    day, reach = 86_400.0, 10_000.0
    a = incident(example, "A", time="2016-08-01T10:00", lon=36.60, lat=35.80)
    b = incident(example, "B", time="2016-08-02T10:00", lon=36.65, lat=35.82)  # near a
    c = incident(example, "C", time="2016-08-20T10:00", lon=36.61, lat=35.80)  # weeks later
    d = incident(example, "D", time="2016-08-01T12:00", lon=37.40, lat=36.40)  # 100 km away
    found = groups([c, d, b, a], 3 * day, reach)
    assert sorted(sorted(x.id for x in g) for _, _, g in found) == [["A", "B"], ["C"], ["D"]]
    for t0, t1, members in found:  # each window holds its acts' starts and ends
        assert all(t0 <= x.span.start and x.span.end <= t1 for x in members)
    many = [incident(example, f"M{i}", time=f"2016-08-{1 + i % 28:02d}T10:00", lon=36.0 + i / 50,
                     lat=35.8) for i in range(GROUPED + 1)]
    [(t0, t1, members)] = groups(many, 3 * day, reach)  # past GROUPED: one search
    assert len(members) == GROUPED + 1
    assert t0 == min(x.span.start for x in many) and t1 == max(x.span.end for x in many)
