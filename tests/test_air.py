"""Safety of flight: deconfliction of notified air activity, and flights into barred zones."""

from __future__ import annotations

import json
import random

import pytest
import shapely
from pyproj import Geod
from tests.conftest import EXAMPLE, box, collection, feature

from jig.air.deconflict import deconflict, volumes
from jig.air.flights import check_flights
from jig.air.reading import read_air_notices, to_air_notice
from jig.errors import RowError

ZONES = collection(
    feature(box(36.0, 35.0, 36.2, 35.2), id="Z-1", kind="designated"),
    feature(box(36.5, 35.0, 36.7, 35.2), id="Z-2", kind="designated",
            valid_from="2016-09-12T00:00"),
)
BASE_CLAUSES = """\
zones: zones.geojson
clauses:
  - {id: no-flights, rule: no_flights_in, bound: [BF], zones: {kind: designated}}
"""


def agreement_with(make_agreement, air: str = ""):
    return make_agreement(BASE_CLAUSES + air, zones=ZONES)


@pytest.fixture
def agreement(make_agreement):
    return agreement_with(make_agreement)


def notice(agreement, id, party, geometry, time="2016-08-01T06:00/2016-08-01T08:00",
           low=10000, high=20000, half=0.0, actor=None, **kw):
    fields = {"id": id, "party": party, "time": time, "geometry": geometry,
              "alt_low": low, "alt_high": high, "half_width_m": half, "actor": actor} | kw
    return to_air_notice(fields, agreement)


def route(*points) -> str:
    return "LINESTRING (" + ", ".join(f"{x} {y}" for x, y in points) + ")"


def pairs(conflicts):
    return sorted(tuple(sorted((c.a.id, c.b.id))) for c in conflicts)


def test_crossing_routes_of_two_parties_conflict_and_say_where_and_when(agreement):
    a = notice(agreement, "A", "A", route((37.0, 35.0), (38.0, 35.0)), half=2000)
    b = notice(agreement, "B", "B", route((37.5, 34.5), (37.5, 35.5)), half=2000,
               time="2016-08-01T07:00/2016-08-01T09:00", low=15000, high=25000)
    [c] = deconflict(agreement, [a, b])
    assert c.lon == pytest.approx(37.5, abs=0.01) and c.lat == pytest.approx(35.0, abs=0.01)
    d = c.as_dict(agreement)
    assert d["when"] == "2016-08-01T07:00+03:00/2016-08-01T08:00+03:00"
    assert d["vertical_ft"] == -5000 and d["time_min"] == -60
    assert d["margin"] == {"horizontal_m": 9260.0, "vertical_ft": 6000, "time_min": 70.0}


def test_same_party_far_apart_or_separated_vertically_do_not_conflict(agreement):
    a = notice(agreement, "A", "A", route((37.0, 35.0), (38.0, 35.0)), half=2000)
    same = notice(agreement, "A2", "A", route((37.5, 34.5), (37.5, 35.5)), half=2000)
    far = notice(agreement, "B1", "B", route((38.5, 35.2), (39.5, 35.2)), half=2000)
    high = notice(agreement, "B2", "B", route((37.5, 34.5), (37.5, 35.5)), half=2000,
                  low=21001, high=30000)
    assert deconflict(agreement, [a, same, far, high]) == []


def test_touching_corridors(make_agreement):
    # Corridors of 2 km either side of two parallel routes 4 km apart: they touch.
    gap = 4000 / 110_574
    a_line, b_line = route((37.0, 35.0), (38.0, 35.0)), route((37.0, 35.0 + gap),
                                                               (38.0, 35.0 + gap))
    with_min = agreement_with(make_agreement)
    a = notice(with_min, "A", "A", a_line, half=2000)
    b = notice(with_min, "B", "B", b_line, half=2000)
    assert pairs(deconflict(with_min, [a, b])) == [("A", "B")]
    no_min = agreement_with(make_agreement, "air: {horizontal_km: 0}\n")
    a = notice(no_min, "A", "A", a_line, half=2000)
    b = notice(no_min, "B", "B", b_line, half=2000)
    assert deconflict(no_min, [a, b]) == []  # touching is not overlapping
    b_over = notice(no_min, "B", "B", b_line, half=2100)
    assert pairs(deconflict(no_min, [a, b_over])) == [("A", "B")]


def test_a_band_that_meets_another(make_agreement):
    square = "POLYGON ((37 35, 37.2 35, 37.2 35.2, 37 35.2, 37 35))"
    for air, expected in (("", [("A", "B")]), ("air: {vertical_ft: 0}\n", [])):
        ag = agreement_with(make_agreement, air)
        a = notice(ag, "A", "A", square, low=10000, high=20000)
        b = notice(ag, "B", "B", square, low=20000, high=30000)
        assert pairs(deconflict(ag, [a, b])) == expected


def test_a_window_that_ends_as_another_begins(make_agreement):
    square = "POLYGON ((37 35, 37.2 35, 37.2 35.2, 37 35.2, 37 35))"
    for air, expected in (("", [("A", "B")]), ("air: {time_min: 0}\n", [])):
        ag = agreement_with(make_agreement, air)
        a = notice(ag, "A", "A", square, time="2016-08-01T06:00/2016-08-01T08:00")
        b = notice(ag, "B", "B", square, time="2016-08-01T08:00/2016-08-01T10:00")
        assert pairs(deconflict(ag, [a, b])) == expected
    ag = agreement_with(make_agreement)
    late = notice(ag, "C", "B", square, time="2016-08-01T08:11/2016-08-01T10:00")
    assert deconflict(ag, [notice(ag, "A", "A", square), late]) == []


def test_routes_crossing_at_a_shallow_angle(agreement):
    # 200 km routes crossing at about 2 degrees: the crossing is found, and where it is.
    a = notice(agreement, "A", "A", route((36.0, 35.0), (38.0, 35.0)), half=1000)
    b = notice(agreement, "B", "B", route((36.0, 34.965), (38.0, 35.035)), half=1000)
    [c] = deconflict(agreement, [a, b])
    assert c.lon == pytest.approx(37.0, abs=0.15) and c.lat == pytest.approx(35.0, abs=0.01)


def test_index_gives_the_same_pairs_as_testing_every_pair(agreement):
    rng = random.Random(4)
    notices = []
    for k in range(150):
        x, y = rng.uniform(36.0, 39.0), rng.uniform(34.5, 36.5)
        if rng.random() < 0.5:
            geom = route((x, y), (x + rng.uniform(-0.6, 0.6), y + rng.uniform(-0.6, 0.6)))
            half = rng.choice([1000, 3000, 5000])
        else:
            s = rng.uniform(0.05, 0.3)
            geom = f"POLYGON (({x} {y}, {x + s} {y}, {x + s} {y + s}, {x} {y + s}, {x} {y}))"
            half = 0
        h0 = rng.randrange(0, 40) * 1000
        t0 = rng.randrange(0, 48)
        notices.append(notice(agreement, f"N{k}", rng.choice("AB"), geom, half=half, low=h0,
                              high=h0 + rng.randrange(1, 10) * 1000,
                              time=_window(t0, rng.randrange(1, 6))))
    sep = agreement.separation
    vols = volumes(agreement, notices)
    expected = []
    for i in range(len(notices)):
        for j in range(i + 1, len(notices)):
            a, b = notices[i], notices[j]
            if a.party == b.party:
                continue
            tg = max(a.window.start, b.window.start) - min(a.window.end, b.window.end)
            zg = max(a.alt_low_m, b.alt_low_m) - min(a.alt_high_m, b.alt_high_m)
            if tg < sep.time_s and zg < sep.vertical_m and \
                    shapely.distance(vols[i], vols[j]) < sep.horizontal_m:
                expected.append(tuple(sorted((a.id, b.id))))
    got = pairs(deconflict(agreement, notices))
    assert got == sorted(expected) and len(got) > 5


def _window(hour: int, length: int) -> str:
    day, h = divmod(hour, 24)
    end_day, end_h = divmod(hour + length, 24)
    return f"2016-08-{1 + day:02d}T{h:02d}:00/2016-08-{1 + end_day:02d}T{end_h:02d}:00"


def test_an_air_desk_sees_only_where_and_when_of_the_other_side(agreement):
    a = notice(agreement, "A-SECRET", "A", route((37.0, 35.0), (38.0, 35.0)), half=2000,
               actor="AF", kind="reconnaissance")
    b = notice(agreement, "B-SECRET", "B", route((37.5, 34.5), (37.5, 35.5)), half=2000,
               actor="BF", kind="strike-escort")
    [c] = deconflict(agreement, [a, b])
    seen = c.seen_by("A", agreement)
    assert seen["notice"] == "A-SECRET" and seen["other_party"] == "B"
    text = json.dumps(seen)
    for secret in ("B-SECRET", "strike-escort", "BF", "20000", "34.5"):
        assert secret not in text
    # How far inside the vertical minimum, less the desk's own band, is the other's edge.
    assert set(seen["margin"]) == {"horizontal_m", "time_min"}


def test_example_day_shows_a_conflict_a_clean_pass_and_a_barred_zone_entry(example):
    read = read_air_notices([EXAMPLE / "air-notices.csv"], example)
    assert read.rejects == []
    assert pairs(deconflict(example, read.records)) == [("RU-1", "US-1")]  # RU-2/US-2: clean
    verdicts = {v.notice.id: v.verdict for v in check_flights(example, read.records)}
    assert verdicts == {"RU-1": "not_applicable", "US-1": "not_applicable",
                        "US-2": "not_applicable", "RU-2": "not_applicable", "SY-1": "breach",
                        "SY-2": "complies", "SY-3": "undetermined"}


def test_no_flights_in(agreement):
    into = notice(agreement, "S1", "B", "POLYGON ((36.1 35.1, 36.3 35.1, 36.3 35.3, 36.1 35.3, "
                  "36.1 35.1))", actor="B forces")
    clear = notice(agreement, "S2", "B", "POLYGON ((36.25 35.3, 36.3 35.3, 36.3 35.35, "
                   "36.25 35.35, 36.25 35.3))", actor="B forces")
    other = notice(agreement, "S3", "A", route((36.0, 35.1), (36.3, 35.1)), half=1000,
                   actor="A forces")
    unknown = notice(agreement, "S4", "B", route((36.0, 35.1), (36.3, 35.1)), half=1000)
    # Z-2 takes effect at midnight on 12 September, half way through this window.
    straddle = notice(agreement, "S5", "B", route((36.4, 35.1), (36.8, 35.1)), half=1000,
                      actor="B forces", time="2016-09-11T23:00/2016-09-12T01:00")
    v = {x.notice.id: x for x in check_flights(agreement, [into, clear, other, unknown,
                                                           straddle])}
    assert v["S1"].verdict == "breach" and "overlaps Z-1" in v["S1"].findings[0].reason
    assert v["S2"].verdict == "complies" and "clear of" in v["S2"].findings[0].reason
    assert v["S3"].verdict == "not_applicable"
    assert v["S4"].verdict == "undetermined" and "names no actor" in v["S4"].findings[0].reason
    assert v["S5"].verdict == "undetermined" and v["S5"].findings[0].p == pytest.approx(0.5)


@pytest.mark.parametrize(("change", "message"), [
    ({"alt_ref": "AGL"}, "above mean sea level only"),
    ({"alt_low": 30000}, "upside down"),
    ({"half_width_m": 0}, "a route needs `half_width_m`"),
    ({"party": "C"}, "is not a party"),
    ({"geometry": "LINESTRING (37 35"}, "not valid WKT"),
    ({"geometry": "POINT (37 35)"}, "an air notice is an area"),
    ({"alt_unit": "furlongs"}, "use ft or m"),
])
def test_bad_air_notices_are_named(agreement, change, message):
    fields = {"id": "X", "party": "A", "time": "2016-08-01T06:00/2016-08-01T08:00",
              "geometry": route((37, 35), (38, 35)), "half_width_m": 1000, "alt_low": 10000,
              "alt_high": 20000} | change
    with pytest.raises(RowError, match=message):
        to_air_notice(fields, agreement)


def test_notified_areas_have_edges_straight_in_degrees_as_every_geojson_polygon(make_agreement):
    # Area B lies 9.5 km north of area A's long northern edge (a parallel): drawn straight in
    # metres, that edge would bulge about 400 m north and the areas conflict at ~9.1 km.
    geod = Geod(ellps="WGS84")
    north = geod.fwd(36.35, 35.0, 0, 9_500)[1]
    plain = agreement_with(make_agreement)
    a = notice(plain, "A", "A", shapely.box(35.5, 34.9, 37.2, 35.0).wkt)
    b = notice(plain, "B", "B", shapely.box(36.3, north, 36.4, north + 0.1).wkt)
    assert deconflict(plain, [a, b]) == []  # 9.5 km > the 9.26 km default minimum
    wider = agreement_with(make_agreement, "air: {horizontal_km: 10}\n")
    [c] = deconflict(wider, [a, b])
    assert c.horizontal_m == pytest.approx(9_500, abs=20)  # the projection's scale error


def test_no_flights_in_flies_legs_straight_in_the_projection(agreement):
    # Two points 430 km apart at 35.18 N, 2.2 km south of Z-1's northern edge: the leg
    # between them (near the geodesic) passes north of Z-1, though the parallel through
    # them crosses it.
    lat = 35.18
    geod = Geod(ellps="WGS84")
    over = [p for p in geod.npts(34.0, lat, 38.7, lat, 2000) if 36.0 <= p[0] <= 36.2]
    assert min(p[1] for p in over) > 35.2  # the geodesic stays out of Z-1
    leg = notice(agreement, "S1", "B", route((34.0, lat), (38.7, lat)), half=2000,
                 actor="B forces")
    # The same route given vertex by vertex along the parallel does enter Z-1.
    parallel = notice(agreement, "S2", "B", route(*[(34.0 + i * 0.1, lat) for i in range(48)]),
                      half=2000, actor="B forces")
    v = {x.notice.id: x.findings[0] for x in check_flights(agreement, [leg, parallel])}
    assert v["S1"].outcome == "undetermined" and "the route itself stays out" in v["S1"].reason
    assert v["S2"].outcome == "breach" and "its route enters Z-1" in v["S2"].reason


def test_no_flights_in_counts_only_the_part_of_the_window_the_agreement_is_in_force(
        make_agreement):
    # The agreement is in force until the start of 3 October (Asia/Damascus), the zone drawn
    # for longer: half of this window is after the agreement lapsed.
    lasting = collection(feature(box(36.0, 35.0, 36.2, 35.2), id="Z-1", kind="designated",
                                 valid_until="2017-01-01"))
    agreement = make_agreement(BASE_CLAUSES, zones=lasting)
    into = notice(agreement, "S1", "B", "POLYGON ((36.1 35.1, 36.15 35.1, 36.15 35.15, "
                  "36.1 35.15, 36.1 35.1))", actor="B forces",
                  time="2016-10-02T23:00/2016-10-03T01:00")
    [f] = check_flights(agreement, [into])[0].findings
    assert f.outcome == "undetermined" and f.p == pytest.approx(0.5)
    assert "the agreement is in force for 50% of the notified window" in f.reason
