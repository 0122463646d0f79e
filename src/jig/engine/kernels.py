"""Compiled kernels: the zone rules' plain cases decided for every incident of a batch.

Imported only through `jig.engine.accel`, for batches large enough to repay loading Numba.
Each incident is decided exactly as `jig.engine.fast` decides it from GEOS's answers:

- containment by the crossing parity of a ray to the right, walked through the grid's cells
  until it reaches a cell the zone covers whole or misses whole;
- distances by GEOS's own point-to-segment formula (`Distance::pointToSegment`), over the
  edges of growing rings of cells, so the metres quoted are bit for bit GEOS's;
- anything the straightforward path must weigh (an edge within ON_EDGE_M, a disc reaching an
  edge, a zone whose window does not cover the span, two zones equally near) is SLOW.

Numba over Cython: no compiler or build step on the machines jig installs on (wheels only),
the kernels stay Python source beside the NumPy path they mirror, and `cache=True` keeps the
machine code between runs.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from jig.geo import ON_EDGE_M

# Outcome codes, as jig.engine.fast's.
BREACH, COMPLIES, SLOW = 0, 3, 9
# Incidents per block of a parallel loop: each block allocates its scratch arrays once.
BLOCK = 2048
# Relative margin on search bounds, far above the rounding of a cell's bounds.
SLACK = 1.0 + 1e-9


@njit(nogil=True, cache=True)
def seg_dist(px: float, py: float, ax: float, ay: float, bx: float, by: float) -> float:
    """GEOS's Distance::pointToSegment, operation for operation (no fused multiply-add)."""
    if ax == bx and ay == by:
        dx, dy = px - ax, py - ay
        return math.sqrt(dx * dx + dy * dy)
    len2 = (bx - ax) * (bx - ax) + (by - ay) * (by - ay)
    t = ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / len2
    if t <= 0.0:
        dx, dy = px - ax, py - ay
        return math.sqrt(dx * dx + dy * dy)
    if t >= 1.0:
        dx, dy = px - bx, py - by
        return math.sqrt(dx * dx + dy * dy)
    s = ((ay - py) * (bx - ax) - (ax - px) * (by - ay)) / len2
    return abs(s) * math.sqrt(len2)


@njit(nogil=True, cache=True)
def _contained(px, py, x0, y0, h, nx, ny, ax, ay, bx, by, owner, cstart, vstart, vzone,
               active, state, parity, mark, clock, pend, ins):
    """The active zones holding the point, written to `ins`; returns how many. `mark` and
    `clock` tell which zones have an edge in the cell being looked at (a stamp per cell)."""
    ni = 0
    fi, fj = (px - x0) / h, (py - y0) / h
    if not (fi >= 0 and fj >= 0 and fi < nx and fj < ny):
        return 0  # beyond every edge's bounding box: in no zone
    ci, cj = int(fi), int(fj)
    c = cj * nx + ci
    for t in range(vstart[c], vstart[c + 1]):
        z = vzone[t]
        if active[z]:
            ins[ni] = z
            ni += 1
    # Zones with an edge in the point's cell: decided along the ray.
    npend = 0
    for t in range(cstart[c], cstart[c + 1]):
        z = owner[t]
        if active[z] and state[z] == 0:
            state[z] = 1
            parity[z] = 0
            pend[npend] = z
            npend += 1
    left = npend
    col = ci
    while left > 0:
        cc = cj * nx + col
        for t in range(cstart[cc], cstart[cc + 1]):
            k = t
            z = owner[k]
            if state[z] != 1:
                continue
            ya, yb = ay[k], by[k]
            if (ya > py) != (yb > py):
                xa, xb = ax[k], bx[k]
                xi = xa + (py - ya) * (xb - xa) / (yb - ya)
                # Kept within the edge's own extent, so that its column is one of the edge's.
                xi = min(max(xi, min(xa, xb)), max(xa, xb))
                if xi > px and math.floor((xi - x0) / h) == col:
                    parity[z] ^= 1
        col += 1
        if col >= nx:
            for q in range(npend):
                z = pend[q]
                if state[z] == 1:
                    if parity[z] == 1:
                        ins[ni] = z
                        ni += 1
                    state[z] = 2
            break
        nc = cj * nx + col
        clock[0] += 1
        tick = clock[0]
        for t in range(cstart[nc], cstart[nc + 1]):
            mark[owner[t]] = tick
        for q in range(npend):
            z = pend[q]
            if state[z] == 1 and mark[z] != tick:
                covered = 0
                for t in range(vstart[nc], vstart[nc + 1]):
                    if vzone[t] == z:
                        covered = 1
                        break
                if covered ^ parity[z]:
                    ins[ni] = z
                    ni += 1
                state[z] = 2
                left -= 1
    for q in range(npend):
        state[pend[q]] = 0
    return ni


@njit(nogil=True, cache=True)
def _need(r, ni, ins, dz, best):
    """How far the search must reach: the disc's radius (and ON_EDGE_M), and the distance to
    every zone holding the point (its depth), or else to the nearest edge."""
    need = max(r, ON_EDGE_M)
    if ni > 0:
        for q in range(ni):
            need = max(need, dz[ins[q]])
    else:
        need = max(need, best)
    return need


@njit(nogil=True, cache=True)
def _decide_one(px, py, r, s, e, x0, y0, h, nx, ny, ax, ay, bx, by, owner, cstart,
                vstart, vzone, far, active, wstart, wend, dz, touched, state, parity, mark,
                clock, pend, ins):
    """(outcome, zone, metres) for one incident; see the module's docstring."""
    ni = _contained(px, py, x0, y0, h, nx, ny, ax, ay, bx, by, owner, cstart, vstart,
                    vzone, active, state, parity, mark, clock, pend, ins)
    ci = min(max(math.floor((px - x0) / h), 0), nx - 1)
    cj = min(max(math.floor((py - y0) / h), 0), ny - 1)
    fx, fy = px - (x0 + ci * h), py - (y0 + cj * h)
    # How far the unvisited cells are at least: the nearest side of the point's cell that
    # has cells beyond it.
    m = np.inf
    if fx >= 0:
        m = min(m, fx)
    if h - fx >= 0:
        m = min(m, h - fx)
    if fy >= 0:
        m = min(m, fy)
    if h - fy >= 0:
        m = min(m, h - fy)
    ring = far[cj * nx + ci]
    last = max(max(ci, nx - 1 - ci), max(cj, ny - 1 - cj))
    best = np.inf
    who = -1
    tie = False
    nt = 0
    need = np.inf
    while True:
        for j in range(max(cj - ring, 0), min(cj + ring, ny - 1) + 1):
            edge_row = j == cj - ring or j == cj + ring
            step = 1 if edge_row or ring == 0 else 2 * ring
            gy = max(y0 + j * h - py, py - (y0 + (j + 1) * h), 0.0)
            i = ci - ring
            while i <= ci + ring:
                if 0 <= i < nx:
                    c = j * nx + i
                    # A cell wholly farther than what is still needed is passed over.
                    gx = max(x0 + i * h - px, px - (x0 + (i + 1) * h), 0.0)
                    if math.sqrt(gx * gx + gy * gy) > need * SLACK + ON_EDGE_M:
                        i += step
                        continue
                    for t in range(cstart[c], cstart[c + 1]):
                        k = t
                        z = owner[k]
                        if not active[z]:
                            continue
                        d = seg_dist(px, py, ax[k], ay[k], bx[k], by[k])
                        if d < dz[z]:
                            if dz[z] == np.inf:
                                touched[nt] = z
                                nt += 1
                            dz[z] = d
                        if d < best:
                            best, who, tie = d, z, False
                        elif d == best and z != who:
                            tie = True
                    need = _need(r, ni, ins, dz, best)
                i += step
        need = _need(r, ni, ins, dz, best)
        # Every cell beyond this ring is at least ring * h + m away (with a margin for the
        # rounding of cell bounds: a tie must not be missed).
        if ring * h + m > need * SLACK + ON_EDGE_M or ring >= last:
            break
        ring += 1

    outcome, zone, metres = SLOW, -1, 0.0
    if best > ON_EDGE_M:
        reaches = False
        for q in range(nt):
            if dz[touched[q]] < r:  # inside or not, the disc reaches its edge
                reaches = True
        if not reaches:
            if ni == 0:
                if not tie:
                    outcome, zone, metres = COMPLIES, who, best
            else:
                split = False
                deep = -1
                for q in range(ni):
                    z = ins[q]
                    covers = (wstart[z] <= s < wend[z]) if s == e else \
                        (wstart[z] <= s and e <= wend[z])
                    if not covers:
                        split = True
                    if deep < 0 or dz[z] > dz[deep] or (dz[z] == dz[deep] and z < deep):
                        deep = z
                if not split:
                    outcome, zone, metres = BREACH, deep, dz[deep]
    for q in range(nt):
        dz[touched[q]] = np.inf
    return outcome, zone, metres


@njit(nogil=True, cache=True, parallel=True)
def decide(x, y, r, s, e, active, wstart, wend, x0, y0, h, nx, ny, ax, ay, bx, by, owner,
           cstart, vstart, vzone, far, outcome, zone, metres):
    """Decide every incident (arrays of equal length; results written to the last three)."""
    n = len(x)
    nz = len(active)
    blocks = (n + BLOCK - 1) // BLOCK
    for b in prange(blocks):
        dz = np.full(nz, np.inf)
        touched = np.empty(nz, np.int64)
        state = np.zeros(nz, np.int8)
        parity = np.zeros(nz, np.int8)
        mark = np.zeros(nz, np.int64)
        clock = np.zeros(1, np.int64)
        pend = np.empty(nz, np.int64)
        ins = np.empty(nz, np.int64)
        for k in range(b * BLOCK, min(n, (b + 1) * BLOCK)):
            o, z, d = _decide_one(x[k], y[k], r[k], s[k], e[k], x0, y0, h, nx, ny, ax, ay, bx,
                                  by, owner, cstart, vstart, vzone, far, active, wstart,
                                  wend, dz, touched, state, parity, mark, clock, pend, ins)
            outcome[k] = o
            zone[k] = z
            metres[k] = d
