"""Everything the rules need about a batch of incidents, computed once and vectorised.

Projected coordinates, location radii, times, matched actors, and for each zone, site or
target the relation of every incident's location disc to it (outside / straddling / inside,
and the signed distance to its edge). Rules then only read these arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from jig.agreement.model import Agreement, Feature
from jig.geo import Relations, relate_discs
from jig.records import Incident


class Batch:
    """A batch of incidents prepared for judging against one agreement."""

    def __init__(self, agreement: Agreement, incidents: Sequence[Incident],
                 evidence: Batch | None = None):
        self.agreement = agreement
        # Where exceptions look for evidence: this batch itself, or, when judging a long input
        # chunk by chunk, a batch of every incident that could be evidence.
        self.evidence: Batch = evidence if evidence is not None else self
        self.incidents = incidents
        n = len(incidents)
        lon = np.fromiter((i.lon for i in incidents), float, n)
        lat = np.fromiter((i.lat for i in incidents), float, n)
        self.lon, self.lat = lon, lat
        self.x, self.y = agreement.projection.xy(lon, lat) if n else (lon, lat)
        self.r = np.fromiter((i.precision_m for i in incidents), float, n)
        self.start = np.fromiter((i.span.start for i in incidents), float, n)
        self.end = np.fromiter((i.span.end for i in incidents), float, n)
        self.actor: list[tuple[str | None, str | None]] = [
            agreement.match_actor(i.actor) for i in incidents]
        self.target: list[tuple[str | None, str | None]] = [
            agreement.match_actor(i.target) for i in incidents]
        self.index = {inc.id: k for k, inc in enumerate(incidents)}
        self._relations: dict[int, Relations] = {}
        self._projected: dict[int, BaseGeometry] = {}
        self._points: np.ndarray | None = None
        self.cache: dict[Any, Any] = {}

    def __len__(self) -> int:
        return len(self.incidents)

    def relations(self, feature: Feature) -> Relations:
        """The relation of every incident's disc to `feature` (computed on first use)."""
        key = id(feature)
        rel = self._relations.get(key)
        if rel is None:
            if self._points is None:
                self._points = shapely.points(self.x, self.y)
            rel = relate_discs(feature.region, self.x, self.y, self.r, self._points)
            self._relations[key] = rel
        return rel

    def distance_to(self, feature: Feature, k: int) -> float:
        """Metres from incident k's reported point to the feature itself (not its tolerance)."""
        geom = self._projected.get(id(feature))
        if geom is None:
            geom = self.agreement.projection.project(feature.geometry)
            self._projected[id(feature)] = geom
        return float(shapely.distance(geom, shapely.Point(self.x[k], self.y[k])))
