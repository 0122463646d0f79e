"""The area a circle shares with a region, edge by edge: one routine for both paths.

The one-by-one path runs `rings_area` as plain Python (on lists); the compiled kernels run
the same source compiled by Numba (`jig.engine.kernels`). Both do the same IEEE operations in
the same order (no fused multiply-add either way, `math.atan2` and `math.sqrt` from the C
library), so the share of a location disc inside the zones, and the `p` a finding quotes,
are the same to the last bit whichever path decides the incident. It must therefore stay one
self-contained function using only `math`: Numba cannot call uncompiled helpers.

Each oriented edge (a, b) adds the signed area of the circle's intersection with the triangle
(centre, a, b): a triangle where it runs inside the circle, a circular sector where outside.
Summed over rings oriented so that their signed areas add up to the region's (exteriors
counter-clockwise, holes clockwise), this is the area exactly. Edges are taken in runs of a
few consecutive edges of one ring with their bounding box, and rings with theirs:

- a ring whose box the circle does not reach adds nothing (it winds around no point of the
  circle's centre side: its sectors cancel);
- a run whose box the circle does not reach adds the sector between its first and last
  vertex (the centre lies outside its box, so the angle it sweeps is below pi);
- a run whose box lies inside the circle adds its triangles only, from the sum of its edges'
  cross products kept with it; a ring inside the circle, its own area.

Only runs near the circle's edge are measured edge by edge: a disc of 50 km against a zone
of hundreds of edges costs tens of edges, not hundreds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

# Lists in plain Python, arrays in Numba.
Ints = Sequence[int] | np.ndarray
Floats = Sequence[float] | np.ndarray

# Consecutive edges of a ring per run.
RUN = 16


def rings_area(ring_run: Ints, rx0: Floats, ry0: Floats, rx1: Floats, ry1: Floats,
               ring_cross: Floats, run_edge: Ints, ux0: Floats, uy0: Floats, ux1: Floats,
               uy1: Floats, run_cross: Floats, ax: Floats, ay: Floats, bx: Floats, by: Floats,
               first: int, last: int, x: float, y: float, r: float) -> float:
    """The signed area that rings first..last-1 share with the circle (x, y, r).

    ring_run[i]:ring_run[i+1] are ring i's runs, (rx0, ry0, rx1, ry1) its box; run_edge[j]:
    run_edge[j+1] are run j's edges (a -> b), (ux0, uy0, ux1, uy1) its box; ring_cross and
    run_cross the sums of a x b over their edges (twice the area they sweep about the origin).
    """
    rr = r * r
    total = 0.0
    for i in range(first, last):
        gx = max(max(rx0[i] - x, x - rx1[i]), 0.0)
        gy = max(max(ry0[i] - y, y - ry1[i]), 0.0)
        if gx * gx + gy * gy >= rr:
            continue  # the whole ring stays outside the circle and winds around nothing in it
        fx = max(x - rx0[i], rx1[i] - x)
        fy = max(y - ry0[i], ry1[i] - y)
        if fx * fx + fy * fy < rr:
            total += 0.5 * ring_cross[i]  # the whole ring inside: its own signed area
            continue
        for j in range(ring_run[i], ring_run[i + 1]):
            lo = run_edge[j]
            hi = run_edge[j + 1]
            gx = max(max(ux0[j] - x, x - ux1[j]), 0.0)
            gy = max(max(uy0[j] - y, y - uy1[j]), 0.0)
            if gx * gx + gy * gy >= rr:
                # Outside the circle: the sector between the run's ends.
                px = ax[lo] - x
                py = ay[lo] - y
                qx = bx[hi - 1] - x
                qy = by[hi - 1] - y
                total += 0.5 * rr * math.atan2(px * qy - py * qx, px * qx + py * qy)
                continue
            fx = max(x - ux0[j], ux1[j] - x)
            fy = max(y - uy0[j], uy1[j] - y)
            if fx * fx + fy * fy < rr:
                # Inside the circle: the triangles (centre, a, b), whose sum is the run's
                # sweep about the origin less the centre's cross the run's chord.
                total += 0.5 * (run_cross[j] - (x * (by[hi - 1] - ay[lo])
                                                - y * (bx[hi - 1] - ax[lo])))
                continue
            for k in range(lo, hi):
                px = ax[k] - x
                py = ay[k] - y
                ex = bx[k] - x
                ey = by[k] - y
                dx = ex - px
                dy = ey - py
                a2 = dx * dx + dy * dy
                hb = px * dx + py * dy
                c = px * px + py * py - rr
                d2 = hb * hb - a2 * c
                u1 = 0.0
                u2 = 0.0
                if d2 > 0.0 and a2 > 0.0:
                    # Where the edge's line enters and leaves the circle, as fractions of it.
                    root = math.sqrt(d2)
                    u1 = min(max((-hb - root) / a2, 0.0), 1.0)
                    u2 = min(max((-hb + root) / a2, 0.0), 1.0)
                p1x = px + u1 * dx
                p1y = py + u1 * dy
                p2x = px + u2 * dx
                p2y = py + u2 * dy
                # The angles swept outside the circle, before it enters and after it
                # leaves: none where the edge starts (or ends) inside, as atan2(0, +) is
                # 0 exactly, so an edge inside costs no atan2 and one outside costs one.
                sector = 0.0
                if u1 > 0.0:
                    sector = math.atan2(px * p1y - py * p1x, px * p1x + py * p1y)
                if u2 < 1.0:
                    sector += math.atan2(p2x * ey - p2y * ex, p2x * ex + p2y * ey)
                total += 0.5 * rr * sector + 0.5 * (p1x * p2y - p1y * p2x)
    return total
