"""Each grid cell's candidate nearest edges: what the kernels measure a point's nearest zone
over, built once per agreement version and set of zones in effect (compiled, like the kernels
whose distance formula and margins it shares).

An edge is a candidate for a cell when its least distance to the cell is within the cell's
reach: the farthest any point of the cell can be from the edge nearest the cell's centre. So
the edge nearest any point of the cell is always a candidate, and so is every edge exactly as
near. They are kept nearest the centre first, with that distance rounded down, so that a point
can stop as soon as the rest are beyond the nearest it has found (`kernels._nearest`).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from jig.engine.kernels import SLACK, seg_dist

# A cell's nearest-edge candidates are kept only within this many rings of cells and up to
# this many edges; points in a cell beyond either are searched ring by ring.
CANDIDATE_RINGS = 24
MAX_CANDIDATES = 512
HALF_DIAGONAL = 0.7071067811865476


@njit(nogil=True, cache=True)
def _cell_reach(ci, cj, x0, y0, h, nx, ny, ax, ay, bx, by, owner, cstart, far, active):
    """How far from some edge of an active zone every point of cell (ci, cj) lies at most:
    the farthest corner's distance to the edge nearest the cell's centre (a segment's
    distance is convex, so the farthest point is a corner); -1 when there is no such edge,
    or it is farther than CANDIDATE_RINGS cells (the cell is left to the ring search)."""
    cx, cy = x0 + (ci + 0.5) * h, y0 + (cj + 0.5) * h
    best = np.inf
    near = -1
    ring = far[cj * nx + ci]
    last = max(max(ci, nx - 1 - ci), max(cj, ny - 1 - cj))
    while True:
        for j in range(max(cj - ring, 0), min(cj + ring, ny - 1) + 1):
            step = 1 if (j == cj - ring or j == cj + ring or ring == 0) else 2 * ring
            i = ci - ring
            while i <= ci + ring:
                if 0 <= i < nx:
                    c = j * nx + i
                    for t in range(cstart[c], cstart[c + 1]):
                        if active[owner[t]]:
                            d = seg_dist(cx, cy, ax[t], ay[t], bx[t], by[t])
                            if d < best:
                                best, near = d, t
                i += step
        if ring * h + 0.5 * h > best * SLACK or ring >= last:
            break
        ring += 1
    if near < 0:
        return -1.0
    reach = 0.0
    for qx in (cx - 0.5 * h, cx + 0.5 * h):
        for qy in (cy - 0.5 * h, cy + 0.5 * h):
            reach = max(reach, seg_dist(qx, qy, ax[near], ay[near], bx[near], by[near]))
    reach = reach * SLACK + 1e-3
    if math.ceil(reach / h) + 1 > CANDIDATE_RINGS:
        return -1.0
    return reach


@njit(nogil=True, cache=True)
def _cell_candidates(ci, cj, reach, x0, y0, h, nx, ny, ax, ay, bx, by, owner, edge, cstart,
                     active, stamp, tag, out, low, at):
    """How many edges of active zones may be the nearest to some point of cell (ci, cj):
    those whose least distance to the cell is at most its `reach`. They are written to
    out[at:] (with their distance to the cell's centre, rounded down to float32, in low[at:])
    when `out` has room; -1 when there are more than MAX_CANDIDATES (the cell is left to the
    ring search)."""
    cx, cy = x0 + (ci + 0.5) * h, y0 + (cj + 0.5) * h
    rings = math.ceil(reach / h) + 1
    n = 0
    lo_x, hi_x = cx - 0.5 * h, cx + 0.5 * h
    lo_y, hi_y = cy - 0.5 * h, cy + 0.5 * h
    for j in range(max(cj - rings, 0), min(cj + rings, ny - 1) + 1):
        gy = max(abs(j - cj) - 1, 0) * h
        for i in range(max(ci - rings, 0), min(ci + rings, nx - 1) + 1):
            gx = max(abs(i - ci) - 1, 0) * h
            if gx * gx + gy * gy > reach * reach:
                continue
            c = j * nx + i
            for t in range(cstart[c], cstart[c + 1]):
                e = edge[t]
                if stamp[e] == tag or not active[owner[t]]:
                    continue
                stamp[e] = tag
                # Lower bounds of the edge's distance to the cell: its box's, and its
                # distance to the centre less the half diagonal.
                ex = max(max(min(ax[t], bx[t]) - hi_x, lo_x - max(ax[t], bx[t])), 0.0)
                ey = max(max(min(ay[t], by[t]) - hi_y, lo_y - max(ay[t], by[t])), 0.0)
                if ex * ex + ey * ey > reach * reach:
                    continue
                d = seg_dist(cx, cy, ax[t], ay[t], bx[t], by[t])
                if d - HALF_DIAGONAL * h * SLACK > reach:
                    continue
                if at + n < len(out):
                    out[at + n] = e
                    d32 = np.float32(d)
                    if d32 > d:
                        d32 = np.nextafter(d32, np.float32(-np.inf))
                    low[at + n] = d32
                n += 1
                if n > MAX_CANDIDATES:
                    return -1
    return n


@njit(nogil=True, cache=True, parallel=True)
def nearest_candidates(x0, y0, h, nx, ny, ax, ay, bx, by, owner, edge, cstart, far, active,
                       edges):
    """Per cell, the edges (ids among `edges` of them) that may be the nearest to a point in
    it, as (start, ids, kept, low): cell c's are ids[start[c]:start[c+1]], nearest its centre
    first, with that distance rounded down in `low`; none are kept where `kept[c]` is False
    (points there are searched ring by ring)."""
    ncell = nx * ny
    count = np.full(ncell, -1, np.int64)
    reach = np.empty(ncell)
    rows = 8
    empty = np.zeros(0, np.int32)
    none = np.zeros(0, np.float32)
    for b in prange((ny + rows - 1) // rows):
        stamp = np.full(edges, -1, np.int64)
        for cj in range(b * rows, min(ny, (b + 1) * rows)):
            for ci in range(nx):
                c = cj * nx + ci
                reach[c] = _cell_reach(ci, cj, x0, y0, h, nx, ny, ax, ay, bx, by, owner, cstart,
                                       far, active)
                if reach[c] >= 0:
                    count[c] = _cell_candidates(ci, cj, reach[c], x0, y0, h, nx, ny, ax, ay, bx,
                                                by, owner, edge, cstart, active, stamp, c, empty,
                                                none, 0)
    start = np.zeros(ncell + 1, np.int64)
    for c in range(ncell):
        start[c + 1] = start[c] + max(count[c], 0)
    ids = np.empty(start[ncell], np.int32)
    low = np.empty(start[ncell], np.float32)
    for b in prange((ny + rows - 1) // rows):
        stamp = np.full(edges, -1, np.int64)
        for cj in range(b * rows, min(ny, (b + 1) * rows)):
            for ci in range(nx):
                c = cj * nx + ci
                if count[c] > 0:
                    a, z = start[c], start[c + 1]
                    _cell_candidates(ci, cj, reach[c], x0, y0, h, nx, ny, ax, ay, bx, by, owner,
                                     edge, cstart, active, stamp, c, ids, low, a)
                    o = np.argsort(low[a:z], kind="mergesort")
                    ids[a:z] = ids[a:z][o]
                    low[a:z] = low[a:z][o]
    return start, ids, count > 0, low
