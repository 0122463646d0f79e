"""A uniform grid over an agreement's zone edges: what the compiled kernels search.

Built once per agreement version from the zones' projected regions (pure: arrays in, arrays
out). Every edge is listed in each cell its bounding box meets, so that the cell holding the
point of an edge nearest to a query is always among the edge's cells; a zone that covers a
whole cell without an edge in it is listed as covering that cell. A point's containment is
decided from its own cell's edges: each cell keeps the zones with an edge in it that hold its
centre, and the side of each edge's line the centre lies on, so that the kernels count only
the crossings of the short path from the point to the centre (`containment._contained`). `far`
holds, for each cell, how many rings of cells around it hold no edge at all, so a search from
an empty cell starts where the first edges are.

`load_or_build` keeps the arrays in a directory keyed by the content hash of the regions; a
file that does not load, or whose stored key or checksum does not match, is rebuilt and
replaced, never trusted.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from jig.circlearea import RUN as OUTLINE_RUN

# Bump when the layout or the way cells are filled changes: older files are then not found.
VERSION = 4
# About this many edge entries per cell: fewer cells to walk through than edges to measure.
EDGES_PER_CELL = 2.0
MAX_SIDE = 4096
# Empty cells around the edges' bounding box: as far as a cell's candidate nearest edges are
# kept (`candidates.CANDIDATE_RINGS`).
MARGIN = 24


@dataclass(frozen=True)
class ZoneGrid:
    x0: float
    y0: float
    h: float
    nx: int
    ny: int
    # The edges of cell c are entries cell_start[c]:cell_start[c+1] of these arrays (an
    # edge is copied into each cell it meets: a cell's edges are read from contiguous memory).
    cell_start: np.ndarray
    ax: np.ndarray  # start and end vertices, float64
    ay: np.ndarray
    bx: np.ndarray
    by: np.ndarray
    owner: np.ndarray  # zone position, int64
    edge: np.ndarray  # which of the regions' edges (`edges_of`'s order) each entry copies
    cover_start: np.ndarray  # CSR: zones covering cell c entirely, with no edge in it
    cover_zone: np.ndarray
    centre_start: np.ndarray  # CSR: zones with an edge in cell c that hold its centre
    centre_zone: np.ndarray
    side: np.ndarray  # int8 per entry: the side of the edge's line the cell's centre is on
    far: np.ndarray  # rings of cells around each cell (itself ring 0) with no edge in them
    zones: int  # how many zones the grid was built for

    def arrays(self) -> dict[str, np.ndarray]:
        return {f.name: np.asarray(getattr(self, f.name)) for f in fields(self)}


def regions_usable(regions: list[BaseGeometry]) -> bool:
    """Whether the kernels can judge against these regions: valid polygons with area (rings
    whose crossing parity is containment) and at least one edge each."""
    if not regions:
        return False
    arr = np.asarray(regions, dtype=object)
    kinds = shapely.get_type_id(arr)
    return bool(np.isin(kinds, (3, 6)).all() and (shapely.area(arr) > 0).all()
                and shapely.is_valid(arr).all())


def edges_of(regions: list[BaseGeometry]) -> tuple[np.ndarray, ...]:
    """Every ring segment of the regions (exteriors and holes of every part), with its owner,
    as GEOS stores them: the same vertices its distances are measured to."""
    parts, part_owner = shapely.get_parts(np.asarray(regions, dtype=object), return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    starts = np.flatnonzero(ring[1:] == ring[:-1])
    a, b = coords[starts], coords[starts + 1]
    owner = part_owner[ring_part[ring[starts]]].astype(np.int64)
    return (np.ascontiguousarray(a[:, 0]), np.ascontiguousarray(a[:, 1]),
            np.ascontiguousarray(b[:, 0]), np.ascontiguousarray(b[:, 1]), owner)


def build(regions: list[BaseGeometry]) -> ZoneGrid:
    ax, ay, bx, by, owner = edges_of(regions)
    minx, maxx = min(ax.min(), bx.min()), max(ax.max(), bx.max())
    miny, maxy = min(ay.min(), by.min()), max(ay.max(), by.max())
    w, hgt = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
    cells = max(1.0, len(ax) / EDGES_PER_CELL)
    h = float(max(np.sqrt(w * hgt / cells), w / MAX_SIDE, hgt / MAX_SIDE))
    # A margin of MARGIN cells around the edges: no vertex sits on the grid's far boundary,
    # and a point near the zones but beyond their bounding box still has a cell, whose
    # candidate nearest edges answer it (points beyond the grid search rings of cells, about
    # three times slower).
    x0, y0 = float(minx - MARGIN * h), float(miny - MARGIN * h)
    nx, ny = int(w // h) + 1 + 2 * MARGIN, int(hgt // h) + 1 + 2 * MARGIN

    i0 = np.floor((np.minimum(ax, bx) - x0) / h).astype(np.int64)
    i1 = np.floor((np.maximum(ax, bx) - x0) / h).astype(np.int64)
    j0 = np.floor((np.minimum(ay, by) - y0) / h).astype(np.int64)
    j1 = np.floor((np.maximum(ay, by) - y0) / h).astype(np.int64)
    wi, wj = i1 - i0 + 1, j1 - j0 + 1
    count = wi * wj
    edge = np.repeat(np.arange(len(ax)), count)
    offset = np.arange(len(edge)) - np.repeat(np.cumsum(count) - count, count)
    cell = (j0[edge] + offset // wi[edge]) * nx + i0[edge] + offset % wi[edge]
    order = np.argsort(cell, kind="stable")
    cell_edge = edge[order]
    cell_start = np.concatenate([[0], np.cumsum(np.bincount(cell, minlength=nx * ny))])

    # Zones covering a cell whole: those whose region holds the cell's centre and has no edge
    # in the cell (then nothing of its boundary is inside the cell). Those holding the centre
    # with an edge in the cell are where a point's count of crossings starts.
    has_edge = np.zeros((len(regions), nx * ny), bool) if len(regions) * nx * ny <= 2e8 else None
    cover_cells, cover_zones, centre_cells, centre_zones = [], [], [], []
    for z, g in enumerate(regions):
        bx0, by0, bx1, by1 = g.bounds
        ci = np.arange(max(0, int((bx0 - x0) // h)), min(nx, int((bx1 - x0) // h) + 1))
        cj = np.arange(max(0, int((by0 - y0) // h)), min(ny, int((by1 - y0) // h) + 1))
        if not ci.size or not cj.size:
            continue
        ii, jj = np.meshgrid(ci, cj)
        ids = (jj * nx + ii).ravel()
        cx, cy = x0 + (ii.ravel() + 0.5) * h, y0 + (jj.ravel() + 0.5) * h
        inside = shapely.contains_xy(g, cx, cy)
        if has_edge is not None:
            own = cell[owner[edge] == z]
            has_edge[z, own] = True
            edged = has_edge[z, ids]
        else:
            edged = np.isin(ids, cell[owner[edge] == z])
        for cells, zones, where in ((cover_cells, cover_zones, inside & ~edged),
                                    (centre_cells, centre_zones, inside & edged)):
            cells.append(ids[where])
            zones.append(np.full(int(where.sum()), z, dtype=np.int64))
    cover_start, cover_zone = _by_cell(cover_cells, cover_zones, nx * ny)
    centre_start, centre_zone = _by_cell(centre_cells, centre_zones, nx * ny)

    ex, ey, fx, fy = ax[cell_edge], ay[cell_edge], bx[cell_edge], by[cell_edge]
    at = cell[order]
    side = sides(ex, ey, fx, fy, x0 + (at % nx + 0.5) * h, y0 + (at // nx + 0.5) * h)
    far = _empty_rings(np.diff(cell_start).reshape(ny, nx) > 0)
    return ZoneGrid(x0, y0, h, nx, ny, cell_start, ex, ey, fx, fy, owner[cell_edge],
                    cell_edge.astype(np.int64), cover_start, cover_zone, centre_start,
                    centre_zone, side, far.ravel(), len(regions))


def _by_cell(cells: list[np.ndarray], zones: list[np.ndarray], n: int
             ) -> tuple[np.ndarray, np.ndarray]:
    """(start, zone): CSR of the (cell, zone) pairs, zones in ascending order in a cell."""
    cc = np.concatenate(cells) if cells else np.zeros(0, dtype=np.int64)
    cz = np.concatenate(zones) if zones else np.zeros(0, dtype=np.int64)
    order = np.argsort(cc, kind="stable")
    return np.concatenate([[0], np.cumsum(np.bincount(cc, minlength=n))]), cz[order]


# Relative bound on the rounding of an orientation's two products: Shewchuk's ccwerrboundA
# (3.3e-16), with room to spare. Beyond it, the sign computed is the exact sign.
ORIENT_ERROR = 1e-15


def sides(ax: np.ndarray, ay: np.ndarray, bx: np.ndarray, by: np.ndarray, px: np.ndarray,
          py: np.ndarray) -> np.ndarray:
    """Which side of the line through a and b each point lies on: 1 left, -1 right, 0 on it
    or too near to tell from floating point (as `containment._side`, in the same operations)."""
    left = (ax - px) * (by - py)
    right = (ay - py) * (bx - px)
    det = left - right
    bound = ORIENT_ERROR * (np.abs(left) + np.abs(right))
    return np.where(det > bound, 1, np.where(det < -bound, -1, 0)).astype(np.int8)


def _empty_rings(full: np.ndarray, most: int = 32) -> np.ndarray:
    """For each cell, how many rings of cells around it (itself being ring 0) hold no edge:
    the Chebyshev distance to the nearest cell with an edge, by growing the cells with edges one ring at a
    time; capped at `most`, which only makes a search start nearer than it could."""
    rings = np.full(full.shape, most, dtype=np.int64)
    reached = full.copy()
    for k in range(most):
        rings[reached & (rings == most)] = k
        if reached.all():
            break
        grown = reached.copy()
        grown[1:, :] |= reached[:-1, :]
        grown[:-1, :] |= reached[1:, :]
        wide = grown.copy()
        wide[:, 1:] |= grown[:, :-1]
        wide[:, :-1] |= grown[:, 1:]
        reached = wide
    return rings


# Edges per run of `zone_runs`.
RUN = 16


@dataclass(frozen=True)
class ZoneRuns:
    """Each zone's edges, as GEOS stores them, in runs of RUN with their bounding boxes: what
    a location disc's distances to the zones it may reach are measured over (zone by zone,
    passing over the runs farther than needed)."""

    box: np.ndarray  # (4, zones): min x, min y, max x, max y of each zone's edges
    zone_run: np.ndarray  # zone z's runs are zone_run[z]:zone_run[z+1]
    run_box: np.ndarray  # (4, runs)
    run_edge: np.ndarray  # run j's edges are run_edge[j]:run_edge[j+1]
    ax: np.ndarray
    ay: np.ndarray
    bx: np.ndarray
    by: np.ndarray
    owner: np.ndarray  # each edge's zone

    def arrays(self) -> tuple[np.ndarray, ...]:
        """The kernel's tuple: zone_run, run box rows, run_edge, the edges."""
        return (self.zone_run, *self.run_box, self.run_edge, self.ax, self.ay, self.bx, self.by)


def zone_runs(regions: list[BaseGeometry]) -> ZoneRuns:
    ax, ay, bx, by, owner = edges_of(regions)  # ordered by zone
    n = len(ax)
    position = np.arange(n) - np.searchsorted(owner, owner)
    opens = np.flatnonzero(position % RUN == 0)
    run_edge = np.append(opens, n).astype(np.int64)
    zone_run = np.searchsorted(owner[opens], np.arange(len(regions) + 1)).astype(np.int64)
    lo_x, hi_x = np.minimum(ax, bx), np.maximum(ax, bx)
    lo_y, hi_y = np.minimum(ay, by), np.maximum(ay, by)
    run_box = np.stack([np.minimum.reduceat(lo_x, opens), np.minimum.reduceat(lo_y, opens),
                        np.maximum.reduceat(hi_x, opens), np.maximum.reduceat(hi_y, opens)])
    first = zone_run[:-1]
    box = np.stack([np.minimum.reduceat(run_box[0], first), np.minimum.reduceat(run_box[1], first),
                    np.maximum.reduceat(run_box[2], first), np.maximum.reduceat(run_box[3], first)])
    return ZoneRuns(np.ascontiguousarray(box), zone_run, np.ascontiguousarray(run_box), run_edge,
                    ax, ay, bx, by, owner)


def regions_key(regions: list[BaseGeometry]) -> str:
    """Content hash of the regions as the grid would see them (their WKB) and the layout."""
    digest = hashlib.sha256(f"jig-grid-{VERSION}".encode())
    for wkb in shapely.to_wkb(np.asarray(regions, dtype=object)):
        digest.update(wkb)
    return digest.hexdigest()


def _checksum(arrays: dict[str, np.ndarray]) -> str:
    digest = hashlib.sha256()
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        digest.update(name.encode())
        digest.update(str(a.dtype).encode())
        digest.update(a.tobytes())
    return digest.hexdigest()


def load_or_build(regions: list[BaseGeometry], directory: Path | None) -> ZoneGrid:
    """The grid for these regions: from `directory` when a sound file for them is there,
    otherwise built (and written there, when a directory is given)."""
    key = regions_key(regions) if directory is not None else ""
    return cached(directory, "grid", key, ZoneGrid, lambda: build(regions))


@dataclass(frozen=True)
class NearestCandidates:
    """Per cell of a grid, the edges (positions in `edges_of`'s order) that may be the
    nearest to a point in the cell, for one set of zones in effect; built by
    `jig.engine.candidates.nearest_candidates`."""

    start: np.ndarray  # cell c's are ids[start[c]:start[c+1]]
    ids: np.ndarray  # int32, nearest the cell's centre first
    kept: np.ndarray  # per cell: False where none are kept (searched ring by ring)
    low: np.ndarray  # float32: each one's distance to the cell's centre, rounded down

    def arrays(self) -> dict[str, np.ndarray]:
        return {f.name: np.asarray(getattr(self, f.name)) for f in fields(self)}


def candidates_key(grid_key: str, active: np.ndarray) -> str:
    """The key of the candidates for the zones `active` of the regions keyed `grid_key`."""
    digest = hashlib.sha256(f"jig-candidates-{VERSION}-{grid_key}".encode())
    digest.update(np.packbits(np.asarray(active, bool)).tobytes())
    return digest.hexdigest()


def outlines_key(grid_key: str, member: np.ndarray) -> str:
    """The key of the disc outlines of the zones `member` of the regions keyed `grid_key`:
    GEOS's version too, as the unions are its (a file from another version could give the
    kernels other vertices than the one-by-one path builds). Bump VERSION when
    `geo.Outline`'s arrays change."""
    digest = hashlib.sha256(f"jig-outlines-{VERSION}-{shapely.geos_version_string}-"
                            f"{OUTLINE_RUN}-{grid_key}".encode())
    digest.update(np.packbits(np.asarray(member, bool)).tobytes())
    return digest.hexdigest()


def cached(directory: Path | None, stem: str, key: str, kind: type, make: Callable[[], Any]
           ) -> Any:
    """`make()`, or the arrays of a sound file `stem-key.npz` in `directory` read back as a
    `kind` (a dataclass of arrays and scalars); what is made is written there for the next
    run. Without a directory nothing is read or written."""
    if directory is None:
        return make()
    path = Path(directory) / f"{stem}-{key}.npz"
    hit = _read(path, key, kind)
    if hit is None:
        hit = make()
        _write(path, key, hit)
    return hit


def _read(path: Path, key: str, kind: type) -> Any:
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {name: f[name] for name in f.files}
    except Exception:  # missing, truncated, not a zip, not arrays: rebuilt, whatever the cause
        return None
    try:
        if str(arrays.pop("key")) != key or str(arrays.pop("checksum")) != _checksum(arrays):
            return None
        scalars = {"float": float, "int": int}
        return kind(**{f.name: (scalars[f.type](arrays[f.name]) if f.type in scalars
                                else arrays[f.name]) for f in fields(kind)})
    except (KeyError, ValueError, TypeError):  # arrays missing or of the wrong shape
        return None


def _write(path: Path, key: str, value: Any) -> None:
    arrays = value.arrays()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed: a reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, key=np.array(key), checksum=np.array(_checksum(arrays)), **arrays)
        os.replace(tmp, path)
    except OSError:
        pass  # a cache that cannot be written only costs the next run a rebuild
