"""Air-activity notices: who flies, where (an area, or a route with a corridor), how high, when.

A notice is a volume: a horizontal shape (the area, or the route grown by its half-width),
an altitude band above mean sea level, and a time window. Deconfliction compares volumes of
different parties against the agreement's separation minima; `no_flights_in` compares them
with the zones a party's aircraft are barred from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shapely.geometry.base import BaseGeometry

from jig.records import Origin
from jig.times import Span

FEET = 0.3048


@dataclass(frozen=True, slots=True)
class Separation:
    """Separation minima: closer than all three at once is a conflict (`air:` in the agreement).

    Defaults: 5 NM horizontally and 1,000 ft vertically, the en-route minima of ICAO Doc 4444
    for radar-separated traffic, and 10 minutes in time.
    """

    horizontal_m: float = 9_260.0
    vertical_m: float = 1_000 * FEET
    time_s: float = 600.0


@dataclass(frozen=True, slots=True)
class AirNotice:
    id: str
    party: str
    actor: str | None
    kind: str
    window: Span
    time_text: str
    geometry: BaseGeometry  # lon/lat: an area (Polygon) or a route (LineString)
    half_width_m: float  # the corridor either side of a route; 0 for areas
    alt_low_m: float  # metres above mean sea level
    alt_high_m: float
    alt_text: str  # as given, e.g. "FL100-FL200" or "3000-9000 ft AMSL"
    extra: dict[str, Any] = field(default_factory=dict)
    origin: Origin | None = None

    @property
    def is_route(self) -> bool:
        return self.geometry.geom_type in ("LineString", "MultiLineString")
