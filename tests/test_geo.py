"""Geometry helpers: the share of a disc inside zones, with and without overlaps."""

from __future__ import annotations

import math

import pytest
import shapely

from jig.geo import disc, share_inside


def test_share_of_a_disc_in_overlapping_and_separate_zones():
    a = shapely.box(0, -1000, 2000, 1000)
    b = shapely.box(-500, -1000, 500, 1000)  # overlaps a
    c = shapely.box(-2000, -1000, -1500, 1000)  # apart from both
    d = disc(0, 0, 1000)
    union = shapely.union_all([a, b, c]).intersection(d).area / d.area
    grouped = share_inside(0, 0, 1000, [a, b, c], [[0, 1], [2]])
    assert grouped == pytest.approx(union, rel=1e-9)
    assert share_inside(0, 0, 1000, [a, b, c]) == pytest.approx(union, rel=1e-9)
    # Counting the overlap twice would be wrong: the groups exist to prevent it.
    assert share_inside(0, 0, 1000, [a, b], [[0], [1]]) > union


def test_a_disc_half_over_a_straight_edge():
    share = share_inside(0, 0, 1000, [shapely.box(0, -5000, 5000, 5000)])
    assert share == pytest.approx(0.5, abs=1e-3)
    assert math.isclose(share_inside(0, 0, 0, [shapely.box(0, -1, 1, 1)]), 1.0)
