"""The contract's rulings that no other test file pins down on its own: 1 (applicability of
the place rules), 3 (exceptions without `against`) and 8 (`any` is not an incident's act).
docs/rules.md lists every ruling with the tests that hold jig to it."""

from __future__ import annotations

import pytest
from tests.conftest import box, collection, feature, incident, notice

from jig import check
from jig.errors import RowError

ZONES = collection(feature(box(36.0, 35.0, 36.2, 35.2), id="Z-1", kind="designated",
                           valid_from="2016-09-01"))
SITES = collection(feature({"type": "Point", "coordinates": [36.5, 35.5]}, id="H-1",
                           radius_m=300))
CLAUSES = """\
zones: zones.geojson
sites: sites.geojson
clauses:
  - {id: no-strikes, rule: no_strikes_in, bound: [BF], acts: [air_strike], zones: {kind: designated}}
  - {id: sites-near, rule: no_strikes_near_sites, bound: [BF], acts: [any]}
  - {id: sites-far, rule: no_strikes_near_sites, bound: [BF], acts: [any], near_km: 20}
  - id: targets-only
    rule: only_agreed_targets
    bound: [AF]
    acts: [air_strike]
    exceptions: [self-defence]
exceptions:
  - {id: self-defence, for: [AF], requires: {notice: {within_h: 24}}}
"""


@pytest.fixture
def agreement(make_agreement):
    return make_agreement(CLAUSES, zones=ZONES, sites=SITES)


def outcomes(agreement, inc, notices=()):
    return {f.clause: f.outcome for f in check(agreement, [inc], notices)[0].findings}


def test_ruling_1_place_rules_apply_only_with_a_place_in_effect_or_near(agreement):
    # Inside Z-1 before it takes effect: no selected zone in effect, not applicable (not
    # complies); from 1 September, a breach.
    before = incident(agreement, time="2016-08-31T12:00", actor="B forces", act="air_strike")
    after = incident(agreement, time="2016-09-01T12:00", actor="B forces", act="air_strike")
    assert "no-strikes" not in outcomes(agreement, before)
    assert outcomes(agreement, after)["no-strikes"] == "breach"
    # 10 km from H-1: beyond the default 5 km, within a clause's own near_km of 20.
    ten_km = incident(agreement, lon=36.5, lat=35.5 + 10_000 / 110_900, actor="B forces",
                      act="shelling")
    found = outcomes(agreement, ten_km)
    assert "sites-near" not in found and found["sites-far"] == "complies"


def test_ruling_3_an_exception_without_against_applies_whatever_the_target(agreement):
    for target in ("B forces", "Civilians", None):
        strike = incident(agreement, id="S-1", lon=37.0, lat=35.5, actor="A forces",
                          act="air_strike", target=target)
        n = notice(agreement, id="N-1", party="A", time="2016-08-01T10:00",
                   exception="self-defence", incident="S-1")
        assert outcomes(agreement, strike)["targets-only"] == "breach"
        assert outcomes(agreement, strike, [n])["targets-only"] == "excepted", target


def test_ruling_8_any_is_not_an_incidents_act(agreement):
    with pytest.raises(RowError, match="`act` 'any' is not one of air_strike, shelling"):
        incident(agreement, act="any", actor="B forces")


def test_the_contract_kept_in_the_repository_is_the_shared_one():
    """docs/spec holds the contract for readers of the repository alone; it must not drift
    from the shared copy the work is measured against (beside the clone, as the tests' real
    data is)."""
    from tests.conftest import ROOT, SHARED_DATA

    shared = SHARED_DATA.parent / "spec" / "agreement-format.md"
    assert shared.is_file(), "the tests run with ../shared beside the repository"
    kept = ROOT / "docs" / "spec" / "agreement-format.md"
    assert kept.read_bytes() == shared.read_bytes(), "copy ../shared/spec/agreement-format.md"
