"""Ruling 6: a site's or point target's `radius_m` is an exact circle in metres, not a polygon.

The places sit at the centre of the agreement's projection (scale 1 there), so that metres in
it are geodesic metres; the strikes are put between two vertices of the 128-sided polygon jig
drew before, where that polygon falls 1.5 m short of a 5 km circle.
"""

from __future__ import annotations

import math
import random

import pytest
import shapely
from pyproj import Geod
from tests.conftest import SHARED_DATA, collection, feature, incident

from jig import check, read_incidents
from jig.geo import area_in_circles

CENTRE = (36.5, 35.5)
GEOD = Geod(ellps="WGS84")
# Between two vertices of a 128-gon whose first vertex lies due east.
AZIMUTH = 90 - 360 / 128 / 2


def at(metres: float, azimuth: float = AZIMUTH) -> tuple[float, float]:
    lon, lat, _ = GEOD.fwd(*CENTRE, azimuth, metres)
    return lon, lat


def point(lon: float, lat: float) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


@pytest.fixture
def sites(make_agreement):
    return make_agreement("""\
sites: sites.geojson
clauses:
  - {id: sites, rule: no_strikes_near_sites, bound: [AF], acts: [any]}
""", sites=collection(feature(point(*CENTRE), id="H-1", radius_m=5000)))


@pytest.fixture
def targets(make_agreement):
    return make_agreement("""\
targets: targets.geojson
clauses:
  - {id: targets, rule: only_agreed_targets, bound: [AF], acts: [air_strike]}
""", targets=collection(feature(point(*CENTRE), id="T-1", radius_m=5000,
                                agreed_by=["A", "B"])))


def judged(agreement, lon, lat, precision_m=0):
    [v] = check(agreement, [incident(agreement, lon=lon, lat=lat, precision_m=precision_m,
                                     actor="A forces", act="air_strike")])
    [f] = v.findings
    return f


def test_a_strike_4999_m_from_a_site_of_radius_5000_m_is_within_it(sites):
    f = judged(sites, *at(4_999))
    assert (f.outcome, f.site) == ("breach", "H-1")
    assert "within the 5.0 km protected radius" in f.reason
    assert judged(sites, *at(5_001)).outcome == "complies"


def test_a_strike_4999_m_from_a_point_target_of_radius_5000_m_is_at_it(targets):
    f = judged(targets, *at(4_999))
    assert (f.outcome, f.target) == ("complies", "T-1")
    assert judged(targets, *at(5_001)).outcome == "breach"


def test_a_disc_wholly_inside_the_circle_but_not_the_polygon_is_certain(sites):
    # A 100 m disc whose far side reaches 4,999.5 m out: inside the circle, not the 128-gon.
    f = judged(sites, *at(4_899.5), precision_m=100)
    assert f.outcome == "breach"


def lens(d: float, r: float, big: float) -> float:
    """The area two circles share: radii r and big, centres d apart (d < r + big)."""
    a = r * r * math.acos((d * d + r * r - big * big) / (2 * d * r))
    b = big * big * math.acos((d * d + big * big - r * r) / (2 * d * big))
    c = 0.5 * math.sqrt((-d + r + big) * (d + r - big) * (d - r + big) * (d + r + big))
    return a + b - c


@pytest.mark.parametrize("metres", [4_500, 5_000, 5_800])
def test_the_share_of_a_straddling_disc_is_the_lens_of_two_circles(sites, metres):
    f = judged(sites, *at(metres), precision_m=1000)
    assert f.outcome == "undetermined"
    assert f.p == pytest.approx(lens(metres, 1000, 5000) / (math.pi * 1000**2), abs=6e-4)


def test_overlapping_circles_are_taken_together(make_agreement):
    # Two sites of 3 km whose circles overlap; a 1 km disc across the lens they share is
    # covered by neither alone but by both together, and one further out straddles the union.
    west, east = at(2_000, -90), at(2_000, 90)
    agreement = make_agreement("""\
sites: sites.geojson
clauses:
  - {id: sites, rule: no_strikes_near_sites, bound: [AF], acts: [any]}
""", sites=collection(feature(point(*west), id="H-W", radius_m=3000),
                      feature(point(*east), id="H-E", radius_m=3000)))
    assert judged(agreement, *CENTRE, precision_m=1000).outcome == "breach"
    lon, lat = at(2_000, 0)  # north of the lens' middle: straddles both circles' edges
    f = judged(agreement, lon, lat, precision_m=1000)
    proj = agreement.projection
    x, y = proj.xy([lon, west[0], east[0]], [lat, west[1], east[1]])
    union = shapely.union_all([shapely.Point(x[i], y[i]).buffer(3000, quad_segs=2048)
                               for i in (1, 2)])
    disc = shapely.Point(x[0], y[0]).buffer(1000, quad_segs=2048)
    assert f.outcome == "undetermined"
    assert f.p == pytest.approx(union.intersection(disc).area / disc.area, abs=6e-4)


def test_the_area_a_disc_shares_with_circles_matches_finely_drawn_polygons():
    """area_in_circles against Shapely on 4,096-sided polygons (their own error ~1e-6), for
    random discs and one to four circles that overlap one another and the disc or not."""
    rng = random.Random(14)
    for _ in range(200):
        x, y, r = rng.uniform(-2, 2), rng.uniform(-2, 2), rng.uniform(0.2, 2)
        circles = [(rng.uniform(-3, 3), rng.uniform(-3, 3), rng.uniform(0.3, 3))
                   for _ in range(rng.randint(1, 4))]
        got = area_in_circles(x, y, r, *map(list, zip(*circles, strict=True)))
        union = shapely.union_all([shapely.Point(cx, cy).buffer(cr, quad_segs=1024)
                                   for cx, cy, cr in circles])
        want = union.intersection(shapely.Point(x, y).buffer(r, quad_segs=1024)).area
        assert got == pytest.approx(want, abs=1e-5 * math.pi * r * r)


def test_on_real_data_the_share_near_a_protected_site_is_the_lens(example):
    """Airwars RS1253 (10 September 2016, Idlib, placed 'nearby landmark': a 500 m disc) against
    the example's hospital H-2 (radius 300 m): the share is the lens of the two circles."""
    result = read_incidents([SHARED_DATA / "airwars_syria" /
                             "airwars_syria_incidents_detailed_en.csv"], example)
    [strike] = [i for i in result.records if i.id == "RS1253"]
    [v] = check(example, [strike])
    [f] = [f for f in v.findings if f.clause == "protected-sites"]
    [site] = [s for s in example.sites if s.id == "H-2"]
    x, y = example.projection.xy([strike.lon, site.geometry.x], [strike.lat, site.geometry.y])
    d = math.hypot(x[1] - x[0], y[1] - y[0])
    assert (f.outcome, f.site) == ("undetermined", "H-2")
    assert f.p == pytest.approx(lens(d, 500, 300) / (math.pi * 500**2), abs=1e-6)
