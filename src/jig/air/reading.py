"""Air-activity notices from CSV, JSON Lines or GeoJSON, bad rows kept aside with the reason.

Fields: `id`, `party`, `actor`, `kind` (transit, patrol, unmanned, ...), `time` (an interval
`start/end`, or `start` and `end`), the shape (`geometry` as GeoJSON or WKT text, or the
feature's geometry), `half_width_m` for routes, and the altitude band `alt_low`, `alt_high`
with `alt_unit` (`ft`, default, or `m`) and `alt_ref` (`AMSL`, the only reference accepted:
heights above ground need terrain jig does not have).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import shapely

from jig.agreement.features import geometry_problem
from jig.agreement.model import Agreement
from jig.air.model import FEET, AirNotice
from jig.errors import RowError
from jig.readers import ReadResult, read_keyed
from jig.readers.fields import number, parse_when, text
from jig.records import Origin

CORE = {"id", "party", "actor", "kind", "time", "start", "end", "geometry", "wkt",
        "half_width_m", "alt_low", "alt_high", "alt_unit", "alt_ref"}


def _geometry(fields: dict[str, Any], geometry: Any) -> Any:
    raw = geometry if geometry is not None else fields.get("geometry") or fields.get("wkt")
    if raw is None or raw == "":
        raise RowError("row.missing", "no `geometry`: give an area (Polygon) or a route "
                       "(LineString), as GeoJSON or WKT", "geometry")
    if isinstance(raw, str):
        s = raw.strip()
        if s.startswith("{"):
            try:
                raw = json.loads(s)
            except json.JSONDecodeError as exc:
                raise RowError("row.geometry", f"`geometry` is not valid GeoJSON: {exc.msg}",
                               "geometry") from None
        else:
            try:
                raw = shapely.geometry.mapping(shapely.from_wkt(s))
            except shapely.errors.ShapelyError as exc:
                raise RowError("row.geometry", f"`geometry` is not valid WKT: {exc}",
                               "geometry") from None
    geom, why = geometry_problem(json.loads(json.dumps(raw, default=list)))
    if why:
        raise RowError("row.geometry", f"geometry {why}", "geometry")
    assert geom is not None
    if geom.geom_type not in ("Polygon", "MultiPolygon", "LineString", "MultiLineString"):
        raise RowError("row.geometry", f"geometry is a {geom.geom_type}: an air notice is an "
                       "area (Polygon) or a route (LineString)", "geometry")
    return geom


def _band(fields: dict[str, Any]) -> tuple[float, float, str]:
    low = number(fields, "alt_low", required=True)
    high = number(fields, "alt_high", required=True)
    assert low is not None and high is not None
    unit = (text(fields, "alt_unit") or "ft").lower()
    if unit not in ("ft", "m"):
        raise RowError("row.altitude", f"`alt_unit` {unit!r}: use ft or m", "alt_unit")
    ref = (text(fields, "alt_ref") or "AMSL").upper()
    if ref not in ("AMSL", "MSL"):
        raise RowError("row.altitude", f"`alt_ref` {ref!r}: jig compares altitudes above mean "
                       "sea level only (AMSL); heights above ground need terrain data",
                       "alt_ref")
    if high < low:
        raise RowError("row.altitude", f"the band {low:g}-{high:g} {unit} is upside down "
                       "(alt_high below alt_low)", "alt_high")
    scale = FEET if unit == "ft" else 1.0
    return low * scale, high * scale, f"{low:g}-{high:g} {unit} AMSL"


def to_air_notice(fields: dict[str, Any], agreement: Agreement, origin: Origin | None = None,
                  geometry: Any = None) -> AirNotice:
    ident = text(fields, "id")
    if ident is None:
        raise RowError("row.missing", "`id` is required and empty", "id")
    party = text(fields, "party")
    if party not in agreement.parties:
        raise RowError("row.unknown_party", f"`party` {party!r} is not a party of the agreement "
                       f"({', '.join(sorted(agreement.parties))})", "party")
    if text(fields, "time") is None and text(fields, "start") is not None:
        fields = dict(fields, time=f"{text(fields, 'start')}/{text(fields, 'end') or ''}")
    window, time_text = parse_when(fields, agreement.tz)
    geom = _geometry(fields, geometry)
    half = number(fields, "half_width_m") or 0.0
    if half < 0:
        raise RowError("row.corridor", f"`half_width_m` must be 0 or more, not {half:g}",
                       "half_width_m")
    if geom.geom_type in ("LineString", "MultiLineString") and half == 0:
        raise RowError("row.corridor", "a route needs `half_width_m`: how far either side of "
                       "the line the aircraft may be", "half_width_m")
    low, high, alt_text = _band(fields)
    extra = {k: v for k, v in fields.items() if k not in CORE and v not in (None, "")}
    return AirNotice(id=ident, party=party, actor=text(fields, "actor"),
                     kind=text(fields, "kind") or "flight", window=window, time_text=time_text,
                     geometry=geom, half_width_m=half, alt_low_m=low, alt_high_m=high,
                     alt_text=alt_text, extra=extra, origin=origin)


def read_air_notices(paths: Iterable[str | Path], agreement: Agreement) -> ReadResult:
    return read_keyed(paths, lambda rec: to_air_notice(rec.fields, agreement, rec.origin,
                                                       rec.geometry))

