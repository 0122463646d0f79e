"""Everything the rules need about a batch of incidents, computed once and vectorised.

Projected coordinates, location radii, times, matched actors, and for each zone, site or
target the relation of every incident's location disc to it (outside / straddling / inside,
and the signed distance to its edge). Rules then only read these arrays.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import shapely
from shapely.geometry.base import BaseGeometry

from jig.agreement.model import Agreement, Feature
from jig.engine.featureset import FeatureSet
from jig.geo import Relations, edges, relate_discs, relate_discs_grown
from jig.readers.columns import IncidentColumns
from jig.records import Incident

_NONE = np.zeros(0, dtype=np.intp)
# Up to this many places in a collection, scanning them beats building and querying an index.
FEW = 32


class Batch:
    """A batch of incidents prepared for judging against one agreement."""

    def __init__(self, agreement: Agreement, incidents: Sequence[Incident] | IncidentColumns,
                 evidence: Batch | None = None):
        self.agreement = agreement
        # Where exceptions look for evidence: this batch itself, or, when judging a long input
        # chunk by chunk, a batch of every incident that could be evidence.
        self.evidence: Batch = evidence if evidence is not None else self
        # Columns: read so by the columnar readers, or taken from objects. The objects are then
        # built only for the incidents the one-by-one path judges.
        cols = incidents if isinstance(incidents, IncidentColumns) else IncidentColumns.of(incidents)
        self.columns = cols
        self.incidents: Sequence[Incident] = cols.incidents
        n = len(cols)
        self.lon, self.lat = cols.lon, cols.lat
        self.x, self.y = agreement.projection.xy(cols.lon, cols.lat) if n else (cols.lon, cols.lat)
        self.r = cols.precision_m
        self.start, self.end = cols.start, cols.end
        self._matched = {name: _matched(agreement, cols, name) for name in ("actor", "target")}
        self._index: dict[str, int] | None = None
        self._relations: dict[int, Relations] = {}
        self._projected: dict[int, BaseGeometry] = {}
        self._points: np.ndarray | None = None
        self._touch: dict[int, list[Feature]] | None = None
        self.cache: dict[Any, Any] = {}

    # Each incident's (agreement actor, how it was matched), by its actor and its target, as
    # lists: for the incidents judged one by one. Whole columns ask `per_actor`.
    @functools.cached_property
    def actor(self) -> list[tuple[str | None, str | None]]:
        return _each(*self._matched["actor"])

    @functools.cached_property
    def target(self) -> list[tuple[str | None, str | None]]:
        return _each(*self._matched["target"])

    def actor_ids(self, ks: np.ndarray) -> np.ndarray:
        """The agreement actor of incidents `ks` (None where none matches), as objects."""
        table, col = self._matched["actor"]
        return np.array([a for a, _ in table], dtype=object)[_codes(col)[ks]]

    def per_value(self, name: str, test: Callable[[Any], bool]) -> np.ndarray:
        """test(value) for each incident's value of text column `name` (act, weapon), as a
        boolean array: asked once per distinct value, not once per incident."""
        col = self.columns.text[name]
        per_code = np.zeros(len(col.dictionary) + 1, bool)  # a missing value coded last
        per_code[:-1] = np.fromiter(map(test, col.dictionary.to_pylist()), bool,
                                    len(col.dictionary))
        if col.null_count:
            per_code[-1] = test(None)
        return _through(col, per_code)

    def per_actor(self, name: str, test: Callable[[str | None], bool]) -> np.ndarray:
        """test(agreement actor) for each incident's actor or target (`name`), matched as
        `actor` and `target` hold them, asked once per distinct name."""
        table, col = self._matched[name]
        return _through(col, np.fromiter((test(a) for a, _ in table), bool, len(table)))

    @property
    def index(self) -> dict[str, int]:
        """Position by incident id (built on first use: only `explain` asks)."""
        if self._index is None:
            self._index = {ident: k for k, ident in enumerate(self.columns.ids.to_pylist())}
        return self._index

    def __len__(self) -> int:
        return len(self.r)

    @property
    def points(self) -> np.ndarray:
        if self._points is None:
            self._points = shapely.points(self.x, self.y)
        return self._points

    def relations(self, feature: Feature) -> Relations:
        """The relation of every incident's disc to `feature` (computed on first use)."""
        key = id(feature)
        rel = self._relations.get(key)
        if rel is None:
            # Sites are judged within `near_km` of their radius: their depth must be known
            # that far out.
            reach = self._reach(feature.collection)
            few = len(getattr(self.agreement, feature.collection)) <= FEW
            near = None if few else self.candidates(feature.collection).get(id(feature), _NONE)
            if feature.radius_m > 0 and feature.core is not None:
                rel = relate_discs_grown(feature.core, feature.radius_m, self.x, self.y,
                                         self.r, self.points, reach, near)
            else:
                rel = relate_discs(feature.region, self.x, self.y, self.r, self.points, reach,
                                   near)
            self._relations[key] = rel
        return rel

    def _reach(self, collection: str) -> float:
        # Sites are judged within `near_km` of their radius: their depth must be known that
        # far out.
        if collection != "sites":
            return 0.0
        return max((c.near_m for c in self.agreement.clauses
                    if c.rule == "no_strikes_near_sites"), default=0.0)

    def candidates(self, collection: str) -> dict[int, np.ndarray]:
        """For each place of a collection, the incidents whose disc (grown by the collection's
        reach) meets its bounding box: one query of an index kept with the agreement."""
        key = ("candidates", collection)
        hit = self.cache.get(key)
        if hit is None:
            places = getattr(self.agreement, collection)
            tree = self.agreement.indexes.get(("regions", collection))
            if tree is None:
                tree = shapely.STRtree(np.array([f.region for f in places], dtype=object))
                self.agreement.indexes[("regions", collection)] = tree
            g = self.r + self._reach(collection)
            probe = self.points if not g.any() else shapely.box(
                self.x - g, self.y - g, self.x + g, self.y + g)
            qi, ti = tree.query(probe) if len(places) and len(self) else (_NONE, _NONE)
            order = np.argsort(ti, kind="stable")
            qi, ti = qi[order], ti[order]
            bounds = np.searchsorted(ti, np.arange(len(places) + 1))
            hit = {id(places[t]): qi[bounds[t]:bounds[t + 1]] for t in range(len(places))}
            self.cache[key] = hit
        return hit

    def touching(self, k: int) -> list[Feature]:
        """The zones, sites and targets whose tolerance incident k's disc reaches."""
        if self._touch is None:
            touch: dict[int, list[Feature]] = {}
            a = self.agreement
            for f in (*a.zones, *a.sites, *a.targets):
                rel = self.relations(f)
                for j in rel.idx[rel.near_code != 0].tolist():
                    touch.setdefault(j, []).append(f)
            self._touch = touch
        return self._touch.get(k, [])

    def nearest_far(self, places: FeatureSet, k: int) -> tuple[Feature, float]:
        """The place nearest incident k's point and its distance, through a spatial index
        built once for this set of places and queried for every incident at once."""
        if len(places) <= FEW:
            # A handful of places: measure to each; no index is worth building.
            pt = self.points[k]
            dists = [float(shapely.distance(f.region, pt)) for f in places.features]
            best = int(np.argmin(dists))
            return places.features[best], dists[best]
        key = ("nearest", id(places))
        index = self.cache.get(key)
        if index is None:
            index = self.cache[key] = (*self._edge_index(places), {})
        tree, owner, answers = index
        hit = answers.get(k)
        if hit is None:
            # Asked for the incidents that need it, in one call for all of them: those whose
            # disc reaches no place of the set (the others are answered from their depths).
            todo = np.array([j for j in range(len(self)) if j not in answers], dtype=int)
            (qi, ti), dist = tree.query_nearest(self.points[todo], return_distance=True,
                                                all_matches=False)
            for j, t, d in zip(todo[qi].tolist(), ti.tolist(), dist.tolist(), strict=True):
                answers[j] = (int(owner[t]), d)
            hit = answers[k]
        return places.features[hit[0]], float(hit[1])

    def _edge_index(self, places: FeatureSet) -> tuple[shapely.STRtree, np.ndarray]:
        ids = tuple(id(f) for f in places.features)
        built = self.agreement.indexes.get(("edges", ids))
        if built is None:
            pieces, owner = edges([f.region for f in places.features])
            built = self.agreement.indexes[("edges", ids)] = (shapely.STRtree(pieces), owner)
        return built

    def nearest_far_many(self, places: FeatureSet, ks: np.ndarray
                         ) -> tuple[np.ndarray, np.ndarray]:
        """For incidents ks: the position in `places` of the place nearest each point and its
        distance, in one query; position -1 where two places are equally near (which one
        `nearest_far` names is then the straightforward path's call)."""
        pts = self.points[ks]
        if len(places) <= FEW:
            dist = np.stack([shapely.distance(f.region, pts) for f in places.features])
            best = np.argmin(dist, axis=0)
            low = dist[best, np.arange(len(ks))]
            tie = (dist == low).sum(axis=0) > 1
            return np.where(tie, -1, best), low
        tree, owner = self._edge_index(places)
        (qi, ti), dist = tree.query_nearest(pts, return_distance=True, all_matches=True)
        low = np.zeros(len(ks))
        low[qi] = dist
        who = owner[ti]
        first = np.full(len(ks), -1, dtype=np.int64)
        first[qi[::-1]] = who[::-1]
        pos = first.copy()
        pos[qi[who != first[qi]]] = -1
        return pos, low

    def distance_to(self, feature: Feature, k: int) -> float:
        """Metres from incident k's reported point to the feature itself (not its tolerance)."""
        geom = self._projected.get(id(feature))
        if geom is None:
            geom = self.agreement.projection.project(feature.geometry)
            self._projected[id(feature)] = geom
        return float(shapely.distance(geom, shapely.Point(self.x[k], self.y[k])))


def _matched(agreement: Agreement, cols: IncidentColumns, name: str
             ) -> tuple[list[tuple[str | None, str | None]], pa.DictionaryArray]:
    """The agreement actor of each distinct name in column `name` (the last for no name),
    matched once, and the column."""
    col = cols.text[name]
    table = [agreement.match_actor(w) for w in col.dictionary.to_pylist()]
    table.append((None, None))
    return table, col


def _codes(col: pa.DictionaryArray) -> np.ndarray:
    """A text column's dictionary codes, a missing value coded one past the dictionary."""
    return col.indices.fill_null(len(col.dictionary)).to_numpy(zero_copy_only=False)


def _each(table: list[Any], col: pa.DictionaryArray) -> list[Any]:
    return [table[c] for c in _codes(col).tolist()]


def _through(col: pa.DictionaryArray, per_code: np.ndarray) -> np.ndarray:
    return per_code[_codes(col)]
