"""The uncertainty rules: location discs, time spans, unmatched actors, unknown acts."""

from __future__ import annotations

import math

import pytest
from tests.conftest import box, collection, feature, incident

from jig import check

ZONES = collection(
    feature(box(36.0, 35.0, 36.2, 35.2), id="Z-1", kind="designated"),
    feature(box(36.5, 35.0, 36.7, 35.2), id="Z-2", kind="designated",
            valid_from="2016-09-01T12:00", valid_until="2016-09-02T12:00"),
)
TARGETS = collection(
    feature({"type": "Point", "coordinates": [39.0, 35.9]}, id="T-1", agreed_by=["A", "B"],
            radius_m=1000),
)
CLAUSES = """\
zones: zones.geojson
targets: targets.geojson
clauses:
  - {id: no-strikes, rule: no_strikes_in, bound: [BF], acts: [air_strike], zones: {kind: designated}}
  - {id: targets-only, rule: only_agreed_targets, bound: [AF], acts: [air_strike]}
"""


@pytest.fixture
def agreement(make_agreement):
    return make_agreement(CLAUSES, zones=ZONES, targets=TARGETS)


def judge(agreement, clause, **fields):
    v = check(agreement, [incident(agreement, **fields)])[0]
    return next((f for f in v.findings if f.clause == clause), None)


def test_disc_wholly_inside_or_outside_is_certain(agreement):
    inside = judge(agreement, "no-strikes", lon=36.1, lat=35.1, precision_m=2000,
                   actor="B forces", act="air_strike")
    assert inside.outcome == "breach" and inside.p is None
    outside = judge(agreement, "no-strikes", lon=36.1, lat=35.3, precision_m=2000,
                    actor="B forces", act="air_strike")
    assert outside.outcome == "complies"


def test_disc_centred_on_a_straight_edge_is_half_inside(agreement):
    f = judge(agreement, "no-strikes", lon=36.0, lat=35.1, precision_m=5000, actor="B forces",
              act="air_strike")
    assert f.outcome == "undetermined" and f.zone == "Z-1"
    assert f.p == pytest.approx(0.5, abs=0.005)
    assert "straddles the edge of zone Z-1" in f.reason


def test_disc_share_matches_the_circular_segment_formula(agreement):
    # Centre 2 km outside the western edge, radius 5 km: the share inside is the segment
    # beyond a chord at distance 2 km from the centre.
    lon = 36.0 - 2000 / (111_320 * math.cos(math.radians(35.1)))
    f = judge(agreement, "no-strikes", lon=lon, lat=35.1, precision_m=5000, actor="B forces",
              act="air_strike")
    r, d = 5000.0, 2000.0
    segment = r * r * math.acos(d / r) - d * math.sqrt(r * r - d * d)
    assert f.p == pytest.approx(segment / (math.pi * r * r), abs=0.005)


def test_time_span_straddling_a_zone_validity_gives_the_time_share(agreement):
    # Z-2 holds from 1 Sep 12:00 to 2 Sep 12:00; a report dated 1 Sep covers the whole day.
    f = judge(agreement, "no-strikes", lon=36.6, lat=35.1, time="2016-09-01", actor="B forces",
              act="air_strike")
    assert f.outcome == "undetermined" and f.zone == "Z-2"
    assert f.p == pytest.approx(0.5)
    assert "time is known only as 2016-09-01T00:00+03:00/2016-09-02T00:00+03:00" in f.reason
    # p counts the time too: it is not the share of a place (a review read "50% that it lies
    # inside the zones" of an exact point deep inside one).
    assert f.reason.endswith("; estimated probability 50% that it fell within those times and "
                             "lies inside the zones")
    # An exact time inside the window is a breach; a date wholly outside it is not judged.
    assert judge(agreement, "no-strikes", lon=36.6, lat=35.1, time="2016-09-01T13:00",
                 actor="B forces", act="air_strike").outcome == "breach"
    assert judge(agreement, "no-strikes", lon=36.6, lat=35.1, time="2016-09-03",
                 actor="B forces", act="air_strike").outcome == "complies"


def test_interval_straddling_the_end_of_in_force(agreement):
    f = judge(agreement, "targets-only", lon=38.0, lat=35.0, time="2016-10-01/2016-10-04",
              actor="A forces", act="air_strike")
    assert f.outcome == "undetermined"
    assert f.p == pytest.approx(2 / 4)
    assert "in force only" in f.reason


def test_disc_straddling_a_target_tolerance(agreement):
    f = judge(agreement, "targets-only", lon=39.0, lat=35.9 + 1000 / 111_000, precision_m=1000,
              actor="A forces", act="air_strike")
    assert f.outcome == "undetermined" and f.target == "T-1"
    assert 0.4 < f.p < 0.8  # the share of the disc away from the target


def test_space_and_time_uncertainty_multiply(agreement):
    f = judge(agreement, "no-strikes", lon=36.5, lat=35.1, precision_m=5000, time="2016-09-01",
              actor="B forces", act="air_strike")
    assert f.outcome == "undetermined"
    assert f.p == pytest.approx(0.25, abs=0.01)


def test_unmatched_actor_is_undetermined_where_a_bound_actor_would_breach(agreement):
    f = judge(agreement, "no-strikes", lon=36.1, lat=35.1, actor="Unknown aircraft",
              act="air_strike")
    assert f.outcome == "undetermined" and f.p is None
    assert "matches no actor" in f.reason and "inside Z-1" in f.reason
    # ... and not applicable where even a bound actor would comply.
    assert judge(agreement, "no-strikes", lon=36.1, lat=35.5, actor="Unknown aircraft",
                 act="air_strike") is None
    # No actor at all is treated the same way.
    assert judge(agreement, "no-strikes", lon=36.1, lat=35.1, act="air_strike").outcome == \
        "undetermined"


def test_unknown_act_is_undetermined_where_a_covered_act_would_breach(agreement):
    f = judge(agreement, "no-strikes", lon=36.1, lat=35.1, actor="B forces", act="unknown")
    assert f.outcome == "undetermined" and "kind of act is unknown" in f.reason
    assert judge(agreement, "no-strikes", lon=36.1, lat=35.5, actor="B forces",
                 act="unknown") is None
    # An act given as a known kind that is not covered is simply not applicable.
    assert judge(agreement, "no-strikes", lon=36.1, lat=35.1, actor="B forces",
                 act="ground_attack") is None


def test_undetermined_findings_give_a_reason_and_p_within_range(agreement):
    incs = [incident(agreement, id=f"I-{i}", lon=35.9 + i * 0.01, lat=35.1, precision_m=8000,
                     actor="B forces", act="air_strike") for i in range(40)]
    for v in check(agreement, incs):
        for f in v.findings:
            if f.outcome == "undetermined":
                assert 0.0 <= f.p <= 1.0 and f.reason
