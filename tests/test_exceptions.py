"""Exceptions: notices and evidence turn breaches into `excepted`, or say what was missing."""

from __future__ import annotations

import pytest
from tests.conftest import box, collection, feature, incident, notice

from jig import check

ZONES = collection(feature(box(36.0, 35.0, 36.2, 35.2), id="DA-1", kind="designated"))
CLAUSES = """\
zones: zones.geojson
clauses:
  - id: targets-only
    rule: only_agreed_targets
    bound: [AF]
    acts: [air_strike]
    exceptions: [threat, advance, attack-from]
exceptions:
  - {id: threat, for: [AF], against: [X], requires: {notice: {within_h: 24}}}
  - id: advance
    for: [AF]
    against: [X]
    requires: {evidence: {actor: X, outside: {kind: designated}, within_km: 10, before_h: 72}}
  - id: attack-from
    for: [AF]
    against: [X]
    requires: {evidence: {actor: X, target: [BF], inside: {kind: designated}, within_km: 10, before_h: 72}}
"""


@pytest.fixture
def agreement(make_agreement):
    return make_agreement(CLAUSES, zones=ZONES)


def strike(agreement, **kw):
    fields = {"id": "S-1", "time": "2016-08-10T12:00", "lon": 36.3, "lat": 35.1,
              "actor": "A forces", "target": "Group X", "act": "air_strike"} | kw
    return incident(agreement, **fields)


def only(verdicts, id="S-1"):
    return next(v for v in verdicts if v.incident.id == id).findings[0]


def test_without_notice_or_evidence_the_breach_stands_and_says_what_was_missing(agreement):
    f = only(check(agreement, [strike(agreement)]))
    assert f.outcome == "breach"
    assert [m.split(":")[0] for m in f.missing] == ["threat", "advance", "attack-from"]
    assert "no notice from A" in f.missing[0]


def test_notice_naming_the_incident_before_the_act(agreement):
    n = notice(agreement, id="N-1", party="A", time="2016-08-10T08:00", exception="threat",
               incident="S-1")
    f = only(check(agreement, [strike(agreement)], [n]))
    assert (f.outcome, f.exception) == ("excepted", "threat")
    assert [(e.kind, e.id) for e in f.evidence] == [("notice", "N-1")]


def test_notice_covering_the_location_within_24_hours_after(agreement):
    n = notice(agreement, id="N-2", party="A", time="2016-08-11T11:00", exception="threat",
               lon=36.31, lat=35.1, radius_m=2000)
    assert only(check(agreement, [strike(agreement)], [n])).outcome == "excepted"


def test_late_notice_does_not_except(agreement):
    n = notice(agreement, id="N-3", party="A", time="2016-08-11T12:01", exception="threat",
               incident="S-1")
    f = only(check(agreement, [strike(agreement)], [n]))
    assert f.outcome == "breach"
    assert "N-3 is dated" in f.missing[0] and "more than 24 h after" in f.missing[0]


def test_notice_from_a_party_not_answering_for_the_actor_does_not_count(agreement):
    n = notice(agreement, id="N-4", party="B", time="2016-08-10T08:00", exception="threat",
               incident="S-1")
    f = only(check(agreement, [strike(agreement)], [n]))
    assert f.outcome == "breach" and "N-4 is from B, which does not answer for AF" in f.missing[0]


def test_notice_covering_another_place_does_not_count(agreement):
    n = notice(agreement, id="N-5", party="A", time="2016-08-10T08:00", exception="threat",
               lon=37.0, lat=35.1, radius_m=2000)
    assert only(check(agreement, [strike(agreement)], [n])).outcome == "breach"


def test_notice_timing_uncertain_makes_the_breach_undetermined(agreement):
    n = notice(agreement, id="N-6", party="A", time="2016-08-11T12:00", exception="threat",
               incident="S-1")
    f = only(check(agreement, [strike(agreement, time="2016-08-10")], [n]))
    assert f.outcome == "undetermined" and "may be more than 24 h after" in f.reason


def test_evidence_of_an_advance_beyond_the_areas(agreement):
    advance = incident(agreement, id="E-1", time="2016-08-09T12:00", lon=36.25, lat=35.12,
                       actor="Group X", target="B forces", act="ground_attack")
    f = only(check(agreement, [advance, strike(agreement)]))
    assert (f.outcome, f.exception) == ("excepted", "advance")
    assert [(e.kind, e.id) for e in f.evidence] == [("incident", "E-1")]
    assert "24 h before" in f.reason


def test_evidence_too_old_too_far_or_after_the_act_does_not_count(agreement):
    base = {"actor": "Group X", "act": "ground_attack", "lat": 35.12}
    old = incident(agreement, id="E-1", time="2016-08-07T11:00", lon=36.25, **base)
    far = incident(agreement, id="E-2", time="2016-08-10T08:00", lon=36.5, **base)
    later = incident(agreement, id="E-3", time="2016-08-10T13:00", lon=36.25, **base)
    f = only(check(agreement, [old, far, later, strike(agreement)]))
    assert f.outcome == "breach" and any(m.startswith("advance: no evidence") for m in f.missing)


def test_evidence_of_an_attack_from_the_areas_needs_the_right_target(agreement):
    from_inside = incident(agreement, id="E-1", time="2016-08-10T06:00", lon=36.199, lat=35.1,
                           actor="Group X", target="B forces", act="shelling")
    f = only(check(agreement, [from_inside, strike(agreement)]))
    assert (f.outcome, f.exception) == ("excepted", "attack-from")
    wrong_target = incident(agreement, id="E-1", time="2016-08-10T06:00", lon=36.199, lat=35.1,
                            actor="Group X", target="Civilians", act="shelling")
    assert only(check(agreement, [wrong_target, strike(agreement)])).outcome == "breach"


def test_exception_needs_the_act_to_be_against_a_listed_actor(agreement):
    n = notice(agreement, id="N-1", party="A", time="2016-08-10T08:00", exception="threat",
               incident="S-1")
    f = only(check(agreement, [strike(agreement, target="Civilians")], [n]))
    assert f.outcome == "breach"
    assert "threat: the act's target ('Civilians') is not X" in f.missing


def test_an_act_whose_target_is_not_named_may_be_excepted_but_never_certainly(agreement):
    """`against: [X]` and a record that names no target (Airwars has no target column): the
    act may have hit X, so an exception whose requirements are met makes the breach
    undetermined; it was a certain breach ("the act's target (not named) is not X")."""
    n = notice(agreement, id="N-1", party="A", time="2016-08-10T08:00", exception="threat",
               incident="S-1")
    f = only(check(agreement, [strike(agreement, target="")], [n]))
    assert (f.outcome, f.exception) == ("undetermined", "threat")
    assert "it may be excepted under threat: the act's target is not named, and threat is " \
           "for acts against X; notice N-1" in f.reason
    assert [(e.kind, e.id) for e in f.evidence] == [("notice", "N-1")]
    # Without a notice or evidence, nothing could excuse it: the breach stands.
    assert only(check(agreement, [strike(agreement, target="")])).outcome == "breach"


def test_exception_turns_an_undetermined_finding_into_excepted(agreement):
    n = notice(agreement, id="N-1", party="A", time="2016-08-09", exception="threat",
               incident="S-1")
    f = only(check(agreement, [strike(agreement, time="2016-10-02/2016-10-03")], [n]))
    assert f.outcome == "excepted" and f.p == pytest.approx(0.5)


# Ruling 4: evidence that starts after the act's start, within its span, may or may not precede it.
def test_evidence_starting_within_the_acts_span_makes_the_breach_undetermined(agreement):
    advance = incident(agreement, id="E-1", time="2016-08-10T15:00", lon=36.25, lat=35.12,
                       actor="Group X", act="ground_attack")
    f = only(check(agreement, [advance, strike(agreement, time="2016-08-10")]))
    assert (f.outcome, f.exception) == ("undetermined", "advance")
    assert "it may be excepted under advance" in f.reason
    assert "E-1" in f.reason and "may have happened after the act" in f.reason
    assert [(e.kind, e.id) for e in f.evidence] == [("incident", "E-1")]


def test_evidence_starting_with_the_acts_span_counts_for_certain(agreement):
    advance = incident(agreement, id="E-1", time="2016-08-10T00:00", lon=36.25, lat=35.12,
                       actor="Group X", act="ground_attack")
    f = only(check(agreement, [advance, strike(agreement, time="2016-08-10")]))
    assert (f.outcome, f.exception) == ("excepted", "advance")


def test_certain_evidence_is_preferred_to_evidence_of_uncertain_timing(agreement):
    base = {"actor": "Group X", "act": "ground_attack", "lat": 35.12}
    unsure = incident(agreement, id="E-1", time="2016-08-10T15:00", lon=36.25, **base)
    sure = incident(agreement, id="E-2", time="2016-08-09T15:00", lon=36.27, **base)
    f = only(check(agreement, [unsure, sure, strike(agreement, time="2016-08-10")]))
    assert (f.outcome, f.exception) == ("excepted", "advance")
    assert [(e.kind, e.id) for e in f.evidence] == [("incident", "E-2")]


# Ruling 5: evidence places are taken together: inside the union of the selected zones.
ADJACENT = collection(
    feature(box(36.0, 35.0, 36.2, 35.2), id="DA-1", kind="designated"),
    feature(box(36.2, 35.0, 36.4, 35.2), id="DA-2", kind="designated"),
    feature(box(36.5, 35.0, 36.7, 35.2), id="DA-3", kind="designated"),
    feature(box(36.69, 35.0, 36.85, 35.2), id="DA-4", kind="designated"),
    feature(box(36.9, 35.0, 37.0, 35.2), id="DA-5", kind="designated",
            valid_from="2016-08-09"),
    feature(box(37.0, 35.0, 37.1, 35.2), id="DA-6", kind="designated"),
)


@pytest.mark.parametrize(("lon", "lat", "outcome", "exception"), [
    (36.2, 35.1, "excepted", "attack-from"),  # a 1 km disc on the shared edge of DA-1 and DA-2
    (36.695, 35.1, "excepted", "attack-from"),  # across the 900 m overlap of DA-3 and DA-4
    (36.45, 35.1, "excepted", "advance"),  # in the gap between DA-2 and DA-3: outside both
    (37.0, 35.1, "breach", None),  # DA-5 is not yet in effect on the evidence's day
])
def test_evidence_inside_adjacent_or_overlapping_zones_counts(make_agreement, lon, lat, outcome,
                                                             exception):
    agreement = make_agreement(CLAUSES, zones=ADJACENT)
    attack = incident(agreement, id="E-1", time=("2016-08-08" if lon == 37.0 else
                                                   "2016-08-10T06:00"),
                      lon=lon, lat=lat, precision_m=1000, actor="Group X", target="B forces",
                      act="shelling")
    f = only(check(agreement, [attack, strike(agreement, time="2016-08-10T12:00",
                                              lon=lon, lat=lat + 0.03)]))
    assert (f.outcome, f.exception) == (outcome, exception)
    if outcome == "excepted":
        assert [e.id for e in f.evidence] == ["E-1"]


def test_a_notice_from_a_party_not_answering_is_named_only_for_the_act_it_is_about(agreement):
    about_another = notice(agreement, id="N-9", party="B", time="2016-08-10T08:00",
                           exception="threat", incident="S-2")
    far_away = notice(agreement, id="N-10", party="B", time="2016-08-10T08:00",
                      exception="threat", lon=37.0, lat=35.1, radius_m=2000)
    f = only(check(agreement, [strike(agreement)], [about_another, far_away]))
    assert f.outcome == "breach"
    assert "N-9" not in f.missing[0] and "N-10" not in f.missing[0]
