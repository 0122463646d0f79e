"""The map's counts kept ahead (`jig.store.mapcounts`), on SQLite and PostgreSQL, on real data
(the 2016 example, UCDP GED, Airwars): every view by place, period and verdict summed from
them equals the same view counted over the records, whichever box (whole cells or cut),
period (whole days, hours, open) or cell size; they move with re-judged and corrected records,
`jig audit verify` finds them changed behind its back, `jig audit recount` and the migration
make them from the heads; concurrent intakes into the same cells neither deadlock nor lose a
count; and another party's withheld records change no count a party sees."""

from __future__ import annotations

import dataclasses
import math
import random
import threading
from collections import Counter
from datetime import datetime

import numpy as np
import pytest
import sqlalchemy as sa
from alembic import command
from tests.conftest import EXAMPLE, ROOT
from tests.test_joint_cell import ADVANCE, STRIKE, cell, ok  # noqa: F401 - the fixture

from jig.agreement import agreement_document, load_agreement
from jig.readers import read_incidents
from jig.readers.fields import to_incident
from jig.store import Store, mapcounts, overview
from jig.store.db import alembic_config
from jig.store.importer import import_files
from jig.store.queries import Filters
from jig.store.rebuild import verify
from jig.store.tables import MapCount

EXPORTS = [EXAMPLE / "incidents.csv", ROOT / "tests" / "data" / "ucdp_ged_syria_2016.csv",
           ROOT / "tests" / "data" / "airwars_syria_2016.csv"]


def at(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def by_cell(rows) -> dict[tuple[int, int], Counter]:  # type: ignore[no-untyped-def]
    out: dict[tuple[int, int], Counter] = {}
    for x, y, verdict, n, _, _ in rows:
        out.setdefault((int(x), int(y)), Counter())[verdict] += n
    return {k: +v for k, v in out.items() if +v}


def same_as_records(store: Store, agreement_id: str, f: Filters, viewer: str, size: float
                    ) -> int:
    """The view from the counts equals the view counted over the records; returns its total."""
    with store.sessions() as s:
        kept = overview._from_counts(s, agreement_id, f, viewer, size)
        # Answered from the counts, but for a box holding no whole cell (then by the records).
        assert kept is not None or overview._inner(f.bbox, size) is None, (f, size)
        want = by_cell(overview._counted(s, agreement_id, f, viewer, size))
        assert kept is None or by_cell(kept) == want, (f, size)
        got = overview.grid(s, agreement_id, f, viewer, size)
    assert {(round((c.lon + 180) / size), round((c.lat + 90) / size)): Counter(c.counts)
            for c in got.cells} == want
    for c in got.cells:  # each marker in its cell
        assert c.lon <= c.at[0] <= c.lon + size and c.lat <= c.at[1] <= c.lat + size
    return got.total


@pytest.fixture
def real_store(db_url, tmp_path):
    store = Store.open(db_url, key_folder=tmp_path)
    path = EXAMPLE / "agreement.yaml"
    agreement = load_agreement(path)
    store.add_agreement(agreement, agreement_document(path.read_text(), path.parent))
    import_files(store, EXPORTS, batch=500)
    import_files(store, EXPORTS[:1], batch=500, workspace="US")  # a party's own records
    try:
        yield store, agreement
    finally:
        store.close()


def test_counts_kept_equal_the_records_for_any_view(real_store):
    store, agreement = real_store
    with store.sessions() as s:
        assert mapcounts.differences(s) == []
        assert s.scalar(sa.select(sa.func.count()).select_from(MapCount)) > 1000
    rng = random.Random(16)
    periods = [(None, None), (at("2016-07-15T00:00+03:00"), at("2016-10-03T00:00+03:00")),
               # cut days: hours at both ends, an open end, a period inside one day
               (at("2016-08-01T13:30+03:00"), at("2016-09-20T07:15+03:00")),
               (at("2016-06-01T00:00+03:00"), None), (None, at("2016-05-01T05:00+00:00")),
               (at("2016-08-11T08:00+03:00"), at("2016-08-11T20:00+03:00"))]
    totals = set()
    for viewer in ("joint", "US", "RU"):
        for t_from, t_to in periods:
            for verdict in (None, "breach", "not_applicable"):
                f = Filters(t_from=t_from, t_to=t_to, verdict=verdict)
                totals.add(same_as_records(store, agreement.id, f, viewer, 0.25))
                w, so = rng.uniform(35.0, 38.0), rng.uniform(33.5, 36.0)
                box = (w, so, w + rng.uniform(0.3, 4.0), so + rng.uniform(0.3, 2.5))
                across = rng.choice([2, 4, 8, 16])  # cells down to 1/64 degree
                size = overview.cell_size(box, across)
                for b in (box, overview.whole_cells(box, size)):  # cut, and whole cells
                    totals.add(same_as_records(store, agreement.id,
                                               dataclasses.replace(f, bbox=b), viewer, size))
    assert len(totals) > 20 and max(totals) > 300  # real, differing answers
    # Coarser than the counts keep (the world in a few cells), and a whole-cell box's edges.
    same_as_records(store, agreement.id, Filters(), "joint", 64.0)
    box = overview.whole_cells((36.1, 35.1, 37.3, 36.2), 0.125)
    assert box[0] == 36.0 and box[1] == 35.0 and 37.37 < box[2] < 37.375 < box[2] + 1e-9


def days(rows) -> dict[int, Counter]:  # type: ignore[no-untyped-def]
    out: dict[int, Counter] = {}
    for d, verdict, n in rows:
        out.setdefault(int(d), Counter())[verdict] += n
    return {k: +v for k, v in out.items() if +v}


def test_the_histogram_from_the_counts_equals_the_records(real_store):
    store, agreement = real_store
    damascus = 3 * 3600.0  # summer time (UTC+3) all through the periods below
    periods = [(at("2016-07-15T00:00+03:00"), at("2016-10-03T00:00+03:00")),  # in force
               (at("2016-08-01T13:30+03:00"), at("2016-09-20T07:15+03:00")),  # hours cut
               (at("2016-06-01T00:00+03:00"), at("2016-08-11T20:00+03:00")),
               (at("2016-07-20T00:00+03:00"), None)]  # open (until the winter time: exact)
    boxes = [None, (35.0, 33.5, 39.0, 37.5), (36.1, 35.05, 37.33, 36.27), (36.4, 35.6, 36.9,
                                                                              35.9)]
    rng = random.Random(16)
    from_counts = totals = 0
    for viewer in ("joint", "US", "RU"):
        for t_from, t_to in periods:
            for verdict in (None, "breach", "not_applicable"):
                for box in (*boxes, (w := rng.uniform(35.0, 38.0), so := rng.uniform(33.5, 36),
                                     w + rng.uniform(0.3, 4.0), so + rng.uniform(0.3, 2.5))):
                    f = Filters(t_from=t_from, t_to=t_to, verdict=verdict, bbox=box)
                    with store.sessions() as s:
                        kept = overview._days_from_counts(s, agreement.id, f, viewer,
                                                          damascus)
                        want = days(overview._days_counted(s, agreement.id, f, viewer,
                                                           damascus))
                        got = overview.histogram(s, agreement.id, f, viewer, damascus)
                    assert kept is None or days(kept) == want, (viewer, f)
                    assert {d: Counter(c) for d, c in got.items()} == want, (viewer, f)
                    from_counts += kept is not None
                    totals += sum(sum(c.values()) for c in want.values())
    assert from_counts >= 100 and totals > 5_000  # mostly from the counts, on real rows
    # Other filters, and days the counts do not keep (another offset), are counted exactly.
    with store.sessions() as s:
        for f, offset in ((Filters(actor="RU"), damascus), (Filters(t_from=periods[0][0],
                                                                   t_to=periods[0][1]), 0.0)):
            assert overview._days_from_counts(s, agreement.id, f, "joint", offset) is None
            assert overview.histogram(s, agreement.id, f, "joint", offset)


def test_counts_follow_corrections_and_the_log_checks_them(real_store, db_url):
    store, agreement = real_store
    # Corrections move heads to other places and days, and new verdicts.
    read = read_incidents(EXPORTS[1:2], agreement).records[:40]
    moved = [dataclasses.replace(r, lon=r.lon + 0.3, lat=r.lat - 0.2) for r in read]
    store.add_incidents(moved)
    store.add_incidents(moved[:10], workspace="US")
    # Acts of days begun before a period and lasting into it, counted once.
    long_acts = [to_incident({"id": f"LONG-{k}", "time": when, "lon": 36.6, "lat": 35.5,
                              "actor": "Military Forces of Russia (2015-)", "act": "air_strike"},
                             agreement.tz)
                 for k, when in enumerate(["2016-07-14/2016-07-19", "2016-07-10/2016-07-16"])]
    store.add_incidents(long_acts)
    period = Filters(t_from=at("2016-07-15T00:00+03:00"), t_to=at("2016-08-01T00:00+03:00"))
    with store.sessions() as s:
        counted = overview._counted(s, agreement.id, period, "joint", 0.5)
    assert sum(row[3] for row in counted) == same_as_records(
        store, agreement.id, period, "joint", 0.5)
    with store.sessions() as s:
        assert mapcounts.differences(s) == []
        assert verify(s).ok
    same_as_records(store, agreement.id, Filters(), "joint", 0.5)
    # A count changed behind the log's back is found, and a recount mends it.
    with store.writing() as s:
        s.execute(sa.update(MapCount).where(MapCount.level == 0).values(
            n_breach=MapCount.n_breach + 1))
    with store.sessions() as s:
        problems = verify(s).problems
        assert problems and all(p.startswith("map_counts: ") for p in problems)
        assert "level 0" in problems[0] and "jig audit recount" in problems[0]
    with store.writing() as s:
        assert mapcounts.rebuild(s) > 0
    with store.sessions() as s:
        assert verify(s).ok
    # The migration makes them from the heads already stored.
    cfg = alembic_config(store.engine)
    command.downgrade(cfg, "0009")
    command.upgrade(cfg, "head")
    with store.sessions() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(MapCount)) > 1000
        assert mapcounts.differences(s) == []


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_concurrent_intakes_into_the_same_cells(db_url, tmp_path):
    """Four writers storing records of the same place and day (the same count rows) at once:
    none fails (no deadlock), none is lost."""
    store = Store.open(db_url, key_folder=tmp_path)
    path = EXAMPLE / "agreement.yaml"
    agreement = load_agreement(path)
    store.add_agreement(agreement, agreement_document(path.read_text(), path.parent))
    base = read_incidents(EXPORTS[:1], agreement).records[0]
    errors: list[BaseException] = []

    def writer(k: int) -> None:
        try:
            for i in range(8):
                # Two records per call, in opposite orders of place between writers.
                pair = [dataclasses.replace(base, id=f"W{k}-{i}-{j}", lon=36.5 + j * 0.7)
                        for j in (0, 1)]
                store.add_incidents(pair[::-1] if k % 2 else pair)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        with store.sessions() as s:
            assert mapcounts.differences(s) == []
        assert same_as_records(store, agreement.id, Filters(), "joint", 0.25) == 64
    finally:
        store.close()


def test_an_intake_locks_the_count_rows_only_as_it_commits(db_url, tmp_path):
    """The coarsest count rows take nearly every record: an intake that locked them as it
    judged held every other writer on PostgreSQL behind it through its judging and its log
    entry (4 worker processes were no faster than one). Mid-transaction they are free to
    another writer; at commit they hold both intakes."""
    store = Store.open(db_url, key_folder=tmp_path)
    path = EXAMPLE / "agreement.yaml"
    agreement = load_agreement(path)
    store.add_agreement(agreement, agreement_document(path.read_text(), path.parent))
    base = read_incidents(EXPORTS[:1], agreement).records[0]
    try:
        store.add_incidents([dataclasses.replace(base, id="first")])
        with store.sessions() as s:
            rows = s.scalar(sa.select(sa.func.count()).select_from(MapCount))
        assert rows
        with store.writing() as s:
            store._add_incidents(s, [dataclasses.replace(base, id="second")], None, "joint",
                                 "local")
            if db_url.startswith("postgresql"):
                # Another writer takes every count row's lock at once, or fails (NOWAIT).
                other = sa.create_engine(
                    db_url.replace("postgresql://", "postgresql+psycopg://"))
                try:
                    with other.begin() as c:
                        locked = c.execute(sa.text(
                            "SELECT count(*) FROM (SELECT 1 FROM map_counts FOR UPDATE NOWAIT)"
                            " AS t")).scalar()
                finally:
                    other.dispose()
                assert locked == rows
        with store.sessions() as s:
            assert mapcounts.differences(s) == []
        assert same_as_records(store, agreement.id, Filters(), "joint", 0.25) == 2
    finally:
        store.close()


def test_withheld_records_change_no_count_the_other_party_sees(cell):  # noqa: F811
    c, _ = cell
    ok(c["ru-analyst"].post("/incidents", json=ADVANCE))
    ok(c["ru-lead"].post("/incidents/RU-3/release", json={"withhold": []}))
    views = [{}, {"all_time": "true"}, {"bbox": "36.5,35.3,37.5,36.0", "cells": "4"},
             {"bbox": "36.5,35.3,37.5,36.0", "whole": "true", "cells": "8"},
             {"verdict": "breach"}, {"from": "2016-08-11T08:00", "to": "2016-08-11T10:00"},
             {"from": "2016-08-09T08:00", "to": "2016-08-12T10:00", "bbox": "36.5,35.3,37.5,36.0"}]

    def answers(who: str) -> list:
        return [ok(c[who].get("/incidents/overview", params=v)) for v in views] + \
            [ok(c[who].get("/incidents/histogram", params=v)) for v in views]

    before = {who: answers(who) for who in ("ru-analyst", "ru-lead", "reviewer")}
    assert before["ru-analyst"][0]["total"] == 1
    # The US stores records near RU's, on the same days, and releases none of them.
    for k, (dlon, hour) in enumerate([(0.0, "09:00"), (0.01, "06:30"), (-0.02, "07:00")]):
        ok(c["us-analyst"].post("/incidents", json=STRIKE | {
            "id": f"US-{k}", "lon": ADVANCE["lon"] + dlon, "time": f"2016-08-10T{hour}"}))
    assert ok(c["us-analyst"].get("/incidents/overview"))["total"] == 4
    for who, seen in before.items():
        assert answers(who) == seen, who


def test_a_batchs_rows_are_each_incidents_cells_and_blocks_summed():
    """`rows_of` adds each incident to a row per cell side and block length, counted as the
    SQL that rebuilds the table counts (`_fill`): cells floored from -180 and -90, blocks
    floored (days before 1970 too), millionths rounded half up; an incident taken away
    again leaves its rows at zero (which `write` then skips)."""
    lon = np.array([-180.0, 0.0, 36.0, 12.3456785, -0.0000005, 36.0, 179.999999])
    lat = np.array([-90.0, 0.0, 35.5, 35.0000005, 89.9999995, 35.5, -0.5])
    day = np.array([-1, 0, 16, -257, 255, 16, 17_000])
    outcome = np.array([0, 1, 2, 3, 4, 2, 1])
    sign = np.array([1, 1, 1, -1, 1, -1, 1])  # the sixth takes the third away again
    keys, values = mapcounts.rows_of(lon, lat, day, outcome, sign)

    expected: dict[tuple[int, ...], list[int]] = {}
    for x, y, d, o, g in zip(lon.tolist(), lat.tolist(), day.tolist(), outcome.tolist(),
                             sign.tolist(), strict=True):
        for level in mapcounts.LEVELS:
            for span in mapcounts.SPANS:
                row = expected.setdefault((level, span, d // span,
                                           math.floor((x + 180.0) / 2.0 ** level),
                                           math.floor((y + 90.0) / 2.0 ** level)),
                                          [0] * len(mapcounts.VALUES))
                row[3 * o] += g
                row[3 * o + 1] += g * math.floor(x * 1_000_000 + 0.5)
                row[3 * o + 2] += g * math.floor(y * 1_000_000 + 0.5)
    got = [tuple(k) for k in keys.tolist()]
    assert got == sorted(expected)  # one row per key, in key order
    assert dict(zip(got, values.tolist(), strict=True)) == expected
    assert not all(values.any(axis=1))  # the third's rows, given and taken away
