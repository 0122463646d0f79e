"""The agreement as the engine sees it: parties, actors, zones, sites, targets, clauses.

Built by `jig.agreement.load` from a validated file; geometries are held both in WGS 84 (for
output) and projected to metres (for judging), with each feature's validity window resolved
to instants in the agreement's timezone.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import tzinfo
from fnmatch import fnmatchcase
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from jig.geo import LocalProjection
from jig.times import Window


@dataclass(frozen=True)
class Party:
    id: str
    name: str
    answers_for: frozenset[str]


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    patterns: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class Feature:
    """A zone, protected site or target: a place with a validity window."""

    id: str
    collection: str  # "zones", "sites" or "targets"
    geometry: BaseGeometry  # WGS 84 lon/lat, as given
    region: BaseGeometry  # projected metres, grown by radius_m (a polygon: for areas, indexes)
    window: Window
    name: str | None = None
    kind: str | None = None
    radius_m: float = 0.0
    group: str | None = None
    agreed_by: frozenset[str] = frozenset()
    properties: dict[str, Any] = field(default_factory=dict)
    # Projected metres, before radius_m: what lies within radius_m of it is the exact region.
    core: BaseGeometry | None = None

    @property
    def circles(self) -> bool:
        """A point (or points) with a radius: exact circles, whose shares are computed as such."""
        return self.radius_m > 0 and self.core is not None and \
            self.core.geom_type in ("Point", "MultiPoint")

    @property
    def label(self) -> str:
        return f"{self.id} ({self.name})" if self.name else self.id


@dataclass(frozen=True)
class Selector:
    """`{kind: ..., id: ...}`: a feature is selected when everything given matches."""

    kinds: frozenset[str] | None = None
    ids: frozenset[str] | None = None

    def selects(self, f: Feature) -> bool:
        if self.kinds is not None and f.kind not in self.kinds:
            return False
        return self.ids is None or f.id in self.ids

    def describe(self) -> str:
        parts = []
        if self.kinds is not None:
            parts.append("kind " + "/".join(sorted(self.kinds)))
        if self.ids is not None:
            parts.append("id " + "/".join(sorted(self.ids)))
        return " and ".join(parts) or "all zones"

    def phrase(self) -> str:
        """As in a sentence: 'the designated zones', 'zone DA-1', 'the buffer zones DA-2/DA-3'."""
        ids = "/".join(sorted(self.ids)) if self.ids is not None else ""
        if self.kinds is None:
            return f"zone {ids}" if ids else "the zones"
        kinds = "/".join(sorted(self.kinds))
        return f"the {kinds} zones" + (f" {ids}" if ids else "")


@dataclass(frozen=True)
class Clause:
    id: str
    rule: str
    bound: frozenset[str]
    acts: frozenset[str]
    quote: str | None = None  # the agreement's own words
    selector: Selector | None = None
    weapons: frozenset[str] | None = None
    exceptions: tuple[str, ...] = ()
    against: frozenset[str] | None = None  # the acts covered are those against these actors
    near_m: float = 5000.0
    obligation: str | None = None  # must_by: what is to be done
    deadline: float | None = None  # must_by: done by this instant (POSIX seconds)
    summary: str | None = None  # the terms in the encoder's words, where no text is quoted

    def covers_act(self, act: str) -> bool:
        return "any" in self.acts or act in self.acts

    @functools.cached_property
    def weapons_folded(self) -> frozenset[str]:
        """`weapons` casefolded: a record's `Tank` is the clause's `tank`, as words are."""
        return frozenset(w.casefold() for w in self.weapons or ())


@dataclass(frozen=True)
class NoticeRequirement:
    within_s: float


@dataclass(frozen=True)
class EvidenceRequirement:
    actor: str
    targets: frozenset[str] | None
    inside: Selector | None
    outside: Selector | None
    within_m: float
    before_s: float


@dataclass(frozen=True)
class ExceptionRule:
    id: str
    for_: frozenset[str]
    against: frozenset[str]
    quote: str | None = None
    notice: NoticeRequirement | None = None
    evidence: EvidenceRequirement | None = None
    summary: str | None = None  # the terms in the encoder's words, where no text is quoted


@dataclass(frozen=True, eq=False)
class Agreement:
    id: str
    title: str | None
    in_force: Window
    timezone_name: str
    tz: tzinfo
    parties: dict[str, Party]
    actors: dict[str, Actor]
    zones: tuple[Feature, ...]
    sites: tuple[Feature, ...]
    targets: tuple[Feature, ...]
    clauses: tuple[Clause, ...]
    exceptions: dict[str, ExceptionRule]
    projection: LocalProjection
    precision: dict[str, dict[Any, Any]] = field(default_factory=dict)  # and mappings
    area: BaseGeometry | None = None  # lon/lat, as given
    area_region: BaseGeometry | None = None  # projected, grown by the 10 km margin
    area_names: tuple[str, ...] = ()  # the area features' names (a country, say)
    separation: Any = None  # jig.air.model.Separation
    content_hash: str = ""
    sources: tuple[str, ...] = ()  # the GeoJSON files it names, as read (beside its own file)
    _match_cache: dict[str, tuple[str | None, str | None]] = field(default_factory=dict, repr=False)
    # Spatial indexes of this version's places, built on first use and kept with it.
    indexes: dict[Any, Any] = field(default_factory=dict, repr=False)

    @functools.cached_property
    def extent(self) -> tuple[float, float, float, float] | None:
        """(min lon, min lat, max lon, max lat) of the `area`, or of every place when it gives
        none; None for an agreement with no place at all."""
        if self.area is not None:
            return tuple(self.area.bounds)  # type: ignore[return-value]
        places = [f.geometry for f in (*self.zones, *self.sites, *self.targets)]
        if not places:
            return None
        b = shapely.total_bounds(places)
        return (float(b[0]), float(b[1]), float(b[2]), float(b[3]))

    def match_actor(self, name: str | None) -> tuple[str | None, str | None]:
        """(actor id, how it matched) for a name from an incoming record; (None, None) if none.

        An actor id matches itself; otherwise the first actor (in file order) with a matching
        pattern wins, as format 1 says.
        """
        if not name:
            return None, None
        hit = self._match_cache.get(name)
        if hit is not None:
            return hit
        result: tuple[str | None, str | None] = (None, None)
        if name in self.actors:
            result = (name, "actor id")
        else:
            for actor in self.actors.values():
                pat = next((p for p in actor.patterns if fnmatchcase(name, p)), None)
                if pat is not None:
                    result = (actor.id, f"pattern {pat!r}")
                    break
        if len(self._match_cache) < 100_000:
            self._match_cache[name] = result
        return result

    def parties_answering_for(self, actor: str) -> frozenset[str]:
        return frozenset(p.id for p in self.parties.values() if actor in p.answers_for)

    def is_agreed(self, target: Feature) -> bool:
        """A target counts as agreed only while every party has agreed it."""
        return set(self.parties) <= target.agreed_by

    def evidence_actors(self) -> frozenset[str]:
        """Actors whose incidents can serve as evidence for an exception."""
        return frozenset(e.evidence.actor for e in self.exceptions.values()
                         if e.evidence is not None)

    def select_zones(self, selector: Selector | None) -> tuple[Feature, ...]:
        if selector is None:
            return self.zones
        return tuple(z for z in self.zones if selector.selects(z))
