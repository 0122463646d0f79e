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

from jig.agreement.model import Feature
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
                share_cache[key] = share_of_circle(_area_inside(batch, edge, x, y, r), r)
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


def _area_inside(batch: Batch, places: list[Feature], x: float, y: float, r: float) -> float:
    """The area the disc shares with the union of the places: exactly from their circles when
    all are points with a radius, else from their outlines (a buffered route's or area's
    rounded ends as the polygon drawn for them)."""
    if all(f.circles for f in places):
        centres = shapely.get_coordinates(np.array([f.core for f in places], dtype=object))
        counts = [len(shapely.get_coordinates(f.core)) for f in places]
        radius = np.repeat([f.radius_m for f in places], counts)
        return area_in_circles(x, y, r, centres[:, 0], centres[:, 1], radius)
    terms: list[tuple[float, Outline]] = []
    for group in batch.overlap_groups(places):
        terms += _union_terms(batch, [places[i] for i in group])
    return area_in_circle([o for _, o in terms], [w for w, _ in terms], x, y, r)


# Beyond this many places sharing area, one union is cheaper than inclusion-exclusion.
_MEET_MAX = 8


def _union_terms(batch: Batch, places: list[Feature]) -> list[tuple[float, Outline]]:
    """The union of places that may share area, as signed outlines whose areas add up to it.

    By inclusion-exclusion over the places' intersections (kept with the agreement and shared
    by every disc near them), skipping the sets whose intersection is empty; a union is built
    only for a large cluster.
    """
    if len(places) > _MEET_MAX:
        return [(1.0, _union(batch, places))]
    terms: list[tuple[float, Outline]] = []

    def walk(chosen: list[Feature], start: int, sign: float) -> None:
        for i in range(start, len(places)):
            meet = _meet(batch, [*chosen, places[i]])
            if meet is not None:
                terms.append((sign, meet))
                walk([*chosen, places[i]], i + 1, -sign)

    walk([], 0, 1.0)
    return terms


def _meet(batch: Batch, places: list[Feature]) -> Outline | None:
    """The outline of the places' intersection (None when it has no area), kept with the
    agreement."""
    key = ("meet", frozenset(id(f) for f in places))
    if key in batch.agreement.indexes:
        return batch.agreement.indexes[key]
    if len(places) == 1:
        hit: Outline | None = Outline.of(places[0].region)
    else:
        parent = _meet(batch, places[:-1])
        shared = None if parent is None else parent.region.intersection(places[-1].region)
        hit = None if shared is None or shared.area <= 0 else Outline.of(shared)
    batch.agreement.indexes[key] = hit
    return hit


def _union(batch: Batch, places: list[Feature]) -> Outline:
    """The outline of the places' union, kept with the agreement."""
    key = ("union", frozenset(id(f) for f in places))
    hit = batch.agreement.indexes.get(key)
    if hit is None:
        hit = batch.agreement.indexes[key] = Outline.union([f.region for f in places])
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
