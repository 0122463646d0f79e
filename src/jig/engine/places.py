"""Where and when an act falls relative to zones, sites or targets, with its uncertainty.

Every format-1 rule reduces to one question: does the act lie inside the union of some places
valid at its time (`no_strikes_in`, `no_weapons_in`, `no_strikes_near_sites`), or outside it
(`only_agreed_targets`)? With a location disc and a time span, the answer is a probability:
the time span is cut where any place (or the agreement) starts or stops being valid, and each
piece contributes its share of time times the share of the disc on the breaching side, taking
location and time as uniform and independent. Certain answers are kept apart from computed
shares so that `breach` and `complies` are never the result of rounding.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import shapely

from jig.agreement.model import Agreement, Feature
from jig.engine.context import Batch
from jig.engine.featureset import FeatureSet, Windows
from jig.geo import EDGE, IN, Outline, area_in_circle, area_in_circles, share_of_circle
from jig.times import Span, Window

# A disc whose uncovered share is below this is covered: what remains is floating-point noise
# (for a 1 km disc, 1e-9 of its area is 3 mm²).
COVERED = 1e-9


@dataclass(frozen=True, slots=True)
class Placement:
    """The answer for one incident: probability of lying on the breaching side, and why."""

    p: float  # share of (time x location) on the breaching side
    certain: bool  # p is exactly 0 or 1, not an estimate
    space_split: bool  # the location disc straddles an edge that matters
    time_split: bool  # the time span straddles a validity boundary that matters
    touching: tuple[Feature, ...]  # places whose tolerance the disc reaches (valid at some time)


def _pieces(span: Span, places: list[Feature], in_force: tuple[float, float]) -> list[tuple[float, float]]:
    """(weight, instant) pieces of the span, cut at every validity boundary inside it."""
    if span.exact:
        return [(1.0, span.start)]
    cuts = {span.start, span.end}
    bounds = [in_force[0], in_force[1]]
    for f in places:
        bounds += [f.window.start, f.window.end]
    cuts.update(b for b in bounds if span.start < b < span.end)
    edges = sorted(cuts)
    total = span.end - span.start
    return [((b - a) / total, (a + b) / 2) for a, b in itertools.pairwise(edges)]


def place(batch: Batch, k: int, places: FeatureSet, inside_breaches: bool,
          in_force: Window | None = None) -> Placement:
    """Judge incident k against the union of `places` (each valid in its own window).

    `inside_breaches`: True when lying inside the union is the breach (zones, sites), False
    when lying outside is (agreed targets). Pieces of the span outside `in_force` (the
    agreement's, by default) count as not breaching.
    """
    inc = batch.incidents[k]
    touching = [f for f in batch.touching(k) if f in places]
    if in_force is None:
        in_force = batch.agreement.in_force
    pieces = _pieces(inc.span, touching, (in_force.start, in_force.end))
    x, y, r = float(batch.x[k]), float(batch.y[k]), float(batch.r[k])
    share_cache: dict[frozenset[str], float] = {}
    p = 0.0
    certain = True
    space_split = False
    values: set[float] = set()
    for weight, t in pieces:
        if not in_force.contains(t):
            values.add(0.0)
            continue
        valid = [f for f in touching if f.window.contains(t)]
        codes = [batch.relations(f).code[k] for f in valid]
        if IN in codes:
            inside, exact = 1.0, True
        elif EDGE not in codes:
            inside, exact = 0.0, True
        else:
            edge = [f for f, c in zip(valid, codes, strict=True) if c == EDGE]
            key = frozenset(f.id for f in edge)
            if key not in share_cache:
                share_cache[key] = share_of_circle(
                    _area_inside(batch, edge, x, y, r, places, t), r)
            inside, exact = share_cache[key], False
            if inside >= 1.0 - COVERED:
                # Several straddled places together cover the whole disc: taken together
                # (format 1), the act lies inside, with certainty.
                inside, exact = 1.0, True
            else:
                space_split = True
        q = inside if inside_breaches else 1.0 - inside
        certain = certain and exact
        values.add(round(q, 9))
        p += weight * q
    time_split = len(values) > 1
    certain = certain and not time_split
    return Placement(min(1.0, max(0.0, p)), certain, space_split, time_split, tuple(touching))


def _area_inside(batch: Batch, places: list[Feature], x: float, y: float, r: float,
                 live: FeatureSet, t: float) -> float:
    """The area the disc shares with the union of the places: exactly from their circles when
    all are points with a radius, else from their outlines (a buffered route's or area's
    rounded ends as the polygon drawn for them).

    Places that overlap count once: each place stands for the union of its overlap component
    among the places of `live` in effect at `t`, kept with the agreement. Its other members lie
    wholly outside the disc (they would be straddled or hold it otherwise), so the area is
    the same, and the component's outline is shared by every disc near it and by the
    compiled kernels (`jig.engine.discs`), which add the same outlines in the same order.
    """
    if all(f.circles for f in places):
        centres = shapely.get_coordinates(np.array([f.core for f in places], dtype=object))
        counts = [len(shapely.get_coordinates(f.core)) for f in places]
        radius = np.repeat([f.radius_m for f in places], counts)
        return area_in_circles(x, y, r, centres[:, 0], centres[:, 1], radius)
    outlines: list[Outline] = []
    seen: set[int] = set()
    for f in places:
        if id(f) in seen:
            continue
        members = overlap_component(batch.agreement, f, live, t)
        seen.update(id(m) for m in members)
        outlines.append(component_outline(batch.agreement, members))
    return area_in_circle(outlines, [1.0] * len(outlines), x, y, r)


def overlap_component(agreement: Agreement, f: Feature, live: FeatureSet, t: float | None
                      ) -> tuple[Feature, ...]:
    """The places of `live` in effect at `t` (None: all of them) that share area with f,
    directly or through others, f included, in the agreement's order."""
    neighbours = overlapping(agreement)
    found = {id(f): f}
    todo = [f]
    while todo:
        for g in neighbours.get(id(todo.pop()), ()):
            if (g in live and (t is None or g.window.contains(t))
                    and id(g) not in found):
                found[id(g)] = g
                todo.append(g)
    if len(found) == 1:
        return (f,)
    order = agreement.indexes.get("feature-order")
    if order is None:
        order = agreement.indexes["feature-order"] = {
            id(g): k for k, g in enumerate((*agreement.zones, *agreement.sites,
                                            *agreement.targets))}
    return tuple(sorted(found.values(), key=lambda g: order[id(g)]))


def overlapping(agreement: Agreement) -> dict[int, list[Feature]]:
    """For each place (by id), the places of the agreement it shares area with."""
    hit = agreement.indexes.get("overlap-neighbours")
    if hit is None:
        every = [*agreement.zones, *agreement.sites, *agreement.targets]
        regions = np.array([f.region for f in every], dtype=object)
        i, j = shapely.STRtree(regions).query(regions, predicate="intersects")
        keep = i < j
        i, j = i[keep], j[keep]
        # Sharing area is the interiors meeting: GEOS's exact predicate, four times quicker
        # than measuring the overlay's area, and free of an overlay's slivers.
        shared = (shapely.relate_pattern(regions[i], regions[j], "T********") if i.size
                  else np.zeros(0, bool))
        hit = {}
        for p, q, s in zip(i.tolist(), j.tolist(), np.asarray(shared).tolist(), strict=True):
            if s:
                hit.setdefault(id(every[p]), []).append(every[q])
                hit.setdefault(id(every[q]), []).append(every[p])
        agreement.indexes["overlap-neighbours"] = hit
    return hit


def component_outline(agreement: Agreement, members: tuple[Feature, ...]) -> Outline:
    """The outline of the members' union (of the region itself for one), kept with the
    agreement."""
    key = ("union", tuple(id(f) for f in members))
    hit = agreement.indexes.get(key)
    if hit is None:
        hit = agreement.indexes[key] = Outline.union([f.region for f in members])
    return hit


def within_union(batch: Batch, k: int, places: FeatureSet) -> bool:
    """Whether incident k's disc lies wholly within the union of `places` in effect, at every
    moment of its span, whether the agreement is in force or not: where evidence lies (ruling
    5 of the format: evidence places are taken together, like the zones of `no_strikes_in`)."""
    pl = place(batch, k, places, inside_breaches=True, in_force=Window())
    return pl.certain and pl.p == 1.0


def nearest(batch: Batch, k: int, places: FeatureSet) -> tuple[Feature, float] | None:
    """The place whose tolerance edge is nearest to (or deepest around) incident k's point,
    and the signed distance to that edge (negative outside)."""
    if not places:
        return None
    touching = [f for f in batch.touching(k) if f in places]
    if touching:
        # A place the disc reaches is nearer than any it does not reach.
        best = max(touching, key=lambda f: float(batch.relations(f).depth[k]))
        return best, float(batch.relations(best).depth[k])
    f, d = batch.nearest_far(places, k)
    return f, -d


def valid_during(batch: Batch, collection: str, span: Span,
                 features: tuple[Feature, ...] | None = None) -> FeatureSet:
    """The places of a collection (or of `features`, a selection of it) valid at some moment
    of the span."""
    return windows_of(batch, collection, features).during(span)


def windows_of(batch: Batch, collection: str, features: tuple[Feature, ...] | None = None
               ) -> Windows:
    """The places of a collection (or a selection of it) grouped by validity window."""
    key = ("windows", collection, id(features) if features is not None else None)
    windows = batch.cache.get(key)
    if windows is None:
        source = features if features is not None else getattr(batch.agreement, collection)
        windows = batch.cache[key] = Windows(source)
    return windows
