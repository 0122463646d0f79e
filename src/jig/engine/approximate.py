"""Zones drawn without an official map (a documented extension, docs/format.md).

A zone whose properties say `approximate: true` was reconstructed (from named admin units, a
hand-placed line): its edge may be off by `approx_km` (default 5 km). A finding that lies within
that distance of such an edge says so, so a reader does not take "1.2 km inside" for certain.
"""

from __future__ import annotations

from jig.agreement.model import Feature
from jig.engine.wording import distance

DEFAULT_APPROX_KM = 5.0


def edge_margin_m(zone: Feature) -> float | None:
    """How far the edge of an approximate zone may be off, in metres; None for a drawn zone."""
    if not zone.properties.get("approximate"):
        return None
    return float(zone.properties.get("approx_km") or DEFAULT_APPROX_KM) * 1000.0


def edge_note(zone: Feature, metres_from_edge: float) -> str:
    """'' unless the act lies within an approximate zone's margin of its edge."""
    margin = edge_margin_m(zone)
    if margin is None or abs(metres_from_edge) > margin:
        return ""
    return (f"; {zone.id} is approximate (no official map was published): its edge may be off "
            f"by up to {distance(margin)}, so this act may lie on the other side")
