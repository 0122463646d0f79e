"""Each format-1 rule on small scenarios: what breaches, what complies, what does not apply."""

from __future__ import annotations

import pytest
from tests.conftest import box, collection, feature, incident

from jig import AgreementError, check
from jig.engine import explain
from jig.report.reasons import translate_phrase, translate_text

ZONES = collection(
    feature(box(36.0, 35.0, 36.2, 35.2), id="Z-1", kind="designated"),
    feature(box(36.2, 35.0, 36.4, 35.2), id="Z-2", kind="designated", valid_from="2016-09-01"),
    feature({"type": "Polygon", "coordinates": [
        [[37.0, 35.0], [37.4, 35.0], [37.4, 35.4], [37.0, 35.4], [37.0, 35.0]],
        [[37.1, 35.1], [37.1, 35.3], [37.3, 35.3], [37.3, 35.1], [37.1, 35.1]]]},
        id="Z-3", kind="designated"),
    feature(box(38.0, 35.0, 38.1, 35.1), id="DMZ", kind="demilitarised"),
)
SITES = collection(
    feature({"type": "Point", "coordinates": [36.5, 35.5]}, id="H-1", radius_m=300),
    feature({"type": "LineString", "coordinates": [[36.6, 35.5], [36.8, 35.5]]}, id="R-1",
            radius_m=200, valid_from="2016-08-15"),
    feature(box(36.9, 35.5, 36.92, 35.52), id="C-1"),
)
TARGETS = collection(
    feature({"type": "Point", "coordinates": [39.0, 35.9]}, id="T-1", agreed_by=["A", "B"],
            radius_m=500),
    feature({"type": "Point", "coordinates": [39.2, 35.9]}, id="T-2", agreed_by=["B"],
            radius_m=500),
    feature(box(39.4, 35.8, 39.5, 35.9), id="T-3", agreed_by=["A", "B"],
            valid_until="2016-09-01"),
)
CLAUSES = """\
zones: zones.geojson
sites: sites.geojson
targets: targets.geojson
clauses:
  - {id: no-strikes, rule: no_strikes_in, bound: [BF, BPROXY], acts: [air_strike, shelling],
     zones: {kind: designated}}
  - {id: targets-only, rule: only_agreed_targets, bound: [AF], acts: [air_strike]}
  - {id: sites, rule: no_strikes_near_sites, bound: [AF, BF], acts: [any]}
  - {id: dmz, rule: no_weapons_in, bound: [BF], weapons: [tank, mlrs], zones: {kind: demilitarised}}
"""


@pytest.fixture
def agreement(make_agreement):
    return make_agreement(CLAUSES, zones=ZONES, sites=SITES, targets=TARGETS)


def finding(agreement, clause, **fields):
    v = check(agreement, [incident(agreement, **fields)])[0]
    found = [f for f in v.findings if f.clause == clause]
    return found[0] if found else None


def test_strike_inside_a_zone_is_a_breach_naming_the_zone_and_depth(agreement):
    f = finding(agreement, "no-strikes", lon=36.1, lat=35.1, actor="B forces", act="air_strike")
    assert (f.outcome, f.zone) == ("breach", "Z-1")
    assert "inside Z-1" in f.reason and "km from its edge" in f.reason


def test_strike_outside_every_zone_complies_and_names_the_nearest(agreement):
    f = finding(agreement, "no-strikes", lon=36.1, lat=35.3, actor="B forces", act="air_strike")
    assert f.outcome == "complies"
    assert "the nearest, Z-1, is 11.1 km away" in f.reason


def test_zones_are_taken_together_across_a_shared_edge(agreement):
    # A 5 km disc on the edge between Z-1 and Z-2 lies wholly inside their union once both hold.
    f = finding(agreement, "no-strikes", lon=36.2, lat=35.1, precision_m=5000,
                actor="B forces", act="shelling", time="2016-09-10T10:00")
    assert f.outcome == "breach"
    # Before Z-2 takes effect, the same disc is half inside.
    f = finding(agreement, "no-strikes", lon=36.2, lat=35.1, precision_m=5000,
                actor="B forces", act="shelling", time="2016-08-10T10:00")
    assert f.outcome == "undetermined"
    assert f.p == pytest.approx(0.5, abs=0.01)


def test_a_hole_in_a_zone_is_outside_it(agreement):
    f = finding(agreement, "no-strikes", lon=37.2, lat=35.2, actor="B forces", act="air_strike")
    assert f.outcome == "complies"
    assert "Z-3" in f.reason


def test_a_strike_on_the_zone_edge_counts_as_inside(agreement):
    f = finding(agreement, "no-strikes", lon=36.0, lat=35.1, actor="B forces", act="air_strike")
    assert f.outcome == "breach"


def test_zone_not_yet_in_effect_does_not_apply(agreement):
    f = finding(agreement, "no-strikes", lon=36.3, lat=35.1, actor="B forces", act="air_strike",
                time="2016-08-31T23:59")
    assert f.outcome == "complies"  # Z-1 is in effect, and the act lies outside it
    f = finding(agreement, "no-strikes", lon=36.3, lat=35.1, actor="B forces", act="air_strike",
                time="2016-09-01T00:00")
    assert f.outcome == "breach" and f.zone == "Z-2"


def test_actor_matched_by_pattern_or_id_and_unbound_actors_are_not_judged(agreement):
    assert finding(agreement, "no-strikes", actor="Proxy militia", act="air_strike").outcome == "breach"
    assert finding(agreement, "no-strikes", actor="BF", act="air_strike").outcome == "breach"
    assert finding(agreement, "no-strikes", actor="A forces", act="air_strike") is None
    # Patterns are case-sensitive and match the whole name.
    assert finding(agreement, "no-strikes", actor="b forces", act="air_strike").outcome == \
        "undetermined"


@pytest.mark.parametrize(("actor", "act", "supposed"), [
    ("B forces", "unknown", "If it were an act of a covered kind:"),
    ("Unknown gunmen", "air_strike", "If it were a bound actor's act:"),
    ("Unknown gunmen", "unknown", "If it were a bound actor's act of a covered kind:")])
def test_an_undetermined_finding_supposes_only_what_is_in_doubt(agreement, actor, act,
                                                                supposed):
    """A bound actor's act of unknown kind said "If it were a bound actor's act"."""
    f = finding(agreement, "no-strikes", lon=36.1, lat=35.1, actor=actor, act=act)
    assert f.outcome == "undetermined" and supposed in f.reason


def test_acts_not_listed_are_not_judged(agreement):
    assert finding(agreement, "no-strikes", actor="B forces", act="ground_attack") is None


def test_only_agreed_targets(agreement):
    at_t1 = finding(agreement, "targets-only", lon=39.003, lat=35.9, actor="A forces",
                    act="air_strike")
    assert (at_t1.outcome, at_t1.target) == ("complies", "T-1")
    off = finding(agreement, "targets-only", lon=39.1, lat=35.9, actor="A forces",
                  act="air_strike")
    assert off.outcome == "breach" and "beyond its 500 m tolerance" in off.reason
    # T-2 was agreed by B only: a strike there is a breach, and the reason says why.
    at_t2 = finding(agreement, "targets-only", lon=39.2, lat=35.9, actor="A forces",
                    act="air_strike")
    assert at_t2.outcome == "breach" and "T-2" in at_t2.reason and "only B" in at_t2.reason


def test_a_target_no_party_agreed_is_said_so_in_every_language(make_agreement):
    """'which only no party agreed' was the reason's English (a new user's review)."""
    from jig.report.reasons import translate_text

    targets = collection(
        feature({"type": "Point", "coordinates": [39.0, 35.9]}, id="T-1", agreed_by=["A", "B"],
                radius_m=500),
        feature({"type": "Point", "coordinates": [39.2, 35.9]}, id="T-9", agreed_by=[],
                radius_m=500))
    a = make_agreement(CLAUSES, zones=ZONES, sites=SITES, targets=targets)
    f = finding(a, "targets-only", lon=39.2, lat=35.9, actor="A forces", act="air_strike")
    assert f.outcome == "breach" and f.reason.endswith("; it is at T-9, which no party agreed")
    for lang in ("ru", "ar"):
        said = translate_text(f.reason, lang)
        assert said is not None and "agreed" not in said, lang


def test_agreed_polygon_target_lapses_with_its_validity(agreement):
    inside = {"lon": 39.45, "lat": 35.85, "actor": "A forces", "act": "air_strike"}
    assert finding(agreement, "targets-only", time="2016-08-31T23:00", **inside).outcome == "complies"
    assert finding(agreement, "targets-only", time="2016-09-01T01:00", **inside).outcome == "breach"


def test_no_strikes_near_sites_point_route_and_area(agreement):
    near = finding(agreement, "sites", lon=36.501, lat=35.501, actor="A forces", act="explosion")
    assert (near.outcome, near.site) == ("breach", "H-1")
    assert "300 m protected radius of H-1" in near.reason
    farther = finding(agreement, "sites", lon=36.51, lat=35.51, actor="A forces", act="shelling")
    assert farther.outcome == "complies" and "outside its 300 m radius" in farther.reason
    far = finding(agreement, "sites", lon=36.1, lat=35.1, actor="A forces", act="shelling")
    assert far is None  # no site within 5 km: not applicable
    on_route = finding(agreement, "sites", lon=36.7, lat=35.501, actor="B forces",
                       act="shelling", time="2016-08-20")
    assert (on_route.outcome, on_route.site) == ("breach", "R-1")
    before_route = finding(agreement, "sites", lon=36.7, lat=35.501, actor="B forces",
                           act="shelling", time="2016-08-01T10:00")
    assert before_route is None  # R-1 not yet in effect, and no other site within 5 km
    camp = finding(agreement, "sites", lon=36.91, lat=35.51, actor="B forces", act="air_strike")
    assert (camp.outcome, camp.site) == ("breach", "C-1")


def test_no_weapons_in(agreement):
    tank = finding(agreement, "dmz", lon=38.05, lat=35.05, actor="B forces", act="other",
                   weapon="tank")
    assert (tank.outcome, tank.zone) == ("breach", "DMZ")
    assert tank.reason.startswith("tank of BF lies inside DMZ")
    outside = finding(agreement, "dmz", lon=38.2, lat=35.05, actor="B forces", weapon="mlrs",
                      act="other")
    assert outside.outcome == "complies"
    rifle = finding(agreement, "dmz", lon=38.05, lat=35.05, actor="B forces", weapon="rifle",
                    act="other")
    assert rifle is None
    assert finding(agreement, "dmz", lon=38.05, lat=35.05, actor="B forces", act="other") is None


def test_in_force_bounds_from_inclusive_until_exclusive_in_the_agreement_timezone(agreement):
    where = {"lon": 36.1, "lat": 35.1, "actor": "B forces", "act": "air_strike"}
    assert finding(agreement, "no-strikes", time="2016-07-15T00:00", **where).outcome == "breach"
    assert finding(agreement, "no-strikes", time="2016-07-14T23:59", **where) is None
    # 2016-10-03 00:00 in Damascus is 2016-10-02 21:00 UTC.
    assert finding(agreement, "no-strikes", time="2016-10-02T20:59Z", **where).outcome == "breach"
    assert finding(agreement, "no-strikes", time="2016-10-02T21:00Z", **where) is None


def test_verdict_is_the_most_severe_finding_and_no_findings_means_not_applicable(agreement):
    both = incident(agreement, lon=36.1, lat=35.1, actor="B forces", act="air_strike")
    clean = incident(agreement, id="I-2", lon=39.0, lat=35.9, actor="Group X", act="air_strike")
    v1, v2 = check(agreement, [both, clean])
    assert v1.verdict == "breach"
    assert v2.verdict == "not_applicable" and v2.findings == ()
    assert v2.as_dict() == {"incident": "I-2", "verdict": "not_applicable", "findings": []}


def test_a_clause_on_acts_against_some_actors(make_agreement):
    """`against` (extension): "cease attacks ... against the Syrian Armed Forces" is not
    breached by fighting between other groups; a record that names no target may be."""
    a = make_agreement(CLAUSES.replace(
        "zones: {kind: designated}}",
        "against: [AF], zones: {kind: designated}}", 1), zones=ZONES, sites=SITES,
        targets=TARGETS)
    inside = {"lon": 36.1, "lat": 35.1, "actor": "B forces", "act": "shelling"}
    found = {v.incident.id: {f.clause: f for f in v.findings} for v in check(a, [
        incident(a, id="ON-A", target="A forces", **inside),
        incident(a, id="ON-OTHER", target="Group Z", **inside),
        incident(a, id="UNNAMED", **inside)])}
    assert found["ON-A"]["no-strikes"].outcome == "breach"
    assert "no-strikes" not in found["ON-OTHER"]  # not applicable
    unnamed = found["UNNAMED"]["no-strikes"]
    assert unnamed.outcome == "undetermined" and unnamed.p is None
    assert unnamed.reason.endswith("; the record names no target, and this clause covers only "
                                   "acts against AF")
    for lang in ("ru", "ar"):
        assert translate_text(unnamed.reason, lang) is not None
    steps = explain(a, [incident(a, id="X", target="Group Z", **inside)], "X").clauses[0].steps
    assert steps[-1] == ("→ not applicable: its target 'Group Z' is not one this clause "
                         "protects (against: AF)")
    for step in steps:
        assert translate_phrase(step, "ar") is not None, step
    with pytest.raises(AgreementError, match="unknown actor"):
        make_agreement(CLAUSES.replace("zones: {kind: designated}}",
                                       "against: [XX], zones: {kind: designated}}", 1),
                       zones=ZONES, sites=SITES, targets=TARGETS)
