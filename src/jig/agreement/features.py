"""GeoJSON zones, sites and targets: checked feature by feature, explained, never repaired."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import shapely
from pydantic import ValidationError
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from jig.agreement.fileformat import FeatureProperties
from jig.errors import Location, Problem, slips

ALLOWED_TYPES = {
    "zones": {"Polygon", "MultiPolygon"},
    "sites": {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"},
    "targets": {"Point", "MultiPoint", "Polygon", "MultiPolygon"},
    "area": {"Polygon", "MultiPolygon"},
}


def _positions(coords: Any, depth: int) -> list[Any]:
    """The positions of a GeoJSON coordinates array nested `depth` deep (0 = one position)."""
    if depth == 0:
        return [coords]
    if not isinstance(coords, list):
        raise ValueError("coordinates must be nested arrays of [longitude, latitude]")
    out: list[Any] = []
    for c in coords:
        out.extend(_positions(c, depth - 1))
    return out


_DEPTH = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2,
          "MultiPolygon": 3}


_NUMBER = (int, float)


def check_position(pos: Any) -> str | None:
    """Why a GeoJSON position is wrong, or None."""
    if not isinstance(pos, list | tuple) or len(pos) < 2 or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in pos[:2]):
        return f"position {pos!r} is not [longitude, latitude]"
    lon, lat = float(pos[0]), float(pos[1])
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return f"position {pos!r} is not a finite number pair"
    if not -90 <= lat <= 90:
        if -90 <= lon <= 90 and -180 <= lat <= 180:
            return (f"latitude {lat} is out of range at {pos!r}; the pair looks swapped: GeoJSON "
                    "puts longitude first, then latitude")
        return f"latitude {lat} is out of range (-90..90) at {pos!r}"
    if not -180 <= lon <= 180:
        return f"longitude {lon} is out of range (-180..180) at {pos!r}"
    return None


def _rings(gtype: str, coords: Any) -> list[list[Any]]:
    if gtype == "Polygon":
        return list(coords)
    if gtype == "MultiPolygon":
        return [ring for poly in coords for ring in poly]
    return []


def geometry_problem(geom: Any) -> tuple[BaseGeometry | None, str | None]:
    """Build a Shapely geometry from a GeoJSON geometry object, or say why it is invalid."""
    if not isinstance(geom, dict) or "type" not in geom:
        return None, "has no geometry object with a `type`"
    gtype = geom.get("type")
    if gtype not in _DEPTH:
        return None, f"geometry type {gtype!r} is not supported here"
    try:
        positions = _positions(geom.get("coordinates"), _DEPTH[gtype])
    except (ValueError, TypeError):
        return None, f"{gtype} coordinates are not nested as GeoJSON requires"
    if not positions:
        return None, f"{gtype} has no coordinates"
    for pos in positions:
        # The common case in a few comparisons (a zone of a thousand vertices is checked a
        # thousand times); anything else, NaN and bools included, is check_position's to say.
        if type(pos) is list and len(pos) >= 2:
            lon, lat = pos[0], pos[1]
            if type(lon) in _NUMBER and type(lat) in _NUMBER and -180 <= lon <= 180 \
                    and -90 <= lat <= 90:
                continue
        why = check_position(pos)
        if why:
            return None, why
    for i, ring in enumerate(_rings(gtype, geom["coordinates"])):
        if len(ring) < 4:
            return None, f"ring {i} has {len(ring)} positions; a closed ring needs at least 4"
        if list(ring[0][:2]) != list(ring[-1][:2]):
            return None, (f"ring {i} is not closed: it starts at {ring[0]} and ends at "
                          f"{ring[-1]}; repeat the first position at the end")
    try:
        g = shape(geom)
    except Exception as exc:  # Shapely/GEOS reject shapes in their own words
        return None, f"is not a valid {gtype}: {exc}"
    if not g.is_valid:
        return None, f"is an invalid {gtype}: {explain_validity(g)} (jig does not repair shapes)"
    return shapely.force_2d(g), None


# Properties that change a verdict when absent: one a slip away from these (a letter or two,
# any case), given where the real one is not, is refused rather than kept as an unread
# extra. A site's `radius` read as no radius made a strike 204 m from a hospital comply (a
# new user's review).
JUDGED_PROPERTIES = ("valid_from", "valid_until", "radius_m", "agreed_by", "approx_km",
                     "approximate")


# Words for a judged property too far from it for a slip, but plainly meant for it.
SYNONYMS = {"valid_to": "valid_until", "valid_till": "valid_until", "valid_through": "valid_until",
            "valid_since": "valid_from"}


def misspelt(properties: dict[str, Any]) -> list[tuple[str, str]]:
    """(given, meant) for each property that looks like a slip of a judged one it lacks."""
    return slips(properties, JUDGED_PROPERTIES, SYNONYMS)


def _id_hint(properties: dict[str, Any]) -> str | None:
    """For a feature without an id: the property that could be one (a place code, as
    boundary files give them), to copy into `id`."""
    codes = [k for k in properties if isinstance(k, str) and "pcode" in k.lower()]
    if not codes:
        return None
    return f"it has {', '.join(f'`{k}`' for k in codes[:3])}: copy one into an `id` property"


def read_features(collection: str, raw: Any, where: Callable[[int, str | None], Location],
                  problems: list[Problem]) -> list[tuple[FeatureProperties, BaseGeometry]]:
    """Validate a list of GeoJSON features (or a FeatureCollection) of one collection.

    `where(index, feature_id)` says where a feature came from (file + feature, or YAML line);
    asked only for a feature with a problem (finding a YAML line can mean reading the text again).
    Problems are appended; features that have them are left out of the result.
    """
    if isinstance(raw, dict):
        if raw.get("type") != "FeatureCollection" or not isinstance(raw.get("features"), list):
            problems.append(Problem("geojson.not_collection",
                                    f"{collection} must be a GeoJSON FeatureCollection",
                                    where(-1, None),
                                    'write {"type": "FeatureCollection", "features": [...]}'))
            return []
        raw = raw["features"]
    out: list[tuple[FeatureProperties, BaseGeometry]] = []
    seen: set[str] = set()
    for i, feat in enumerate(raw):
        fid = None
        if isinstance(feat, dict) and isinstance(feat.get("properties"), dict):
            fid = feat["properties"].get("id")
            fid = str(fid) if fid is not None else None
            if fid is None and isinstance(feat.get("id"), str | int) and str(feat["id"]).strip():
                # The Feature's own `id` (RFC 7946; QGIS writes one) stands for a missing
                # `id` property.
                fid = str(feat["id"])
                feat = feat | {"properties": feat["properties"] | {"id": fid}}
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            problems.append(Problem("geojson.not_feature", "is not a GeoJSON Feature", where(i, fid),
                                    'each item needs "type": "Feature", "geometry", "properties"'))
            continue
        given = feat.get("properties") or {}
        try:
            props = FeatureProperties.model_validate(given)
        except ValidationError as exc:
            for err in exc.errors():
                field = ".".join(str(p) for p in err["loc"]) or "properties"
                missing_id = field == "id" and err["type"] == "missing"
                msg = ("has no `id` property (nor a Feature `id`); every feature needs one, "
                       "unique in its collection"
                       if missing_id else f"property `{field}`: {err['msg']}")
                problems.append(Problem("geojson.properties", msg, where(i, fid),
                                        _id_hint(given) if missing_id else None))
            continue
        slips = misspelt(given)
        if slips:
            for slip, meant in slips:
                problems.append(Problem(
                    "geojson.misspelt", f"property `{slip}` is not one jig reads, and "
                    f"`{meant}` is missing: did you mean `{meant}`?", where(i, fid),
                    "a property jig does not read is kept as given, so this one would be "
                    "ignored; rename it"))
            continue
        if props.id in seen:
            problems.append(Problem("geojson.duplicate_id",
                                    f"id {props.id!r} is used twice in {collection}", where(i, fid),
                                    "ids must be unique within zones, sites and targets each"))
            continue
        seen.add(props.id)
        geom, why = geometry_problem(feat.get("geometry"))
        if why:
            problems.append(Problem("geojson.geometry", f"geometry {why}", where(i, fid)))
            continue
        assert geom is not None
        if geom.geom_type not in ALLOWED_TYPES[collection]:
            allowed = ", ".join(sorted(ALLOWED_TYPES[collection]))
            problems.append(Problem("geojson.geometry_type",
                                    f"{collection} cannot be a {geom.geom_type}", where(i, fid),
                                    f"use one of: {allowed}"))
            continue
        out.append((props, geom))
    return out
