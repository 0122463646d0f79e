"""Compiled containment: which zones hold a point, from the grid's cells (`jig.engine.grid`).

A point is decided from its own cell: the zones holding the cell's centre, and the crossings
of a short path from the point to the centre, told by the signs of orientations that are
exact beyond their rounding bound. Where one is too near to tell, the crossing parity of a
ray to the right, walked through the cells, decides instead. Inlined into the kernels
(`jig.engine.kernels`), which judge what containment finds.
"""

from __future__ import annotations

import math

from numba import njit

from jig.engine.grid import ORIENT_ERROR


@njit(nogil=True, cache=True)
def _contained_by_ray(px, py, x0, y0, h, nx, ny, ax, ay, bx, by, owner, cstart, vstart, vzone,
                      active, state, parity, mark, clock, pend, ins):
    """`_contained` by the crossing parity of a ray to the right, walked through the grid's
    cells until each zone with an edge in the point's cell reaches a cell it covers whole or
    misses whole: for the points whose own cell cannot tell. `mark` and `clock` tell which
    zones have an edge in the cell being looked at (a stamp per cell)."""
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


@njit(nogil=True, cache=True, inline="always")
def _side(ax, ay, bx, by, px, py):
    """1 when the point lies left of the line through a and b, -1 right, 0 on it or too near
    to tell (`grid.sides`, in the same operations): beyond the bound, the sign is exact."""
    left = (ax - px) * (by - py)
    right = (ay - py) * (bx - px)
    det = left - right
    bound = ORIENT_ERROR * (abs(left) + abs(right))
    if det > bound:
        return 1
    if det < -bound:
        return -1
    return 0


@njit(nogil=True, cache=True, inline="always")
def _contained(px, py, x0, y0, h, nx, ny, ax, ay, bx, by, owner, cstart, vstart, vzone, side,
               rstart, rzone, active, state, parity, mark, clock, pend, ins):
    """The active zones holding the point, written to `ins`; returns how many.

    From the point's own cell: a zone with an edge in it holds the point when it holds the
    cell's centre (`rzone`) and the path from the point across to the centre's column, then
    along it to the centre, crosses its edges an even number of times, or the reverse. Each
    crossing is told by the signs of orientations (which side of an edge's line the point,
    the corner of the path and the centre lie on), exact beyond their rounding bound; where
    one is too near to tell, the point takes the ray walk (`_contained_by_ray`). An edge
    ending on the path counts by the ray walk's half-open rule (an end at the path's height
    counts as below it, one in the centre's column as left of it), so a vertex is counted
    once."""
    fi, fj = (px - x0) / h, (py - y0) / h
    if not (fi >= 0 and fj >= 0 and fi < nx and fj < ny):
        return 0  # beyond every edge's bounding box: in no zone
    ci, cj = int(fi), int(fj)
    c = cj * nx + ci
    xc = x0 + (ci + 0.5) * h
    npend = 0
    sure = True
    for t in range(cstart[c], cstart[c + 1]):
        z = owner[t]
        if not active[z]:
            continue
        if state[z] == 0:
            state[z] = 1
            parity[z] = 0
            pend[npend] = z
            npend += 1
        if side[t] == 0:
            sure = False
            break
        xa, ya, xb, yb = ax[t], ay[t], bx[t], by[t]
        across = (ya > py) != (yb > py)  # crosses the point's row
        along = (xa > xc) != (xb > xc)  # crosses the centre's column
        if across or along:
            corner = _side(xa, ya, xb, yb, xc, py)
            if corner == 0:
                sure = False
                break
            if across:
                here = _side(xa, ya, xb, yb, px, py)
                if here == 0:
                    sure = False
                    break
                if here != corner:
                    parity[z] ^= 1
            if along and corner != side[t]:
                parity[z] ^= 1
    ni = 0
    if sure:
        for t in range(rstart[c], rstart[c + 1]):
            z = rzone[t]
            if active[z]:
                parity[z] ^= 1
        for t in range(vstart[c], vstart[c + 1]):
            z = vzone[t]
            if active[z]:
                ins[ni] = z
                ni += 1
        for q in range(npend):
            z = pend[q]
            if parity[z] == 1:
                ins[ni] = z
                ni += 1
    for q in range(npend):
        state[pend[q]] = 0
    if sure:
        return ni
    return _contained_by_ray(px, py, x0, y0, h, nx, ny, ax, ay, bx, by, owner, cstart, vstart,
                             vzone, active, state, parity, mark, clock, pend, ins)
