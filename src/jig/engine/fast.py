"""The zone rules judged for all incidents at once, in arrays.

Most acts under an agreement with many zones are plainly inside one zone or plainly outside all
of them, at a time when everything is in effect: their findings follow from a few arrays (the
zones each location disc reaches, the depth of the point in them, the nearest zone) without a
Python step per incident. Everything else (a disc straddling an edge, a time span straddling a
validity boundary, an unidentified actor or act, a breach an exception might excuse, equally
near zones) is left to the straightforward path, one incident at a time, so that the findings
are the same by construction for those; for the plain ones `tests/test_equivalence.py` checks
it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from jig.agreement.model import Agreement, Clause
from jig.engine import accel
from jig.engine.approximate import edge_margin_m
from jig.engine.context import Batch
from jig.engine.featureset import FeatureSet, Windows
from jig.geo import EDGE, IN, ON_EDGE_M
from jig.times import Window

# Outcome codes of the arrays (BREACH, UNDETERMINED and COMPLIES are positions in OUTCOMES).
NONE, BREACH, UNDETERMINED, COMPLIES, SLOW = -1, 0, 1, 3, 9


@dataclass(frozen=True)
class ZoneColumns:
    """One zone clause's outcome for every incident of a batch: NONE (no finding), BREACH or
    COMPLIES (with the zone named and the metres quoted: depth inside, or distance to the
    nearest), UNDETERMINED (a disc straddling the edge of the zone named, the metres its point
    lies inside (> 0) or outside it, `p` the share of the disc inside the zones), or SLOW
    (judged one by one)."""

    outcome: np.ndarray
    zone: np.ndarray
    metres: np.ndarray
    p: np.ndarray


def _prelude(batch: Batch, clause: Clause, out: np.ndarray) -> np.ndarray:
    """Which incidents the clause's actor, act and weapon tests let through to the zones
    (`judge_clause`'s first half); those with a doubt are marked SLOW in `out`."""
    known = batch.per_actor("actor", lambda a: a is not None)
    bound = batch.per_actor("actor", lambda a: a in clause.bound)
    covered = batch.per_value("act", clause.covers_act)
    unknown_act = batch.per_value("act", lambda a: a == "unknown")
    passes = (bound | ~known) & (covered | unknown_act)
    if clause.rule == "no_weapons_in":
        weapons = clause.weapons_folded
        passes &= batch.per_value("weapon", lambda w: bool(w) and w.casefold() in weapons)
    doubt = passes & (~known | ~covered)
    if clause.against is not None:
        # Acts against an actor the clause protects; a named target it does not protect is
        # not applicable; an unnamed one may be protected: one by one.
        protected = batch.per_actor("target", lambda t: t in clause.against)
        named = batch.per_value("target", lambda t: bool(t))
        passes &= protected | ~named
        doubt |= passes & ~named
    out[doubt] = SLOW
    # A record naming two sides but not which acted is judged as the act of each, one by one
    # (`jig.engine.sides`): its other reading may pass where this one does not.
    if batch.columns.either is not None:
        out[batch.columns.either] = SLOW
        doubt |= batch.columns.either
    return passes & ~doubt


def window_groups(batch: Batch, windows: Windows, todo: np.ndarray
                   ) -> list[tuple[FeatureSet, np.ndarray]]:
    """The incidents of `todo` grouped by the set of places in effect during their span."""
    start, end = batch.start[todo], batch.end[todo]
    key = np.zeros(len(todo), dtype=np.int64)
    for bit, w in enumerate(windows.windows):
        key |= (~w.misses_many(start, end)).astype(np.int64) << bit
    groups = []
    for value in np.unique(key):
        mask = tuple(bool(value >> b & 1) for b in range(len(windows.windows)))
        groups.append((windows.with_mask(mask), todo[key == value]))
    return groups


def _covers(batch: Batch, ks: np.ndarray, window: Window) -> np.ndarray:
    return window.covers_many(batch.start[ks], batch.end[ks])


def zone_columns(batch: Batch, clause: Clause, windows: Windows) -> ZoneColumns:
    """`no_strikes_in` / `no_weapons_in` for every incident, plain cases in arrays."""
    n = len(batch)
    outcome = np.full(n, NONE, dtype=np.int8)
    zone = np.full(n, -1, dtype=np.int64)
    metres = np.zeros(n)
    p = np.zeros(n)
    a = batch.agreement
    live = _prelude(batch, clause, outcome)
    live &= ~a.in_force.misses_many(batch.start, batch.end)
    discs = int((live & (batch.r > 0)).sum())
    grid = accel.zone_grid(a) if accel.wanted(int(live.sum()), a, discs) else None
    for places, ks in window_groups(batch, windows, np.flatnonzero(live)):
        if not len(places) or not ks.size:
            continue  # no selected zone in effect: not applicable
        if grid is not None:
            outcome[ks], zone[ks], metres[ks], p[ks] = _compiled(batch, places, ks)
        else:
            outcome[ks], zone[ks], metres[ks] = _with_geos(batch, places, ks)
        # A span the agreement is not in force for all of is the straightforward path's.
        outcome[ks[~_covers(batch, ks, a.in_force)]] = SLOW
    if clause.exceptions:
        outcome[(outcome == BREACH) | (outcome == UNDETERMINED)] = SLOW
    # A reason naming an approximate zone near its edge says so: worded one by one.
    for z, margin in _approximate(a):
        outcome[(zone == z) & (np.abs(metres) <= margin) & (outcome != SLOW)] = SLOW
    return ZoneColumns(outcome, zone, metres, p)


def _approximate(a: Agreement) -> list[tuple[int, float]]:
    """(position, margin in metres) of each zone drawn without an official map."""
    key = ("approximate-zones",)
    hit = a.indexes.get(key)
    if hit is None:
        hit = a.indexes[key] = [(k, m) for k, z in enumerate(a.zones)
                                if (m := edge_margin_m(z)) is not None]
    return hit


def _compiled(batch: Batch, places: FeatureSet, ks: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The incidents `ks` decided by the compiled kernel over the agreement's zone grid."""
    a = batch.agreement
    member = np.fromiter((f in places for f in a.zones), bool, len(a.zones))
    if (member & accel.grown_zones(a)).any():
        return (*_with_geos(batch, places, ks), np.zeros(len(ks)))
    return accel.decide_zones(*kernel_arguments(batch, places, ks, member))


def kernel_arguments(batch: Batch, places: FeatureSet, ks: np.ndarray,
                     member: np.ndarray) -> tuple[Any, ...]:
    """`accel.decide_zones`'s arguments for incidents `ks` and the zones `places` (`member`
    of the agreement's zones): what bench/scale.py times the kernel alone on."""
    a = batch.agreement
    grid = accel.zone_grid(a)
    assert grid is not None
    # A disc's share is decided where every zone in effect is so for all of its span (one
    # piece of time, as `place` cuts it), so the zones it is measured against are `places`.
    steady = np.ones(len(ks), bool)
    for start, end in {(f.window.start, f.window.end) for f in places}:
        steady &= Window(start, end).covers_many(batch.start[ks], batch.end[ks])
    key = ("zone-windows",)
    windows = a.indexes.get(key)
    if windows is None:
        windows = a.indexes[key] = (np.array([z.window.start for z in a.zones], float),
                                    np.array([z.window.end for z in a.zones], float))
    discs = accel.disc_outlines(a, places) if (batch.r[ks] > 0).any() else None
    near = accel.nearest_candidates(a, member) if (batch.r[ks] == 0).any() else None
    return (grid, member, windows[0], windows[1], batch.x[ks], batch.y[ks], batch.r[ks],
            batch.start[ks], batch.end[ks], accel.runs_of(a), steady, discs, near)


def _with_geos(batch: Batch, places: FeatureSet, ks: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The incidents `ks` decided from GEOS's answers (relations and nearest-zone queries)."""
    n = len(batch)
    outcome = np.full(n, NONE, dtype=np.int8)
    zone = np.full(n, -1, dtype=np.int64)
    metres = np.zeros(n)
    position = {id(z): p for p, z in enumerate(batch.agreement.zones)}
    k, f, code, depth = _touching(batch, places, ks)
    straddles = np.zeros(n, bool)
    straddles[k[code == EDGE]] = True
    inside = code == IN
    # A zone the point lies in, but whose window does not cover the act's whole span, splits
    # the time: judged one by one.
    split = np.zeros(n, bool)
    for p in np.unique(f[inside]).tolist():
        z = places.features[p]
        at = k[inside & (f == p)]
        split[at[~_covers(batch, at, z.window)]] = True
    # Barely inside (on the edge, within rounding) is the straightforward path's call.
    edge_close = inside & (depth <= ON_EDGE_M)
    straddles[k[edge_close]] = True
    slow = straddles | split
    # Inside: the deepest zone it lies in (the first in file order on a tie).
    take = inside & ~slow[k]
    order = np.lexsort((f[take], -depth[take], k[take]))
    kk, ff, dd = k[take][order], f[take][order], depth[take][order]
    head = np.ones(len(kk), bool)
    head[1:] = kk[1:] != kk[:-1]
    hit = kk[head]
    outcome[hit] = BREACH
    zone[hit] = [position[id(places.features[p])] for p in ff[head].tolist()]
    metres[hit] = dd[head]
    # Outside every zone's reach: complies, quoting the nearest zone.
    reached = np.zeros(n, bool)
    reached[k] = True
    far = ks[~reached[ks]]
    if far.size:
        near_pos, gap = batch.nearest_far_many(places, far)
        tie = near_pos < 0
        ok = far[~tie]
        outcome[ok] = COMPLIES
        zone[ok] = [position[id(places.features[p])] for p in near_pos[~tie].tolist()]
        metres[ok] = gap[~tie]
        slow[far[tie]] = True
    outcome[slow] = SLOW
    return outcome[ks], zone[ks], metres[ks]


def _touching(batch: Batch, places: FeatureSet, ks: np.ndarray
              ) -> tuple[np.ndarray, ...]:
    """(incident, place position, code, depth) for each place of `places` that the disc of an
    incident of `ks` reaches."""
    member = np.zeros(len(batch), bool)
    member[ks] = True
    parts: list[tuple[np.ndarray, ...]] = []
    for p, z in enumerate(places.features):
        rel = batch.relations(z)
        keep = member[rel.idx] & (rel.near_code != 0)
        if keep.any():
            parts.append((rel.idx[keep], np.full(int(keep.sum()), p), rel.near_code[keep],
                          rel.near_depth[keep]))
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty.astype(np.int8), np.zeros(0)
    return tuple(np.concatenate(c) for c in zip(*parts, strict=True))
