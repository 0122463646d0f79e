"""Geometry helpers: the share of a disc inside zones, with and without overlaps."""

from __future__ import annotations

import csv
import math
import threading

import numpy as np
import pytest
import shapely
from pyproj import CRS, Transformer
from tests.conftest import SHARED_DATA

from jig.geo import LocalProjection, Outline, share_inside

UCDP = SHARED_DATA / "ucdp_ged_syria" / "ged_syria_v19_1_2016-2019.csv"


def circle(x: float, y: float, r: float):
    """A polygon close enough to the circle to check exact shares against (1e-6)."""
    return shapely.Point(x, y).buffer(r, quad_segs=2048)


def test_share_of_a_disc_in_overlapping_and_separate_zones():
    a = shapely.box(0, -1000, 2000, 1000)
    b = shapely.box(-500, -1000, 500, 1000)  # overlaps a
    c = shapely.box(-2000, -1000, -1500, 1000)  # apart from both
    d = circle(0, 0, 1000)
    union = shapely.union_all([a, b, c]).intersection(d).area / d.area
    grouped = share_inside(0, 0, 1000, [Outline.union([a, b]), Outline.of(c)])
    assert grouped == pytest.approx(union, rel=1e-6)
    assert share_inside(0, 0, 1000, [Outline.union([a, b, c])]) == pytest.approx(union, rel=1e-6)
    # Counting the overlap twice would be wrong: the union exists to prevent it.
    assert share_inside(0, 0, 1000, [Outline.of(a), Outline.of(b)]) > union


def test_a_disc_half_over_a_straight_edge():
    share = share_inside(0, 0, 1000, [Outline.of(shapely.box(0, -5000, 5000, 5000))])
    assert share == pytest.approx(0.5, abs=1e-12)
    assert math.isclose(share_inside(0, 0, 0, [Outline.of(shapely.box(0, -1, 1, 1))]), 1.0)


@pytest.mark.parametrize("clockwise", [False, True])
def test_shares_of_holes_multipolygons_and_either_orientation(clockwise):
    """Exact areas: a ring with a hole through the centre, a square inside the disc, a
    piece of a multipolygon far away; given in either ring orientation."""
    ring = shapely.Point(0, 0).buffer(3000, quad_segs=64).difference(
        shapely.Point(0, 0).buffer(500, quad_segs=64))
    square = shapely.box(-200, 1200, 200, 1600)
    far = shapely.box(10_000, 10_000, 11_000, 11_000)
    shapes = [ring, shapely.MultiPolygon([square, far])]
    if clockwise:
        shapes = [shapely.orient_polygons(g, exterior_cw=True) for g in shapes]
    for g in shapes:
        for x, y, r in [(0, 0, 1000), (300, 800, 2500), (2900, 0, 700), (0, 1400, 150)]:
            expected = g.intersection(circle(x, y, r)).area / (math.pi * r * r)
            assert share_inside(x, y, r, [Outline.of(g)]) == pytest.approx(expected, abs=1e-6)


def test_the_projection_is_pyprojs_from_crs_to_the_bit_in_any_thread():
    """LocalProjection keeps the pipeline PROJ chose, so that each thread builds its own copy
    cheaply: on every UCDP GED Syria point, and back, it must give from_crs's numbers."""
    with UCDP.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    lon = np.array([float(r["longitude"]) for r in rows])
    lat = np.array([float(r["latitude"]) for r in rows])
    proj = LocalProjection(38.5, 35.0)
    crs = CRS.from_proj4("+proj=tmerc +lat_0=35.0 +lon_0=38.5 +k=1 +x_0=0 +y_0=0 +ellps=WGS84 "
                         "+units=m +no_defs")
    want = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
    back = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(*want)
    got: dict[str, tuple] = {}

    def in_a_new_thread() -> None:
        got["xy"] = proj.xy(lon, lat)
        got["back"] = proj._inv.transform(*want)

    t = threading.Thread(target=in_a_new_thread)
    t.start()
    t.join()
    assert len(lon) > 10_000
    for a, b in [(got["xy"], want), (got["back"], back), (proj.xy(lon, lat), want)]:
        assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
