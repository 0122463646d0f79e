"""The one place that knows about metres and degrees.

Geometry is judged in a local transverse Mercator projection centred on the agreement's own
features (scale factor 1 on its central meridian). Over a country the size of Syria (about 7° of
longitude) the scale error stays under 0.2 %, so distances and disc areas read in metres are
true to a few metres per kilometre; distances between two incidents (evidence `within_km`)
are geodesic on the WGS 84 ellipsoid.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import shapely
from pyproj import CRS, Geod, Transformer
from shapely.geometry.base import BaseGeometry

from jig.circlearea import RUN, rings_area

WGS84_GEOD = Geod(ellps="WGS84")
# Within this of an edge a point is on the edge, hence inside: the reported point of a strike on
# a zone's boundary line must not fall out of the zone through floating-point rounding.
ON_EDGE_M = 0.01
# GeoJSON edges are straight in longitude/latitude; projected vertex by vertex they would become
# chords of slightly curved lines. Densifying first keeps the two within millimetres.
DENSIFY_DEG = 0.01


@dataclass(frozen=True)
class LocalProjection:
    """WGS 84 longitude/latitude <-> metres around a centre."""

    lon0: float
    lat0: float

    def __post_init__(self) -> None:
        crs = CRS.from_proj4(
            f"+proj=tmerc +lat_0={self.lat0} +lon_0={self.lon0} +k=1 +x_0=0 +y_0=0 "
            "+ellps=WGS84 +units=m +no_defs")
        object.__setattr__(self, "_fwd", _quick(Transformer.from_crs("EPSG:4326", crs,
                                                                     always_xy=True)))
        object.__setattr__(self, "_inv", _quick(Transformer.from_crs(crs, "EPSG:4326",
                                                                     always_xy=True)))

    @classmethod
    def around(cls, geoms: list[BaseGeometry], fallback: tuple[float, float] = (0.0, 0.0)
               ) -> LocalProjection:
        """A projection centred on the bounding box of `geoms` (lon/lat)."""
        if not geoms:
            return cls(*fallback)
        minx, miny, maxx, maxy = shapely.total_bounds(np.asarray(geoms, dtype=object))
        return cls(round(float(minx + maxx) / 2, 6), round(float(miny + maxy) / 2, 6))

    def xy(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x, y = self._fwd.transform(np.asarray(lon, float), np.asarray(lat, float))  # type: ignore[attr-defined]
        return np.asarray(x), np.asarray(y)

    def project(self, geom: BaseGeometry) -> BaseGeometry:
        dense = shapely.segmentize(geom, DENSIFY_DEG) if geom.geom_type != "Point" else geom
        return shapely.transform(dense, self._xy_pairs)

    def project_many(self, geoms: np.ndarray, densify: bool = True) -> np.ndarray:
        """Many geometries at once (one transformation call for all their coordinates).

        `densify=False` projects vertices only, so that edges are straight in metres: what a
        flown leg between two points is (near a geodesic), rather than a line straight in
        degrees.
        """
        arr = np.asarray(geoms, dtype=object)
        if densify:
            arr = shapely.segmentize(arr, DENSIFY_DEG)
        return shapely.transform(arr, self._xy_pairs)

    def _xy_pairs(self, coords: np.ndarray) -> np.ndarray:
        x, y = self._fwd.transform(coords[:, 0], coords[:, 1])  # type: ignore[attr-defined]
        return np.column_stack([x, y])



def _quick(chosen: Transformer) -> Transformer:
    """The operation PROJ chose, as its pipeline. pyproj makes a transformer again in every
    thread that uses it: from two CRSs that searches PROJ's database (7 ms and more, paid by
    each of the service's request threads as it starts), from the pipeline it does not
    (0.15 ms). The coordinates are the same to the bit (checked on a million points each way)."""
    return Transformer.from_pipeline(chosen.definition)


def point_text(lon: float, lat: float, digits: int = 5) -> str:
    """A point as people write it, latitude first and each labelled ("35.62000 N, 36.99000 E"):
    `jig explain` wrote longitude first and the report latitude first, both unlabelled, so a
    point copied from one into the other moved by hundreds of km (a new user's review)."""
    return (f"{abs(lat):.{digits}f} {'N' if lat >= 0 else 'S'}, "
            f"{abs(lon):.{digits}f} {'E' if lon >= 0 else 'W'}")


def geodesic_m(lon1: float, lat1: float, lon2: np.ndarray | float, lat2: np.ndarray | float
               ) -> np.ndarray:
    """Geodesic distance in metres from one point to one or many."""
    lon2a = np.atleast_1d(np.asarray(lon2, float))
    lat2a = np.atleast_1d(np.asarray(lat2, float))
    _, _, dist = WGS84_GEOD.inv(np.full_like(lon2a, lon1), np.full_like(lat2a, lat1), lon2a, lat2a)
    return np.asarray(dist)


# Relation of a location disc to a region.
OUT, EDGE, IN = 0, 1, 2


@dataclass(frozen=True)
class Relations:
    """How N location discs lie relative to one region (all in metres, projected).

    Kept for the discs within the region's bounding box only (`idx`): with a thousand zones
    and a million incidents, full arrays per zone would take gigabytes. `code` and `depth`
    give full arrays, built on first use.
    """

    n: int
    idx: np.ndarray  # the discs near the region, ascending
    near_code: np.ndarray  # OUT / EDGE / IN for each of them
    near_depth: np.ndarray  # signed distance of the centre to the boundary: > 0 inside

    @cached_property
    def code(self) -> np.ndarray:
        """OUT / EDGE / IN per disc."""
        out = np.zeros(self.n, dtype=np.int8)
        out[self.idx] = self.near_code
        return out

    @cached_property
    def depth(self) -> np.ndarray:
        """Signed distance per disc; -inf beyond the region's bounding box."""
        out = np.full(self.n, -np.inf)
        out[self.idx] = self.near_depth
        return out


def relate_discs(region: BaseGeometry, x: np.ndarray, y: np.ndarray, r: np.ndarray,
                 points: np.ndarray | None = None, reach: float = 0.0,
                 idx: np.ndarray | None = None) -> Relations:
    """Classify discs (centre x, y; radius r) as wholly outside, straddling or wholly inside.

    A point on the boundary counts as inside (a strike on the line is on the zone). The bounding
    box of the region, grown by each disc's radius (and `reach`), filters out most discs before
    GEOS is asked (`idx`, when given, are those discs, found by the caller's spatial index);
    `depth` is exact for the discs within that box and -inf beyond it (callers that need the
    distance to a far region ask a spatial index, see `Batch.nearest_far`).
    """
    n = len(x)
    if region.is_empty or n == 0:
        return Relations(n, np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.int8), np.zeros(0))
    if idx is None:
        minx, miny, maxx, maxy = region.bounds
        g = r + reach
        idx = np.flatnonzero((x >= minx - g) & (x <= maxx + g) & (y >= miny - g) &
                             (y <= maxy + g))
    idx = np.sort(idx)
    d = np.zeros(0)
    c = np.zeros(0, dtype=np.int8)
    if idx.size:
        shapely.prepare(region)
        pts = points[idx] if points is not None else shapely.points(x[idx], y[idx])
        inside = shapely.intersects(region, pts)
        dist = shapely.distance(region.boundary, pts) if region.area > 0 else \
            shapely.distance(region, pts)
        inside |= dist <= ON_EDGE_M
        d = np.where(inside, dist, -dist)
        ri = r[idx]
        c = np.where(d >= ri, IN, np.where(d <= -ri, OUT, EDGE)).astype(np.int8)
        # A disc of radius 0 sitting on the boundary is inside (covers), not straddling.
        c[(ri == 0) & inside] = IN
        # A region with no area (a point or a line with no buffer) can never hold a whole disc.
        if region.area == 0:
            c[(ri > 0) & (c == IN)] = EDGE
    return Relations(n, idx, c, d)


EDGE_RUN = 8


def edges(regions: list[BaseGeometry]) -> tuple[np.ndarray, np.ndarray]:
    """The regions' edges as short runs of segments (and points, for regions that are points),
    with the index of the region each came from.

    From a point outside a region, the distance to the region is the distance to its nearest
    edge; a spatial index of simple segments answers "which region is nearest" far faster
    than one of many-sided polygons.
    """
    outlines = [shapely.boundary(g) if g.area > 0 else g for g in regions]
    parts, owner = shapely.get_parts(np.array(outlines, dtype=object), return_index=True)
    coords, line = shapely.get_coordinates(parts, return_index=True)
    singles = np.flatnonzero(np.bincount(line, minlength=len(parts)) == 1)
    starts = np.flatnonzero(line[1:] == line[:-1])  # each segment, by its first vertex
    # Runs of EDGE_RUN consecutive segments of one outline: a point's distance to a run is
    # its distance to the nearest of those segments, and the index holds fewer, fuller leaves.
    seg_line = line[starts]
    first_of_line = np.searchsorted(line, np.arange(len(parts)))
    position = starts - first_of_line[seg_line]
    run = np.cumsum(position % EDGE_RUN == 0) - 1
    last = np.append(run[1:] != run[:-1], True)
    vertex = np.concatenate([starts, starts[last] + 1])
    vertex_run = np.concatenate([run, run[last]])
    order = np.lexsort((vertex, vertex_run))
    runs = shapely.linestrings(coords[vertex[order]], indices=vertex_run[order])
    run_owner = owner[seg_line[np.append(True, run[1:] != run[:-1])]]
    pieces = np.concatenate([runs, parts[singles]])
    return pieces, np.concatenate([run_owner, owner[singles]])


@dataclass(frozen=True)
class Outline:
    """A region's rings as edge arrays, oriented so that the signed areas they sweep add up to
    the region's area (exteriors counter-clockwise, holes clockwise): what the area a circle
    shares with the region is computed from, exactly and without building any polygon.

    Edges come in runs of `circlearea.RUN` consecutive edges of one ring, and runs by ring,
    each with its bounding box (`circlearea.rings_area` skips or shortcuts what the circle
    does not reach)."""

    region: BaseGeometry
    ax: np.ndarray
    ay: np.ndarray
    bx: np.ndarray
    by: np.ndarray
    ring_run: np.ndarray  # ring i's runs are ring_run[i]:ring_run[i+1]
    ring_box: np.ndarray  # (4, rings): min x, min y, max x, max y
    ring_cross: np.ndarray  # per ring, the sum of a x b over its edges
    run_edge: np.ndarray  # run j's edges are run_edge[j]:run_edge[j+1]
    run_box: np.ndarray  # (4, runs)
    run_cross: np.ndarray  # per run, the sum of a x b over its edges

    @classmethod
    def of(cls, region: BaseGeometry) -> Outline:
        oriented = shapely.orient_polygons(region, exterior_cw=False)
        rings = shapely.get_rings(shapely.get_parts(oriented))
        coords, ring = shapely.get_coordinates(rings, return_index=True)
        starts = np.flatnonzero(ring[1:] == ring[:-1])
        a, b = coords[starts], coords[starts + 1]
        ax, ay, bx, by = (np.ascontiguousarray(v) for v in (a[:, 0], a[:, 1], b[:, 0], b[:, 1]))
        _, edge_ring = np.unique(ring[starts], return_inverse=True)
        n, rings_n = len(starts), int(edge_ring.max(initial=-1)) + 1
        position = np.arange(n) - np.searchsorted(edge_ring, edge_ring)
        opens = np.flatnonzero(position % RUN == 0)
        run_edge = np.append(opens, n).astype(np.int64)
        ring_run = np.searchsorted(edge_ring[opens], np.arange(rings_n + 1)).astype(np.int64)
        lo_x, hi_x = np.minimum(ax, bx), np.maximum(ax, bx)
        lo_y, hi_y = np.minimum(ay, by), np.maximum(ay, by)
        cross = ax * by - ay * bx
        if n:
            run_cross = np.add.reduceat(cross, opens)
            ring_cross = np.add.reduceat(run_cross, ring_run[:-1])
            run_box = np.stack([np.minimum.reduceat(lo_x, opens), np.minimum.reduceat(lo_y, opens),
                                np.maximum.reduceat(hi_x, opens), np.maximum.reduceat(hi_y, opens)])
            first = ring_run[:-1]
            ring_box = np.stack([np.minimum.reduceat(run_box[0], first),
                                 np.minimum.reduceat(run_box[1], first),
                                 np.maximum.reduceat(run_box[2], first),
                                 np.maximum.reduceat(run_box[3], first)])
        else:
            run_box = ring_box = np.zeros((4, 0))
            run_cross = ring_cross = np.zeros(0)
        return cls(region, ax, ay, bx, by, ring_run, ring_box, ring_cross, run_edge, run_box,
                   run_cross)

    @classmethod
    def union(cls, regions: list[BaseGeometry]) -> Outline:
        return cls.of(regions[0] if len(regions) == 1 else shapely.union_all(regions))

    @property
    def rings(self) -> int:
        return len(self.ring_run) - 1

    @cached_property
    def _lists(self) -> tuple[list, ...]:
        """The arrays as Python lists, in `rings_area`'s order: what plain Python reads fast."""
        return (self.ring_run.tolist(), *self.ring_box.tolist(), self.ring_cross.tolist(),
                self.run_edge.tolist(), *self.run_box.tolist(), self.run_cross.tolist(),
                self.ax.tolist(), self.ay.tolist(), self.bx.tolist(), self.by.tolist())

    def area_in_circle(self, x: float, y: float, r: float) -> float:
        """The area the region shares with the circle of centre (x, y) and radius r."""
        return float(rings_area(*self._lists, 0, self.rings, float(x), float(y), float(r)))


def area_in_circle(outlines: list[Outline], weights: list[float], x: float, y: float,
                   r: float) -> float:
    """Σ weight × the area each region shares with the circle of centre (x, y), radius r,
    added in order (as the compiled kernels add them: the same bits)."""
    total = 0.0
    for o, w in zip(outlines, weights, strict=True):
        total += w * o.area_in_circle(x, y, r)
    return total


def share_inside(x: float, y: float, r: float, outlines: list[Outline]) -> float:
    """The share of the disc's area that lies inside the regions (0..1).

    The regions must not share area with one another (overlapping zones are given as one
    outline of their union); their shares add up. The disc is a true circle.
    """
    if r <= 0:
        pt = shapely.Point(x, y)
        return 1.0 if any(o.region.intersects(pt) for o in outlines) else 0.0
    return share_of_circle(sum(o.area_in_circle(x, y, r) for o in outlines), r)


def share_of_circle(area: float, r: float) -> float:
    """An area as a share of the circle of radius r, clamped to 0..1 against rounding."""
    return float(min(1.0, max(0.0, area / (math.pi * r * r))))


# -- regions given as a core grown by a radius (sites, point targets): exact, not polygons ----

def relate_discs_grown(core: BaseGeometry, grow: float, x: np.ndarray, y: np.ndarray,
                       r: np.ndarray, points: np.ndarray | None = None, reach: float = 0.0,
                       idx: np.ndarray | None = None) -> Relations:
    """`relate_discs` for every point within `grow` metres of `core`, measured exactly: the
    signed distance to the core, shifted by `grow` (a point's radius is a true circle, not the
    polygon drawn for it). Inside a bent route's or a polygon's grown region, the depth is
    that of the nearest stretch of the core: never more than the true depth, so a disc called
    inside is inside; one in a bend's crook may be called straddling, and its share settles it."""
    near = relate_discs(core, x, y, r, points, reach + grow, idx)
    depth = near.near_depth + grow
    ri = r[near.idx]
    code = np.where(depth >= ri, IN, np.where(depth <= -ri, OUT, EDGE)).astype(np.int8)
    code[(ri == 0) & (depth >= -ON_EDGE_M)] = IN  # a point on the circle is within it
    return Relations(near.n, near.idx, code, depth)


def area_in_circles(x: float, y: float, r: float, cx: np.ndarray, cy: np.ndarray,
                    radius: np.ndarray) -> float:
    """The area the disc (x, y, r) shares with the union of circles (cx, cy, radius), exactly.

    By Green's theorem over the outline of disc ∩ union: the arcs of each circle that run
    inside the disc and outside every other circle, and the arcs of the disc that run inside
    some circle; an arc of centre c and radius ρ from angle a to b adds
    ½ (ρ² (b - a) + cx ρ (sin b - sin a) - cy ρ (cos b - cos a)).
    """
    circles = np.unique(np.column_stack([cx, cy, radius]).astype(float), axis=0)
    if np.any((circles[:, 0] == x) & (circles[:, 1] == y) & (circles[:, 2] >= r)):
        return math.pi * r * r  # a circle holds the whole disc (as the general case would
        # say, but an identical circle would split nothing there)
    cx = np.concatenate([[x], circles[:, 0]])
    cy = np.concatenate([[y], circles[:, 1]])
    rad = np.concatenate([[r], circles[:, 2]])
    total = 0.0
    for i in range(len(rad)):
        angles = [0.0, 2 * math.pi]
        for j in range(len(rad)):
            d = math.hypot(cx[j] - cx[i], cy[j] - cy[i])
            if j == i or d == 0 or d >= rad[i] + rad[j] or d <= abs(rad[i] - rad[j]):
                continue
            base = math.atan2(cy[j] - cy[i], cx[j] - cx[i])
            half = math.acos((d * d + rad[i] ** 2 - rad[j] ** 2) / (2 * d * rad[i]))
            angles += [(base - half) % (2 * math.pi), (base + half) % (2 * math.pi)]
        angles.sort()
        others = np.ones(len(rad), bool)
        others[[0, i]] = False
        for a, b in itertools.pairwise(angles):
            if b <= a:
                continue
            m = (a + b) / 2
            dist = np.hypot(cx[i] + rad[i] * math.cos(m) - cx, cy[i] + rad[i] * math.sin(m) - cy)
            if i == 0:
                on = bool(np.any(dist[1:] < rad[1:]))
            else:
                on = bool(dist[0] <= rad[0] and not np.any(dist[others] < rad[others]))
            if on:
                total += 0.5 * (rad[i] ** 2 * (b - a)
                                + cx[i] * rad[i] * (math.sin(b) - math.sin(a))
                                - cy[i] * rad[i] * (math.cos(b) - math.cos(a)))
    return total
