"""Deconfliction: every pair of notices of different parties closer than the separation minima.

Two volumes conflict when, at once, their shapes are closer than the horizontal minimum, their
altitude bands closer than the vertical minimum, and their windows closer than the time
minimum. Each gap is measured between the closed extents (0 when they touch, negative when they
overlap); a pair conflicts when every gap is below its minimum — so with minima above zero,
volumes that only touch do conflict, and with a minimum of 0 in a dimension, only a real
overlap there does (a band that meets another at 5,000 ft, a window that ends as another
begins).

The pairs are found without testing all of them: an STR-tree of (x, time) rectangles, grown by
the minima, gives candidates; y, party, time and altitude are filtered as arrays; only the
survivors get an exact GEOS distance. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from jig.agreement.model import Agreement
from jig.air.model import FEET, AirNotice, Separation
from jig.times import Span, format_span


@dataclass(frozen=True, slots=True)
class Conflict:
    a: AirNotice
    b: AirNotice
    horizontal_m: float  # distance between the shapes; negative: they overlap
    vertical_m: float  # gap between the bands; negative: they overlap by that much
    time_s: float  # gap between the windows; negative: they overlap by that long
    lon: float  # where: midway between the closest points of the two shapes
    lat: float
    when: Span  # the windows' overlap, or the gap between them

    def margins(self, sep: Separation) -> dict[str, float]:
        """How far inside each minimum the pair is (positive: by that much)."""
        return {"horizontal_m": round(sep.horizontal_m - max(self.horizontal_m, 0.0), 1),
                "vertical_ft": round((sep.vertical_m - self.vertical_m) / FEET),
                "time_min": round((sep.time_s - self.time_s) / 60.0, 1)}

    def as_dict(self, agreement: Agreement) -> dict[str, Any]:
        sep = agreement.separation
        return {
            "notices": [self.a.id, self.b.id], "parties": [self.a.party, self.b.party],
            "where": {"lon": round(self.lon, 5), "lat": round(self.lat, 5)},
            "when": format_span(self.when, agreement.tz),
            # Gaps between the volumes; a negative gap is an overlap of that size.
            "horizontal_m": round(max(self.horizontal_m, 0.0), 1),
            "vertical_ft": round(self.vertical_m / FEET),
            "time_min": round(self.time_s / 60.0, 1),
            "margin": self.margins(sep),
            "minima": {"horizontal_m": sep.horizontal_m, "vertical_ft":
                       round(sep.vertical_m / FEET), "time_min": sep.time_s / 60.0},
        }

    def seen_by(self, party: str, agreement: Agreement) -> dict[str, Any]:
        """The alert for one party's air desk: its own notice, and of the other side's only
        that it flies there and then (no id, actor, kind, shape or band)."""
        own = self.a if self.a.party == party else self.b
        return {"notice": own.id, "other_party": (self.b if own is self.a else self.a).party,
                "where": {"lon": round(self.lon, 3), "lat": round(self.lat, 3)},
                "when": format_span(self.when, agreement.tz),
                "margin": party_margin(self.margins(agreement.separation))}


def party_margin(margin: dict[str, float]) -> dict[str, float]:
    """The margins a party's air desk is shown: horizontally to 100 m and in time to the
    minute, as fine as where and when it is shown. A conflict is always inside the vertical
    minimum, and by how much, with the desk's own band known, gave the other side's band
    edge to the foot (which it is never shown); to 0.1 m and 0.1 min, probes a metre apart
    traced the other side's corridor edge and the end of its window (an adversarial review)."""
    return {"horizontal_m": float(round(margin["horizontal_m"], -2)),
            "time_min": float(round(margin["time_min"]))}


# Exactly at a minimum is not closer than it: a band 1,000 ft above another is separated, though
# 12,000 ft - 11,000 ft in metres comes out a hair under 304.8. A micrometre (or microsecond)
# settles rounding without moving any real decision.
EPS = 1e-6


def cores(agreement: Agreement, notices: Sequence[AirNotice]) -> tuple[np.ndarray, np.ndarray]:
    """Each notice's shape in the agreement's metres (areas, or routes as their centre line)
    and its half-width. A route's legs are straight in metres: near the geodesic a flight
    follows; an area's edges are straight in degrees, as every GeoJSON polygon's."""
    geoms = np.array([n.geometry for n in notices], dtype=object)
    route = np.array([n.is_route for n in notices], dtype=bool)
    proj = agreement.projection
    out = np.empty(len(notices), dtype=object)
    out[route] = proj.project_many(geoms[route], densify=False)
    out[~route] = proj.project_many(geoms[~route])
    return out, np.array([n.half_width_m for n in notices], dtype=float)


def volumes(agreement: Agreement, notices: Sequence[AirNotice]) -> np.ndarray:
    """Each notice's horizontal extent in metres: areas as given, routes grown by their
    half-width."""
    return grown(*cores(agreement, notices))


def grown(geoms: np.ndarray, half: np.ndarray) -> np.ndarray:
    """Shapes from `cores`, routes grown by their half-width."""
    out = geoms.copy()
    wide = half > 0
    out[wide] = shapely.buffer(geoms[wide], half[wide], quad_segs=8)
    return out


def _gaps(a0: np.ndarray, a1: np.ndarray, b0: np.ndarray, b1: np.ndarray) -> np.ndarray:
    """Gap between closed intervals [a0, a1] and [b0, b1]; negative: the overlap's length."""
    return np.maximum(a0, b0) - np.minimum(a1, b1)


def deconflict(agreement: Agreement, notices: Sequence[AirNotice],
               separation: Separation | None = None) -> list[Conflict]:
    """Every conflicting pair of notices from different parties, ordered by start of overlap.

    Corridors are never drawn: the distance between two routes grown by r1 and r2 is the
    distance between their centre lines less r1 + r2 (exact for such buffers), so the exact
    test runs on two-point lines rather than on many-sided polygons.
    """
    sep = separation or agreement.separation
    n = len(notices)
    if n < 2:
        return []
    geoms, half = cores(agreement, notices)
    party = np.array([x.party for x in notices])
    t0 = np.array([x.window.start for x in notices])
    t1 = np.array([x.window.end for x in notices])
    z0 = np.array([x.alt_low_m for x in notices])
    z1 = np.array([x.alt_high_m for x in notices])
    # The index is over (x, time) rectangles, not (x, y): a 250 km route has a wide box in
    # space but a short one in time, so time prunes the candidates before space can bloat them.
    b = shapely.bounds(geoms)
    grow = sep.horizontal_m + half + half.max()
    tree = shapely.STRtree(shapely.box(b[:, 0], t0, b[:, 2], t1))
    i, j = tree.query(shapely.box(b[:, 0] - grow, t0 - sep.time_s, b[:, 2] + grow,
                                  t1 + sep.time_s))
    keep = (i < j) & (party[i] != party[j]) & (b[i, 1] - grow[i] <= b[j, 3]) & \
        (b[j, 1] <= b[i, 3] + grow[i])
    i, j = i[keep], j[keep]
    tg = _gaps(t0[i], t1[i], t0[j], t1[j])
    zg = _gaps(z0[i], z1[i], z0[j], z1[j])
    keep = (tg < sep.time_s - EPS) & (zg < sep.vertical_m - EPS)
    i, j, tg, zg = i[keep], j[keep], tg[keep], zg[keep]
    reach = half[i] + half[j]
    core_d = shapely.distance(geoms[i], geoms[j])
    d = core_d - reach  # < 0: the corridors overlap
    if sep.horizontal_m > 0:
        keep = d < sep.horizontal_m - EPS
    else:
        # With no horizontal minimum only a real overlap counts: corridors that cross or
        # come closer than their widths, areas sharing area (not just an edge).
        keep = d < -EPS
        touch = (core_d == 0) & (reach == 0)
        if touch.any():
            keep[touch] = shapely.area(shapely.intersection(geoms[i[touch]],
                                                            geoms[j[touch]])) > 0
    i, j, tg, zg, d = i[keep], j[keep], tg[keep], zg[keep], d[keep]
    if i.size == 0:
        return []
    # Where: midway between the closest points of the two shapes (on a crossing, the crossing;
    # for overlapping areas, the middle of the overlap).
    mids = shapely.line_interpolate_point(shapely.shortest_line(geoms[i], geoms[j]), 0.5,
                                          normalized=True)
    areas = np.flatnonzero((half[i] == 0) & (half[j] == 0) & (d <= 0))
    if areas.size:
        overlap = shapely.intersection(geoms[i[areas]], geoms[j[areas]])
        ok = shapely.area(overlap) > 0
        mids[areas[ok]] = shapely.centroid(overlap[ok])
    lon, lat = agreement.projection._inv.transform(  # type: ignore[attr-defined]
        shapely.get_x(mids), shapely.get_y(mids))
    out = []
    for k in range(i.size):
        a, bb = notices[int(i[k])], notices[int(j[k])]
        start = max(a.window.start, bb.window.start)
        end = min(a.window.end, bb.window.end)
        out.append(Conflict(a, bb, float(d[k]), float(zg[k]), float(tg[k]), float(lon[k]),
                            float(lat[k]), Span(min(start, end), max(start, end))))
    out.sort(key=lambda c: (c.when.start, c.a.id, c.b.id))
    return out
