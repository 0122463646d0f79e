"""Which stored incidents could matter to an act, decided before any record is read: the box
around a place, acts grouped to be searched together, and the engine's own test of time and
distance applied to the columns a search returns. Pure: the store's searches use them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from jig.geo import geodesic_m
from jig.records import Incident

# Acts searched for evidence in groups near in time and place, at most (see `groups`).
GROUPED = 64


def groups(acts: Sequence[Incident], before_s: float, reach_m: float
           ) -> list[tuple[float, float, Sequence[Incident]]]:
    """The acts in groups searched together, each with its first start and last end: an act
    joins a group whose first act started at most `before_s` earlier and lies within twice
    the reach, so their windows and boxes overlap. Searched as one window and one box, acts
    days or tens of kilometres apart (a batch of intakes from many clients, the acts a late
    report may excuse) read every candidate between them: 9 in 10 of the rows searched.
    Past GROUPED acts, all in one group: a bulk batch of 1,000 made hundreds of groups, and
    their queries took longer than one search over the batch's span (jig import 11.8 ->
    19.0 s of CPU on UCDP GED 2016-2019)."""
    if len(acts) > GROUPED:
        return [(min(a.span.start for a in acts), max(a.span.end for a in acts), acts)]
    made: list[tuple[Incident, float, list[Incident]]] = []
    open_: list[int] = []  # groups whose first act is still within before_s
    for act in sorted(acts, key=lambda a: a.span.start):
        open_ = [g for g in open_ if act.span.start - made[g][0].span.start <= before_s]
        near = []
        if open_:  # one call for the distances to every open group's first act
            d = geodesic_m(act.lon, act.lat, np.array([made[g][0].lon for g in open_]),
                           np.array([made[g][0].lat for g in open_]))
            near = [g for g, far in zip(open_, d > 2 * reach_m, strict=True) if not far]
        if near:
            first, last, members = made[near[0]]
            members.append(act)
            made[near[0]] = (first, max(last, act.span.end), members)
        else:
            open_.append(len(made))
            made.append((act, act.span.end, [act]))
    return [(first.span.start, last, members) for first, last, members in made]


def within_reach(rows: list[Any], acts: Sequence[Incident], before_s: float,
                  within_m: float) -> list[Any]:
    """The candidates (searched rows) that start within `before_s` before one of the acts (or
    during it) and lie within `within_m` of it: the engine's own test (`check_evidence`),
    with the largest time and distance of the agreement's requirements and the same
    distance function, so that no incident it could use is left out."""
    if not rows:
        return rows
    lon = np.array([r.lon for r in rows])
    lat = np.array([r.lat for r in rows])
    start = np.array([r.t_start for r in rows])
    keep = np.zeros(len(rows), dtype=bool)
    for act in acts:
        when = ~keep & (start >= act.span.start - before_s) & (start <= act.span.end)
        at = np.flatnonzero(when)
        if at.size:
            # A hair over the reach: the same doubles give the same distance, but the rows'
            # order in the array must not matter.
            keep[at[geodesic_m(act.lon, act.lat, lon[at], lat[at]) <= within_m * (1 + 1e-9)]] = True
    return [r for r, k in zip(rows, keep, strict=True) if k]


def bbox_around(lon: float, lat: float, metres: float) -> tuple[float, float, float, float]:
    """A box of longitudes and latitudes (min lon, min lat, max lon, max lat) holding every
    point within `metres` of (lon, lat), a little wider than needed: near the poles the
    degrees of longitude are bounded rather than divided by a cosine near zero."""
    dlat = metres / 110_574.0 + 1e-6
    dlon = metres / (111_320.0 * max(math.cos(math.radians(lat)), 0.01)) + 1e-6
    return lon - dlon, lat - dlat, lon + dlon, lat + dlat
