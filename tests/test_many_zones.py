"""Many zones: the indexed paths (candidates from an STR-tree, nearest zone through an index of
edges) give the answers a brute-force scan of every zone gives."""

from __future__ import annotations

import random
import re

import shapely
from tests.conftest import box, collection, feature, incident

from jig import check


def ring(cx, cy, s, rng):
    pts = [(cx + s * rng.uniform(0.6, 1) * dx, cy + s * rng.uniform(0.6, 1) * dy)
           for dx, dy in ((-1, -1), (0, -1.2), (1, -1), (1.2, 0), (1, 1), (0, 1.2), (-1, 1),
                          (-1.2, 0))]
    return [*pts, pts[0]]


def test_indexed_judging_matches_a_scan_of_every_zone(make_agreement):
    rng = random.Random(12)
    feats = []
    for k in range(60):  # more than the few that are scanned directly
        cx, cy = rng.uniform(36.0, 40.0), rng.uniform(33.5, 36.5)
        rings = [ring(cx, cy, 0.08, rng)]
        if k % 3 == 0:
            rings.append(ring(cx, cy, 0.02, rng)[::-1])  # a hole
        feats.append(feature({"type": "Polygon", "coordinates": rings}, id=f"Z{k}",
                             kind="designated"))
    agreement = make_agreement("""\
zones: zones.geojson
clauses:
  - {id: c, rule: no_strikes_in, bound: [BF], acts: [air_strike], zones: {kind: designated}}
""", zones=collection(*feats))
    incs = [incident(agreement, id=f"I{k}", lon=rng.uniform(35.8, 40.2),
                     lat=rng.uniform(33.3, 36.7), actor="B forces", act="air_strike")
            for k in range(400)]
    verdicts = check(agreement, incs)
    regions = {z.id: z.region for z in agreement.zones}
    proj = agreement.projection
    checked = 0
    for inc, v in zip(incs, verdicts, strict=True):
        x, y = proj.xy([inc.lon], [inc.lat])
        pt = shapely.Point(float(x[0]), float(y[0]))
        inside = [zid for zid, g in regions.items() if g.intersects(pt)]
        [f] = v.findings
        if inside:
            assert f.outcome == "breach" and f.zone in inside
            continue
        assert f.outcome == "complies"
        nearest = min(regions, key=lambda zid: regions[zid].distance(pt))
        km = regions[nearest].distance(pt) / 1000
        m = re.search(r"the nearest, (Z\d+), is ([\d.]+) (km|m) away", f.reason)
        assert m and m.group(1) == nearest
        shown = float(m.group(2)) / (1 if m.group(3) == "km" else 1000)
        assert abs(shown - km) <= 0.06
        checked += 1
    assert checked > 200


def test_a_disc_over_a_cluster_of_overlapping_zones_counts_their_union_once(make_agreement):
    """Twelve zones overlapping in a chain under one wide disc: more than inclusion-exclusion
    is used for, so their union is measured; two overlapping ones take the other path. Both
    give the share Shapely computes from the union and a fine circle."""
    chain = [feature(box(36.0 + 0.03 * k, 35.0, 36.05 + 0.03 * k, 35.05), id=f"C{k}",
                     kind="designated") for k in range(12)]
    pair = [feature(box(37.0, 35.0, 37.06, 35.06), id="P0", kind="designated"),
            feature(box(37.03, 35.03, 37.09, 35.09), id="P1", kind="designated")]
    agreement = make_agreement("""\
zones: zones.geojson
clauses:
  - {id: c, rule: no_strikes_in, bound: [BF], acts: [air_strike], zones: {kind: designated}}
""", zones=collection(*chain, *pair))
    incs = [incident(agreement, id="chain", lon=36.2, lat=35.03, precision_m=20_000,
                     actor="B forces", act="air_strike"),
            incident(agreement, id="pair", lon=37.05, lat=35.05, precision_m=6_000,
                     actor="B forces", act="air_strike")]
    proj = agreement.projection
    for inc, v in zip(incs, check(agreement, incs), strict=True):
        x, y = proj.xy([inc.lon], [inc.lat])
        circle = shapely.Point(float(x[0]), float(y[0])).buffer(inc.precision_m, quad_segs=2048)
        union = shapely.union_all([z.region for z in agreement.zones])
        expected = union.intersection(circle).area / circle.area
        [f] = v.findings
        assert f.outcome == "undetermined"
        assert abs(f.p - expected) <= 0.0006, (inc.id, f.p, expected)
